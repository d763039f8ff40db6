/* common — the parts every exchange client shares: sending a request and parsing its answer
 * while the protothread waits, failures, balances and events lists, rotki's group identifiers,
 * and exact decimal strings. See exchange.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../chain/tokens.h"
#include "../messages.h"
#include "exchange.h"

const char *exch_base_url(const exchange_t *ex)
{
    const char *u = pal_env(ex->url_env);
    return u && *u ? u : ex->default_url;
}

uint64_t exch_now_us(exch_op_t *op) { return loop_now_us(op->task.loop); }

static void http_done(httpc_req_t *h)
{
    exch_op_t *op = h->ud;
    op->http_done = 1;
    loop_task_wake(&op->task, LOOP_WAKE_DONE);
}

void exch_http_start(exch_op_t *op)
{
    httpc_clear(&op->http);
    json_doc_free(&op->doc);
    op->http_done = 0;
    op->http.url = op->url;
    op->http.done = http_done;
    op->http.ud = op;
    op->http.connect_timeout_ms = 10000;
    op->http.response_timeout_ms = 30000;
    op->http.max_response = 16u << 20;
    /* accounts at one exchange run at once: lws would queue keep-alive requests to one host
     * behind each other, so each request gets its own connection */
    op->http.keepalive = 0;
    httpc_start(&op->http);
}

void exch_http_parse(exch_op_t *op)
{
    char err[96];
    json_doc_free(&op->doc);
    memset(&op->doc, 0, sizeof op->doc);
    if (op->http.err == HTTPC_OK && op->http.resp &&
        json_parse(&op->doc, op->http.resp, op->http.resp_len, 0, err, sizeof err) != JSON_OK)
        memset(&op->doc, 0, sizeof op->doc);
}

void exch_fail(exch_op_t *op, int status, const char *fmt, ...)
{
    if (op->status) return;
    op->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->msg, sizeof op->msg, fmt, ap);
    va_end(ap);
}

int exch_add_balance(exch_op_t *op, const char *asset, const char *amount)
{
    for (size_t i = 0; i < op->nbal; i++) {
        if (strcmp(op->bal[i].asset, asset)) continue;
        char sum[80];
        if (dec_add(op->bal[i].amount, amount, sum, sizeof sum)) return -1;
        snprintf(op->bal[i].amount, sizeof op->bal[i].amount, "%s", sum);
        return 0;
    }
    if (op->nbal == op->capbal) {
        size_t cap = op->capbal ? op->capbal * 2 : 16;
        exch_balance_t *b = alloc_reget(ALLOC_CLIENT, op->bal, cap * sizeof *b);
        if (!b) return -1;
        op->bal = b;
        op->capbal = cap;
    }
    exch_balance_t *b = &op->bal[op->nbal++];
    memset(b, 0, sizeof *b);
    snprintf(b->asset, sizeof b->asset, "%s", asset);
    snprintf(b->amount, sizeof b->amount, "%s", amount);
    return 0;
}

int exch_take_balance(exch_op_t *op, const char *symbol, const char *amount)
{
    char asset[96];
    if (dec_is_zero(amount) || dec_is_negative(amount)) return 0;
    if (op->ex->map_asset(symbol, asset, sizeof asset) != 0) {
        exch_unknown_asset(op, symbol);
        return 0;
    }
    if (exch_add_balance(op, asset, amount)) {
        exch_fail(op, 503, "The node is out of memory for %s's balances", op->cr.name);
        return -1;
    }
    return 0;
}

void exch_fill_event(exch_op_t *op, history_event_t *e, int entry_type, const char *group, int seq, int64_t ts,
                     const char *asset, const char *amount, const char *type, const char *subtype)
{
    e->entry_type = entry_type;
    snprintf(e->group_identifier, sizeof e->group_identifier, "%s", group);
    e->sequence_index = seq;
    e->timestamp_ms = ts;
    e->location = op->ex->db_code;
    snprintf(e->location_label, sizeof e->location_label, "%s", op->cr.name);
    snprintf(e->asset, sizeof e->asset, "%s", asset);
    if (dec_normalize(amount, strlen(amount), 1, e->amount, sizeof e->amount)) snprintf(e->amount, sizeof e->amount, "0");
    snprintf(e->type, sizeof e->type, "%s", type);
    snprintf(e->subtype, sizeof e->subtype, "%s", subtype);
}

history_event_t *exch_new_event(exch_op_t *op)
{
    if (op->nev == op->capev) {
        size_t cap = op->capev ? op->capev * 2 : 64;
        history_event_t *e = alloc_reget(ALLOC_CLIENT, op->ev, cap * sizeof *e);
        if (!e) {
            exch_fail(op, 503, "The node is out of memory for %s's history", op->cr.name);
            return NULL;
        }
        op->ev = e;
        op->capev = cap;
    }
    history_event_t *e = &op->ev[op->nev++];
    memset(e, 0, sizeof *e);
    return e;
}

void exch_group_id(const char *location, const char *unique_id, char out[65])
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s%s", location, unique_id);
    history_hash_id(buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1), out);
}

void exch_unknown_asset(exch_op_t *op, const char *symbol)
{
    messages_exchange_unknown_asset(op->cr.location, op->cr.name, symbol, "pipit does not know this asset; it was left out");
    log_warn("exchanges: %s %s: unknown asset %s left out", op->cr.location, op->cr.name, symbol);
}

/* ------------------------------------------------------------------ assets */
/* Assets whose rotki identifier is their symbol. */
static const char *const plain_assets[] = {
    "BTC", "ETH", "ETH2", "BCH", "LTC", "XRP", "XLM", "XMR", "DOGE", "ETC", "ZEC", "DOT", "ADA", "SOL", "ATOM", "TRX", "AVAX",
    "ALGO", "KSM", "XTZ", "FIL", "EOS", "BNB", "NEAR", "FLOW", "MINA", "DASH", "KFEE", "USD", "EUR", "GBP", "JPY", "CAD", "CHF",
    "AUD", NULL,
};

int exch_common_asset(const char *symbol, char *out, size_t outlen)
{
    for (int i = 0; plain_assets[i]; i++)
        if (!strcmp(plain_assets[i], symbol)) {
            snprintf(out, outlen, "%s", symbol);
            return 0;
        }
    const chain_token_t *t;
    size_t n = chain_tokens_builtin(&t);
    for (size_t i = 0; i < n; i++)
        if (t[i].chain_id == 1 && !strcmp(t[i].symbol, symbol)) {
            snprintf(out, outlen, "%s", t[i].identifier);
            return 0;
        }
    return -1;
}

int64_t exch_parse_utc(const char *s)
{
    int y, mo, d, h, mi, se;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6 || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    /* days from the civil date (proleptic Gregorian) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000;
}

int exch_json_decimal(const json_doc_t *doc, int tok, int abs, char *out, size_t outlen)
{
    const char *raw;
    size_t n;
    int ty = json_type(doc, tok);
    if ((ty != JSON_STRING && ty != JSON_NUMBER) || json_get_raw(doc, tok, &raw, &n) != JSON_OK) return -1;
    if (ty == JSON_STRING && n >= 2 && raw[0] == '"') {
        raw++;
        n -= 2;
    }
    return dec_normalize(raw, n, abs, out, outlen);
}
