/* server — libwebsockets on pipit's loop: one lws context in external-poll mode serving the
 * REST API and /ws on one port.
 *
 * lws reports its sockets through the ADD/DEL/CHANGE_MODE_POLL_FD callbacks; we watch them
 * with loop_io_*() and hand readiness back with lws_service_fd(). lws' own timers (timeouts,
 * ws keep-alive) and "forced service" (TLS data already buffered) get lws_service_tsi(-1)
 * from a loop timer: right away when lws says something is pending, else every tick.
 */
#include "server.h"

#include <libwebsockets.h>
#include <mbedtls/platform.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "api.h"
#include "httpc.h"
#include "notifier.h"

#define LWS_TICK_MS 100
#define HDR_ROOM 1024 /* bytes kept in front of each reply body for the headers */

typedef struct {
    api_req_t *req;    /* HTTP: the request in progress */
    void *client;      /* WebSocket: the notifier's client */
} pss_t;

/* The connection whose HTTP callback is running: replies made meanwhile are written on the
 * way out of it. (Not a pss field: completing a transaction frees the pss.) */
static struct lws *http_cb_wsi;

static struct {
    loop_t *loop;
    const config_t *cfg;
    struct lws_context *ctx;
    loop_timer_t tick;
    int listen_port;
    int stopping;
    loop_timer_t stop_timer;
    void (*stopped)(void *);
    void *stopped_ud;
    lws_retry_bo_t retry;
} srv;

/* ------------------------------------------------------------------ allocator routing */
static void *lws_realloc_hook(void *ptr, size_t size, const char *reason)
{
    (void)reason;
    if (size == 0) {
        alloc_free(ptr);
        return NULL;
    }
    return alloc_sys_reget(ALLOC_LWS, ptr, size);
}

static void *tls_calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) return NULL;
    void *p = alloc_sys_get(ALLOC_TLS, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

static void lws_log_hook(int level, const char *line)
{
    char buf[512];
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    snprintf(buf, sizeof buf, "%.*s", (int)n, line);
    log_msg(level == LLL_ERR ? LOG_ERROR : level == LLL_WARN ? LOG_WARNING : LOG_DEBUG, "lws: %s", buf);
}

/* ------------------------------------------------------------------ poll integration */
static unsigned to_pal(int ev)
{
    return (unsigned)(((ev & LWS_POLLIN) ? PAL_POLL_IN : 0) | ((ev & LWS_POLLOUT) ? PAL_POLL_OUT : 0));
}

static void on_lws_io(loop_t *l, pal_sock_t sock, unsigned revents, void *ud)
{
    (void)l;
    (void)ud;
    struct lws_pollfd pfd;
    pfd.fd = sock;
    pfd.events = LWS_POLLIN | LWS_POLLOUT;
    pfd.revents = (short)(((revents & PAL_POLL_IN) ? LWS_POLLIN : 0) | ((revents & PAL_POLL_OUT) ? LWS_POLLOUT : 0) |
                          ((revents & (PAL_POLL_HUP | PAL_POLL_ERR)) ? LWS_POLLHUP : 0));
    if (srv.ctx) lws_service_fd(srv.ctx, &pfd);
}

static void on_tick(loop_timer_t *t)
{
    (void)t;
    if (!srv.ctx) return;
    lws_service_tsi(srv.ctx, -1, 0);
    loop_timer_start(srv.loop, &srv.tick, LWS_TICK_MS);
}

/* Before the loop waits: if lws has buffered work, service it without waiting. */
static void prepare_hook(loop_t *l, int *timeout_ms, void *ud)
{
    (void)ud;
    if (srv.ctx && lws_service_adjust_timeout(srv.ctx, 1, 0) == 0) {
        loop_timer_start(l, &srv.tick, 0);
        *timeout_ms = 0;
    }
}

/* ------------------------------------------------------------------ HTTP replies */
static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                       (int)strlen(value), p, end);
}

/* Nonzero when the headers did not fit. */
static int add_cors(struct lws *wsi, api_req_t *r, unsigned char **p, unsigned char *end)
{
    if (!r || !r->cors_ok) return 0;
    return add_header(wsi, "access-control-allow-origin:", r->origin, p, end) ||
           add_header(wsi, "access-control-allow-credentials:", "true", p, end) ||
           add_header(wsi, "vary:", "Origin", p, end);
}

