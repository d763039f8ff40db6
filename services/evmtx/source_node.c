/* source_node — the user's own node as the transaction source (see fetch.h), the block-by-time
 * bisection and the completion of a set from the nodes (details, receipts), which the indexer
 * source uses too.
 *
 * Per interval of blocks: eth_getLogs on the Transfer topic (ERC-20 and ERC-721) with the
 * accounts as topic1 and, in a second call, as topic2 — what an indexer's tokentx/tokennfttx
 * see, so both sources find the same txs (a span the node refuses as too wide or too big is
 * halved and asked again), then every block of the interval in batched
 * eth_getBlockByNumber(full) calls, keeping the txs whose from or to is an account or which a
 * log named. Batches are sized by the last answer's bytes per item, aiming at 1/16 of the heap
 * budget. Receipts: eth_getBlockReceipts per block, or — for a node that does not have it,
 * remembered per endpoint for the process' life — batched eth_getTransactionReceipt. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "fetch.h"

#define TOPIC_TRANSFER "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
#define MAX_LOG_SPANS 8      /* spans per eth_getLogs batch (two calls each) */
#define SCAN_FIRST 64        /* blocks in the first scan batch, before any size is known */
#define SCAN_MAX 2000
#define RCPT_FIRST 32
#define RCPT_MAX 1000
#define TX_FIRST 100

/* ------------------------------------------------------------------ pure pieces */
static int contains_ci(const char *s, const char *needle) { return evmtx_has_ci(s, strlen(s), needle); }

int evmtx_logs_error_is_range(int64_t code, const char *msg)
{
    static const char *const words[] = {"range", "too many", "more than", "limit", "too large", "too big",
                                        "exceed", "size", "timeout", "timed out", NULL};
    if (code == -32005) return 1; /* Infura/geth's "limit exceeded" */
    for (int i = 0; words[i]; i++)
        if (msg && contains_ci(msg, words[i])) return 1;
    return 0;
}

int evmtx_error_is_no_method(int64_t code, const char *msg)
{
    if (code == -32601) return 1;
    return msg && (contains_ci(msg, "method not found") || contains_ci(msg, "not supported") ||
                   contains_ci(msg, "does not exist") || contains_ci(msg, "not available") ||
                   contains_ci(msg, "unsupported method") || contains_ci(msg, "not implemented"));
}

size_t evmtx_batch_size(size_t last_n, size_t last_bytes, size_t target, size_t max)
{
    if (!last_n) return 1;
    size_t per = last_bytes / last_n;
    if (!per) per = 1;
    size_t n = target / per;
    if (n > 2 * last_n + 16) n = 2 * last_n + 16; /* grow gently: the next items may be bigger */
    if (n < 1) n = 1;
    if (n > max) n = max;
    return n;
}

int evmtx_bisect_points(uint64_t lo, uint64_t hi, uint64_t pts[16])
{
    if (hi <= lo) return 0;
    uint64_t span = hi - lo;
    int k = span < 16 ? (int)span : 16;
    for (int i = 0; i < k; i++) pts[i] = lo + span * (uint64_t)i / (uint64_t)k;
    return k;
}

void evmtx_bisect_narrow(uint64_t *lo, uint64_t *hi, const uint64_t *pts, const int *pred, int k)
{
    for (int i = 0; i < k; i++)
        if (pred[i]) {
            *hi = pts[i];
            if (i > 0) *lo = pts[i - 1] + 1;
            return;
        }
    if (k > 0) *lo = pts[k - 1] + 1;
}

int evmtx_missing(uint64_t a, uint64_t b, int64_t lo, int64_t hi, evmtx_span_t out[2])
{
    if (a > b) return 0;
    if (lo < 0 || (int64_t)b + 1 < lo || (int64_t)a > hi + 1) {
        out[0].a = a;
        out[0].b = b;
        return 1;
    }
    int n = 0;
    if ((int64_t)a < lo) out[n].a = a, out[n].b = (uint64_t)lo - 1, n++;
    if ((int64_t)b > hi) out[n].a = (uint64_t)hi + 1, out[n].b = b, n++;
    return n;
}

