/* httpc — see httpc.h.
 *
 * Each request gets its own client wsi; the request is the wsi's opaque user data, cleared
 * when the request finishes first (timeout, cancel) so late lws callbacks find nothing.
 * Results are delivered from a zero-delay timer, so `done` never runs inside httpc_start() or
 * inside an lws callback that is still using the request. */
#include "httpc.h"

#include <libwebsockets.h>
#include <mbedtls/x509_crt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "server.h"

#define CONNECT_TIMEOUT_MS 10000
#define RESPONSE_TIMEOUT_MS 30000
#define MAX_RESPONSE (8u << 20)
#define KEEP_WARM_S 30
#define IO_CHUNK 16384

/* The trusted CA set, read and checked on the worker at the first https request (file I/O and
 * ~140 certificate parses stay off the loop), then handed to lws in a vhost on the loop. */
typedef struct {
    loop_job_t job; /* first: the worker hands back this pointer */
    char *pem;
    size_t len;
    int extra; /* certificates taken from PIPIT_CA_FILE, -1 when it gave none */
} trust_job_t;
enum { TRUST_NONE, TRUST_LOADING, TRUST_READY, TRUST_FAILED };

static struct {
    loop_t *loop;
    struct lws_vhost *tls_vh; /* made at the first https request: the CA set costs memory */
    int trust;
    trust_job_t tj;
    httpc_req_t *waiting;     /* https requests waiting for the CA set */
    httpc_req_t *open;
    httpc_stats_t stats;
    unsigned char iobuf[LWS_PRE + IO_CHUNK]; /* one loop thread: one scratch buffer */
} hc;

int httpc_init(loop_t *loop)
{
    memset(&hc.stats, 0, sizeof hc.stats);
    hc.loop = loop;
    hc.open = NULL;
    hc.tls_vh = NULL; /* a new lws context: the old vhost went with the old one */
    hc.trust = TRUST_NONE;
    hc.waiting = NULL;
    return 0;
}

const char *httpc_strerror(int err)
{
    switch (err) {
    case HTTPC_OK: return "ok";
    case HTTPC_EURL: return "bad URL";
    case HTTPC_ECONNECT: return "connection failed";
    case HTTPC_ETIMEDOUT: return "timed out";
    case HTTPC_ETOOBIG: return "response too large";
    case HTTPC_ENOMEM: return "out of memory";
    case HTTPC_ECLOSED: return "connection closed early";
    case HTTPC_ECANCELLED: return "cancelled";
    case HTTPC_ESTOPPED: return "node shutting down";
    default: return "error";
    }
}

void httpc_get_stats(httpc_stats_t *out) { *out = hc.stats; }

int httpc_parse_url(const char *url, int *tls, char *host, size_t host_len, int *port, const char **path)
{
    const char *p;
    if (!strncmp(url, "http://", 7)) {
        *tls = 0;
        p = url + 7;
    } else if (!strncmp(url, "https://", 8)) {
        *tls = 1;
        p = url + 8;
    } else {
        return -1;
    }
    const char *h = p, *he;
    if (*p == '[') { /* [IPv6]:port */
        h = ++p;
        while (*p && *p != ']') p++;
        if (*p != ']') return -1;
        he = p++;
    } else {
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        he = p;
    }
    if (he == h || (size_t)(he - h) >= host_len) return -1;
    for (const char *c = h; c < he; c++)
        if ((unsigned char)*c <= ' ' || *c == '@') return -1; /* no userinfo, no spaces */
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = 0;
    *port = *tls ? 443 : 80;
    if (*p == ':') {
        long v = 0;
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) v = v * 10 + (*p - '0');
        if (!digits || digits > 5 || v < 1 || v > 65535) return -1;
        *port = (int)v;
    }
    if (*p && *p != '/') return -1;
    *path = *p ? p : "/";
    return 0;
}

/* ------------------------------------------------------------------ finishing */
static void unlink_open(httpc_req_t *r)
{
    if (r->prev) r->prev->next = r->next;
    else if (hc.open == r) hc.open = r->next;
    if (r->next) r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void deliver(loop_timer_t *t)
{
    httpc_req_t *r = t->ud;
    r->active = 0;
    if (r->done) r->done(r);
}

/* Records the outcome, lets go of the connection and schedules `done`. When the wsi is still
 * mid-transaction (timeout, size limit), it is told to close. */
PIPIT_PRINTF(3, 4) static void finish(httpc_req_t *r, int err, const char *fmt, ...);
static void finish(httpc_req_t *r, int err, const char *fmt, ...)
{
    if (r->finished) return;
    r->finished = 1;
    r->err = err;
    r->finished_us = loop_now_us(hc.loop);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->errmsg, sizeof r->errmsg, fmt, ap);
        va_end(ap);
    }
    if (err) hc.stats.failures++;
    struct lws *wsi = r->wsi;
    r->wsi = NULL;
    if (wsi) {
        lws_set_opaque_user_data(wsi, NULL);
        if (err) lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    unlink_open(r);
    for (httpc_req_t **w = &hc.waiting; *w; w = &(*w)->next_wait)
        if (*w == r) {
            *w = r->next_wait;
            break;
        }
    loop_timer_stop(hc.loop, &r->timer);
    r->timer.fn = deliver;
    r->timer.ud = r;
    loop_timer_start(hc.loop, &r->timer, 0);
}

