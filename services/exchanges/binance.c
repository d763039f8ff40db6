/* binance — Binance's REST API: /api/v3/account for balances and key validation; history from
 * /api/v3/myTrades per selected market (paged by fromId, 1000 a page), and the deposit and
 * withdrawal histories in 90-day windows.
 *
 * Signed calls are GETs whose query string ends with timestamp, recvWindow and the signature;
 * the key goes in X-MBX-APIKEY. Request weights are counted per account and minute (6,000, as
 * Binance allows) and a request that would pass it waits for the next minute on a loop timer; a
 * 429 or 418 answer makes every request of the account wait out its Retry-After, then retry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "exchange.h"
#include "sign.h"

#define MAX_RETRIES 6
#define WEIGHT_PER_MINUTE 6000
#define RECV_WINDOW "10000"
#define TRADES_PAGE 1000
#define HISTORY_START_S 1500001200LL /* rotki's default start of Binance history */
#define WINDOW_S (89LL * 86400) /* Binance takes windows shorter than 90 days */
#define OVERLAP_S (7LL * 86400)

typedef struct {
    char symbol[24], base[16], quote[16];
} market_t;

typedef struct {
    market_t m[16];
    int n;
    int64_t window_from;
    int deposits; /* 1 while reading deposits, 0 withdrawals */
} bscratch_t;

static int binance_map_asset(const char *symbol, char *out, size_t outlen)
{
    if (!strcmp(symbol, "BETH")) return exch_common_asset("ETH2", out, outlen); /* Binance's staked ETH */
    return exch_common_asset(symbol, out, outlen);
}

/* ------------------------------------------------------------------ one call */
static uint64_t weight_wait_ms(exch_op_t *op)
{
    exch_state_t *st = op->st;
    uint64_t now = exch_now_us(op);
    if (st->banned_until_us > now) return (st->banned_until_us - now) / 1000 + 1;
    if (now - st->weight_window_us >= 60000000u) {
        st->weight_window_us = now;
        st->weight_used = 0;
    }
    if (st->weight_used + op->cost > WEIGHT_PER_MINUTE) return (st->weight_window_us + 60000000u - now) / 1000 + 1;
    return 0;
}

/* method = path ("/api/v3/account"), params = the query before timestamp; signed unless cost < 0 */
static int build_call(exch_op_t *op, int sign)
{
    char q[640], sig[72];
    if (sign) {
        snprintf(q, sizeof q, "%s%stimestamp=%lld&recvWindow=" RECV_WINDOW, op->params, op->params[0] ? "&" : "",
                 (long long)pal_wall_ms());
        if (binance_sign(op->cr.api_secret, q, sig, sizeof sig) != 0) return -1;
        snprintf(op->url, sizeof op->url, "%s%s?%s&signature=%s", exch_base_url(op->ex), op->method, q, sig);
    } else {
        snprintf(op->url, sizeof op->url, "%s%s%s%s", exch_base_url(op->ex), op->method, op->params[0] ? "?" : "", op->params);
    }
    snprintf(op->hdr[0], sizeof op->hdr[0], "%s", op->cr.api_key);
    httpc_clear(&op->http); /* the last answer's body: wiping the struct lost it */
    memset(&op->http, 0, sizeof op->http);
    op->http.method = "GET";
    op->http.hdr_name[0] = "X-MBX-APIKEY";
    op->http.hdr_value[0] = op->hdr[0];
    op->http.nhdr = 1;
    return 0;
}