void evmtx_done_after(uint64_t a, uint64_t b, int64_t lo, int64_t hi, int64_t out[2])
{
    if (lo < 0 || (int64_t)b + 1 < lo || (int64_t)a > hi + 1) { /* disjoint: keep the later one */
        if (lo >= 0 && hi > (int64_t)b) {
            out[0] = lo, out[1] = hi;
        } else {
            out[0] = (int64_t)a, out[1] = (int64_t)b;
        }
        return;
    }
    out[0] = (int64_t)a < lo ? (int64_t)a : lo;
    out[1] = (int64_t)b > hi ? (int64_t)b : hi;
}

static int span_cmp(const void *x, const void *y)
{
    const evmtx_span_t *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

size_t evmtx_spans_merge(evmtx_span_t *s, size_t n)
{
    if (!n) return 0;
    qsort(s, n, sizeof *s, span_cmp);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i].a <= s[k].b + 1) {
            if (s[i].b > s[k].b) s[k].b = s[i].b;
        } else {
            s[++k] = s[i];
        }
    }
    return k + 1;
}

/* ------------------------------------------------------------------ shared plumbing */
void evmtx_fail(evmtx_fetch_t *f, int status, const char *fmt, ...)
{
    if (f->status) return;
    f->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
}

static void batch_done(rpc_batch_t *b)
{
    evmtx_fetch_t *f = b->ud;
    f->round_trips += b->round_trips;
    f->rpc_done = 1;
    loop_task_wake(&f->task, LOOP_WAKE_DONE);
}

void evmtx_rpc_send(evmtx_fetch_t *f)
{
    f->batch.nodes = f->nodes;
    f->batch.nnodes = f->nnodes;
    f->batch.done = batch_done;
    f->batch.ud = f;
    rpc_batch_send(&f->batch);
}

/* A failed batch: 503 when it was memory, else 502 with the nodes' reasons. */
static void fail_batch(evmtx_fetch_t *f, const char *what)
{
    int mem = strstr(f->batch.errmsg, "memory") != NULL;
    evmtx_fail(f, mem ? 503 : 502, "Could not %s from the eth nodes: %s", what, f->batch.errmsg);
}

/* The batch failed for its size (an answer over the memory left or too large), not for a node
 * that is down: asking for less may get through. */
static int batch_too_big(const evmtx_fetch_t *f)
{
    return strstr(f->batch.errmsg, "memory") || strstr(f->batch.errmsg, "too large");
}

/* A call's error: its code and message. */
static void call_error(const rpc_batch_t *b, int call, int64_t *code, char *msg, size_t msglen)
{
    int e = b->error[call];
    *code = 0;
    snprintf(msg, msglen, "error without message");
    int c = json_obj_get(&b->doc, e, "code"), m = json_obj_get(&b->doc, e, "message");
    if (c >= 0) json_get_int64(&b->doc, c, code);
    if (m >= 0 && json_get_str(&b->doc, m, msg, msglen, NULL) != JSON_OK) snprintf(msg, msglen, "(unreadable message)");
}

static void write_block_tag(json_writer_t *w, uint64_t n)
{
    char hx[24];
    snprintf(hx, sizeof hx, "0x%llx", (unsigned long long)n);
    json_write_str(w, hx);
}

static size_t answer_bytes(const evmtx_fetch_t *f) { return f->batch.http.resp_len; }

/* ------------------------------------------------------------------ block by time */
static void build_bisect(evmtx_fetch_t *f)
{
    rpc_batch_begin(&f->batch);
    for (int i = 0; i < f->bs_k; i++) {
        json_writer_t *w = rpc_call_begin(&f->batch, "eth_getBlockByNumber");
        json_begin_array(w);
        write_block_tag(w, f->bs_pts[i]);
        json_write_bool(w, 0);
        json_end_array(w);
        rpc_call_end(&f->batch);
    }
}

