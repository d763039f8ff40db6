/* source_indexer — an Etherscan-compatible API as the transaction source (see fetch.h).
 *
 * Per account and block span it still needs: txlist, txlistinternal, tokentx and tokennfttx,
 * ascending, PAGE_SIZE items a page; a full page asks for the next one, and past Etherscan's
 * 10,000-item window (page × offset) the window restarts at the last block seen (a tx seen
 * twice is one tx). "Max rate limit reached" (or HTTP 429) waits and asks again (250 ms, doubled
 * per refusal in a row up to 4 s; at most RATE_RETRIES in a row); any other answer that is not Etherscan's shape fails the
 * fetch with a 502 (nothing is stored). The txs are completed from the user's nodes after. */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "fetch.h"

#define PAGE_SIZE 1000
#define WINDOW 10000
#define RATE_WAIT_MS 250   /* the first pause; doubled per refusal in a row, up to RATE_WAIT_MAX_MS */
#define RATE_WAIT_MAX_MS 4000
#define RATE_RETRIES 16

const char *const evmtx_actions[EVMTX_ACTIONS] = {"txlist", "txlistinternal", "tokentx", "tokennfttx"};

/* ------------------------------------------------------------------ pure pieces */
int evmtx_has_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (s[i + j] | 32) == (needle[j] | 32)) j++;
        if (j == k) return 1;
    }
    return 0;
}

int evmtx_etherscan_answer(const char *resp, size_t len, json_doc_t *doc, int *result, char *why, size_t whylen)
{
    char perr[100], status[8], message[120];
    memset(doc, 0, sizeof *doc);
    if (json_parse(doc, resp, len, 0, perr, sizeof perr) != JSON_OK) {
        snprintf(why, whylen, "the answer is not JSON (%s)", perr);
        return EVMTX_ES_BAD;
    }
    int st = json_type(doc, 0) == JSON_OBJECT ? json_obj_get(doc, 0, "status") : -1;
    int msg = st >= 0 ? json_obj_get(doc, 0, "message") : -1;
    int res = st >= 0 ? json_obj_get(doc, 0, "result") : -1;
    if (st < 0 || msg < 0 || res < 0 || json_get_str(doc, st, status, sizeof status, NULL) != JSON_OK ||
        json_get_str(doc, msg, message, sizeof message, NULL) != JSON_OK) {
        snprintf(why, whylen, "the answer is not an Etherscan answer (status, message, result)");
        return EVMTX_ES_BAD;
    }
    if (!strcmp(status, "1")) {
        if (json_type(doc, res) != JSON_ARRAY) {
            snprintf(why, whylen, "the answer's result is not a list");
            return EVMTX_ES_BAD;
        }
        *result = res;
        return EVMTX_ES_OK;
    }
    if (strcmp(status, "0")) {
        snprintf(why, whylen, "the answer's status is '%s'", status);
        return EVMTX_ES_BAD;
    }
    const char *raw;
    size_t rn;
    if (json_type(doc, res) == JSON_STRING && json_get_raw(doc, res, &raw, &rn) == JSON_OK && evmtx_has_ci(raw, rn, "rate limit"))
        return EVMTX_ES_RATE;
    if (json_type(doc, res) == JSON_ARRAY && json_child_count(doc, res) == 0 &&
        (evmtx_has_ci(message, strlen(message), "no transactions found") || evmtx_has_ci(message, strlen(message), "no records found")))
        return EVMTX_ES_EMPTY;
    char detail[160] = "";
    if (json_type(doc, res) == JSON_STRING) json_get_str(doc, res, detail, sizeof detail, NULL);
    snprintf(why, whylen, "the indexer refused: %s%s%s", message, detail[0] ? ": " : "", detail);
    return EVMTX_ES_BAD;
}

#define BADITEM(what)                                                                                  \
    do {                                                                                               \
        snprintf(why, whylen, "a %s item %s", evmtx_actions[action], what);                           \
        return -1;                                                                                     \
    } while (0)

static int dec_field(const json_doc_t *d, int e, const char *key, char *out, size_t outlen)
{
    const char *s;
    size_t n;
    return evmtx_json_str(d, e, key, &s, &n) == 0 && evmtx_decimal_copy(s, n, out, outlen) == 0;
}

