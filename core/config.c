/* config — see config.h. One table describes every option for all three sources. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/pal.h"
#include "alloc.h"
#include "flags.h"
#include "log.h"

typedef enum { OPT_STR, OPT_INT, OPT_SIZE, OPT_LEVEL } opt_type_t;

typedef struct {
    const char *name; /* flag without dashes, config-file key; env is PIPIT_ + upper, - -> _ */
    opt_type_t type;
    size_t offset, size;
    long min, max;
    const char *help;
} opt_t;

#define OPTS(n, f, h) {n, OPT_STR, offsetof(config_t, f), sizeof(((config_t *)0)->f), 0, 0, h}
#define OPTI(n, f, lo, hi, h) {n, OPT_INT, offsetof(config_t, f), sizeof(int), lo, hi, h}
#define OPTZ(n, f, h) {n, OPT_SIZE, offsetof(config_t, f), sizeof(size_t), 0, 0, h}

static const opt_t opts[] = {
    OPTS("data-dir", data_dir, "folder of the user databases (default: per-user data folder)"),
    OPTS("api-host", api_host, "address the REST API and /ws listen on (default 127.0.0.1)"),
    OPTI("rest-api-port", rest_api_port, 0, 65535, "port of the REST API and /ws (default 5042; 0 = any free)"),
    {"loglevel", OPT_LEVEL, offsetof(config_t, loglevel), sizeof(int), 0, 0, "debug, info, warning, error or critical (default info)"},
    OPTZ("heap-budget", heap_budget, "hard limit of the heap, e.g. 16M (default 16M; 0 = none)"),
    OPTZ("max-body-size", max_body_size, "largest request body accepted (default 1M)"),
    OPTS("api-cors", api_cors, "comma-separated origins allowed cross-origin, '*' wildcard (default http://localhost:*)"),
    OPTI("max-connections", max_connections, 16, 1000000, "connections held at once (default 1100)"),
    OPTI("ws-queue-max", ws_queue_max, 1, 1000000, "messages queued for one WebSocket client before it is dropped (default 4096)"),
    OPTZ("ws-queue-bytes", ws_queue_bytes, "bytes queued for one WebSocket client before it is dropped (default 4M; at most 1/8 of the heap budget)"),
    OPTI("ws-ping-interval", ws_ping_interval, 1, 86400, "seconds of WebSocket silence before a ping (default 60)"),
    OPTS("db-driver", db_driver, "threaded (DB jobs on worker threads) or sliced (on the loop, in slices) (default threaded)"),
    OPTI("db-slice-steps", db_slice_steps, 1, 1000000, "sliced driver: SQLite steps per job per loop turn (default 100)"),
    OPTZ("db-cache", db_cache, "SQLite page cache per connection (default 2M; at most 1/8 of the heap budget)"),
    OPTI("db-maintenance-interval", db_maintenance_interval, 1, 31536000, "seconds between DB maintenance runs (default 3600)"),
    OPTI("slow-turn-ms", slow_turn_ms, 0, 60000, "log a loop turn longer than this with what ran in it (default 50; 0 = never)"),
    OPTI("max-tasks", max_tasks, 1, 1000, "async tasks running at once, the rest queue (default 4)"),
    OPTI("exchange-history-interval", exchange_history_interval, 10, 604800, "seconds between refreshes of exchange history (default 3600)"),
    OPTI("rpc-timeout", rpc_timeout_ms, 100, 600000, "ms before an RPC node that has not answered is failed over (default 30000)"),
    OPTI("rpc-rate-limit", rpc_rate_limit, 0, 1000000, "JSON-RPC calls per second to one node, 0 = unlimited (default 0)"),
    OPTI("price-ttl", price_ttl, 0, 86400, "seconds a price oracle answer is reused, 0 = never (default 300)"),
    OPTI("max-task-outcomes", max_task_outcomes, 16, 1000000, "completed task outcomes kept until read (default 4096)"),
    OPTS("etherscan-url", etherscan_url, "Etherscan-compatible API the indexer source asks (default https://api.etherscan.io/v2/api)"),
    OPTS("frontend-dir", frontend_dir, "folder of a built web app served on the API's port: / and its files, index.html for other pages (default: none)"),
};
#define N_OPTS (sizeof opts / sizeof opts[0])