static int take_bisect(evmtx_fetch_t *f)
{
    int pred[16];
    for (int i = 0; i < f->bs_k; i++) {
        const char *s;
        size_t n;
        uint64_t ts;
        int r = f->batch.result[i];
        if (r < 0 || json_type(&f->batch.doc, r) != JSON_OBJECT || evmtx_json_str(&f->batch.doc, r, "timestamp", &s, &n) ||
            evmtx_hex_u64(s, n, &ts)) {
            evmtx_fail(f, 502, "The eth node did not give block %llu's time", (unsigned long long)f->bs_pts[i]);
            return -1;
        }
        pred[i] = (int64_t)ts > f->bs_target;
    }
    evmtx_bisect_narrow(&f->bs_lo, &f->bs_hi, f->bs_pts, pred, f->bs_k);
    return 0;
}

PT_THREAD(evmtx_blocktime_pt(pt_t *pt, evmtx_fetch_t *f))
{
    PT_BEGIN(pt);
    f->bs_lo = 0;
    f->bs_hi = f->latest + 1;
    while (f->bs_lo < f->bs_hi && !f->status) {
        f->bs_k = evmtx_bisect_points(f->bs_lo, f->bs_hi, f->bs_pts);
        build_bisect(f);
        EVMTX_RPC(pt, f);
        if (f->batch.err) fail_batch(f, "map the time range to blocks");
        else take_bisect(f);
        rpc_batch_clear(&f->batch);
    }
    PT_END(pt);
}

/* ------------------------------------------------------------------ logs */
static int push_span(evmtx_fetch_t *f, uint64_t a, uint64_t b)
{
    if (f->nspans == f->spans_cap) {
        size_t cap = f->spans_cap ? 2 * f->spans_cap : 16;
        evmtx_span_t *s = alloc_reget(ALLOC_CLIENT, f->spans, cap * sizeof *s);
        if (!s) return -1;
        f->spans = s;
        f->spans_cap = cap;
    }
    f->spans[f->nspans].a = a;
    f->spans[f->nspans].b = b;
    f->nspans++;
    return 0;
}

static void write_topic_addrs(evmtx_fetch_t *f, json_writer_t *w)
{
    static const char hx[] = "0123456789abcdef";
    json_begin_array(w);
    for (size_t i = 0; i < f->naccts; i++) {
        char t[67] = "0x000000000000000000000000";
        for (int k = 0; k < 20; k++) t[26 + 2 * k] = hx[f->accts[i][k] >> 4], t[27 + 2 * k] = hx[f->accts[i][k] & 15];
        t[66] = 0;
        json_write_str(w, t);
    }
    json_end_array(w);
}

/* The spans at the queue's end, two calls each (accounts as topic1, as topic2). */
static void build_logs(evmtx_fetch_t *f)
{
    rpc_batch_begin(&f->batch);
    f->batch_spans = f->nspans < MAX_LOG_SPANS ? f->nspans : MAX_LOG_SPANS;
    for (size_t i = 0; i < f->batch_spans; i++) {
        const evmtx_span_t *sp = &f->spans[f->nspans - 1 - i];
        for (int pos = 1; pos <= 2; pos++) {
            json_writer_t *w = rpc_call_begin(&f->batch, "eth_getLogs");
            json_begin_array(w);
            json_begin_object(w);
            json_write_key(w, "fromBlock");
            write_block_tag(w, sp->a);
            json_write_key(w, "toBlock");
            write_block_tag(w, sp->b);
            json_write_key(w, "topics");
            json_begin_array(w);
            json_write_str(w, TOPIC_TRANSFER);
            if (pos == 2) json_write_null(w);
            write_topic_addrs(f, w);
            json_end_array(w);
            json_end_object(w);
            json_end_array(w);
            rpc_call_end(&f->batch);
        }
    }
}

