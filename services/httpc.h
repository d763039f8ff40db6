/* httpc — outbound HTTP(S) requests on the loop, through libwebsockets' own client on the
 * server's lws context (same external poll, TLS by the project's mbedtls build checked against
 * the system CA bundle plus PIPIT_CA_FILE, hostnames verified, names resolved by lws'
 * asynchronous DNS so nothing blocks the loop).
 *
 * A request is a caller-owned struct: fill the inputs, httpc_start(), and `done` runs later on
 * the loop thread (never from inside httpc_start) with status/err/resp filled in. Requests
 * with `keepalive` reuse an idle connection to the same host:port (lws' h1 pipelining queue:
 * requests to one host then go one after another over that connection). */
#ifndef PIPIT_HTTPC_H
#define PIPIT_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include "../core/loop.h"

enum {
    HTTPC_OK = 0,
    HTTPC_EURL = 1,      /* the URL is not http(s)://host[:port][/path] */
    HTTPC_ECONNECT = 2,  /* DNS, TCP or TLS failed (errmsg says which, e.g. the certificate) */
    HTTPC_ETIMEDOUT = 3, /* connect/TLS handshake or response took too long */
    HTTPC_ETOOBIG = 4,   /* the response is over max_response bytes */
    HTTPC_ENOMEM = 5,
    HTTPC_ECLOSED = 6,   /* the server closed before the response was complete */
    HTTPC_ECANCELLED = 7,
    HTTPC_ESTOPPED = 8,  /* the node is shutting down */
};

#define HTTPC_MAX_HEADERS 6

typedef struct httpc_req httpc_req_t;
struct httpc_req {
    /* inputs (strings must outlive the request) */
    const char *method;          /* "GET", "POST"… */
    const char *url;
    const char *content_type;    /* with a body */
    const char *body;
    size_t body_len;
    const char *hdr_name[HTTPC_MAX_HEADERS], *hdr_value[HTTPC_MAX_HEADERS];
    int nhdr;
    uint32_t connect_timeout_ms; /* TCP connect + TLS handshake; 0 = 10 s */
    uint32_t response_timeout_ms;/* from the request going out to the last byte; 0 = 30 s */
    size_t max_response;         /* 0 = 8 MiB */
    int keepalive;
    void (*done)(httpc_req_t *r);
    void *ud;
    /* results */
    int err;                     /* HTTPC_* */
    int status;                  /* HTTP status, 0 when none came */
    char errmsg[200];
    char *resp;                  /* NUL-terminated body (alloc'd, freed by httpc_clear) */
    size_t resp_len;
    uint32_t retry_after_s;      /* Retry-After header, seconds (0 = absent) */
    uint64_t started_us, finished_us;
    /* private */
    size_t resp_cap, sent;
    void *wsi;
    httpc_req_t *prev, *next; /* open requests */
    httpc_req_t *next_wait;   /* https requests waiting for the CA set */
    const char *path;
    int port;
    uint8_t tls;
    loop_timer_t timer;
    uint8_t active, finished, body_done;
    char host[128];
};

int httpc_init(loop_t *loop);
/* Starts r; every outcome (even a bad URL) arrives through r->done. */
void httpc_start(httpc_req_t *r);
/* Abandons a started request: done is not called. */
void httpc_cancel(httpc_req_t *r);
/* Frees the response body (before reusing or freeing r). */
void httpc_clear(httpc_req_t *r);
const char *httpc_strerror(int err);

/* Counters for metrics and the benchmark. */
typedef struct {
    uint64_t requests, failures, bytes_out, bytes_in;
    uint64_t connections; /* new TCP connections (reused ones are not counted) */
} httpc_stats_t;
void httpc_get_stats(httpc_stats_t *out);

/* Splits "http(s)://host[:port][/path]": 0 ok, -1 malformed. host gets the name (IPv6
 * without brackets), path at least "/". */
int httpc_parse_url(const char *url, int *tls, char *host, size_t host_len, int *port, const char **path);

/* --- for the server glue --- */
struct lws;
int httpc_lws_callback(struct lws *wsi, int reason, void *user, void *in, size_t len);
void httpc_stop_all(void); /* fails the open requests with HTTPC_ESTOPPED */

#endif