static int u64_field(const json_doc_t *d, int e, const char *key, uint64_t *out)
{
    char buf[24];
    if (!dec_field(d, e, key, buf, sizeof buf)) return 0;
    unsigned long long v = 0;
    for (const char *p = buf; *p; p++) {
        if (v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (unsigned)(*p - '0');
    }
    *out = v;
    return 1;
}

/* from/to: an address, or "" (to of a creation) when empty_ok. 1 address, 0 empty, -1 bad. */
static int addr_field(const json_doc_t *d, int e, const char *key, uint8_t out[20])
{
    const char *s;
    size_t n;
    if (evmtx_json_str(d, e, key, &s, &n)) return -1;
    if (!n) return 0;
    return evm_address_parse(s, n, 0, out) == 0 ? 1 : -1;
}

static int add_itx(evmtx_ftx_t *t, const evmtx_fitx_t *x)
{
    for (size_t i = 0; i < t->nitxs; i++) {
        const evmtx_fitx_t *y = &t->itxs[i];
        if (y->trace_id == x->trace_id && !memcmp(y->from, x->from, 20) && y->has_to == x->has_to &&
            !memcmp(y->to, x->to, 20) && !strcmp(y->value, x->value))
            return 0; /* the same one again (a restarted window) */
    }
    evmtx_fitx_t *n = alloc_reget(ALLOC_CLIENT, t->itxs, (t->nitxs + 1) * sizeof *n);
    if (!n) return -2;
    t->itxs = n;
    n[t->nitxs++] = *x;
    return 0;
}

int evmtx_etherscan_take(const json_doc_t *d, int arr, int action, evmtx_set_t *set, uint64_t *last_block, char *why,
                         size_t whylen)
{
    int count = 0;
    for (int e = json_first(d, arr); e >= 0; e = json_sibling(d, e), count++) {
        const char *s;
        size_t n;
        uint8_t h[32];
        uint64_t block, ts;
        if (json_type(d, e) != JSON_OBJECT) BADITEM("is not an object");
        if (evmtx_json_str(d, e, "hash", &s, &n) || evmtx_hex32(s, n, h)) BADITEM("has no valid hash");
        if (!u64_field(d, e, "blockNumber", &block)) BADITEM("has no valid blockNumber");
        if (!u64_field(d, e, "timeStamp", &ts)) BADITEM("has no valid timeStamp");
        if (block > *last_block) *last_block = block;
        if (action == EVMTX_TXLISTINTERNAL) {
            const char *ct;
            size_t ctn;
            if (evmtx_json_str(d, e, "callType", &ct, &ctn) == 0 && ctn == 12 && !memcmp(ct, "delegatecall", 12))
                continue; /* rotki skips them: no value moves */
        }
        evmtx_ftx_t *t = evmtx_set_get(set, h, 1);
        if (!t) return -2;
        if (!t->has_details) {
            t->block = block;
            t->ts = (int64_t)ts;
        }
        if (action == EVMTX_TXLIST && !t->has_details) {
            uint8_t *in;
            size_t inlen;
            int to = addr_field(d, e, "to", t->to);
            if (addr_field(d, e, "from", t->from) != 1 || to < 0) BADITEM("has no valid from/to");
            t->has_to = to == 1;
            if (!u64_field(d, e, "nonce", &t->nonce)) BADITEM("has no valid nonce");
            if (!dec_field(d, e, "value", t->value, sizeof t->value) || !dec_field(d, e, "gas", t->gas, sizeof t->gas) ||
                !dec_field(d, e, "gasPrice", t->gas_price, sizeof t->gas_price))
                BADITEM("has no valid value/gas/gasPrice");
            if (evmtx_json_str(d, e, "input", &s, &n)) BADITEM("has no input");
            int rc = n ? evmtx_hex_bytes(s, n, &in, &inlen) : 0;
            if (!n) in = NULL, inlen = 0;
            if (rc == -2) return -2;
            if (rc) BADITEM("has malformed input");
            alloc_free(t->input);
            t->input = in;
            t->input_len = inlen;
            t->has_details = 1;
        } else if (action == EVMTX_TXLISTINTERNAL) {
            evmtx_fitx_t x;
            memset(&x, 0, sizeof x);
            int to = addr_field(d, e, "to", x.to);
            if (addr_field(d, e, "from", x.from) != 1 || to < 0) BADITEM("has no valid from/to");
            x.has_to = to == 1;
            if (!dec_field(d, e, "value", x.value, sizeof x.value)) BADITEM("has no valid value");
            if (!dec_field(d, e, "gas", x.gas, sizeof x.gas)) snprintf(x.gas, sizeof x.gas, "0");
            if (!dec_field(d, e, "gasUsed", x.gas_used, sizeof x.gas_used)) snprintf(x.gas_used, sizeof x.gas_used, "0");
            uint64_t trace = 0;
            if (u64_field(d, e, "traceId", &trace)) x.trace_id = (int64_t)trace; /* rotki: int(traceId or 0) */
            if (add_itx(t, &x)) return -2;
        }
    }
    return count;
}

/* ------------------------------------------------------------------ the protothread */
static void http_done(httpc_req_t *h)
{
    evmtx_fetch_t *f = h->ud;
    f->round_trips++;
    f->http_done = 1;
    loop_task_wake(&f->task, LOOP_WAKE_DONE);
}

static void wait_over(loop_timer_t *t)
{
    evmtx_fetch_t *f = t->ud;
    f->http_done = 1;
    loop_task_wake(&f->task, LOOP_WAKE_TIMER);
}

static void url_escape(char *out, size_t outlen, const char *s)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *s && k + 4 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.')
            out[k++] = (char)c;
        else
            out[k++] = '%', out[k++] = hx[c >> 4], out[k++] = hx[c & 15];
    }
    out[k] = 0;
}