static int take_log_list(evmtx_fetch_t *f, int r)
{
    const json_doc_t *d = &f->batch.doc;
    if (json_type(d, r) != JSON_ARRAY) {
        evmtx_fail(f, 502, "The eth node answered eth_getLogs with something that is not a list");
        return -1;
    }
    for (int e = json_first(d, r); e >= 0; e = json_sibling(d, e)) {
        const char *s;
        size_t n;
        uint8_t h[32];
        uint64_t bn;
        int rm = json_type(d, e) == JSON_OBJECT ? json_obj_get(d, e, "removed") : -1, removed = 0;
        if (rm >= 0) json_get_bool(d, rm, &removed);
        if (removed) continue;
        if (json_type(d, e) != JSON_OBJECT || evmtx_json_str(d, e, "transactionHash", &s, &n) || evmtx_hex32(s, n, h) ||
            evmtx_json_str(d, e, "blockNumber", &s, &n) || evmtx_hex_u64(s, n, &bn)) {
            evmtx_fail(f, 502, "The eth node answered eth_getLogs with a malformed log");
            return -1;
        }
        evmtx_ftx_t *t = evmtx_set_get(&f->set, h, 1);
        if (!t) {
            evmtx_fail(f, 503, "The node is out of memory for the transactions found");
            return -1;
        }
        t->block = bn;
    }
    return 0;
}

static void take_logs(evmtx_fetch_t *f)
{
    size_t base = f->nspans - f->batch_spans;
    evmtx_span_t taken[MAX_LOG_SPANS];
    for (size_t i = 0; i < f->batch_spans; i++) taken[i] = f->spans[f->nspans - 1 - i];
    f->nspans = base;
    for (size_t i = 0; i < f->batch_spans && !f->status; i++) {
        int split = 0;
        for (int c = 0; c < 2; c++) {
            int call = (int)(2 * i) + c;
            if (f->batch.error[call] < 0) continue;
            int64_t code;
            char msg[200];
            call_error(&f->batch, call, &code, msg, sizeof msg);
            if (!evmtx_logs_error_is_range(code, msg) || taken[i].a == taken[i].b) {
                evmtx_fail(f, 502, "The eth node refused eth_getLogs for blocks %llu-%llu: %s",
                           (unsigned long long)taken[i].a, (unsigned long long)taken[i].b, msg);
                return;
            }
            split = 1;
        }
        if (split) {
            uint64_t mid = taken[i].a + (taken[i].b - taken[i].a) / 2;
            log_info("evmtx: the node refused blocks %llu-%llu at once; halving",
                     (unsigned long long)taken[i].a, (unsigned long long)taken[i].b);
            if (push_span(f, mid + 1, taken[i].b) || push_span(f, taken[i].a, mid)) {
                evmtx_fail(f, 503, "The node is out of memory for the log query");
                return;
            }
            continue;
        }
        for (int c = 0; c < 2 && !f->status; c++) take_log_list(f, f->batch.result[2 * i + (size_t)c]);
    }
}

