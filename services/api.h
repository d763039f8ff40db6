/* api — the /api/1 HTTP router and rotki's response envelope.
 *
 * A request is read whole (body capped by --max-body-size, else 413), its JSON body parsed
 * (malformed → 400 naming the problem), then routed by method and path (unknown path → 404,
 * path known but not the method → 405). A handler answers at once with api_reply_*() or
 * later (after a DB job or a remote call) — the request then stays open until it does.
 * Every answer is {"result": …, "message": "…"} with application/json, except 204.
 * Running out of memory anywhere on the way answers 503 and the node keeps serving.
 */
#ifndef PIPIT_API_H
#define PIPIT_API_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/json.h"
#include "../core/log.h"

enum { API_GET = 1, API_POST = 2, API_PUT = 4, API_PATCH = 8, API_DELETE = 16, API_OPTIONS = 32, API_HEAD = 64 };

#define API_MAX_PATH_PARAMS 4

typedef struct api_req api_req_t;

/* Handlers return API_DONE once they have replied, API_PENDING when they will reply later. */
enum { API_DONE = 0, API_PENDING = 1 };
typedef int (*api_handler_fn)(api_req_t *req);

typedef struct {
    unsigned methods;      /* API_GET | … */
    const char *pattern;   /* "/api/1/users/<name>": <x> matches one path segment */
    api_handler_fn handler;
    const char *flag;      /* feature flag that switches it, or NULL for always on */
    unsigned opts;         /* API_PUBLIC: reachable without a session when sessions are required */
} api_route_t;
#define API_PUBLIC 0x1
#define API_ASYNC 0x2  /* accepts async_query: answered with a task id, run by the task manager */

struct api_req {
    void *conn;             /* the server's connection; NULL once the client went away */
    unsigned method;
    char path[256];         /* decoded, without the query string */
    char *query;            /* "a=1&b=2", decoded per argument, or NULL */
    char *body;             /* raw body bytes (not NUL-terminated for the parser's sake) */
    size_t body_len, body_cap;
    json_doc_t doc;         /* parsed body; doc.ntok == 0 when there was none */
    const api_route_t *route;
    int nparams;
    struct {
        const char *name;   /* pattern segment name, without <> */
        char value[128];
    } params[API_MAX_PATH_PARAMS];
    char origin[256];       /* Origin header, for CORS */
    char cookie[512];       /* Cookie header */
    char peer[64];          /* the client's address (login throttling) */
    char set_cookie[520];   /* a Set-Cookie value to send with the reply, if any */
    int cors_ok;
    uint64_t started_us;
    /* the reply, once made */
    json_writer_t writer;
    const char *content_type; /* NULL: application/json */
    int status;
    char *out;              /* allocation holding prefix + headers room + body */
    size_t out_off, out_len;
    uint8_t replied, pending, in_handler;
    void *task;             /* set when the task manager runs this request detached */
    volatile int cancelled; /* set when its task was cancelled: jobs stop, results are dropped */
    void *ud;               /* handler state while pending */
    void (*on_gone)(api_req_t *req); /* called if the client goes away while pending */
};

int api_init(const config_t *cfg);
void api_shutdown(void);
/* Services add their routes at start-up (the table is kept, not copied). */
int api_add_routes(const api_route_t *routes, size_t n);

/* --- replies --- */
/* Starts {"result": and hands back the writer for the result value. */
json_writer_t *api_reply_begin(api_req_t *req);
/* Closes the envelope with message (may be NULL/""), then sends it with status. */
void api_reply_end(api_req_t *req, int status, const char *message);
/* {"result": null, "message": "<printf>"} with status. */
PIPIT_PRINTF(3, 4)
void api_reply_error(api_req_t *req, int status, const char *fmt, ...);
void api_reply_true(api_req_t *req);
/* Sends a pre-encoded envelope (e.g. a stored task outcome). */
void api_reply_raw(api_req_t *req, int status, const char *json, size_t len);
/* Sends a body that is not JSON (the Prometheus metrics), content_type static. */
void api_reply_text(api_req_t *req, int status, const char *content_type, const char *text, size_t len);

