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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "api.h"
#include "frontend.h"
#include "http_chunked.h"
#include "httpc.h"
#include "notifier.h"

#define LWS_TICK_MS 100
#define HDR_ROOM 1024 /* bytes kept in front of each reply body for the headers */

typedef struct {
    api_req_t *req;    /* HTTP: the request in progress */
    void *client;      /* WebSocket: the notifier's client */
    http_chunked_t chunked; /* a chunked upload's decoder */
    uint8_t is_chunked;
    uint8_t close;     /* the connection ends with this reply ("connection: close") */
    uint8_t closing;   /* that reply is written; close once lws has flushed it */
    uint8_t rx_held;   /* reading paused while the reply is pending (see run_request) */
    uint8_t sending;   /* the reply's headers are out; its body goes on in pieces (write_piece) */
    void *fe;          /* HTTP: a file the frontend is sending */
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
    size_t lws_fds;  /* sockets lws has on the loop (listener, clients, outbound) */
    size_t max_fds;  /* what it may hold: --max-connections + 32 */
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

/* lws logs a line per bad request (oversized headers, say): a client could flood the log. At
 * most LWS_LOG_BURST lines per LWS_LOG_WINDOW_US get through; the rest are counted and the
 * count is logged when the next window opens. (Debug lines are not counted.) */
#define LWS_LOG_BURST 10
#define LWS_LOG_WINDOW_US 60000000ull
static struct {
    uint64_t window_start;
    unsigned lines, suppressed;
} lws_log_rate;

static void lws_log_hook(int level, const char *line)
{
    char buf[512];
    uint64_t now = pal_mono_us();
    if (now - lws_log_rate.window_start >= LWS_LOG_WINDOW_US) {
        if (lws_log_rate.suppressed)
            log_warn("lws: %u more lines in the last minute were not logged", lws_log_rate.suppressed);
        lws_log_rate.window_start = now;
        lws_log_rate.lines = lws_log_rate.suppressed = 0;
    }
    if ((level & (LLL_ERR | LLL_WARN)) && ++lws_log_rate.lines > LWS_LOG_BURST) {
        lws_log_rate.suppressed++;
        return;
    }
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

/* A reply after which the connection cannot go on (a malformed request, a chunked upload lws
 * would go on reading as body): close once lws has sent what it still holds of it. */
static int close_when_flushed(struct lws *wsi, pss_t *pss)
{
    if (!lws_partial_buffered(wsi)) return -1;
    pss->closing = 1;
    lws_callback_on_writable(wsi);
    return 0;
}

/* lws sends at most the protocol's tx_packet_size (+ LWS_PRE) per write and copies whatever is
 * left into a buffer of its own, an allocation that, failing, cuts the reply after its status
 * line; so a reply goes out in pieces of this size straight from its own buffer, one per
 * writeable turn. 4 KiB: a typical answer (the settings, ~2.5 KB) is one send; a socket the
 * kernel takes less from costs lws at most one such copy. */
#define TX_PIECE 4096

/* descriptors beyond lws' connections: the user DB's files (main, WAL, shm, for the writer and
 * the reader), the loop's and workers' pipes, the log — and one file per connection, for a
 * connection may be downloading a served file (--frontend-dir) */
#define FD_RESERVE 64
static size_t fd_reserve(size_t connections) { return FD_RESERVE + connections; }

/* The whole reply is out: free it and let the connection go on (or close). */
static int reply_sent(struct lws *wsi, pss_t *pss)
{
    api_req_free(pss->req);
    pss->req = NULL;
    pss->sending = 0;
    if (pss->close) return close_when_flushed(wsi, pss);
    if (pss->rx_held) { /* the next pipelined request may be read now */
        pss->rx_held = 0;
        lws_rx_flow_control(wsi, 1);
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* The next piece of a reply whose headers are out. On a failed write the connection closes
 * and LWS_CALLBACK_CLOSED_HTTP frees the request. */
static int write_piece(struct lws *wsi, pss_t *pss)
{
    api_req_t *r = pss->req;
    size_t n = r->out_len < TX_PIECE ? r->out_len : TX_PIECE;
    int last = n == r->out_len;
    if (lws_write(wsi, (unsigned char *)r->out + r->out_off, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0) return -1;
    r->out_off += n;
    r->out_len -= n;
    if (last) return reply_sent(wsi, pss);
    lws_callback_on_writable(wsi);
    return 0;
}

/* Writes the headers and the body's first piece (write_piece sends the rest).
 * Returns what the lws callback must return: nonzero closes the connection. */
static int write_reply(struct lws *wsi, pss_t *pss, api_req_t *r)
{
    if (pss->sending) return write_piece(wsi, pss);
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
        (pss->close && add_header(wsi, "connection:", "close", &p, end)) || lws_finalize_http_header(wsi, &p, end))
        return -1;
    size_t hl = (size_t)(p - start);
    if (hl > HDR_ROOM) return -1;
    memcpy(buf - hl, start, hl);
    size_t first = body_len; /* the static text is small: it always goes in one write */
    if (r->out && hl + first > TX_PIECE) first = hl < TX_PIECE ? TX_PIECE - hl : 0;
    if (lws_write(wsi, buf - hl, hl + first, LWS_WRITE_HTTP_HEADERS) < 0) return -1;
    if (first == body_len) return reply_sent(wsi, pss);
    r->out_off += first;
    r->out_len -= first;
    pss->sending = 1;
    if (!pss->rx_held) { /* a pipelined request waits until this reply is out */
        pss->rx_held = 1;
        lws_rx_flow_control(wsi, 0);
    }
    lws_callback_on_writable(wsi);
    return 0;
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
    /* pending: api_sender asks for a writeable callback later. Meanwhile a pipelined request
     * behind it stays unread (lws cannot parse one while a transaction is open), and so do the
     * client's further bytes. */
    pss->rx_held = 1;
    lws_rx_flow_control(wsi, 0);
    return 0;
}

/* Case-insensitive ASCII equality of the first n bytes (header values are ASCII). */
static int ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return 0;
        if (!x) return 1;
    }
    return 1;
}

/* Answers a request that is refused before it runs; with `close` the connection ends with the
 * reply (what follows on it can no longer be framed). */
PIPIT_PRINTF(5, 6)
static int refuse(struct lws *wsi, pss_t *pss, int close, int status, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (close) pss->close = 1;
    api_reply_error(pss->req, status, "%s", msg);
    return write_reply(wsi, pss, pss->req);
}

/* The request line ended in exactly HTTP/1.0 or HTTP/1.1 (lws also takes HTTP/0.9's bare
 * "GET /" and anything after the version). */
static int version_ok(struct lws *wsi)
{
    char v[16];
    int n = lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP);
    return n == 8 && (!strcmp(v, "HTTP/1.1") || !strcmp(v, "HTTP/1.0"));
}

/* A state-changing request from a page of another site is refused (login CSRF): its Origin
 * must be this node itself or one that --api-cors allows. Without an Origin it is not a
 * browser's cross-site request. */
static int origin_ok(struct lws *wsi, const api_req_t *r)
{
    if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0 || r->cors_ok) return 1;
    char host[256];
    const char *o = r->origin; /* empty when it did not fit: foreign */
    if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0) return 0;
    if (!strncmp(o, "http://", 7)) o += 7;
    else if (!strncmp(o, "https://", 8)) o += 8;
    else return 0;
    return strlen(o) == strlen(host) && ascii_ieq(o, host, strlen(host));
}