/* 1 = retry, 0 = the answer is in op->doc, -1 = failed */
static int judge_answer(exch_op_t *op)
{
    if (op->http.err) {
        exch_fail(op, 502, "Binance %s request failed: %s", op->method, op->http.errmsg);
        return -1;
    }
    int st = op->http.status;
    if ((st == 429 || st == 418) && op->retries < MAX_RETRIES) {
        uint32_t s = op->http.retry_after_s ? op->http.retry_after_s : 1;
        op->st->banned_until_us = exch_now_us(op) + (uint64_t)s * 1000000u;
        log_info("binance %s: HTTP %d, waiting %u s as told", op->cr.name, st, s);
        return 1;
    }
    if (st != 200) {
        char m[200] = "";
        int mt = op->doc.ntok && json_type(&op->doc, 0) == JSON_OBJECT ? json_obj_get(&op->doc, 0, "msg") : -1;
        int ct = op->doc.ntok && json_type(&op->doc, 0) == JSON_OBJECT ? json_obj_get(&op->doc, 0, "code") : -1;
        int64_t code = 0;
        if (mt >= 0) json_get_str(&op->doc, mt, m, sizeof m, NULL);
        if (ct >= 0) json_get_int64(&op->doc, ct, &code);
        int keys = code == -2014 || code == -2015 || code == -1022 || code == -1021 || st == 401;
        exch_fail(op, keys ? 409 : 502, "Binance: %s", m[0] ? m : "an error without a message");
        if (!m[0]) snprintf(op->msg, sizeof op->msg, "Binance answered %s with HTTP %d", op->method, st);
        return -1;
    }
    if (!op->doc.ntok) {
        exch_fail(op, 502, "Binance answered %s with something that is not JSON", op->method);
        return -1;
    }
    return 0;
}

static PT_THREAD(binance_call(exch_op_t *op))
{
    PT_BEGIN(&op->call);
    for (op->retries = 0;; op->retries++) {
        {
            uint64_t wait = weight_wait_ms(op);
            if (wait) EXCH_SLEEP(&op->call, op, wait);
        }
        if (weight_wait_ms(op)) continue; /* another call of the account took the room meanwhile */
        op->st->weight_used += op->cost;
        if (build_call(op, strncmp(op->method, "/api/v3/exchangeInfo", 20) != 0)) {
            exch_fail(op, 409, "The Binance secret cannot sign requests");
            PT_EXIT(&op->call);
        }
        EXCH_HTTP(&op->call, op);
        {
            int j = judge_answer(op);
            if (j <= 0) PT_EXIT(&op->call);
        }
    }
    PT_END(&op->call);
}

static void set_call(exch_op_t *op, const char *path, int weight, const char *params)
{
    snprintf(op->method, sizeof op->method, "%s", path);
    snprintf(op->params, sizeof op->params, "%s", params);
    op->cost = weight;
}

/* ------------------------------------------------------------------ balances */
static void take_balances(exch_op_t *op)
{
    int bals = json_type(&op->doc, 0) == JSON_OBJECT ? json_obj_get(&op->doc, 0, "balances") : -1;
    if (bals < 0 || json_type(&op->doc, bals) != JSON_ARRAY) {
        exch_fail(op, 502, "Binance's account answer has no balances");
        return;
    }
    for (int b = json_first(&op->doc, bals); b >= 0; b = json_sibling(&op->doc, b)) {
        char sym[32], fr[80], lo[80], sum[80];
        int a = json_obj_get(&op->doc, b, "asset"), f = json_obj_get(&op->doc, b, "free"), l = json_obj_get(&op->doc, b, "locked");
        if (a < 0 || json_get_str(&op->doc, a, sym, sizeof sym, NULL) || f < 0 ||
            exch_json_decimal(&op->doc, f, 0, fr, sizeof fr) || l < 0 || exch_json_decimal(&op->doc, l, 0, lo, sizeof lo) ||
            dec_is_negative(fr) || dec_is_negative(lo) || dec_add(fr, lo, sum, sizeof sum)) {
            exch_fail(op, 502, "Binance's balances hold something that is not an amount");
            return;
        }
        if (exch_take_balance(op, sym, sum)) return;
    }
}

static PT_THREAD(binance_balances(exch_op_t *op))
{
    PT_BEGIN(&op->sub);
    set_call(op, "/api/v3/account", 20, "");
    PT_SPAWN(&op->sub, &op->call, binance_call(op));
    if (!op->status) take_balances(op);
    PT_END(&op->sub);
}

