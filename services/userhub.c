/* userhub — see userhub.h. Three small registries and the fan-out of a balance refresh. */
#include "userhub.h"

#include <stdio.h>
#include <string.h>

static struct {
    const userhub_login_part_t *parts[USERHUB_MAX];
    const userhub_session_t *sessions[USERHUB_MAX];
    const userhub_balances_t *balances[USERHUB_MAX];
    size_t nparts, nsessions, nbalances;
} hub;

/* One registration into table (n entries so far): 0 or -1 when full. */
static int add(const void **table, size_t *n, const void *entry)
{
    if (*n == USERHUB_MAX) return -1;
    table[(*n)++] = entry;
    return 0;
}

int userhub_add_login_part(const userhub_login_part_t *p) { return add((const void **)hub.parts, &hub.nparts, p); }
int userhub_add_session(const userhub_session_t *s) { return add((const void **)hub.sessions, &hub.nsessions, s); }
int userhub_add_balances(const userhub_balances_t *b) { return add((const void **)hub.balances, &hub.nbalances, b); }

size_t userhub_login_part_count(void) { return hub.nparts; }
const userhub_login_part_t *userhub_login_part(size_t i) { return i < hub.nparts ? hub.parts[i] : NULL; }

void userhub_logged_in(const char *user)
{
    for (size_t i = 0; i < hub.nsessions; i++)
        if (hub.sessions[i]->logged_in) hub.sessions[i]->logged_in(user);
}

void userhub_logging_out(const char *user)
{
    for (size_t i = 0; i < hub.nsessions; i++)
        if (hub.sessions[i]->logging_out) hub.sessions[i]->logging_out(user);
}

static void slot_finished(void *ud, const char *error)
{
    struct userhub_slot *s = ud;
    userhub_refresh_t *r = s->r;
    if (error) {
        size_t used = strlen(r->error);
        snprintf(r->error + used, sizeof r->error - used, "%sCould not query the %s balances: %s", used ? "; " : "",
                 s->b->what, error);
    }
    if (--r->pending == 0 && r->done) r->done(r);
}

int userhub_balances_refresh(userhub_refresh_t *r)
{
    r->error[0] = 0;
    /* counted up front so that a contributor finishing at once cannot end the fan-out early */
    r->pending = 1;
    for (size_t i = 0; i < hub.nbalances; i++) {
        r->slots[i].r = r;
        r->slots[i].b = hub.balances[i];
        r->pending++;
        if (hub.balances[i]->refresh(r->ignore_cache, slot_finished, &r->slots[i]) != 0) r->pending--;
    }
    if (--r->pending == 0) return 0;
    return 1;
}

void userhub_balances_each(userhub_balance_fn fn, void *ud)
{
    for (size_t i = 0; i < hub.nbalances; i++) hub.balances[i]->each(fn, ud);
}