/* --- arguments: body JSON, else query string, else path parameter (rotki merges them) --- */
const char *api_path_param(const api_req_t *req, const char *name);
/* A query-string argument's value into buf (truncated to fit): 1 found, 0 absent. */
int api_query_arg(const api_req_t *req, const char *name, char *buf, size_t buflen);
/* Boolean argument: 1/0 into *out, default when absent; -1 (and a 400 sent) when invalid. */
int api_arg_bool(api_req_t *req, const char *name, int dflt, int *out);
/* The body's top-level object token in *tok: -1 when there is no body; returns -1 (a 400
 * sent) when the body is not an object. */
int api_body_object(api_req_t *req, int *tok);
/* Rejects keys of object obj outside `allowed` (NULL-terminated) as rotki's schemas do:
 * returns -1 with a 400 naming the field sent. obj < 0 passes. */
int api_body_only(api_req_t *req, int obj, const char *const *allowed);

/* Hands a request to the route that serves `path` with its method, as if it had been asked for
 * there (another mount of the same API, e.g. colibri's /colibri/assets/mappings is core's
 * /api/1/assets/mappings); answers 404 when none does. Returns that handler's API_DONE or
 * API_PENDING. For a handler to call on its own request. */
int api_forward(api_req_t *req, const char *path);

/* The session gate: called before every non-public route; it returns 0 to let the request
 * through, or replies (401) and returns -1. NULL = no gate. */
void api_set_gate(int (*gate)(api_req_t *req));

/* The task manager's hooks: `submit` takes an async request over (it replies with the task
 * id and runs a detached copy later); `sink` receives a detached request's reply. */
void api_set_async(int (*submit)(api_req_t *req), void (*sink)(api_req_t *req));
/* Moves what a handler needs (path, params, query, body, route) into a new request that has no
 * connection; NULL when out of memory. */
api_req_t *api_req_detach(api_req_t *req);
/* Runs the matched route's handler on a detached request (the task manager's side). */
void api_req_run(api_req_t *req);

/* --- used by the server glue --- */
api_req_t *api_req_new(void *conn, unsigned method, const char *path, size_t path_len);
int api_req_set_query(api_req_t *req, const char *q, size_t len);
/* 0 ok, 413 too large, 503 out of memory */
int api_req_append_body(api_req_t *req, const void *data, size_t len);
void api_req_dispatch(api_req_t *req);
void api_req_gone(api_req_t *req); /* the connection closed */
void api_req_free(api_req_t *req);
int api_cors_allowed(const char *origin);
size_t api_max_body(void);
/* A static 503 response for when nothing can be allocated. */
const char *api_static_503(size_t *len);
/* Send hook set by the server: writes req->out[out_off..out_off+out_len) as the response;
 * `prefix` bytes are left free in front of every body for the server's headers. */
void api_set_sender(void (*send)(api_req_t *req), size_t prefix);

/* Request counters for /info and metrics. */
typedef struct {
    uint64_t requests, responses_2xx, responses_4xx, responses_5xx, rejected_503;
} api_stats_t;
void api_get_stats(api_stats_t *out);

/* Per route and method: answers by status class and a latency histogram. */
#define API_LATENCY_BUCKETS 10
extern const double api_latency_bounds_s[API_LATENCY_BUCKETS]; /* upper bounds; +Inf after */
typedef struct {
    const char *route;   /* the pattern, or "unmatched" */
    unsigned method;
    uint64_t by_class[6]; /* [2] = 2xx … [5] = 5xx */
    uint64_t buckets[API_LATENCY_BUCKETS + 1];
    uint64_t count;
    double sum_s;
} api_route_stats_t;
void api_route_stats_each(void (*fn)(const api_route_stats_t *s, void *ud), void *ud);
const char *api_method_name(unsigned method);

#endif
