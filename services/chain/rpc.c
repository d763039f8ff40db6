/* rpc — see rpc.h. */
#include "rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "multicall.h"

#define NODE_STATES 32
#define MAX_COOLDOWN_WAIT_US (60u * 1000000u)

/* What we remember about a node between batches, by endpoint. */
typedef struct {
    char endpoint[256];
    uint64_t avail_us;          /* pacing: when the calls already sent are paid for */
    uint64_t cooldown_until_us; /* 429: not before this */
    uint64_t last_used_us;
} node_state_t;

static struct {
    loop_t *loop;
    const config_t *cfg;
    node_state_t nodes[NODE_STATES];
    rpc_stats_t stats;
} rc;

int rpc_init(const config_t *cfg, loop_t *loop)
{
    memset(&rc, 0, sizeof rc);
    rc.cfg = cfg;
    rc.loop = loop;
    return 0;
}

void rpc_get_stats(rpc_stats_t *out) { *out = rc.stats; }

static node_state_t *node_state(const char *endpoint)
{
    node_state_t *oldest = &rc.nodes[0];
    for (int k = 0; k < NODE_STATES; k++) {
        node_state_t *n = &rc.nodes[k];
        if (n->endpoint[0] && !strcmp(n->endpoint, endpoint)) return n;
        if (n->last_used_us < oldest->last_used_us) oldest = n;
    }
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->endpoint, sizeof oldest->endpoint, "%s", endpoint);
    return oldest;
}

/* ------------------------------------------------------------------ building */
void rpc_batch_begin(rpc_batch_t *b)
{
    memset(&b->http, 0, sizeof b->http);
    memset(&b->doc, 0, sizeof b->doc);
    json_writer_init(&b->w, 0);
    json_begin_array(&b->w);
    b->ncalls = 0;
}

json_writer_t *rpc_call_begin(rpc_batch_t *b, const char *method)
{
    json_begin_object(&b->w);
    json_write_key(&b->w, "jsonrpc");
    json_write_str(&b->w, "2.0");
    json_write_key(&b->w, "id");
    json_write_int64(&b->w, b->ncalls++);
    json_write_key(&b->w, "method");
    json_write_str(&b->w, method);
    json_write_key(&b->w, "params");
    return &b->w;
}

void rpc_call_end(rpc_batch_t *b) { json_end_object(&b->w); }

/* ------------------------------------------------------------------ outcome */
static void deliver(loop_timer_t *t)
{
    rpc_batch_t *b = t->ud;
    b->sending = 0;
    if (b->err) rc.stats.failed_batches++;
    if (b->done) b->done(b);
}

static void finish(rpc_batch_t *b, int err)
{
    b->err = err;
    loop_timer_stop(rc.loop, &b->wait);
    b->wait.fn = deliver;
    b->wait.ud = b;
    loop_timer_start(rc.loop, &b->wait, 0);
}

PIPIT_PRINTF(2, 3) static void note_failure(rpc_batch_t *b, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const rpc_node_t *n = &b->nodes[b->next_node];
    log_warn("rpc: node %s failed: %s", n->name, why);
    b->hard_failures++;
    size_t used = strlen(b->errmsg);
    snprintf(b->errmsg + used, sizeof b->errmsg - used, "%s%s: %s", used ? "; " : "", n->name, why);
}

static void try_node(rpc_batch_t *b);

static void next_node(rpc_batch_t *b)
{
    rc.stats.failovers++;
    b->next_node++;
    try_node(b);
}

/* A node's error text: its "message" cut to fit (UTF-8 kept whole), or a placeholder when it
 * has none, an empty one or one with U+0000. */
static void error_message(const json_doc_t *d, int err, char *buf, size_t len)
{
    char *s = NULL;
    size_t n = 0;
    int m = json_type(d, err) == JSON_OBJECT ? json_obj_get(d, err, "message") : -1;
    if (m >= 0 && json_get_strdup(d, m, ALLOC_CLIENT, &s, &n) == JSON_OK && n && !memchr(s, 0, n))
        utf8_copy(buf, len, s, n);
    else
        snprintf(buf, len, "error without message");
    alloc_free(s);
}