static void on_timeout(loop_timer_t *t)
{
    httpc_req_t *r = t->ud;
    if (!r->sent && !r->body_done && r->status == 0)
        finish(r, HTTPC_ETIMEDOUT, "%s: no connection within %u ms", r->host, r->connect_timeout_ms);
    else
        finish(r, HTTPC_ETIMEDOUT, "%s: no complete response within %u ms", r->host, r->response_timeout_ms);
}

static void arm_timeout(httpc_req_t *r, uint32_t ms)
{
    loop_timer_stop(hc.loop, &r->timer);
    r->timer.fn = on_timeout;
    r->timer.ud = r;
    loop_timer_start(hc.loop, &r->timer, ms);
}

/* ------------------------------------------------------------------ trust */
static const char *const system_ca_files[] = {
    "/etc/ssl/certs/ca-certificates.crt", /* Debian, Raspberry Pi OS */
    "/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora-like */
    NULL,
};

/* Appends a PEM file's certificates that mbedtls can parse (one bad certificate would make
 * lws drop the whole set). Returns the number added, -1 when the file cannot be read. */
static int add_pem_file(const char *path, char **buf, size_t *len, size_t *cap)
{
    uint64_t size;
    pal_file_t *f;
    if (pal_file_size(path, &size) != PAL_OK || size > (8u << 20) || pal_file_open(path, PAL_F_READ, &f) != PAL_OK)
        return -1;
    char *text = alloc_get(ALLOC_CLIENT, (size_t)size + 1);
    long got = 0, n = 0;
    while (text && got < (long)size && (n = pal_file_read(f, text + got, (size_t)size - (size_t)got)) > 0) got += n;
    pal_file_close(f);
    if (!text || n < 0) {
        alloc_free(text);
        return -1;
    }
    text[got] = 0;
    static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
    int added = 0;
    for (char *b = strstr(text, begin); b; b = strstr(b, begin)) {
        char *e = strstr(b, end);
        if (!e) break;
        e += sizeof end - 1;
        size_t blen = (size_t)(e - b);
        char saved = *e;
        *e = 0;
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        int ok = mbedtls_x509_crt_parse(&crt, (const unsigned char *)b, blen + 1) == 0;
        mbedtls_x509_crt_free(&crt);
        *e = saved;
        if (ok) {
            if (*len + blen + 2 > *cap) {
                size_t c = *cap ? *cap * 2 : 65536;
                while (c < *len + blen + 2) c *= 2;
                char *p = alloc_reget(ALLOC_CLIENT, *buf, c);
                if (!p) break;
                *buf = p;
                *cap = c;
            }
            memcpy(*buf + *len, b, blen);
            *len += blen;
            (*buf)[(*len)++] = '\n';
            (*buf)[*len] = 0;
            added++;
        }
        b = e;
    }
    alloc_free(text);
    return added;
}

/* worker: the system bundle (the first that exists) and PIPIT_CA_FILE, certificate by certificate */
static void trust_run(pal_job_t *pj)
{
    trust_job_t *t = (trust_job_t *)pj;
    size_t cap = 0;
    int n = 0;
    t->pem = NULL;
    t->len = 0;
    for (int k = 0; system_ca_files[k] && n <= 0; k++) n = add_pem_file(system_ca_files[k], &t->pem, &t->len, &cap);
    const char *extra = pal_env("PIPIT_CA_FILE");
    t->extra = extra && *extra ? add_pem_file(extra, &t->pem, &t->len, &cap) : 0;
    if (t->extra == 0 && extra && *extra) t->extra = -1;
}

static void connect_now(httpc_req_t *r);