/* Writes headers and body in one go (lws keeps what the socket does not take yet).
 * Returns what the lws callback must return: nonzero closes the connection. */
static int write_reply(struct lws *wsi, pss_t *pss, api_req_t *r)
{
    static unsigned char fallback[LWS_PRE + HDR_ROOM + 256];
    unsigned char hdr[LWS_PRE + HDR_ROOM];
    unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
    size_t body_len;
    unsigned char *buf; /* where headers + body are assembled */
    int status = r->status;

    if (r->out) {
        body_len = r->out_len;
        buf = (unsigned char *)r->out + r->out_off;
    } else { /* 503 (or 500) without a body of our own: the static text */
        size_t n;
        const char *s = api_static_503(&n);
        memcpy(fallback + LWS_PRE + HDR_ROOM, s, n);
        body_len = n;
        buf = fallback + LWS_PRE + HDR_ROOM;
        if (status != 503) status = 500;
    }
    if (r->method == API_HEAD) body_len = 0; /* routes that take HEAD answer its status and headers only */
    const char *ctype = r->content_type && r->out ? r->content_type : "application/json";
    if (lws_add_http_common_headers(wsi, (unsigned)status, ctype, (lws_filepos_t)body_len, &p, end)) return -1;
    if (add_cors(wsi, r, &p, end) || (r->set_cookie[0] && add_header(wsi, "set-cookie:", r->set_cookie, &p, end)) ||
        lws_finalize_http_header(wsi, &p, end))
        return -1;
    size_t hl = (size_t)(p - start);
    if (hl > HDR_ROOM) return -1;
    memcpy(buf - hl, start, hl);
    int n = lws_write(wsi, buf - hl, hl + body_len, LWS_WRITE_HTTP_HEADERS);
    api_req_free(r);
    pss->req = NULL;
    if (n < 0) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* api.c's sender: inside a callback for this connection write now, else ask lws for a
 * writeable callback (async replies come from timers, jobs, other connections). */
static void api_sender(api_req_t *r)
{
    struct lws *wsi = r->conn;
    if (wsi == http_cb_wsi) return; /* the running callback writes it when the handler returns */
    lws_callback_on_writable(wsi);
}

static int reply_now(struct lws *wsi, pss_t *pss, int status)
{
    api_req_t *r = pss->req;
    if (!r) { /* could not even allocate the request: static 503 */
        api_req_t tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.status = status;
        api_req_t *heap = alloc_sys_get(ALLOC_HTTP, sizeof tmp);
        if (!heap) return -1;
        *heap = tmp;
        pss->req = heap;
        return write_reply(wsi, pss, heap);
    }
    return write_reply(wsi, pss, r);
}

static unsigned method_of(struct lws *wsi)
{
    char *uri;
    int len;
    switch (lws_http_get_uri_and_method(wsi, &uri, &len)) {
    case LWSHUMETH_GET: return API_GET;
    case LWSHUMETH_POST: return API_POST;
    case LWSHUMETH_PUT: return API_PUT;
    case LWSHUMETH_PATCH: return API_PATCH;
    case LWSHUMETH_DELETE: return API_DELETE;
    case LWSHUMETH_OPTIONS: return API_OPTIONS;
    case LWSHUMETH_HEAD: return API_HEAD;
    default: return 0;
    }
}

/* The query string, its arguments joined with '&' as lws split (and decoded) them. */
static int copy_query(struct lws *wsi, api_req_t *r)
{
    char q[2048];
    size_t n = 0;
    for (int i = 0;; i++) {
        char frag[512];
        int fl = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (fl < 0) break;
        if (n + (size_t)fl + 2 > sizeof q) break;
        if (n) q[n++] = '&';
        memcpy(q + n, frag, (size_t)fl);
        n += (size_t)fl;
    }
    if (!n) return 0;
    return api_req_set_query(r, q, n);
}

static int run_request(struct lws *wsi, pss_t *pss)
{
    api_req_dispatch(pss->req);
    if (pss->req->replied) return write_reply(wsi, pss, pss->req);
    return 0; /* pending: api_sender asks for a writeable callback later */
}

static int on_http(struct lws *wsi, pss_t *pss, const char *path, size_t path_len)
{
    unsigned method = method_of(wsi);
    if (pss->req) { /* a stale request from this connection: should not happen */
        api_req_gone(pss->req);
        pss->req = NULL;
    }
    pss->req = api_req_new(wsi, method, path, path_len);
    if (!pss->req) return reply_now(wsi, pss, 503);
    api_req_t *r = pss->req;
    if (lws_hdr_copy(wsi, r->origin, sizeof r->origin, WSI_TOKEN_ORIGIN) > 0) r->cors_ok = api_cors_allowed(r->origin);
    if (lws_hdr_copy(wsi, r->cookie, sizeof r->cookie, WSI_TOKEN_HTTP_COOKIE) < 0) r->cookie[0] = 0;
    lws_get_peer_simple(wsi, r->peer, sizeof r->peer);
    if (copy_query(wsi, r) != 0) {
        api_reply_error(r, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return write_reply(wsi, pss, r);
    }
    if (method == API_OPTIONS) { /* CORS preflight */
        unsigned char hdr[LWS_PRE + HDR_ROOM], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
        if (lws_add_http_common_headers(wsi, 204, NULL, 0, &p, end) || add_cors(wsi, r, &p, end) ||
            (r->cors_ok && (add_header(wsi, "access-control-allow-methods:", "GET, POST, PUT, PATCH, DELETE, OPTIONS", &p, end) ||
                            add_header(wsi, "access-control-allow-headers:", "Content-Type", &p, end))) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        api_req_free(r);
        pss->req = NULL;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    if (!method) {
        api_reply_error(r, 405, "The method is not allowed for the requested URL.");
        return write_reply(wsi, pss, r);
    }
    char cl[24];
    if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        unsigned long long n = 0;
        for (const char *c = cl; *c >= '0' && *c <= '9'; c++) n = n * 10 + (unsigned)(*c - '0');
        if (n > api_max_body()) {
            api_reply_error(r, 413, "The request body of %llu bytes is larger than the %zu bytes allowed", n,
                            api_max_body());
            return write_reply(wsi, pss, r);
        }
        if (n > 0) return 0; /* the body arrives in LWS_CALLBACK_HTTP_BODY */
    }
    return run_request(wsi, pss);
}

/* A body that cannot be kept (budget reached) is still read to its end and dropped, so the
 * client gets its 503 as a normal reply rather than a reset mid-upload. */
static int on_http_body(struct lws *wsi, pss_t *pss, const void *in, size_t len)
{
    (void)wsi;
    api_req_t *r = pss->req;
    if (!r || r->replied) return 0;
    int st = api_req_append_body(r, in, len);
    if (st == 413)
        api_reply_error(r, 413, "The request body is larger than the %zu bytes allowed", api_max_body());
    else if (st == 503)
        api_reply_error(r, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    return 0;
}

/* ------------------------------------------------------------------ the callback */
static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, pss_t *pss, void *in, size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        if (srv.stopping) return -1;
        return on_http(wsi, pss, in, strlen(in));
    case LWS_CALLBACK_HTTP_BODY:
        return on_http_body(wsi, pss, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!pss->req) return 0;
        if (pss->req->pending) return 0; /* dispatched already (Content-Length 0): it answers later, once */
        return pss->req->replied ? write_reply(wsi, pss, pss->req) : run_request(wsi, pss);
    default: /* LWS_CALLBACK_HTTP_WRITEABLE */
        if (pss->req && pss->req->replied) return write_reply(wsi, pss, pss->req);
        return 0;
    }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    pss_t *pss = user;
    struct lws_pollargs *pa = in;

    switch (reason) {
    case LWS_CALLBACK_ADD_POLL_FD:
        if (loop_io_add(srv.loop, pa->fd, to_pal(pa->events), on_lws_io, NULL) != PAL_OK) return 1;
        return 0;
    case LWS_CALLBACK_DEL_POLL_FD:
        loop_io_del(srv.loop, pa->fd); /* may not be watched any more: not an error */
        return 0;
    case LWS_CALLBACK_CHANGE_MODE_POLL_FD:
        loop_io_modify(srv.loop, pa->fd, to_pal(pa->events));
        return 0;

    case LWS_CALLBACK_HTTP:
    case LWS_CALLBACK_HTTP_BODY:
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!pss) return 0;
        struct lws *outer = http_cb_wsi;
        http_cb_wsi = wsi;
        int rc = http_callback(wsi, reason, pss, in, len);
        http_cb_wsi = outer;
        return rc;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        if (pss && pss->req) {
            api_req_t *r = pss->req;
            pss->req = NULL;
            int owned_elsewhere = r->pending && !r->replied;
            api_req_gone(r);
            if (!owned_elsewhere) api_req_free(r);
        }
        return 0;

    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        char path[64], cookie[512];
        if (srv.stopping || lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) <= 0) return -1;
        if (lws_hdr_copy(wsi, cookie, sizeof cookie, WSI_TOKEN_HTTP_COOKIE) < 0) cookie[0] = 0;
        return notifier_ws_accept(wsi, path, cookie);
    }
    case LWS_CALLBACK_ESTABLISHED:
        return notifier_ws_established(wsi, &pss->client);
    case LWS_CALLBACK_RECEIVE:
        return notifier_ws_receive(wsi, pss->client, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return notifier_ws_writeable(wsi, pss->client);
    case LWS_CALLBACK_CLOSED:
        notifier_ws_closed(wsi, pss->client);
        pss->client = NULL;
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"pipit", callback, sizeof(pss_t), 1024, 0, NULL, 0},
    {"pipit-httpc", (lws_callback_function *)httpc_lws_callback, 0, 0, 0, NULL, 0},
    LWS_PROTOCOL_LIST_TERM,
};