/* ------------------------------------------------------------------ history */
/* The selected markets (binance_markets) with their base and quote assets from exchangeInfo. */
static int take_markets(exch_op_t *op, bscratch_t *s)
{
    int syms = json_type(&op->doc, 0) == JSON_OBJECT ? json_obj_get(&op->doc, 0, "symbols") : -1;
    if (syms < 0 || json_type(&op->doc, syms) != JSON_ARRAY) {
        exch_fail(op, 502, "Binance's exchangeInfo has no symbols");
        return -1;
    }
    for (int i = 0; i < op->nmarkets; i++) {
        int found = 0;
        for (int x = json_first(&op->doc, syms); x >= 0 && !found; x = json_sibling(&op->doc, x)) {
            int t = json_obj_get(&op->doc, x, "symbol");
            if (t < 0 || !json_str_eq(&op->doc, t, op->markets[i])) continue;
            market_t *m = &s->m[s->n];
            char b[16], q[16];
            int bt = json_obj_get(&op->doc, x, "baseAsset"), qt = json_obj_get(&op->doc, x, "quoteAsset");
            if (bt < 0 || qt < 0 || json_get_str(&op->doc, bt, b, sizeof b, NULL) || json_get_str(&op->doc, qt, q, sizeof q, NULL))
                break;
            snprintf(m->symbol, sizeof m->symbol, "%s", op->markets[i]);
            snprintf(m->base, sizeof m->base, "%s", b);
            snprintf(m->quote, sizeof m->quote, "%s", q);
            s->n++;
            found = 1;
        }
        if (!found) log_warn("binance %s: market %s is not listed; skipped", op->cr.name, op->markets[i]);
    }
    return 0;
}

/* One myTrades page; returns how many trades it held (-1 failed). op->cursor = next fromId. */
static int take_trades(exch_op_t *op, const market_t *m)
{
    if (json_type(&op->doc, 0) != JSON_ARRAY) {
        exch_fail(op, 502, "Binance's myTrades answer is not a list");
        return -1;
    }
    char base[96], quote[96];
    int known = binance_map_asset(m->base, base, sizeof base) == 0 && binance_map_asset(m->quote, quote, sizeof quote) == 0;
    if (!known) exch_unknown_asset(op, binance_map_asset(m->base, base, sizeof base) ? m->base : m->quote);
    int n = 0;
    for (int t = json_first(&op->doc, 0); t >= 0; t = json_sibling(&op->doc, t), n++) {
        int64_t id, time_ms;
        int buyer = 0;
        char qty[80], qq[80], fee[80], feesym[32], feeasset[96], uid[64], group[65];
        int it = json_obj_get(&op->doc, t, "id"), tt = json_obj_get(&op->doc, t, "time"), bt = json_obj_get(&op->doc, t, "isBuyer"),
            qt = json_obj_get(&op->doc, t, "qty"), qqt = json_obj_get(&op->doc, t, "quoteQty"),
            ct = json_obj_get(&op->doc, t, "commission"), cat = json_obj_get(&op->doc, t, "commissionAsset");
        if (it < 0 || json_get_int64(&op->doc, it, &id) || id < 0 || id == INT64_MAX || tt < 0 || json_get_int64(&op->doc, tt, &time_ms) || bt < 0 ||
            json_get_bool(&op->doc, bt, &buyer) || qt < 0 || exch_json_decimal(&op->doc, qt, 1, qty, sizeof qty) || qqt < 0 ||
            exch_json_decimal(&op->doc, qqt, 1, qq, sizeof qq) || ct < 0 || exch_json_decimal(&op->doc, ct, 1, fee, sizeof fee) ||
            cat < 0 || json_get_str(&op->doc, cat, feesym, sizeof feesym, NULL)) {
            exch_fail(op, 502, "Binance's myTrades has a malformed trade");
            return -1;
        }
        if (id + 1 > op->cursor) op->cursor = id + 1;
        if (!known) continue;
        snprintf(uid, sizeof uid, "%s%lld", m->symbol, (long long)id);
        exch_group_id("binance", uid, group);
        history_event_t *e;
        if ((e = exch_new_event(op))) exch_fill_event(op, e, 7, group, 0, time_ms, buyer ? quote : base, buyer ? qq : qty, "trade", "spend");
        if ((e = exch_new_event(op))) exch_fill_event(op, e, 7, group, 1, time_ms, buyer ? base : quote, buyer ? qty : qq, "trade", "receive");
        if (!dec_is_zero(fee)) {
            if (binance_map_asset(feesym, feeasset, sizeof feeasset)) exch_unknown_asset(op, feesym);
            else if ((e = exch_new_event(op))) exch_fill_event(op, e, 7, group, 2, time_ms, feeasset, fee, "trade", "fee");
        }
        if (op->status) return -1;
    }
    return n;
}