static void start_request(evmtx_fetch_t *f)
{
    char addr[43], key[480];
    evm_address_checksum(f->accts[f->acct_i], addr);
    url_escape(key, sizeof key, f->key);
    const char *base = f->cfg->etherscan_url;
    snprintf(f->url, sizeof f->url,
             "%s%cchainid=%llu&module=account&action=%s&address=%s&startblock=%llu&endblock=%llu&page=%d&offset=%d"
             "&sort=asc&apikey=%s",
             base, strchr(base, '?') ? '&' : '?', (unsigned long long)f->chain_id, evmtx_actions[f->action], addr,
             (unsigned long long)f->es_start, (unsigned long long)f->es_end, f->page, PAGE_SIZE, key);
    httpc_clear(&f->http);
    memset(&f->http, 0, sizeof f->http);
    f->http.method = "GET";
    f->http.url = f->url;
    f->http.keepalive = 1;
    f->http.max_response = f->target_bytes * 2;
    f->http.done = http_done;
    f->http.ud = f;
    f->http_done = 0;
    httpc_start(&f->http);
}

/* One answer: 1 this list is complete, 0 ask again (next page or after a wait), -1 failed. */
static int take_answer(evmtx_fetch_t *f)
{
    httpc_req_t *h = &f->http;
    const char *name = evmtx_actions[f->action];
    if (h->err) {
        evmtx_fail(f, h->err == HTTPC_ENOMEM ? 503 : 502, "Could not reach the indexer for %s: %s", name,
                   h->errmsg[0] ? h->errmsg : httpc_strerror(h->err));
        return -1;
    }
    json_doc_t doc;
    int res = -1, kind;
    char why[300];
    if (h->status == 429) {
        kind = EVMTX_ES_RATE;
        memset(&doc, 0, sizeof doc);
    } else if (h->status != 200) {
        evmtx_fail(f, 502, "The indexer answered %s with HTTP status %d", name, h->status);
        return -1;
    } else {
        kind = evmtx_etherscan_answer(h->resp, h->resp_len, &doc, &res, why, sizeof why);
    }
    int out = 1;
    if (kind == EVMTX_ES_RATE) {
        if (++f->retries > RATE_RETRIES) {
            evmtx_fail(f, 502, "The indexer kept answering %s with its rate limit (%d tries)", name, f->retries);
            out = -1;
        } else {
            out = 0;
        }
    } else if (kind == EVMTX_ES_BAD) {
        evmtx_fail(f, 502, "The indexer's %s answer is unusable: %s; nothing was stored", name, why);
        out = -1;
    } else if (kind == EVMTX_ES_OK) {
        f->retries = 0;
        int n = evmtx_etherscan_take(&doc, res, f->action, &f->set, &f->es_last_block, why, sizeof why);
        if (n == -2) {
            evmtx_fail(f, 503, "The node is out of memory for the transactions found");
            out = -1;
        } else if (n < 0) {
            evmtx_fail(f, 502, "The indexer's %s answer is unusable: %s; nothing was stored", name, why);
            out = -1;
        } else if (n >= PAGE_SIZE) { /* a full page: there may be more */
            out = 0;
            f->page++;
            if ((size_t)f->page * PAGE_SIZE > WINDOW) {
                f->es_start = f->es_last_block;
                f->page = 1;
            }
        }
    }
    json_doc_free(&doc);
    httpc_clear(h);
    return out;
}

PT_THREAD(evmtx_indexer_pt(pt_t *pt, evmtx_fetch_t *f))
{
    PT_BEGIN(pt);
    for (f->acct_i = 0; f->acct_i < f->naccts && !f->status; f->acct_i++) {
        f->es_nspans = evmtx_missing(f->from_block, f->to_block, f->done[f->acct_i][0], f->done[f->acct_i][1], f->es_spans);
        for (f->span_i = 0; f->span_i < (size_t)f->es_nspans && !f->status; f->span_i++) {
            for (f->action = 0; f->action < EVMTX_ACTIONS && !f->status && !f->req->cancelled; f->action++) {
                f->es_start = f->es_spans[f->span_i].a;
                f->es_end = f->es_spans[f->span_i].b;
                f->es_last_block = f->es_start;
                f->page = 1;
                f->retries = 0;
                for (;;) {
                    start_request(f);
                    PT_WAIT_UNTIL(pt, f->http_done);
                    f->es_outcome = take_answer(f);
                    if (f->es_outcome != 0 || f->req->cancelled) break;
                    if (f->retries) { /* the key's rate limit: wait, then the same page again */
                        f->http_done = 0;
                        f->wait.fn = wait_over;
                        f->wait.ud = f;
                        {
                            uint64_t ms = (uint64_t)RATE_WAIT_MS << (f->retries < 5 ? f->retries - 1 : 4);
                            loop_timer_start(f->task.loop, &f->wait, ms < RATE_WAIT_MAX_MS ? ms : RATE_WAIT_MAX_MS);
                        }
                        PT_WAIT_UNTIL(pt, f->http_done);
                    }
                }
            }
        }
    }
    PT_END(pt);
}