/* Bodies are JSON: anything else (a form, text/plain, no type) is what a cross-site page can
 * send without asking, so it is not taken. */
static int content_type_json(struct lws *wsi)
{
    static const char want[] = "application/json";
    char ct[128];
    if (lws_hdr_copy(wsi, ct, sizeof ct, WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0) return 0;
    size_t n = sizeof want - 1;
    return ascii_ieq(ct, want, n) && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

/* The body's framing: *len from Content-Length (0 without one), or chunked. Returns 0, or the
 * status it refused the request with (the reply is sent). */
static int body_framing(struct lws *wsi, pss_t *pss, unsigned method, unsigned long long *len, int *rc)
{
    int has_cl = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
    *len = 0;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
        char te[16];
        int n = lws_hdr_copy(wsi, te, sizeof te, WSI_TOKEN_HTTP_TRANSFER_ENCODING);
        if (has_cl)
            return *rc = refuse(wsi, pss, 1, 400, "A request cannot carry both Content-Length and Transfer-Encoding"), 400;
        if (n != 7 || !ascii_ieq(te, "chunked", 7))
            return *rc = refuse(wsi, pss, 1, 501, "Only the chunked transfer coding is accepted"), 501;
        if (!(method & (API_POST | API_PUT | API_PATCH))) /* lws reads no body for the others */
            return *rc = refuse(wsi, pss, 1, 411, "A chunked body is taken with POST, PUT and PATCH; send Content-Length"), 411;
        pss->is_chunked = 1;
        http_chunked_init(&pss->chunked);
        return 0;
    }
    if (!has_cl) return 0;
    char cl[24];
    int n = lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    int ok = n > 0 && n <= 18;
    for (int i = 0; ok && i < n; i++) ok = cl[i] >= '0' && cl[i] <= '9';
    if (!ok) return *rc = refuse(wsi, pss, 1, 400, "Content-Length must be a decimal number of bytes"), 400;
    for (int i = 0; i < n; i++) *len = *len * 10 + (unsigned)(cl[i] - '0');
    return 0;
}

static int on_http(struct lws *wsi, pss_t *pss, const char *path, size_t path_len)
{
    unsigned method = method_of(wsi);
    if (version_ok(wsi) && frontend_claims(method, path)) { /* a bad request line is refused below */
        int rc = frontend_http(wsi, &pss->fe, method, path);
        if (!rc && pss->fe) lws_rx_flow_control(wsi, 0); /* as for a pending API answer */
        return rc;
    }
    if (pss->req) { /* a stale request from this connection: should not happen */
        api_req_gone(pss->req);
        pss->req = NULL;
    }
    pss->is_chunked = 0;
    pss->req = api_req_new(wsi, method, path, path_len);
    if (!pss->req) return reply_now(wsi, pss, 503);
    api_req_t *r = pss->req;
    if (!version_ok(wsi)) return refuse(wsi, pss, 1, 400, "Malformed request line: HTTP/1.0 or HTTP/1.1 expected");
    if (lws_hdr_copy(wsi, r->origin, sizeof r->origin, WSI_TOKEN_ORIGIN) > 0) r->cors_ok = api_cors_allowed(r->origin);
    else r->origin[0] = 0;
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
    unsigned long long n;
    int rc;
    if (body_framing(wsi, pss, method, &n, &rc)) return rc;
    /* a refused chunked upload cannot be skipped over: the connection ends with the reply */
    if (method != API_GET && !origin_ok(wsi, r))
        return refuse(wsi, pss, pss->is_chunked, 403,
                      "Cross-site request refused: the origin %s may not change this node (see --api-cors)",
                      r->origin[0] ? r->origin : "(too long)");
    if (method != API_GET && (n || pss->is_chunked) && !content_type_json(wsi))
        return refuse(wsi, pss, pss->is_chunked, 415, "The request body must be JSON sent as Content-Type: application/json");
    if (n > api_max_body())
        return refuse(wsi, pss, 0, 413, "The request body of %llu bytes is larger than the %zu bytes allowed", n,
                      api_max_body());
    if (n || pss->is_chunked) return 0; /* the body arrives in LWS_CALLBACK_HTTP_BODY */
    return run_request(wsi, pss);
}

/* The reply to a body that could not be kept (413 too large, 503 out of memory). */
static void body_refused(api_req_t *r, int st)
{
    if (st == 413) api_reply_error(r, 413, "The request body is larger than the %zu bytes allowed", api_max_body());
    else api_reply_error(r, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
}

static int chunk_sink(void *ud, const char *data, size_t len)
{
    api_req_t *r = ud;
    int st = api_req_append_body(r, data, len);
    if (st) body_refused(r, st);
    return st;
}

/* A chunked upload: decoded as it comes; the request runs when its last chunk is in. lws reads
 * on as if more body came, so the connection ends with the reply. */
static int on_chunked_body(struct lws *wsi, pss_t *pss, const void *in, size_t len)
{
    api_req_t *r = pss->req;
    if (pss->is_chunked == 2) return 0; /* the upload ended; what follows is dropped with the connection */
    size_t used;
    int st = http_chunked_feed(&pss->chunked, in, len, &used, chunk_sink, r);
    if (st == HTTP_CHUNKED_MORE) return 0;
    pss->is_chunked = 2;
    pss->close = 1;
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0); /* no more body is awaited */
    if (st == HTTP_CHUNKED_BAD) return refuse(wsi, pss, 1, 400, "Malformed chunked request body");
    if (st == HTTP_CHUNKED_SINK) return write_reply(wsi, pss, r);
    return run_request(wsi, pss);
}

/* A body that cannot be kept (budget reached) is still read to its end and dropped, so the
 * client gets its 503 as a normal reply rather than a reset mid-upload. */
static int on_http_body(struct lws *wsi, pss_t *pss, const void *in, size_t len)
{
    api_req_t *r = pss->req;
    if (!r || r->replied) return 0;
    if (pss->is_chunked) return on_chunked_body(wsi, pss, in, len);
    int st = api_req_append_body(r, in, len);
    if (st) body_refused(r, st);
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
        if (pss->closing) return lws_partial_buffered(wsi) ? (lws_callback_on_writable(wsi), 0) : -1;
        if (pss->fe) return frontend_writeable(wsi, &pss->fe);
        if (pss->req && pss->req->replied) return write_reply(wsi, pss, pss->req);
        return 0;
    }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    pss_t *pss = user;
    struct lws_pollargs *pa = in;

    switch (reason) {
    case LWS_CALLBACK_ADD_POLL_FD: {
        size_t before = loop_io_count(srv.loop);
        if (loop_io_add(srv.loop, pa->fd, to_pal(pa->events), on_lws_io, NULL) != PAL_OK) return 1;
        srv.lws_fds += loop_io_count(srv.loop) - before;
        return 0;
    }
    case LWS_CALLBACK_DEL_POLL_FD:
        if (loop_io_del(srv.loop, pa->fd) == PAL_OK && srv.lws_fds) srv.lws_fds--; /* may not be watched any more: not an error */
        return 0;
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* --max-connections, held here: lws' own cap is the process's descriptor limit */
        return srv.lws_fds >= srv.max_fds;
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
        if (pss && pss->fe) frontend_closed(&pss->fe);
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
    {"pipit", callback, sizeof(pss_t), 1024, 0, NULL, TX_PIECE},
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
    /* lws finds a socket's connection by its number in a table as long as the process's
     * descriptor limit, but only when that limit is what it may use: a smaller
     * fd_limit_per_thread makes it scan every connection at each socket event (10,000 clients:
     * most of the loop's time). So the limit is set to what the node needs — the connections,
     * 32 more as before, and fd_reserve() — lws sized to it (16 bytes a descriptor), and
     * --max-connections kept by the filter above. Without such a limit (Windows, lwIP) lws is
     * told the count itself, as before. */
    srv.max_fds = (size_t)cfg->max_connections + 32;
    size_t want = srv.max_fds + fd_reserve((size_t)cfg->max_connections);
    size_t limit = pal_fd_limit(want);
    if (limit && limit < want) { /* the OS allows fewer: connections first, the small reserve kept */
        if (srv.max_fds + FD_RESERVE > limit) srv.max_fds = limit > 2 * FD_RESERVE ? limit - FD_RESERVE : limit / 2;
        log_warn("server: the descriptor limit is %zu (hard limit); %zu would hold --max-connections %d with a "
                 "file each", limit, want, cfg->max_connections);
    }
    info.fd_limit_per_thread = (unsigned)(limit ? limit : srv.max_fds);
    info.count_threads = 1;
    info.timeout_secs = 30;
    info.retry_and_idle_policy = &srv.retry;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    if (strchr(cfg->api_host, ':')) info.options &= ~(uint64_t)LWS_SERVER_OPTION_DISABLE_IPV6;
    info.vhost_name = "pipit";
    info.server_string = "pipit";

    srv.tick.fn = on_tick;
    httpc_init(loop);
    /* lws leaves some of its start-up allocations unchecked (the vhost's per-protocol lists: the
     * first request then dereferences NULL), so a context built while any of them failed is not
     * trusted: start-up fails cleanly instead */
    alloc_stats_t before, after;
    alloc_tag_stats(ALLOC_LWS, &before);
    srv.ctx = lws_create_context(&info);
    alloc_tag_stats(ALLOC_LWS, &after);
    if (srv.ctx && after.failures != before.failures) {
        lws_context_destroy(srv.ctx);
        srv.ctx = NULL;
    }
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