/* A deposit or withdrawal list of one window into asset movement events. */
static int take_movements(exch_op_t *op, int deposits)
{
    if (json_type(&op->doc, 0) != JSON_ARRAY) {
        exch_fail(op, 502, "Binance's %s history is not a list", deposits ? "deposit" : "withdrawal");
        return -1;
    }
    for (int x = json_first(&op->doc, 0); x >= 0; x = json_sibling(&op->doc, x)) {
        char coin[32], asset[96], amount[80], fee[80] = "0", idtxt[96] = "", group[65], ts[40];
        int64_t time_ms = -1;
        int ct = json_obj_get(&op->doc, x, "coin"), at = json_obj_get(&op->doc, x, "amount"),
            idt = json_obj_get(&op->doc, x, deposits ? "txId" : "id"),
            ft = deposits ? -1 : json_obj_get(&op->doc, x, "transactionFee"),
            tt = json_obj_get(&op->doc, x, deposits ? "insertTime" : "applyTime");
        if (ct < 0 || json_get_str(&op->doc, ct, coin, sizeof coin, NULL) || at < 0 ||
            exch_json_decimal(&op->doc, at, 1, amount, sizeof amount) || tt < 0 ||
            (ft >= 0 && exch_json_decimal(&op->doc, ft, 1, fee, sizeof fee))) {
            exch_fail(op, 502, "Binance's %s history has a malformed entry", deposits ? "deposit" : "withdrawal");
            return -1;
        }
        if (json_type(&op->doc, tt) == JSON_NUMBER) json_get_int64(&op->doc, tt, &time_ms);
        else if (json_get_str(&op->doc, tt, ts, sizeof ts, NULL) == JSON_OK) time_ms = exch_parse_utc(ts);
        if (time_ms < 0) {
            exch_fail(op, 502, "Binance's %s history has an entry without a time", deposits ? "deposit" : "withdrawal");
            return -1;
        }
        int64_t status = -1;
        int stt = json_obj_get(&op->doc, x, "status");
        if (stt >= 0) json_get_int64(&op->doc, stt, &status);
        if (status != (deposits ? 1 : 6)) continue; /* only credited deposits and completed withdrawals */
        if (idt >= 0) json_get_str(&op->doc, idt, idtxt, sizeof idtxt, NULL);
        if (binance_map_asset(coin, asset, sizeof asset)) {
            exch_unknown_asset(op, coin);
            continue;
        }
        char uid[256];
        snprintf(uid, sizeof uid, "%s%s%lld%s", deposits ? "deposit" : "withdrawal", idtxt, (long long)time_ms, amount);
        exch_group_id("binance", uid, group);
        history_event_t *e;
        /* rotki's asset movement: an exchange transfer received (deposit) or spent (withdrawal) */
        if ((e = exch_new_event(op))) exch_fill_event(op, e, 6, group, 0, time_ms, asset, amount, "exchange transfer", deposits ? "receive" : "spend");
        if (!dec_is_zero(fee) && (e = exch_new_event(op))) exch_fill_event(op, e, 6, group, 1, time_ms, asset, fee, "exchange transfer", "fee");
        if (op->status) return -1;
    }
    return 0;
}

/* binance_markets: a JSON list of symbols into op->markets */
static void load_markets(exch_op_t *op)
{
    json_doc_t d;
    char err[64];
    op->nmarkets = 0;
    if (!op->cr.binance_markets[0] ||
        json_parse(&d, op->cr.binance_markets, strlen(op->cr.binance_markets), 0, err, sizeof err) != JSON_OK)
        return;
    if (json_type(&d, 0) == JSON_ARRAY)
        for (int x = json_first(&d, 0); x >= 0 && op->nmarkets < 16; x = json_sibling(&d, x))
            if (json_get_str(&d, x, op->markets[op->nmarkets], sizeof op->markets[0], NULL) == JSON_OK) op->nmarkets++;
    json_doc_free(&d);
}