void config_defaults(config_t *c)
{
    memset(c, 0, sizeof *c);
    if (pal_default_data_dir(c->data_dir, sizeof c->data_dir) != PAL_OK) snprintf(c->data_dir, sizeof c->data_dir, "pipit-data");
    snprintf(c->api_host, sizeof c->api_host, "127.0.0.1");
    c->rest_api_port = 5042;
    c->loglevel = LOG_INFO;
    c->heap_budget = 16u << 20;
    c->max_body_size = 1u << 20;
    snprintf(c->api_cors, sizeof c->api_cors, "http://localhost:*");
    c->max_connections = 1100;
    c->ws_queue_max = 4096;
    c->ws_queue_bytes = 4u << 20;
    c->ws_ping_interval = 60;
    snprintf(c->db_driver, sizeof c->db_driver, "threaded");
    c->db_slice_steps = 100;
    c->db_cache = 2u << 20;
    c->db_maintenance_interval = 3600;
    c->slow_turn_ms = 50;
    c->max_tasks = 4;
    c->rpc_timeout_ms = 30000;
    c->exchange_history_interval = 3600;
    c->rpc_rate_limit = 0;
    c->price_ttl = 300;
    c->max_task_outcomes = 4096;
    snprintf(c->etherscan_url, sizeof c->etherscan_url, "https://api.etherscan.io/v2/api");
}

void config_usage(void)
{
    printf("usage: pipit [options]\n\n");
    for (size_t i = 0; i < N_OPTS; i++) printf("  --%-18s %s\n", opts[i].name, opts[i].help);
    printf("  --%-18s %s\n", "config FILE", "read 'key = value' lines (option names without dashes; flag.NAME = on|off)");
    printf("  --%-18s %s\n", "enable FLAG", "switch a feature flag on (repeatable)");
    printf("  --%-18s %s\n", "disable FLAG", "switch a feature flag off (repeatable)");
    printf("  --%-18s %s\n", "help", "show this text");
    printf("  --%-18s %s\n", "version", "print the version");
    printf("\nEvery option can also come from the environment as PIPIT_<NAME> (e.g. PIPIT_REST_API_PORT),\n"
           "feature flags from PIPIT_FLAGS=\"name=off,other=on\".\n");
}

int config_parse_size(const char *s, size_t *out)
{
    char *end;
    if (!*s || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno == ERANGE) return -1;
    unsigned long long mul = 1;
    switch (*end | 0x20) {
    case 'k': mul = 1ull << 10; end++; break;
    case 'm': mul = 1ull << 20; end++; break;
    case 'g': mul = 1ull << 30; end++; break;
    default: break;
    }
    if (mul > 1 && (end[0] == 'i' || end[0] == 'I') && (end[1] == 'b' || end[1] == 'B')) end += 2;
    else if (mul > 1 && (end[0] == 'b' || end[0] == 'B')) end++;
    if (*end || v > (unsigned long long)SIZE_MAX / mul) return -1;
    *out = (size_t)(v * mul);
    return 0;
}

static int set_opt(config_t *c, const opt_t *o, const char *val, const char *src, char *err, size_t errlen)
{
    char *dst = (char *)c + o->offset;
    switch (o->type) {
    case OPT_STR:
        if (strlen(val) >= o->size) {
            snprintf(err, errlen, "%s: value of '%s' is too long", src, o->name);
            return -1;
        }
        memcpy(dst, val, strlen(val) + 1);
        return 0;
    case OPT_INT: {
        char *end;
        long v = strtol(val, &end, 10);
        if (!*val || *end || v < o->min || v > o->max) {
            snprintf(err, errlen, "%s: '%s' wants a whole number from %ld to %ld, not '%s'", src, o->name, o->min, o->max, val);
            return -1;
        }
        *(int *)dst = (int)v;
        return 0;
    }
    case OPT_SIZE:
        if (config_parse_size(val, (size_t *)dst) != 0) {
            snprintf(err, errlen, "%s: '%s' wants a size such as 4096, 512K or 16M, not '%s'", src, o->name, val);
            return -1;
        }
        return 0;
    case OPT_LEVEL: {
        int lv = log_level_parse(val);
        if (lv < 0) {
            snprintf(err, errlen, "%s: loglevel '%s' is not one of debug, info, warning, error, critical", src, val);
            return -1;
        }
        *(int *)dst = lv;
        return 0;
    }
    }
    return -1;
}

static const opt_t *find_opt(const char *name, size_t n)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0) return &opts[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = 0;
    return s;
}