/* A logs batch too big for the memory left: its spans go back halved (-1 when it cannot be). */
static int halve_batch_spans(evmtx_fetch_t *f)
{
    size_t n = f->batch_spans, base = f->nspans - n;
    evmtx_span_t taken[MAX_LOG_SPANS];
    int wide = 0;
    for (size_t i = 0; i < n; i++) {
        taken[i] = f->spans[base + i];
        wide |= taken[i].a < taken[i].b;
    }
    if (!batch_too_big(f) || !wide) return -1;
    f->nspans = base;
    for (size_t i = 0; i < n; i++) {
        uint64_t mid = taken[i].a + (taken[i].b - taken[i].a) / 2;
        if (push_span(f, taken[i].a, mid) || (mid < taken[i].b && push_span(f, mid + 1, taken[i].b))) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ block scan */
static void build_scan(evmtx_fetch_t *f, uint64_t last)
{
    rpc_batch_begin(&f->batch);
    f->batch_from = f->next_block;
    f->batch_n = f->scan_n;
    if (f->batch_n > last - f->next_block + 1) f->batch_n = (size_t)(last - f->next_block + 1);
    for (size_t i = 0; i < f->batch_n; i++) {
        json_writer_t *w = rpc_call_begin(&f->batch, "eth_getBlockByNumber");
        json_begin_array(w);
        write_block_tag(w, f->batch_from + i);
        json_write_bool(w, 1);
        json_end_array(w);
        rpc_call_end(&f->batch);
    }
}

static int addr_of(const json_doc_t *d, int obj, const char *key, uint8_t out[20])
{
    const char *s;
    size_t n;
    return evmtx_json_str(d, obj, key, &s, &n) == 0 && evm_address_parse(s, n, 0, out) == 0;
}

static int take_block(evmtx_fetch_t *f, int r, uint64_t number)
{
    const json_doc_t *d = &f->batch.doc;
    const char *s;
    size_t n;
    uint64_t ts;
    char why[120];
    if (r < 0 || json_type(d, r) != JSON_OBJECT || evmtx_json_str(d, r, "timestamp", &s, &n) || evmtx_hex_u64(s, n, &ts)) {
        evmtx_fail(f, 502, "The eth node did not give block %llu", (unsigned long long)number);
        return -1;
    }
    int txs = json_obj_get(d, r, "transactions");
    if (txs < 0 || json_type(d, txs) != JSON_ARRAY) {
        evmtx_fail(f, 502, "The eth node gave block %llu without its transactions", (unsigned long long)number);
        return -1;
    }
    for (int e = json_first(d, txs); e >= 0; e = json_sibling(d, e)) {
        uint8_t from[20], to[20], h[32];
        if (json_type(d, e) != JSON_OBJECT || evmtx_json_str(d, e, "hash", &s, &n) || evmtx_hex32(s, n, h)) {
            evmtx_fail(f, 502, "The eth node gave block %llu with a malformed transaction", (unsigned long long)number);
            return -1;
        }
        int keep = (addr_of(d, e, "from", from) && evmtx_set_tracked(&f->set, from)) ||
                   (addr_of(d, e, "to", to) && evmtx_set_tracked(&f->set, to)) || evmtx_set_get(&f->set, h, 0);
        if (!keep) continue;
        evmtx_ftx_t *t = evmtx_set_get(&f->set, h, 1);
        if (!t) {
            evmtx_fail(f, 503, "The node is out of memory for the transactions found");
            return -1;
        }
        int rc = evmtx_parse_node_tx(d, e, t, why, sizeof why);
        if (rc) {
            evmtx_fail(f, rc == -2 ? 503 : 502, "The eth node gave block %llu with %s", (unsigned long long)number,
                       rc == -2 ? "a transaction too big for the memory left" : why);
            return -1;
        }
        t->ts = (int64_t)ts;
    }
    return 0;
}

static void take_scan(evmtx_fetch_t *f)
{
    if (f->batch.err) {
        if (f->batch_n > 1 && batch_too_big(f)) { /* ask for fewer blocks */
            f->scan_n = f->batch_n / 2;
            return;
        }
        fail_batch(f, "read the blocks");
        return;
    }
    for (size_t i = 0; i < f->batch_n && !f->status; i++) take_block(f, f->batch.result[i], f->batch_from + i);
    f->next_block += f->batch_n;
    f->scan_n = evmtx_batch_size(f->batch_n, answer_bytes(f), f->target_bytes, SCAN_MAX);
}

PT_THREAD(evmtx_node_pt(pt_t *pt, evmtx_fetch_t *f))
{
    PT_BEGIN(pt);
    f->scan_n = SCAN_FIRST;
    for (f->iv_i = 0; f->iv_i < f->niv && !f->status; f->iv_i++) {
        f->nspans = 0;
        if (push_span(f, f->iv[f->iv_i].a, f->iv[f->iv_i].b)) {
            evmtx_fail(f, 503, "The node is out of memory for the log query");
            PT_EXIT(pt);
        }
        while (f->nspans && !f->status && !f->req->cancelled) {
            build_logs(f);
            EVMTX_RPC(pt, f);
            if (!f->batch.err) take_logs(f);
            else if (halve_batch_spans(f)) fail_batch(f, "read the token transfer logs");
            rpc_batch_clear(&f->batch);
        }
        for (f->next_block = f->iv[f->iv_i].a; f->next_block <= f->iv[f->iv_i].b && !f->status && !f->req->cancelled;) {
            build_scan(f, f->iv[f->iv_i].b);
            EVMTX_RPC(pt, f);
            take_scan(f);
            rpc_batch_clear(&f->batch);
        }
    }
    PT_END(pt);
}

/* ------------------------------------------------------------------ details and receipts */
/* Endpoints known to lack eth_getBlockReceipts (for the process' life). */
static struct {
    char endpoint[256];
} no_block_receipts[RPC_MAX_NODES];

static int lacks_block_receipts(const char *endpoint)
{
    for (int i = 0; i < RPC_MAX_NODES; i++)
        if (!strcmp(no_block_receipts[i].endpoint, endpoint)) return 1;
    return 0;
}

static void remember_no_block_receipts(const char *endpoint)
{
    for (int i = 0; i < RPC_MAX_NODES; i++)
        if (!no_block_receipts[i].endpoint[0]) {
            snprintf(no_block_receipts[i].endpoint, sizeof no_block_receipts[i].endpoint, "%s", endpoint);
            log_info("evmtx: node %s has no eth_getBlockReceipts; asking per transaction", endpoint);
            return;
        }
}

/* Positions of the set's txs lacking details (what = 0) or a receipt (what = 1). */
static int make_todo(evmtx_fetch_t *f, int what)
{
    alloc_free(f->todo);
    f->todo = alloc_get(ALLOC_CLIENT, (f->set.n ? f->set.n : 1) * sizeof *f->todo);
    f->ntodo = 0;
    if (!f->todo) return -1;
    for (size_t i = 0; i < f->set.n; i++)
        if (what ? !f->set.txs[i].has_receipt : !f->set.txs[i].has_details) f->todo[f->ntodo++] = i;
    return 0;
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The distinct blocks of the txs lacking a receipt. */
static int make_blocks(evmtx_fetch_t *f)
{
    alloc_free(f->blocks);
    f->blocks = alloc_get(ALLOC_CLIENT, (f->set.n ? f->set.n : 1) * sizeof *f->blocks);
    f->nblocks = 0;
    if (!f->blocks) return -1;
    for (size_t i = 0; i < f->set.n; i++)
        if (!f->set.txs[i].has_receipt) f->blocks[f->nblocks++] = f->set.txs[i].block;
    qsort(f->blocks, f->nblocks, sizeof *f->blocks, u64_cmp);
    size_t k = 0;
    for (size_t i = 0; i < f->nblocks; i++)
        if (!k || f->blocks[k - 1] != f->blocks[i]) f->blocks[k++] = f->blocks[i];
    f->nblocks = k;
    return 0;
}

static void write_hash(json_writer_t *w, const uint8_t h[32])
{
    static const char hx[] = "0123456789abcdef";
    char s[67] = "0x";
    for (int i = 0; i < 32; i++) s[2 + 2 * i] = hx[h[i] >> 4], s[3 + 2 * i] = hx[h[i] & 15];
    s[66] = 0;
    json_write_str(w, s);
}

static void build_by_hash(evmtx_fetch_t *f, const char *method)
{
    rpc_batch_begin(&f->batch);
    f->rc_n = f->ntodo - f->rc_next < f->rc_batch ? f->ntodo - f->rc_next : f->rc_batch;
    for (size_t i = 0; i < f->rc_n; i++) {
        json_writer_t *w = rpc_call_begin(&f->batch, method);
        json_begin_array(w);
        write_hash(w, f->set.txs[f->todo[f->rc_next + i]].hash);
        json_end_array(w);
        rpc_call_end(&f->batch);
    }
}

static void take_by_hash(evmtx_fetch_t *f, int receipts)
{
    char why[120];
    for (size_t i = 0; i < f->rc_n && !f->status; i++) {
        evmtx_ftx_t *t = &f->set.txs[f->todo[f->rc_next + i]];
        int r = f->batch.result[i];
        if (r < 0 || json_type(&f->batch.doc, r) != JSON_OBJECT) {
            char msg[200] = "no such transaction";
            int64_t code;
            if (f->batch.error[i] >= 0) call_error(&f->batch, (int)i, &code, msg, sizeof msg);
            evmtx_fail(f, 502, "The eth node did not give a %s of a transaction: %s", receipts ? "receipt" : "detail", msg);
            return;
        }
        int64_t ts = t->ts;
        int rc = receipts ? evmtx_parse_node_receipt(&f->batch.doc, r, t, why, sizeof why)
                          : evmtx_parse_node_tx(&f->batch.doc, r, t, why, sizeof why);
        t->ts = ts; /* the indexer's time stays */
        if (rc) evmtx_fail(f, rc == -2 ? 503 : 502, "The eth node answered with %s", rc == -2 ? "more than the memory left" : why);
    }
    f->rc_next += f->rc_n;
    f->rc_batch = evmtx_batch_size(f->rc_n, answer_bytes(f), f->target_bytes, RCPT_MAX);
}

static void build_block_receipts(evmtx_fetch_t *f)
{
    rpc_batch_begin(&f->batch);
    f->rc_n = f->nblocks - f->rc_next < f->rc_batch ? f->nblocks - f->rc_next : f->rc_batch;
    for (size_t i = 0; i < f->rc_n; i++) {
        json_writer_t *w = rpc_call_begin(&f->batch, "eth_getBlockReceipts");
        json_begin_array(w);
        write_block_tag(w, f->blocks[f->rc_next + i]);
        json_end_array(w);
        rpc_call_end(&f->batch);
    }
}

static void take_block_receipts(evmtx_fetch_t *f)
{
    const json_doc_t *d = &f->batch.doc;
    char why[120];
    for (size_t i = 0; i < f->rc_n && !f->status; i++) {
        int r = f->batch.result[i];
        if (f->batch.error[i] >= 0) {
            int64_t code;
            char msg[200];
            call_error(&f->batch, (int)i, &code, msg, sizeof msg);
            if (evmtx_error_is_no_method(code, msg)) {
                remember_no_block_receipts(f->nodes[f->batch.node].endpoint);
                f->per_tx_receipts = 1;
                return;
            }
            evmtx_fail(f, 502, "The eth node refused eth_getBlockReceipts: %s", msg);
            return;
        }
        if (json_type(d, r) != JSON_ARRAY) {
            evmtx_fail(f, 502, "The eth node answered eth_getBlockReceipts with something that is not a list");
            return;
        }
        for (int e = json_first(d, r); e >= 0; e = json_sibling(d, e)) {
            const char *s;
            size_t n;
            uint8_t h[32];
            if (json_type(d, e) != JSON_OBJECT || evmtx_json_str(d, e, "transactionHash", &s, &n) || evmtx_hex32(s, n, h)) {
                evmtx_fail(f, 502, "The eth node answered eth_getBlockReceipts with a malformed receipt");
                return;
            }
            evmtx_ftx_t *t = evmtx_set_get(&f->set, h, 0);
            if (!t || t->has_receipt) continue;
            int rc = evmtx_parse_node_receipt(d, e, t, why, sizeof why);
            if (rc) {
                evmtx_fail(f, rc == -2 ? 503 : 502, "The eth node answered with %s", rc == -2 ? "more than the memory left" : why);
                return;
            }
        }
    }
    f->rc_next += f->rc_n;
    f->rc_batch = evmtx_batch_size(f->rc_n, answer_bytes(f), f->target_bytes, RCPT_MAX);
}

/* A failed batch of several items (most likely an answer too big for the memory left) is asked
 * again with half as many: 1, or 0 when it had one item only. */
static int fewer(evmtx_fetch_t *f)
{
    if (f->rc_n <= 1 || !batch_too_big(f)) return 0;
    f->rc_batch = f->rc_n / 2;
    return 1;
}

PT_THREAD(evmtx_details_pt(pt_t *pt, evmtx_fetch_t *f))
{
    PT_BEGIN(pt);
    /* details of the txs only an indexer's token list named */
    if (make_todo(f, 0)) {
        evmtx_fail(f, 503, "The node is out of memory for the transactions found");
        PT_EXIT(pt);
    }
    for (f->rc_next = 0, f->rc_batch = TX_FIRST; f->rc_next < f->ntodo && !f->status && !f->req->cancelled;) {
        build_by_hash(f, "eth_getTransactionByHash");
        EVMTX_RPC(pt, f);
        if (!f->batch.err) take_by_hash(f, 0);
        else if (!fewer(f)) fail_batch(f, "read transactions");
        rpc_batch_clear(&f->batch);
    }
    if (f->status || f->req->cancelled) PT_EXIT(pt);

    /* receipts, per block while the node has eth_getBlockReceipts */
    f->per_tx_receipts = f->nnodes > 0 && lacks_block_receipts(f->nodes[0].endpoint);
    if (!f->per_tx_receipts) {
        if (make_blocks(f)) {
            evmtx_fail(f, 503, "The node is out of memory for the transactions found");
            PT_EXIT(pt);
        }
        for (f->rc_next = 0, f->rc_batch = RCPT_FIRST; f->rc_next < f->nblocks && !f->status && !f->per_tx_receipts &&
                                                        !f->req->cancelled;) {
            build_block_receipts(f);
            EVMTX_RPC(pt, f);
            if (!f->batch.err) take_block_receipts(f);
            else if (!fewer(f)) fail_batch(f, "read receipts");
            rpc_batch_clear(&f->batch);
        }
    }
    if (f->status || f->req->cancelled) PT_EXIT(pt);
    if (make_todo(f, 1)) {
        evmtx_fail(f, 503, "The node is out of memory for the transactions found");
        PT_EXIT(pt);
    }
    for (f->rc_next = 0, f->rc_batch = RCPT_FIRST * 4; f->rc_next < f->ntodo && !f->status && !f->req->cancelled;) {
        build_by_hash(f, "eth_getTransactionReceipt");
        EVMTX_RPC(pt, f);
        if (!f->batch.err) take_by_hash(f, 1);
        else if (!fewer(f)) fail_batch(f, "read receipts");
        rpc_batch_clear(&f->batch);
    }
    if (f->status || f->req->cancelled) PT_EXIT(pt);
    for (size_t i = 0; i < f->set.n; i++) {
        const evmtx_ftx_t *t = &f->set.txs[i];
        if (!t->has_details || !t->has_receipt || t->ts < 0) {
            evmtx_fail(f, 502, "The eth nodes did not give all of a transaction (block %llu): nothing was stored",
                       (unsigned long long)t->block);
            PT_EXIT(pt);
        }
    }
    PT_END(pt);
}

void evmtx_sources_clear(evmtx_fetch_t *f)
{
    rpc_batch_clear(&f->batch);
    httpc_clear(&f->http);
    alloc_free(f->spans);
    alloc_free(f->blocks);
    alloc_free(f->todo);
    f->spans = NULL;
    f->blocks = NULL;
    f->todo = NULL;
    f->nspans = f->spans_cap = f->nblocks = f->ntodo = 0;
}
