/* lwip_net — HTTP and JSON-RPC between two tasks on pipit's loop, through the PAL's sockets.
 *
 * Written against pal.h only: in build/lwip/unit (ports/lwip) the bytes go through lwIP's TCP
 * over its loopback netif, with pal_poll = lwip_poll and the loop's wake-up a UDP socket inside
 * lwIP; any other build would run it over the host's stack. A tiny HTTP/1.1 server task
 * (one request per connection, Connection: close) answers GET /api/1/ping, GET /blob (300 kB,
 * so that both sides wait on full windows) and POST / with a JSON-RPC 2.0 call; a client task
 * makes the requests one after the other and checks the replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/json.h"
#include "../../core/loop.h"
#include "unit.h"

#define BLOB_LEN 300000
#define IO_TIMEOUT_MS 3000
#define RPC_BLOCK "0x1312d00"

/* ---------------------------------------------------------------- helpers (no waits) */
static int blob_byte(size_t i) { return 'a' + (int)(i % 26); }

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int prefix_nocase(const char *s, const char *prefix, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i])) return 0;
    return 1;
}

/* Case-insensitive search for a header name at a line start; its value as a number, or -1. */
static long header_number(const char *head, size_t head_len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl < head_len; i++) {
        if ((i == 0 || head[i - 1] == '\n') && prefix_nocase(head + i, name, nl) && head[i + nl] == ':')
            return strtol(head + i + nl + 1, NULL, 10);
    }
    return -1;
}

static const char *find_blank_line(const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) return buf + i + 4;
    return NULL;
}

/* ---------------------------------------------------------------- the server task */
typedef struct {
    loop_task_t task;
    pal_sock_t listener, conn;
    char req[4096];
    size_t req_len;
    char *resp;
    size_t resp_len, resp_off;
    int served, max_conns, ok, done;
} server_t;

/* 1 when req holds a whole request (head and Content-Length body) */
static int request_complete(const server_t *s)
{
    const char *body = find_blank_line(s->req, s->req_len);
    if (!body) return 0;
    long cl = header_number(s->req, (size_t)(body - s->req), "Content-Length");
    return cl <= 0 || (size_t)(s->req + s->req_len - body) >= (size_t)cl;
}

static int set_response(server_t *s, int status, const char *body, size_t body_len)
{
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                      status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request",
                      body && body[0] == '{' ? "application/json" : "application/octet-stream", body_len);
    s->resp = alloc_sys_get(ALLOC_CORE, (size_t)hl + body_len);
    if (!s->resp) return -1;
    memcpy(s->resp, head, (size_t)hl);
    if (body && body_len) memcpy(s->resp + hl, body, body_len); /* no body: the caller fills it */
    s->resp_len = (size_t)hl + body_len;
    s->resp_off = 0;
    return 0;
}

/* JSON-RPC 2.0: eth_blockNumber answers a fixed block; anything else is method-not-found. */
static int answer_rpc(server_t *s, const char *body, size_t len)
{
    json_doc_t doc;
    char err[128], out[256];
    int64_t id = 0;
    int n;
    if (json_parse(&doc, body, len, 64, err, sizeof err) != JSON_OK || json_type(&doc, 0) != JSON_OBJECT ||
        !json_str_eq(&doc, json_obj_get(&doc, 0, "jsonrpc"), "2.0") ||
        json_get_int64(&doc, json_obj_get(&doc, 0, "id"), &id) != JSON_OK) {
        json_doc_free(&doc);
        n = snprintf(out, sizeof out, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"}}");
        return set_response(s, 200, out, (size_t)n);
    }
    int params = json_obj_get(&doc, 0, "params");
    if (json_str_eq(&doc, json_obj_get(&doc, 0, "method"), "eth_blockNumber") &&
        (params < 0 || (json_type(&doc, params) == JSON_ARRAY && json_child_count(&doc, params) == 0)))
        n = snprintf(out, sizeof out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":\"%s\"}", (long long)id, RPC_BLOCK);
    else
        n = snprintf(out, sizeof out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}",
                     (long long)id);
    json_doc_free(&doc);
    return set_response(s, 200, out, (size_t)n);
}

static int route(server_t *s)
{
    const char *body = find_blank_line(s->req, s->req_len);
    size_t body_len = (size_t)(s->req + s->req_len - body);
    if (strncmp(s->req, "GET /api/1/ping ", 16) == 0) {
        const char *b = "{\"result\":true,\"message\":\"\"}";
        return set_response(s, 200, b, strlen(b));
    }
    if (strncmp(s->req, "GET /blob ", 10) == 0) {
        if (set_response(s, 200, NULL, BLOB_LEN) != 0) return -1;
        char *p = s->resp + s->resp_len - BLOB_LEN;
        for (size_t i = 0; i < BLOB_LEN; i++) p[i] = (char)blob_byte(i);
        return 0;
    }
    if (strncmp(s->req, "POST / ", 7) == 0) return answer_rpc(s, body, body_len);
    return set_response(s, 404, "{\"result\":null,\"message\":\"not found\"}", 37);
}