struct lws_context *server_lws_context(void) { return srv.stopping ? NULL : srv.ctx; }
const struct lws_protocols *server_lws_protocols(void) { return protocols; }

/* ------------------------------------------------------------------ start and stop */
int server_start(loop_t *loop, const config_t *cfg)
{
    memset(&srv, 0, sizeof srv);
    srv.loop = loop;
    srv.cfg = cfg;
    lws_set_allocator(lws_realloc_hook);
    mbedtls_platform_set_calloc_free(tls_calloc, alloc_free);
    lws_set_log_level(LLL_ERR | LLL_WARN | (log_enabled(LOG_DEBUG) ? LLL_NOTICE : 0), lws_log_hook);
    api_set_sender(api_sender, LWS_PRE + HDR_ROOM);

    srv.retry.secs_since_valid_ping = (uint16_t)cfg->ws_ping_interval;
    srv.retry.secs_since_valid_hangup = (uint16_t)(cfg->ws_ping_interval * 2);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = cfg->rest_api_port;
    info.iface = cfg->api_host;
    info.protocols = protocols;
    info.user = &srv;
    info.fd_limit_per_thread = (unsigned)cfg->max_connections + 32;
    info.count_threads = 1;
    info.timeout_secs = 30;
    info.retry_and_idle_policy = &srv.retry;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    if (strchr(cfg->api_host, ':')) info.options &= ~(uint64_t)LWS_SERVER_OPTION_DISABLE_IPV6;
    info.vhost_name = "pipit";
    info.server_string = "pipit";

    srv.tick.fn = on_tick;
    httpc_init(loop);
    srv.ctx = lws_create_context(&info);
    if (!srv.ctx) {
        log_error("server: cannot listen on %s:%d (address in use, not local, or out of memory)", cfg->api_host,
                  cfg->rest_api_port);
        return -1;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(srv.ctx, "pipit");
    srv.listen_port = vh ? lws_get_vhost_listen_port(vh) : cfg->rest_api_port;
    loop_add_prepare_hook(loop, prepare_hook, NULL);
    loop_timer_start(loop, &srv.tick, LWS_TICK_MS);
    log_info("pipit %s serving http://%s:%d/api/1 and ws://%s:%d/ws", PIPIT_VERSION, cfg->api_host, srv.listen_port,
             cfg->api_host, srv.listen_port);
    return 0;
}

int server_port(void) { return srv.listen_port; }

static void finish_stop(loop_timer_t *t)
{
    (void)t;
    if (srv.ctx) {
        lws_context_destroy(srv.ctx);
        srv.ctx = NULL;
    }
    loop_timer_stop(srv.loop, &srv.tick);
    if (srv.stopped) srv.stopped(srv.stopped_ud);
}

void server_stop(void (*stopped)(void *ud), void *ud)
{
    if (srv.stopping) return;
    srv.stopping = 1;
    srv.stopped = stopped;
    srv.stopped_ud = ud;
    notifier_close_all(LWS_CLOSE_STATUS_GOINGAWAY, "node shutting down");
    httpc_stop_all();
    /* give the close frames a moment to go out, then tear everything down */
    srv.stop_timer.fn = finish_stop;
    loop_timer_start(srv.loop, &srv.stop_timer, notifier_client_count() ? 200 : 0);
}