/* Reads the whole file (configs are small) then takes it line by line. */
static int load_file(config_t *c, const char *path, char *err, size_t errlen)
{
    pal_file_t *f;
    if (pal_file_open(path, PAL_F_READ, &f) != PAL_OK) {
        snprintf(err, errlen, "cannot read config file %s: %s", path, pal_last_error());
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = alloc_get(ALLOC_CORE, cap);
    long n = 0;
    while (buf && (n = pal_file_read(f, buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (len + 1 == cap) {
            char *nb = cap < (1u << 20) ? alloc_reget(ALLOC_CORE, buf, cap * 2) : NULL;
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
    }
    pal_file_close(f);
    if (!buf || n < 0 || len + 1 == cap) {
        snprintf(err, errlen, "cannot read config file %s (too large or unreadable)", path);
        alloc_free(buf);
        return -1;
    }
    buf[len] = 0;
    int rc = 0, lineno = 0;
    for (char *line = buf, *next; line && rc == 0; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        char *eq = strchr(s, '=');
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (!eq) {
            snprintf(err, errlen, "%s: expected 'key = value'", where);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        if (strncmp(key, "flag.", 5) == 0) {
            char spec[128];
            snprintf(spec, sizeof spec, "%s=%s", key + 5, val);
            rc = flags_override(spec, 1, err, errlen);
            continue;
        }
        const opt_t *o = find_opt(key, strlen(key));
        if (!o) {
            snprintf(err, errlen, "%s: unknown setting '%s'", where, key);
            rc = -1;
        } else {
            rc = set_opt(c, o, val, where, err, errlen);
        }
    }
    alloc_free(buf);
    return rc;
}

static int load_env(config_t *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        char env[64] = "PIPIT_";
        size_t k = 6;
        for (const char *p = opts[i].name; *p && k < sizeof env - 1; p++)
            env[k++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        env[k] = 0;
        const char *v = pal_env(env);
        if (v && set_opt(c, &opts[i], v, env, err, errlen) != 0) return -1;
    }
    const char *fl = pal_env("PIPIT_FLAGS");
    if (fl && *fl) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", fl);
        for (char *tok = buf, *next; tok; tok = next) {
            next = strchr(tok, ',');
            if (next) *next++ = 0;
            tok = trim(tok);
            if (*tok && flags_override(tok, 1, err, errlen) != 0) return -1;
        }
    }
    return 0;
}

/* A page cache (one per DB connection, two connections) or one WebSocket client's queue that
 * could grow past an eighth of the heap budget would starve everything else under a small
 * budget (--heap-budget 2M with the 2M cache and 4M queue defaults): they are cut to fit. */
static void fit_budget(config_t *c)
{
    size_t cap = c->heap_budget / 8;
    if (!c->heap_budget) return;
    if (c->db_cache > cap) c->db_cache = cap;
    if (c->ws_queue_bytes > cap) c->ws_queue_bytes = cap;
}

int config_load(config_t *c, int argc, char **argv, char *err, size_t errlen)
{
    config_defaults(c);
    /* the config file first, wherever --config stands, so flags and env override it */
    const char *file = pal_env("PIPIT_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0) file = argv[i] + 9;
    }
    if (file && *file) {
        snprintf(c->config_file, sizeof c->config_file, "%s", file);
        if (load_file(c, file, err, errlen) != 0) return -1;
    }
    if (load_env(c, err, errlen) != 0) return -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            config_usage();
            return 1;
        }
        if (!strcmp(a, "--version")) {
            printf("pipit %s\n", PIPIT_VERSION);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument '%s' (see --help)", a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "option '%s' needs a value", a);
                return -1;
            }
            val = argv[++i];
        }
        if (nl == 6 && !strncmp(name, "config", 6)) continue;
        if ((nl == 6 && !strncmp(name, "enable", 6)) || (nl == 7 && !strncmp(name, "disable", 7))) {
            if (flags_override(val, name[0] == 'e', err, errlen) != 0) return -1;
            continue;
        }
        const opt_t *o = find_opt(name, nl);
        if (!o) {
            snprintf(err, errlen, "unknown option '--%.*s' (see --help)", (int)nl, name);
            return -1;
        }
        char src[80];
        snprintf(src, sizeof src, "--%s", o->name);
        if (set_opt(c, o, val, src, err, errlen) != 0) return -1;
    }
    if (strcmp(c->db_driver, "threaded") != 0 && strcmp(c->db_driver, "sliced") != 0) {
        snprintf(err, errlen, "db-driver '%s' is not one of threaded, sliced", c->db_driver);
        return -1;
    }
    fit_budget(c);
    return 0;
}