static int server_pt(loop_task_t *t)
{
    server_t *s = t->ud;
    PT_BEGIN(&t->pt);
    while (s->served < s->max_conns) {
        LOOP_WAIT_SOCK(t, s->listener, PAL_POLL_IN, IO_TIMEOUT_MS);
        if (!t->io_revents) PT_EXIT(&t->pt);
        {
            int st = pal_tcp_accept(s->listener, &s->conn);
            if (st == PAL_EAGAIN) continue;
            if (st != PAL_OK) PT_EXIT(&t->pt);
        }
        s->req_len = 0;
        while (!request_complete(s)) {
            LOOP_WAIT_SOCK(t, s->conn, PAL_POLL_IN, IO_TIMEOUT_MS);
            if (!t->io_revents) PT_EXIT(&t->pt);
            long n = pal_sock_read(s->conn, s->req + s->req_len, sizeof s->req - 1 - s->req_len);
            if (n > 0) s->req_len += (size_t)n;
            else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
            if (s->req_len == sizeof s->req - 1) PT_EXIT(&t->pt);
        }
        s->req[s->req_len] = 0;
        if (route(s) != 0) PT_EXIT(&t->pt);
        while (s->resp_off < s->resp_len) {
            LOOP_WAIT_SOCK(t, s->conn, PAL_POLL_OUT, IO_TIMEOUT_MS);
            if (!t->io_revents) PT_EXIT(&t->pt);
            long n = pal_sock_write(s->conn, s->resp + s->resp_off, s->resp_len - s->resp_off);
            if (n > 0) s->resp_off += (size_t)n;
            else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
        }
        alloc_free(s->resp);
        s->resp = NULL;
        pal_sock_close(s->conn);
        s->conn = PAL_SOCK_INVALID;
        s->served++;
    }
    s->ok = 1;
    PT_END(&t->pt);
}

/* ---------------------------------------------------------------- the client task */
#define N_STEPS 4
static const char *const rpc_ok = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";
static const char *const rpc_unknown = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_mining\",\"params\":[]}";

typedef struct {
    loop_task_t task;
    const char *host;
    uint16_t port;
    pal_sock_t sock;
    int step;
    char out[512];
    size_t out_len, out_off;
    char *in;
    size_t in_len, in_cap;
    /* what came back, per step */
    int status[N_STEPS];
    int ping_ok, blob_ok, unknown_code;
    char rpc_result[32];
    int64_t rpc_id;
    int ok, done;
} client_t;

