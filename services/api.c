/* api — see api.h. Transport-free: the server glue (server.c) feeds requests in and sends
 * what api_reply_*() produced. */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/flags.h"
#include "../core/log.h"
#include "../platform/pal.h"

#define MAX_ROUTE_TABLES 48 /* one per service module */
#define MAX_BODY_TOKENS 100000

static struct {
    const api_route_t *routes;
    size_t n;
    int flag_ids[64];
} tables[MAX_ROUTE_TABLES];
static int n_tables;
static const config_t *cfg;
static void (*sender)(api_req_t *);
static size_t out_prefix;
static api_stats_t stats;
#define MAX_ROUTE_STATS 64
const double api_latency_bounds_s[API_LATENCY_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
static api_route_stats_t route_stats[MAX_ROUTE_STATS];
static int n_route_stats;

static int (*gate_fn)(api_req_t *);
static int (*async_submit)(api_req_t *);
static void (*async_sink)(api_req_t *);

void api_set_gate(int (*gate)(api_req_t *)) { gate_fn = gate; }

void api_set_async(int (*submit)(api_req_t *), void (*sink)(api_req_t *))
{
    async_submit = submit;
    async_sink = sink;
}

static char static_503[160];
static size_t static_503_len;

int api_init(const config_t *c)
{
    cfg = c;
    n_tables = 0;
    memset(&stats, 0, sizeof stats);
    static_503_len = (size_t)snprintf(static_503, sizeof static_503, "%s",
                                      "{\"result\": null, \"message\": \"The node is out of memory for this "
                                      "request (heap budget reached); try again shortly\"}");
    return 0;
}

void api_shutdown(void)
{
    n_tables = 0;
    n_route_stats = 0;
    memset(route_stats, 0, sizeof route_stats);
    gate_fn = NULL;
}

const char *api_static_503(size_t *len)
{
    *len = static_503_len;
    return static_503;
}

void api_set_sender(void (*send)(api_req_t *), size_t prefix)
{
    sender = send;
    out_prefix = prefix;
}

size_t api_max_body(void) { return cfg->max_body_size; }
void api_get_stats(api_stats_t *out) { *out = stats; }

int api_add_routes(const api_route_t *routes, size_t n)
{
    if (n_tables == MAX_ROUTE_TABLES || n > 64) return -1;
    tables[n_tables].routes = routes;
    tables[n_tables].n = n;
    for (size_t i = 0; i < n; i++) {
        int id = -1;
        if (routes[i].flag) id = flags_register(routes[i].flag, 1, NULL);
        tables[n_tables].flag_ids[i] = id;
    }
    n_tables++;
    return 0;
}

/* ------------------------------------------------------------------ requests */
api_req_t *api_req_new(void *conn, unsigned method, const char *path, size_t path_len)
{
    stats.requests++;
    api_req_t *r = alloc_zget(ALLOC_HTTP, sizeof *r);
    if (!r) {
        stats.rejected_503++;
        return NULL;
    }
    r->conn = conn;
    r->method = method;
    if (path_len >= sizeof r->path) path_len = sizeof r->path - 1; /* routes are short; 404 */
    memcpy(r->path, path, path_len);
    r->path[path_len] = 0;
    r->started_us = pal_mono_us();
    return r;
}

int api_req_set_query(api_req_t *r, const char *q, size_t len)
{
    alloc_free(r->query);
    r->query = alloc_strndup(ALLOC_HTTP, q, len);
    return r->query ? 0 : 503;
}

int api_req_append_body(api_req_t *r, const void *data, size_t len)
{
    if (len == 0) return 0; /* lws' empty body callback passes NULL */
    if (len > cfg->max_body_size || r->body_len + len > cfg->max_body_size) return 413;
    if (r->body_len + len > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + len) cap *= 2;
        if (cap > cfg->max_body_size) cap = cfg->max_body_size;
        char *nb = alloc_reget(ALLOC_HTTP, r->body, cap);
        if (!nb) { /* give the memory back now; the request is answered 503 */
            alloc_free(r->body);
            r->body = NULL;
            r->body_len = r->body_cap = 0;
            stats.rejected_503++;
            return 503;
        }
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    return 0;
}

void api_req_free(api_req_t *r)
{
    if (!r) return;
    json_doc_free(&r->doc);
    json_writer_free(&r->writer);
    alloc_free(r->query);
    alloc_free(r->body);
    alloc_free(r->out);
    alloc_free(r);
}

void api_req_gone(api_req_t *r)
{
    r->conn = NULL;
    if (r->pending && !r->replied && r->on_gone) r->on_gone(r);
}

/* ------------------------------------------------------------------ replies */
static void record_route(const api_req_t *r, int status)
{
    const char *route = r->route ? r->route->pattern : "unmatched";
    api_route_stats_t *st = NULL;
    for (int i = 0; i < n_route_stats && !st; i++)
        if (route_stats[i].route == route && route_stats[i].method == r->method) st = &route_stats[i];
    if (!st) {
        if (n_route_stats == MAX_ROUTE_STATS) return;
        st = &route_stats[n_route_stats++];
        st->route = route;
        st->method = r->method;
    }
    double dt = (double)(pal_mono_us() - r->started_us) / 1e6;
    int b = 0;
    while (b < API_LATENCY_BUCKETS && dt > api_latency_bounds_s[b]) b++;
    st->buckets[b]++;
    st->count++;
    st->sum_s += dt;
    int cls = status / 100;
    st->by_class[cls >= 1 && cls <= 5 ? cls : 5]++;
}

void api_route_stats_each(void (*fn)(const api_route_stats_t *, void *), void *ud)
{
    for (int i = 0; i < n_route_stats; i++) fn(&route_stats[i], ud);
}

static void send_reply(api_req_t *r, int status)
{
    r->status = status;
    r->replied = 1;
    if (!r->task) record_route(r, status);
    if (r->task) { /* a detached request: its reply is the task's outcome */
        if (async_sink) async_sink(r);
    } else {
        if (status >= 500) stats.responses_5xx++;
        else if (status >= 400) stats.responses_4xx++;
        else stats.responses_2xx++;
        if (r->conn && sender) {
            sender(r);
            return;
        }
    }
    /* nobody to send it to (a task, or the client went away): the request ends here, once
     * the handler that replied has returned */
    if (!r->in_handler) api_req_free(r);
}

json_writer_t *api_reply_begin(api_req_t *r)
{
    json_writer_free(&r->writer);
    json_writer_init(&r->writer, out_prefix);
    json_begin_object(&r->writer);
    json_write_key(&r->writer, "result");
    return &r->writer;
}

void api_reply_end(api_req_t *r, int status, const char *message)
{
    json_writer_t *w = &r->writer;
    json_write_key(w, "message");
    json_write_str(w, message ? message : "");
    json_end_object(w);
    int err = json_writer_error(w);
    size_t len = 0;
    char *buf = json_writer_take(w, &len);
    if (!buf) {
        if (err != JSON_ENOMEM) log_error("api: %s: reply could not be encoded (error %d)", r->path, err);
        stats.rejected_503++;
        r->out = NULL;
        r->out_len = 0;
        send_reply(r, err == JSON_ENOMEM ? 503 : 500);
        return;
    }
    alloc_free(r->out);
    r->out = buf;
    r->out_off = out_prefix;
    r->out_len = len;
    send_reply(r, status);
}

void api_reply_error(api_req_t *r, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_write_null(api_reply_begin(r));
    api_reply_end(r, status, msg);
}

void api_reply_true(api_req_t *r)
{
    json_write_bool(api_reply_begin(r), 1);
    api_reply_end(r, 200, "");
}

void api_reply_text(api_req_t *r, int status, const char *content_type, const char *text, size_t len)
{
    r->content_type = content_type;
    api_reply_raw(r, status, text, len);
}

void api_reply_raw(api_req_t *r, int status, const char *json, size_t len)
{
    char *buf = alloc_get(ALLOC_HTTP, out_prefix + len + 1);
    if (!buf) {
        stats.rejected_503++;
        send_reply(r, 503);
        return;
    }
    memcpy(buf + out_prefix, json, len);
    buf[out_prefix + len] = 0;
    alloc_free(r->out);
    r->out = buf;
    r->out_off = out_prefix;
    r->out_len = len;
    send_reply(r, status);
}

/* ------------------------------------------------------------------ arguments */
const char *api_path_param(const api_req_t *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].name, name) == 0) return r->params[i].value;
    return NULL;
}