static PT_THREAD(binance_history(exch_op_t *op))
{
    bscratch_t *s = op->scratch;
    PT_BEGIN(&op->sub);
    op->scratch = s = alloc_zget(ALLOC_CLIENT, sizeof *s);
    if (!s) {
        exch_fail(op, 503, "The node is out of memory for Binance's history");
        PT_EXIT(&op->sub);
    }
    load_markets(op);
    if (op->nmarkets) {
        set_call(op, "/api/v3/exchangeInfo", 20, "");
        PT_SPAWN(&op->sub, &op->call, binance_call(op));
        if (op->status || take_markets(op, s)) PT_EXIT(&op->sub);
    }
    /* trades, market by market; pages by fromId. Stored events are deduplicated, so the
     * pages since the last refresh's start are read again harmlessly. */
    for (op->market = 0; op->market < s->n; op->market++) {
        for (op->cursor = 0;;) {
            {
                char p[128];
                snprintf(p, sizeof p, "symbol=%s&fromId=%lld&limit=%d", s->m[op->market].symbol, (long long)op->cursor, TRADES_PAGE);
                set_call(op, "/api/v3/myTrades", 20, p);
            }
            PT_SPAWN(&op->sub, &op->call, binance_call(op));
            if (op->status) PT_EXIT(&op->sub);
            {
                int n = take_trades(op, &s->m[op->market]);
                if (n < 0) PT_EXIT(&op->sub);
                if (n < TRADES_PAGE) break;
            }
        }
    }
    /* deposits then withdrawals, in windows of 90 days since the last refresh */
    for (s->deposits = 1; s->deposits >= 0; s->deposits--) {
        /* a week of overlap: a deposit still pending at the last refresh is credited later
         * under its old insertTime (stored events are not stored twice) */
        for (s->window_from = op->since_s - OVERLAP_S > HISTORY_START_S ? op->since_s - OVERLAP_S : HISTORY_START_S;
             s->window_from < op->until_s;
             s->window_from += WINDOW_S) {
            {
                char p[128];
                int64_t to = s->window_from + WINDOW_S < op->until_s ? s->window_from + WINDOW_S : op->until_s;
                snprintf(p, sizeof p, "startTime=%lld&endTime=%lld", (long long)s->window_from * 1000, (long long)to * 1000);
                set_call(op, s->deposits ? "/sapi/v1/capital/deposit/hisrec" : "/sapi/v1/capital/withdraw/history", 1, p);
            }
            PT_SPAWN(&op->sub, &op->call, binance_call(op));
            if (op->status || take_movements(op, s->deposits)) PT_EXIT(&op->sub);
        }
    }
    PT_END(&op->sub);
}

int binance_take_answer(exch_op_t *op, int kind)
{
    int j = judge_answer(op);
    if (j) return j;
    bscratch_t *s = op->scratch;
    if (kind != EXCH_ANSWER_BALANCES && !s && !(op->scratch = s = alloc_zget(ALLOC_CLIENT, sizeof *s))) {
        exch_fail(op, 503, "The node is out of memory for Binance's history");
        return -1;
    }
    switch (kind) {
    case EXCH_ANSWER_BALANCES: take_balances(op); break;
    case EXCH_ANSWER_BINANCE_MARKETS: take_markets(op, s); break;
    case EXCH_ANSWER_BINANCE_TRADES:
        if (op->market >= 0 && op->market < s->n) take_trades(op, &s->m[op->market]);
        break;
    default: take_movements(op, kind == EXCH_ANSWER_BINANCE_DEPOSITS); break;
    }
    return op->status ? -1 : 0;
}

const exchange_t exchange_binance = {
    .location = "binance",
    .db_code = 'E',
    .url_env = "PIPIT_BINANCE_API_URL",
    .default_url = "https://api.binance.com",
    .validate_pt = binance_balances,
    .balances_pt = binance_balances,
    .history_pt = binance_history,
    .map_asset = binance_map_asset,
    .free_scratch = NULL,
};