static void make_request(client_t *c)
{
    int n;
    const char *rpc = c->step == 1 ? rpc_ok : rpc_unknown;
    if (c->step == 0)
        n = snprintf(c->out, sizeof c->out, "GET /api/1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    else if (c->step == 3)
        n = snprintf(c->out, sizeof c->out, "GET /blob HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    else
        n = snprintf(c->out, sizeof c->out,
                     "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     strlen(rpc), rpc);
    c->out_len = (size_t)n;
    c->out_off = 0;
    c->in_len = 0;
}

/* Looks at a whole response (the server closed after it); 0 if it is what the step expects. */
static int check_response(client_t *c)
{
    int status = 0;
    if (sscanf(c->in, "HTTP/1.1 %d", &status) != 1) return -1;
    c->status[c->step] = status;
    const char *body = find_blank_line(c->in, c->in_len);
    if (!body) return -1;
    size_t body_len = (size_t)(c->in + c->in_len - body);
    if (header_number(c->in, (size_t)(body - c->in), "Content-Length") != (long)body_len) return -1;
    if (c->step == 0) {
        c->ping_ok = body_len == 28 && memcmp(body, "{\"result\":true,\"message\":\"\"}", 28) == 0;
        return c->ping_ok ? 0 : -1;
    }
    if (c->step == 3) {
        if (body_len != BLOB_LEN) return -1;
        for (size_t i = 0; i < body_len; i++)
            if (body[i] != (char)blob_byte(i)) return -1;
        c->blob_ok = 1;
        return 0;
    }
    json_doc_t doc;
    char err[128];
    int rc = -1;
    if (json_parse(&doc, body, body_len, 64, err, sizeof err) == JSON_OK &&
        json_str_eq(&doc, json_obj_get(&doc, 0, "jsonrpc"), "2.0")) {
        int64_t id = 0, code = 0;
        json_get_int64(&doc, json_obj_get(&doc, 0, "id"), &id);
        if (c->step == 1) {
            c->rpc_id = id;
            if (json_get_str(&doc, json_obj_get(&doc, 0, "result"), c->rpc_result, sizeof c->rpc_result, NULL) == JSON_OK)
                rc = 0;
        } else {
            int e = json_obj_get(&doc, 0, "error");
            if (id == 7 && json_get_int64(&doc, json_obj_get(&doc, e, "code"), &code) == JSON_OK) {
                c->unknown_code = (int)code;
                rc = 0;
            }
        }
    }
    json_doc_free(&doc);
    return rc;
}

static int client_pt(loop_task_t *t)
{
    client_t *c = t->ud;
    PT_BEGIN(&t->pt);
    for (c->step = 0; c->step < N_STEPS; c->step++) {
        make_request(c);
        {
            int st = pal_tcp_connect(c->host, c->port, &c->sock);
            if (st != PAL_OK && st != PAL_EINPROGRESS) PT_EXIT(&t->pt);
        }
        LOOP_WAIT_SOCK(t, c->sock, PAL_POLL_OUT, IO_TIMEOUT_MS);
        if (!t->io_revents || pal_tcp_connect_result(c->sock) != PAL_OK) PT_EXIT(&t->pt);
        while (c->out_off < c->out_len) {
            long n = pal_sock_write(c->sock, c->out + c->out_off, c->out_len - c->out_off);
            if (n > 0) c->out_off += (size_t)n;
            else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
            if (c->out_off == c->out_len) break;
            LOOP_WAIT_SOCK(t, c->sock, PAL_POLL_OUT, IO_TIMEOUT_MS);
            if (!t->io_revents) PT_EXIT(&t->pt);
        }
        for (;;) { /* read to the server's close */
            LOOP_WAIT_SOCK(t, c->sock, PAL_POLL_IN, IO_TIMEOUT_MS);
            if (!t->io_revents) PT_EXIT(&t->pt);
            if (c->in_len + 1 >= c->in_cap) PT_EXIT(&t->pt);
            long n = pal_sock_read(c->sock, c->in + c->in_len, c->in_cap - 1 - c->in_len);
            if (n > 0) c->in_len += (size_t)n;
            else if (n == PAL_ECLOSED) break;
            else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
        }
        c->in[c->in_len] = 0;
        pal_sock_close(c->sock);
        c->sock = PAL_SOCK_INVALID;
        if (check_response(c) != 0) PT_EXIT(&t->pt);
    }
    c->ok = 1;
    PT_END(&t->pt);
}

static void server_end(loop_task_t *t) { ((server_t *)t->ud)->done = 1; }
static void client_end(loop_task_t *t) { ((client_t *)t->ud)->done = 1; }

/* ---------------------------------------------------------------- the tests */
static void http_and_json_rpc(const char *host)
{
    loop_t *l;
    static server_t srv;
    static client_t cli;
    memset(&srv, 0, sizeof srv);
    memset(&cli, 0, sizeof cli);
    srv.conn = cli.sock = PAL_SOCK_INVALID;
    int st = pal_tcp_listen(host, 0, 8, &srv.listener);
    if (st != PAL_OK && strchr(host, ':')) return; /* a host without IPv6 loopback: nothing to test */
    CHECK_EQ_INT(st, PAL_OK);
    st = loop_create(&l);
    if (st != PAL_OK) pal_sock_close(srv.listener);
    CHECK_EQ_INT(st, PAL_OK);
    srv.max_conns = N_STEPS;
    cli.host = host;
    cli.in_cap = BLOB_LEN + 4096;
    cli.in = alloc_sys_get(ALLOC_CORE, cli.in_cap);
    if (!cli.in || pal_sock_local_port(srv.listener, &cli.port) != PAL_OK) {
        alloc_free(cli.in);
        pal_sock_close(srv.listener);
        loop_destroy(l);
        CHECK(!"client buffer and listener port");
    }
    loop_task_start(l, &srv.task, server_pt, server_end, &srv);
    loop_task_start(l, &cli.task, client_pt, client_end, &cli);
    uint64_t t0 = pal_mono_ms();
    while (!(srv.done && cli.done) && pal_mono_ms() - t0 < 10000) loop_turn(l, 50);
    loop_task_abort(&srv.task);
    loop_task_abort(&cli.task);
    size_t watched = loop_io_count(l);
    pal_sock_close(srv.conn);
    pal_sock_close(cli.sock);
    pal_sock_close(srv.listener);
    alloc_free(srv.resp);
    alloc_free(cli.in);
    loop_destroy(l);
    CHECK(srv.done && cli.done);
    CHECK_EQ_INT(cli.status[0], 200);
    CHECK(cli.ping_ok);
    CHECK_EQ_INT(cli.status[1], 200);
    CHECK_EQ_STR(cli.rpc_result, RPC_BLOCK);
    CHECK_EQ_INT(cli.rpc_id, 1);
    CHECK_EQ_INT(cli.unknown_code, -32601);
    CHECK(cli.blob_ok);
    CHECK(cli.ok);
    CHECK(srv.ok);
    CHECK_EQ_INT(srv.served, N_STEPS);
    CHECK_EQ_INT(watched, 1); /* only the loop's own wake-up is left watched */
}

UNIT_TEST(http_and_json_rpc_between_two_tasks) { http_and_json_rpc("127.0.0.1"); }
UNIT_TEST(http_and_json_rpc_over_ipv6_loopback) { http_and_json_rpc("::1"); }

/* A socket closed while still watched is an error entry, and the others are still reported
 * (lwip_poll fails as a whole on it; poll(2) marks it POLLNVAL). */
UNIT_TEST(poll_reports_a_closed_socket_and_the_rest)
{
    pal_sock_t gone, listener, client = PAL_SOCK_INVALID;
    uint16_t port;
    CHECK_EQ_INT(pal_tcp_listen("127.0.0.1", 0, 4, &gone), PAL_OK);
    int st = pal_tcp_listen("127.0.0.1", 0, 4, &listener);
    if (st != PAL_OK) pal_sock_close(gone);
    CHECK_EQ_INT(st, PAL_OK);
    pal_sock_local_port(listener, &port);
    st = pal_tcp_connect("127.0.0.1", port, &client);
    pal_pollfd_t pf[2] = {{gone, PAL_POLL_IN, 0}, {listener, PAL_POLL_IN, 0}};
    pal_sock_close(gone); /* nothing opened after this: the number cannot be reused meanwhile */
    int n = 0;
    uint64_t t0 = pal_mono_ms();
    while (!(pf[1].revents & PAL_POLL_IN) && pal_mono_ms() - t0 < 2000) n = pal_poll(pf, 2, 100);
    pal_sock_t acc = PAL_SOCK_INVALID;
    int acc_st = pal_tcp_accept(listener, &acc);
    pal_sock_close(acc);
    pal_sock_close(client);
    pal_sock_close(listener);
    pal_poll(NULL, 0, 0); /* releases the PAL's poll scratch, as loop_destroy does */
    CHECK(st == PAL_OK || st == PAL_EINPROGRESS);
    CHECK_EQ_INT(n, 2);
    CHECK(pf[0].revents & PAL_POLL_ERR);
    CHECK(pf[1].revents & PAL_POLL_IN);
    CHECK_EQ_INT(acc_st, PAL_OK);
}

/* A wake-up signalled from another thread gets the loop out of a long wait at once. */
typedef struct {
    loop_completion_t c;
    int ran;
} posted_t;

static void posted_fn(loop_completion_t *c) { ((posted_t *)c)->ran = 1; }

typedef struct {
    loop_job_t job;
    loop_t *loop;
    posted_t posted;
} poster_job_t;

static void poster_run(pal_job_t *pj)
{
    poster_job_t *j = (poster_job_t *)pj;
    pal_sleep_ms(30);
    loop_post(j->loop, &j->posted.c);
}

static void poster_done(loop_job_t *lj) { (void)lj; }

UNIT_TEST(cross_thread_post_wakes_a_waiting_loop)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    if (!loop_has_worker(l)) {
        loop_destroy(l);
        return;
    }
    static poster_job_t j;
    memset(&j, 0, sizeof j);
    j.loop = l;
    j.posted.c.fn = posted_fn;
    CHECK_EQ_INT(loop_job_submit(l, &j.job, poster_run, poster_done), PAL_OK);
    uint64_t t0 = pal_mono_ms();
    while (!j.posted.ran && pal_mono_ms() - t0 < 5000) loop_turn(l, 4000); /* no timers: only the wake-up ends it */
    uint64_t took = pal_mono_ms() - t0;
    loop_destroy(l);
    CHECK(j.posted.ran);
    CHECK(took < 1000);
}

UNIT_SUITE(suite_lwip_net, UNIT_CASE(http_and_json_rpc_between_two_tasks), UNIT_CASE(http_and_json_rpc_over_ipv6_loopback),
           UNIT_CASE(poll_reports_a_closed_socket_and_the_rest), UNIT_CASE(cross_thread_post_wakes_a_waiting_loop));