/* Finds name=value in the query string; value into buf. */
static int query_get(const api_req_t *r, const char *name, char *buf, size_t buflen);
int api_query_arg(const api_req_t *r, const char *name, char *buf, size_t buflen) { return query_get(r, name, buf, buflen); }

static int query_get(const api_req_t *r, const char *name, char *buf, size_t buflen)
{
    if (!r->query) return 0;
    size_t nl = strlen(name);
    for (const char *p = r->query; *p;) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg >= nl && strncmp(p, name, nl) == 0 && (seg == nl || p[nl] == '=')) {
            size_t vl = seg == nl ? 0 : seg - nl - 1;
            if (vl >= buflen) vl = buflen - 1;
            memcpy(buf, p + nl + (seg == nl ? 0 : 1), vl);
            buf[vl] = 0;
            return 1;
        }
        p += seg + (amp ? 1 : 0);
    }
    return 0;
}

int api_body_object(api_req_t *r, int *tok)
{
    *tok = -1;
    if (r->doc.ntok == 0) return 0;
    if (json_type(&r->doc, 0) != JSON_OBJECT) {
        api_reply_error(r, 400, "The request body must be a JSON object");
        return -1;
    }
    *tok = 0;
    return 0;
}

int api_body_only(api_req_t *r, int obj, const char *const *allowed)
{
    if (obj < 0) return 0;
    for (int k = json_first(&r->doc, obj); k >= 0; k = json_sibling(&r->doc, k)) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = json_str_eq(&r->doc, k, *a);
        if (!ok) {
            char key[64];
            if (json_get_str(&r->doc, k, key, sizeof key, NULL) != JSON_OK) snprintf(key, sizeof key, "?");
            api_reply_error(r, 400, "{\"%s\": [\"Unknown field.\"]}", key);
            return -1;
        }
    }
    return 0;
}