int rpc_answer_parse(rpc_batch_t *b, const char *resp, size_t len)
{
    char perr[128];
    json_doc_free(&b->doc);
    if (json_parse(&b->doc, resp, len, 0, perr, sizeof perr) != JSON_OK) {
        note_failure(b, "the answer is not JSON (%s)", perr);
        return -1;
    }
    int top = 0;
    if (json_type(&b->doc, top) == JSON_OBJECT) { /* a whole-batch error */
        int e = json_obj_get(&b->doc, top, "error");
        char msg[160] = "";
        if (e >= 0) error_message(&b->doc, e, msg, sizeof msg);
        note_failure(b, "%s%s", e >= 0 ? "the node refused the batch: " : "not a JSON-RPC batch answer", msg);
        return -1;
    }
    if (json_type(&b->doc, top) != JSON_ARRAY) {
        note_failure(b, "not a JSON-RPC batch answer");
        return -1;
    }
    for (int i = 0; i < b->ncalls; i++) b->result[i] = b->error[i] = -1;
    int answered = 0;
    for (int el = json_first(&b->doc, top); el >= 0; el = json_sibling(&b->doc, el)) {
        int64_t id;
        int idt = json_type(&b->doc, el) == JSON_OBJECT ? json_obj_get(&b->doc, el, "id") : -1;
        if (idt < 0 || json_get_int64(&b->doc, idt, &id) != JSON_OK || id < 0 || id >= b->ncalls ||
            b->result[id] >= 0 || b->error[id] >= 0) {
            note_failure(b, "an answer with a missing, unknown or repeated id");
            return -1;
        }
        int res = json_obj_get(&b->doc, el, "result"), err = json_obj_get(&b->doc, el, "error");
        if ((res < 0) == (err < 0) || (err >= 0 && json_type(&b->doc, err) != JSON_OBJECT)) {
            note_failure(b, "call %lld has neither a result nor an error", (long long)id);
            return -1;
        }
        b->result[id] = res;
        b->error[id] = err;
        answered++;
    }
    if (answered != b->ncalls) {
        note_failure(b, "answered %d of %d calls", answered, b->ncalls);
        return -1;
    }
    return 0;
}

static void http_done(httpc_req_t *h)
{
    rpc_batch_t *b = h->ud;
    b->round_trips++;
    rc.stats.round_trips++;
    if (h->err) {
        note_failure(b, "%s", h->errmsg[0] ? h->errmsg : httpc_strerror(h->err));
    } else if (h->status == 429) {
        node_state_t *st = node_state(b->nodes[b->next_node].endpoint);
        uint32_t s = h->retry_after_s ? h->retry_after_s : 1;
        st->cooldown_until_us = loop_now_us(rc.loop) + (uint64_t)s * 1000000u;
        note_failure(b, "rate limited (HTTP 429), retry after %u s", s);
        b->hard_failures--; /* waited out below, not a failure of the node */
    } else if (h->status != 200) {
        note_failure(b, "HTTP status %d", h->status);
    } else if (rpc_answer_parse(b, h->resp, h->resp_len) == 0) {
        b->node = b->next_node;
        finish(b, 0); /* the answer (doc) points into h->resp: kept until rpc_batch_clear */
        return;
    }
    json_doc_free(&b->doc); /* it pointed into the failed answer */
    httpc_clear(h);
    next_node(b);
}

static void send_now(loop_timer_t *t)
{
    rpc_batch_t *b = t->ud;
    httpc_clear(&b->http); /* a body still held would be lost to the wipe */
    memset(&b->http, 0, sizeof b->http);
    b->http.method = "POST";
    b->http.url = b->nodes[b->next_node].endpoint;
    b->http.content_type = "application/json";
    b->http.body = b->body;
    b->http.body_len = b->body_len;
    b->http.keepalive = 1;
    b->http.response_timeout_ms = (uint32_t)rc.cfg->rpc_timeout_ms;
    b->http.connect_timeout_ms = (uint32_t)(rc.cfg->rpc_timeout_ms < 10000 ? rc.cfg->rpc_timeout_ms : 10000);
    b->http.max_response = 64u << 20;
    b->http.done = http_done;
    b->http.ud = b;
    httpc_start(&b->http);
}

static void retry_from_first(loop_timer_t *t)
{
    rpc_batch_t *b = t->ud;
    b->next_node = 0;
    try_node(b);
}

