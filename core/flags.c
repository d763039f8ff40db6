/* flags — see flags.h. A fixed table: a node has a few dozen switches, not thousands. */
#include "flags.h"

#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 48
#define WATCH_MAX 16

typedef struct {
    char name[NAME_MAX_LEN];
    const char *help;
    int on;
} flag_t;

typedef struct {
    char name[NAME_MAX_LEN];
    int on;
    int used;
} override_t;

static flag_t table[FLAGS_MAX];
static int n_flags;
static override_t overrides[FLAGS_MAX];
static int n_overrides;
static struct {
    int id;
    flags_watch_fn fn;
    void *ud;
} watchers[WATCH_MAX];
static int n_watchers;

void flags_reset(void)
{
    n_flags = n_overrides = n_watchers = 0;
}

int flags_find(const char *name)
{
    for (int i = 0; i < n_flags; i++)
        if (strcmp(table[i].name, name) == 0) return i;
    return -1;
}

int flags_register(const char *name, int default_on, const char *help)
{
    int id = flags_find(name);
    if (id >= 0) return id;
    if (n_flags == FLAGS_MAX || strlen(name) >= NAME_MAX_LEN) return -1;
    flag_t *f = &table[n_flags];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->help = help;
    f->on = default_on;
    for (int i = 0; i < n_overrides; i++)
        if (strcmp(overrides[i].name, name) == 0) {
            f->on = overrides[i].on;
            overrides[i].used = 1;
        }
    return n_flags++;
}

int flags_on(int id) { return id >= 0 && id < n_flags && table[id].on; }
int flags_count(void) { return n_flags; }
const char *flags_name(int id) { return id >= 0 && id < n_flags ? table[id].name : NULL; }
const char *flags_help(int id) { return id >= 0 && id < n_flags ? table[id].help : NULL; }

int flags_set(int id, int on)
{
    if (id < 0 || id >= n_flags) return -1;
    on = !!on;
    if (table[id].on == on) return 0;
    table[id].on = on;
    for (int i = 0; i < n_watchers; i++)
        if (watchers[i].id == id) watchers[i].fn(id, on, watchers[i].ud);
    return 0;
}

void flags_watch(int id, flags_watch_fn fn, void *ud)
{
    if (n_watchers == WATCH_MAX) return;
    watchers[n_watchers].id = id;
    watchers[n_watchers].fn = fn;
    watchers[n_watchers].ud = ud;
    n_watchers++;
}

int flags_override(const char *spec, int on, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    size_t nl = eq ? (size_t)(eq - spec) : strlen(spec);
    if (eq) {
        const char *v = eq + 1;
        if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1")) on = 1;
        else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0")) on = 0;
        else {
            snprintf(err, errlen, "feature flag '%.*s': value '%s' is not on/off", (int)nl, spec, v);
            return -1;
        }
    }
    if (nl == 0 || nl >= NAME_MAX_LEN || n_overrides == FLAGS_MAX) {
        snprintf(err, errlen, "feature flag '%s' is not a valid flag name", spec);
        return -1;
    }
    override_t *o = &overrides[n_overrides++];
    memcpy(o->name, spec, nl);
    o->name[nl] = 0;
    o->on = on;
    o->used = 0;
    int id = flags_find(o->name); /* already registered: apply now */
    if (id >= 0) {
        table[id].on = on;
        o->used = 1;
    }
    return 0;
}

int flags_check_overrides(char *err, size_t errlen)
{
    for (int i = 0; i < n_overrides; i++)
        if (!overrides[i].used && flags_find(overrides[i].name) < 0) {
            snprintf(err, errlen, "unknown feature flag '%s' (GET /api/1/flags lists them)", overrides[i].name);
            return -1;
        }
    return 0;
}