static int parse_bool_word(const char *v, int *out)
{
    static const char *const yes[] = {"true", "1", "yes", "y", "on", "t"};
    static const char *const no[] = {"false", "0", "no", "n", "off", "f"};
    char low[8];
    size_t n = strlen(v);
    if (n >= sizeof low) return -1;
    for (size_t i = 0; i <= n; i++) low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
    for (size_t i = 0; i < 6; i++) {
        if (!strcmp(low, yes[i])) return *out = 1, 0;
        if (!strcmp(low, no[i])) return *out = 0, 0;
    }
    return -1;
}

int api_arg_bool(api_req_t *r, const char *name, int dflt, int *out)
{
    *out = dflt;
    int obj;
    if (api_body_object(r, &obj) != 0) return -1;
    if (obj >= 0) {
        int t = json_obj_get(&r->doc, obj, name);
        if (t >= 0) {
            if (json_get_bool(&r->doc, t, out) == JSON_OK) return 0;
            api_reply_error(r, 400, "{\"%s\": [\"Not a valid boolean.\"]}", name);
            return -1;
        }
    }
    char v[16];
    if (query_get(r, name, v, sizeof v)) {
        if (parse_bool_word(v, out) == 0) return 0;
        api_reply_error(r, 400, "{\"%s\": [\"Not a valid boolean.\"]}", name);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ routing */
/* Matches path against pattern, capturing <name> segments into r->params. */
static int route_match(api_req_t *r, const char *pattern)
{
    const char *p = pattern, *s = r->path;
    int np = 0;
    while (*p && *s) {
        if (*p == '<') {
            const char *pe = strchr(p, '>');
            const char *se = strchr(s, '/');
            size_t sl = se ? (size_t)(se - s) : strlen(s);
            if (!pe || sl == 0 || np == API_MAX_PATH_PARAMS || sl >= sizeof r->params[0].value) return 0;
            r->params[np].name = NULL; /* names are filled in on a full match */
            memcpy(r->params[np].value, s, sl);
            r->params[np].value[sl] = 0;
            np++;
            p = pe + 1;
            s += sl;
            continue;
        }
        if (*p != *s) return 0;
        p++;
        s++;
    }
    if (*s == '/' && s[1] == 0 && *p == 0) s++; /* tolerate one trailing slash */
    if (*p || *s) return 0;
    /* second pass for the names (kept as pointers into the static pattern) */
    r->nparams = np;
    np = 0;
    for (const char *q = pattern; (q = strchr(q, '<')) != NULL; q++) {
        static char names[API_MAX_PATH_PARAMS][32];
        const char *qe = strchr(q, '>');
        size_t nl = (size_t)(qe - q - 1);
        if (nl >= sizeof names[0]) nl = sizeof names[0] - 1;
        memcpy(names[np], q + 1, nl);
        names[np][nl] = 0;
        r->params[np].name = names[np];
        np++;
    }
    return 1;
}

const char *api_method_name(unsigned m)
{
    switch (m) {
    case API_GET: return "GET";
    case API_POST: return "POST";
    case API_PUT: return "PUT";
    case API_PATCH: return "PATCH";
    case API_DELETE: return "DELETE";
    case API_OPTIONS: return "OPTIONS";
    default: return "HEAD";
    }
}

static void call_handler(api_req_t *r)
{
    r->in_handler = 1;
    int rc = r->route->handler(r);
    r->in_handler = 0;
    if (rc == API_PENDING && !r->replied) {
        r->pending = 1;
        return;
    }
    if (r->replied && (!r->conn || r->task)) api_req_free(r); /* its reply was not sent: free it now */
}

void api_req_run(api_req_t *r) { call_handler(r); }

api_req_t *api_req_detach(api_req_t *src)
{
    api_req_t *r = alloc_zget(ALLOC_HTTP, sizeof *r);
    if (!r) return NULL;
    r->method = src->method;
    memcpy(r->path, src->path, sizeof r->path);
    memcpy(r->params, src->params, sizeof r->params);
    r->nparams = src->nparams;
    r->route = src->route;
    memcpy(r->peer, src->peer, sizeof r->peer);
    r->started_us = pal_mono_us();
    /* the body and its parse move over: doc points into body, both go together */
    r->query = src->query;
    r->body = src->body;
    r->body_len = src->body_len;
    r->body_cap = src->body_cap;
    r->doc = src->doc;
    src->query = NULL;
    src->body = NULL;
    src->body_len = src->body_cap = 0;
    memset(&src->doc, 0, sizeof src->doc);
    return r;
}

void api_req_dispatch(api_req_t *r)
{
    if (r->body_len) {
        char err[200];
        int st = json_parse(&r->doc, r->body, r->body_len, MAX_BODY_TOKENS, err, sizeof err);
        if (st == JSON_ENOMEM) {
            stats.rejected_503++;
            api_reply_error(r, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
            return;
        }
        if (st != JSON_OK) {
            api_reply_error(r, 400, "%s", err);
            return;
        }
    }
    int path_known = 0;
    /* literal routes first, so /tasks/scheduler is not taken for /tasks/<task_id> */
    for (int pass = 0; pass < 2; pass++)
        for (int t = 0; t < n_tables; t++) {
            for (size_t i = 0; i < tables[t].n; i++) {
                const api_route_t *rt = &tables[t].routes[i];
                if ((strchr(rt->pattern, '<') != NULL) != pass || !route_match(r, rt->pattern)) continue;
                path_known = 1;
                if (!(rt->methods & r->method)) continue;
                if (rt->flag && !flags_on(tables[t].flag_ids[i])) {
                    api_reply_error(r, 404, "The endpoint %s is switched off by the feature flag '%s'", r->path, rt->flag);
                    return;
                }
                r->route = rt;
                if (gate_fn && !(rt->opts & API_PUBLIC) && gate_fn(r) != 0) return;
                if ((rt->opts & API_ASYNC) && async_submit) {
                    int async;
                    if (api_arg_bool(r, "async_query", 0, &async) != 0) return;
                    if (async && async_submit(r) == 0) return;
                }
                call_handler(r);
                return;
            }
        }
    if (path_known)
        api_reply_error(r, 405, "The method %s is not allowed for the requested URL.", api_method_name(r->method));
    else
        api_reply_error(r, 404, "The requested URL was not found on the server. If you entered the URL manually "
                                "please check your spelling and try again.");
}

int api_forward(api_req_t *r, const char *path)
{
    snprintf(r->path, sizeof r->path, "%s", path);
    for (int pass = 0; pass < 2; pass++)
        for (int t = 0; t < n_tables; t++)
            for (size_t i = 0; i < tables[t].n; i++) {
                const api_route_t *rt = &tables[t].routes[i];
                if ((strchr(rt->pattern, '<') != NULL) != pass || !(rt->methods & r->method) || !route_match(r, rt->pattern))
                    continue;
                r->route = rt;
                return rt->handler(r);
            }
    api_reply_error(r, 404, "The requested URL was not found on the server. If you entered the URL manually "
                            "please check your spelling and try again.");
    return API_DONE;
}

/* ------------------------------------------------------------------ CORS */
/* '*' matches any run of characters. Linear in effect: on a mismatch only the latest star
 * takes one more character (an earlier star never needs to), so patterns with several stars
 * cannot make a long Origin cost exponential time. */
static int glob_match(const char *pat, size_t pl, const char *s)
{
    size_t p = 0, star = (size_t)-1;
    const char *mark = NULL;
    while (*s) {
        if (p < pl && pat[p] == '*') {
            star = p++;
            mark = s;
        } else if (p < pl && pat[p] == *s) {
            p++;
            s++;
        } else if (star != (size_t)-1) {
            p = star + 1;
            s = ++mark;
        } else {
            return 0;
        }
    }
    while (p < pl && pat[p] == '*') p++;
    return p == pl;
}

int api_cors_allowed(const char *origin)
{
    if (!origin || !*origin) return 0;
    for (const char *p = cfg->api_cors; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        size_t n = (size_t)(e - p);
        while (n && p[n - 1] == ' ') n--;
        if (n && glob_match(p, n, origin)) return 1;
        p = e;
    }
    return 0;
}