static void try_node(rpc_batch_t *b)
{
    uint64_t now = loop_now_us(rc.loop), soonest = 0;
    for (; b->next_node < b->nnodes; b->next_node++) {
        node_state_t *st = node_state(b->nodes[b->next_node].endpoint);
        st->last_used_us = now;
        if (st->cooldown_until_us > now) {
            if (!soonest || st->cooldown_until_us < soonest) soonest = st->cooldown_until_us;
            continue;
        }
        uint64_t start = now;
        if (rc.cfg->rpc_rate_limit > 0) { /* one second of burst, then rpc_rate_limit calls/s */
            uint64_t floor = now > 1000000u ? now - 1000000u : 0;
            uint64_t base = st->avail_us > floor ? st->avail_us : floor;
            st->avail_us = base + (uint64_t)b->ncalls * 1000000u / (uint64_t)rc.cfg->rpc_rate_limit;
            if (st->avail_us > now + 1000000u) start = st->avail_us - 1000000u;
        }
        b->wait.fn = send_now;
        b->wait.ud = b;
        loop_timer_start_us(rc.loop, &b->wait, start - now);
        return;
    }
    /* every node failed or is cooling down after a 429: when none failed otherwise, wait for
     * the soonest once */
    for (int k = 0; k < b->nnodes; k++) {
        uint64_t until = node_state(b->nodes[k].endpoint)->cooldown_until_us;
        if (until > now && (!soonest || until < soonest)) soonest = until;
    }
    if (soonest && soonest - now <= MAX_COOLDOWN_WAIT_US && !b->hard_failures && !b->cooldown_waited) {
        b->cooldown_waited = 1;
        b->errmsg[0] = 0;
        b->wait.fn = retry_from_first;
        b->wait.ud = b;
        loop_timer_start_us(rc.loop, &b->wait, soonest - now);
        return;
    }
    char all[sizeof b->errmsg];
    snprintf(all, sizeof all, "%s", b->errmsg);
    if (!b->nnodes)
        snprintf(b->errmsg, sizeof b->errmsg, "no RPC node is configured for this chain (add one with PUT /api/1/blockchains/eth/nodes)");
    else if (!all[0])
        snprintf(b->errmsg, sizeof b->errmsg, "every RPC node is rate limiting us");
    else
        snprintf(b->errmsg, sizeof b->errmsg, "all %d RPC node(s) failed: %.560s", b->nnodes, all);
    finish(b, -1);
}

void rpc_batch_send(rpc_batch_t *b)
{
    json_end_array(&b->w);
    b->err = 0;
    b->errmsg[0] = 0;
    b->node = -1;
    b->round_trips = 0;
    b->next_node = 0;
    b->hard_failures = 0;
    b->cooldown_waited = 0;
    b->sending = 1;
    memset(&b->doc, 0, sizeof b->doc);
    memset(&b->wait, 0, sizeof b->wait);
    b->result = alloc_get(ALLOC_CLIENT, sizeof(int) * (size_t)(b->ncalls ? b->ncalls : 1));
    b->error = alloc_get(ALLOC_CLIENT, sizeof(int) * (size_t)(b->ncalls ? b->ncalls : 1));
    rc.stats.batches++;
    rc.stats.calls += (uint64_t)b->ncalls;
    if (!b->result || !b->error || json_writer_finish(&b->w, &b->body, &b->body_len) != JSON_OK) {
        snprintf(b->errmsg, sizeof b->errmsg, "out of memory for the JSON-RPC batch");
        finish(b, -1);
        return;
    }
    try_node(b);
}

void rpc_batch_cancel(rpc_batch_t *b)
{
    if (!b->sending) return;
    loop_timer_stop(rc.loop, &b->wait);
    httpc_cancel(&b->http);
    httpc_clear(&b->http);
    b->sending = 0;
}

void rpc_batch_clear(rpc_batch_t *b)
{
    rpc_batch_cancel(b);
    json_writer_free(&b->w);
    json_doc_free(&b->doc);
    httpc_clear(&b->http);
    alloc_free(b->result);
    alloc_free(b->error);
    b->result = b->error = NULL;
    b->body = NULL;
}

int rpc_result_str(const rpc_batch_t *b, int call, const char **s, size_t *len, char *why, size_t whylen)
{
    if (call < 0 || call >= b->ncalls || b->err) {
        snprintf(why, whylen, "no answer");
        return -1;
    }
    if (b->error[call] >= 0) {
        error_message(&b->doc, b->error[call], why, whylen);
        return -1;
    }
    if (json_type(&b->doc, b->result[call]) != JSON_STRING || json_get_raw(&b->doc, b->result[call], s, len) != JSON_OK) {
        snprintf(why, whylen, "the result is not a string");
        return -1;
    }
    /* raw strings include their quotes */
    if (*len >= 2 && (*s)[0] == '"') {
        (*s)++;
        *len -= 2;
    }
    return 0;
}