/* loop: the vhost from the PEM set, then the requests that waited for it */
static void trust_done(loop_job_t *j)
{
    trust_job_t *t = (trust_job_t *)j;
    const char *extra = pal_env("PIPIT_CA_FILE");
    if (t->extra < 0) log_warn("httpc: PIPIT_CA_FILE %s gave no usable certificate", extra);
    else if (t->extra > 0) log_info("httpc: trusting %d extra certificate(s) from %s", t->extra, extra);
    struct lws_context *ctx = server_lws_context();
    if (!t->pem) {
        log_error("httpc: no trusted CA certificates (system bundle missing; set PIPIT_CA_FILE)");
    } else if (ctx) {
        struct lws_context_creation_info info;
        memset(&info, 0, sizeof info);
        info.port = CONTEXT_PORT_NO_LISTEN;
        info.vhost_name = "pipit-client-tls";
        info.protocols = server_lws_protocols();
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.client_ssl_ca_mem = t->pem;
        info.client_ssl_ca_mem_len = (unsigned)t->len + 1;
        hc.tls_vh = lws_create_vhost(ctx, &info);
        if (!hc.tls_vh) log_error("httpc: cannot set up TLS for outbound requests");
    }
    alloc_free(t->pem); /* lws parsed its own copy */
    t->pem = NULL;
    hc.trust = hc.tls_vh ? TRUST_READY : ctx ? TRUST_FAILED : TRUST_NONE;
    httpc_req_t *w = hc.waiting;
    hc.waiting = NULL;
    while (w) {
        httpc_req_t *next = w->next_wait;
        if (hc.trust == TRUST_READY) connect_now(w);
        else finish(w, ctx ? HTTPC_ECONNECT : HTTPC_ESTOPPED, "%s: TLS is not available (no trusted CA certificates)", w->host);
        w = next;
    }
}

/* ------------------------------------------------------------------ starting */
void httpc_start(httpc_req_t *r)
{
    r->err = HTTPC_OK;
    r->status = 0;
    r->errmsg[0] = 0;
    r->resp = NULL;
    r->resp_len = r->resp_cap = r->sent = 0;
    r->retry_after_s = 0;
    r->wsi = NULL;
    r->prev = r->next = r->next_wait = NULL;
    r->finished = r->body_done = 0;
    r->active = 1;
    memset(&r->timer, 0, sizeof r->timer);
    if (!r->connect_timeout_ms) r->connect_timeout_ms = CONNECT_TIMEOUT_MS;
    if (!r->response_timeout_ms) r->response_timeout_ms = RESPONSE_TIMEOUT_MS;
    if (!r->max_response) r->max_response = MAX_RESPONSE;
    r->started_us = loop_now_us(hc.loop);
    hc.stats.requests++;
    r->host[0] = 0;

    int tls, port;
    const char *path;
    if (!r->url || httpc_parse_url(r->url, &tls, r->host, sizeof r->host, &port, &path) != 0) {
        finish(r, HTTPC_EURL, "not an http(s) URL: %.120s", r->url ? r->url : "(none)");
        return;
    }
    struct lws_context *ctx = server_lws_context();
    if (!ctx) {
        finish(r, HTTPC_ESTOPPED, "the node is shutting down");
        return;
    }
    r->next = hc.open;
    if (hc.open) hc.open->prev = r;
    hc.open = r;
    arm_timeout(r, r->connect_timeout_ms);

    r->tls = (uint8_t)tls;
    r->port = port;
    r->path = path;
    if (tls && hc.trust != TRUST_READY) { /* wait for the CA set (the connect timeout runs) */
        if (hc.trust == TRUST_FAILED) {
            finish(r, HTTPC_ECONNECT, "%s: TLS is not available (no trusted CA certificates)", r->host);
            return;
        }
        r->next_wait = hc.waiting;
        hc.waiting = r;
        if (hc.trust == TRUST_NONE) {
            hc.trust = TRUST_LOADING;
            if (loop_job_submit(hc.loop, &hc.tj.job, trust_run, trust_done) != PAL_OK) { /* no threads */
                trust_run(&hc.tj.job.pj);
                trust_done(&hc.tj.job);
            }
        }
        return;
    }
    connect_now(r);
}

static void connect_now(httpc_req_t *r)
{
    struct lws_context *ctx = server_lws_context();
    if (!ctx) {
        finish(r, HTTPC_ESTOPPED, "the node is shutting down");
        return;
    }
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = ctx;
    i.vhost = r->tls ? hc.tls_vh : NULL;
    i.address = r->host;
    i.port = r->port;
    i.path = r->path;
    /* Host without the port: lws matches keep-alive connections on it (with the address) */
    i.host = r->host;
    i.origin = r->host;
    i.method = r->method ? r->method : "GET";
    i.alpn = "http/1.1";
    i.ssl_connection = (r->tls ? LCCSCF_USE_SSL : 0) | (r->keepalive ? LCCSCF_PIPELINE : 0);
    i.local_protocol_name = "pipit-httpc";
    i.opaque_user_data = r;
    i.keep_warm_secs = KEEP_WARM_S;
    struct lws *wsi = lws_client_connect_via_info(&i);
    /* lws may already have reported an error through the callback */
    if (!wsi && !r->finished) finish(r, HTTPC_ECONNECT, "%s: cannot start a connection", r->host);
    else if (wsi && !r->finished) r->wsi = wsi;
}

void httpc_cancel(httpc_req_t *r)
{
    if (!r->active) return;
    if (!r->finished) finish(r, HTTPC_ECANCELLED, "cancelled");
    loop_timer_stop(hc.loop, &r->timer);
    r->active = 0;
}

void httpc_clear(httpc_req_t *r)
{
    alloc_free(r->resp);
    r->resp = NULL;
    r->resp_len = r->resp_cap = 0;
}

void httpc_stop_all(void)
{
    while (hc.open) finish(hc.open, HTTPC_ESTOPPED, "the node is shutting down");
}

/* ------------------------------------------------------------------ lws callback */
static int append_resp(httpc_req_t *r, const void *data, size_t len)
{
    if (r->resp_len + len > r->max_response) {
        finish(r, HTTPC_ETOOBIG, "%s: response larger than %zu bytes", r->host, r->max_response);
        return -1;
    }
    if (r->resp_len + len + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 4096;
        while (cap < r->resp_len + len + 1) cap *= 2;
        char *p = alloc_reget(ALLOC_CLIENT, r->resp, cap);
        if (!p) {
            finish(r, HTTPC_ENOMEM, "%s: out of memory for the response", r->host);
            return -1;
        }
        r->resp = p;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, data, len);
    r->resp_len += len;
    r->resp[r->resp_len] = 0;
    hc.stats.bytes_in += len;
    return 0;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s:", name); /* lws wants the colon in by-name headers */
    return lws_add_http_header_by_name(wsi, (const unsigned char *)nm, (const unsigned char *)value,
                                       (int)strlen(value), p, end);
}

int httpc_lws_callback(struct lws *wsi, int reason, void *user, void *in, size_t len)
{
    (void)user;
    httpc_req_t *r = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (r) finish(r, HTTPC_ECONNECT, "%s: %s", r->host, in ? (const char *)in : "connection failed");
        return 0;

    case LWS_CALLBACK_CONNECTING:
        hc.stats.connections++;
        return 0;

    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        if (!r) return -1;
        r->wsi = wsi; /* a queued request takes over the connection's wsi role */
        unsigned char **p = (unsigned char **)in, *end = (*p) + len;
        char num[24];
        if (r->body) {
            snprintf(num, sizeof num, "%zu", r->body_len);
            if (add_header(wsi, "Content-Type", r->content_type ? r->content_type : "application/json", p, end) ||
                add_header(wsi, "Content-Length", num, p, end))
                return -1;
        }
        for (int k = 0; k < r->nhdr; k++)
            if (add_header(wsi, r->hdr_name[k], r->hdr_value[k], p, end)) return -1;
        if (r->body && r->body_len) {
            lws_client_http_body_pending(wsi, 1);
            lws_callback_on_writable(wsi);
        } else {
            r->body_done = 1;
        }
        /* the connection (and TLS) is up: from here the response timeout runs */
        arm_timeout(r, r->response_timeout_ms);
        return 0;
    }

    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
        if (!r || r->body_done) return r ? 0 : -1;
        size_t n = r->body_len - r->sent;
        if (n > IO_CHUNK) n = IO_CHUNK;
        int last = r->sent + n == r->body_len;
        memcpy(hc.iobuf + LWS_PRE, r->body + r->sent, n);
        if (lws_write(wsi, hc.iobuf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) return -1;
        r->sent += n;
        hc.stats.bytes_out += n;
        if (last) {
            r->body_done = 1;
            lws_client_http_body_pending(wsi, 0);
        } else {
            lws_callback_on_writable(wsi);
        }
        return 0;
    }

    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: {
        if (!r) return -1;
        r->status = (int)lws_http_client_http_response(wsi);
        char v[32];
        if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_RETRY_AFTER) > 0) {
            long s = strtol(v, NULL, 10);
            r->retry_after_s = s > 0 && s < 86400 ? (uint32_t)s : 1;
        }
        if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
            strtoull(v, NULL, 10) > r->max_response) {
            finish(r, HTTPC_ETOOBIG, "%s: response of %s bytes is over the %zu-byte limit", r->host, v,
                   r->max_response);
            return -1;
        }
        return 0;
    }

    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (!r) return -1;
        return append_resp(r, in, len) ? -1 : 0;

    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char *px = (char *)hc.iobuf + LWS_PRE;
        int lenx = IO_CHUNK;
        if (lws_http_client_read(wsi, &px, &lenx) < 0) return -1;
        return 0;
    }

    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (r) {
            if (!r->resp && append_resp(r, "", 0)) return -1; /* an empty body is "" */
            finish(r, HTTPC_OK, NULL);
        }
        return 0;

    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        if (r) finish(r, HTTPC_ECLOSED, "%s: connection closed before the response was complete", r->host);
        return 0;

    default:
        return 0;
    }
}
