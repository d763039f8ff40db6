/* kraken — Kraken's private API: Balance for balances and key validation, Ledgers for history.
 *
 * Every private call is a form POST to /0/private/<Method> carrying a nonce that only grows
 * (the account's last nonce is kept in the user DB across restarts by exchanges.c), signed with
 * API-Sign. Kraken's call counter is mirrored here per account: Ledgers costs 2, other calls 1,
 * the counter decays by the account tier's rate (starter 0.33/s up to 15, intermediate 0.5/s up
 * to 20, pro 1/s up to 20); a call that would pass the maximum waits on a loop timer first, and an
 * "EAPI:Rate limit exceeded" answer fills the counter and retries after the wait. Ledgers come 50
 * a page, newest first; once every page is in, trades (two entries sharing a refid) become swap
 * events, deposits and withdrawals asset movements, staking rewards history events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "exchange.h"
#include "sign.h"

#define MAX_RETRIES 6

typedef struct {
    char refid[48], id[48];
    int64_t ts_ms;
    char type[24], subtype[24];
    char asset[96];
    char amount[80]; /* signed */
    char fee[80];
    uint8_t used;
} ledger_t;

typedef struct {
    ledger_t *e;
    size_t n, cap;
} ledgers_t;

/* ------------------------------------------------------------------ assets */
/* Kraken's own names: X/Z-prefixed legacy codes, XBT for bitcoin, and suffixes for staked or
 * otherwise held variants (".S", ".M", ".F", ".B", ".P", ".HOLD"), which count as the asset. */
static int kraken_map_asset(const char *symbol, char *out, size_t outlen)
{
    static const char *const legacy[][2] = {
        {"XXBT", "BTC"}, {"XBT", "BTC"},  {"XETH", "ETH"}, {"XXRP", "XRP"}, {"XLTC", "LTC"}, {"XXLM", "XLM"},
        {"XXMR", "XMR"}, {"XXDG", "DOGE"}, {"XDG", "DOGE"}, {"XETC", "ETC"}, {"XZEC", "ZEC"}, {"ZUSD", "USD"},
        {"ZEUR", "EUR"}, {"ZGBP", "GBP"},  {"ZJPY", "JPY"}, {"ZCAD", "CAD"}, {"ZCHF", "CHF"}, {"ZAUD", "AUD"},
    };
    char base[32];
    snprintf(base, sizeof base, "%s", symbol);
    char *dot = strchr(base, '.');
    if (dot) *dot = 0;
    for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
        if (!strcmp(base, legacy[i][0])) return exch_common_asset(legacy[i][1], out, outlen);
    return exch_common_asset(base, out, outlen);
}

/* ------------------------------------------------------------------ the call counter */
static void tier(const exch_op_t *op, double *max, double *decay)
{
    const char *t = op->cr.kraken_account_type;
    if (!strcmp(t, "pro")) *max = 20, *decay = 1.0;
    else if (!strcmp(t, "intermediate")) *max = 20, *decay = 0.5;
    else *max = 15, *decay = 0.33; /* starter */
}

/* ms to wait before a call of `cost` fits under the maximum (0 = now) */
static uint64_t counter_wait_ms(exch_op_t *op)
{
    double max, decay;
    tier(op, &max, &decay);
    uint64_t now = exch_now_us(op);
    exch_state_t *st = op->st;
    if (st->counter_at_us) st->counter -= (double)(now - st->counter_at_us) / 1e6 * decay;
    if (st->counter < 0) st->counter = 0;
    st->counter_at_us = now;
    double over = st->counter + op->cost - max;
    return over > 0 ? (uint64_t)(over / decay * 1000.0) + 1 : 0;
}

/* ------------------------------------------------------------------ one private call */
static int build_call(exch_op_t *op)
{
    uint64_t now_ms = (uint64_t)pal_wall_ms();
    uint64_t nonce = now_ms > op->st->nonce_last ? now_ms : op->st->nonce_last + 1;
    op->st->nonce_last = nonce;
    char nonce_s[24], path[96], sig[100];
    snprintf(nonce_s, sizeof nonce_s, "%llu", (unsigned long long)nonce);
    snprintf(path, sizeof path, "/0/private/%s", op->method);
    alloc_free(op->body);
    size_t blen = strlen(op->params) + 40;
    op->body = alloc_get(ALLOC_CLIENT, blen);
    if (!op->body) return -1;
    snprintf(op->body, blen, "nonce=%s%s%s", nonce_s, op->params[0] ? "&" : "", op->params);
    if (kraken_sign(op->cr.api_secret, path, nonce_s, op->body, sig, sizeof sig) != 0) {
        exch_fail(op, 409, "Provided API Key or secret is invalid: the secret is not base64");
        return -1;
    }
    snprintf(op->url, sizeof op->url, "%s%s", exch_base_url(op->ex), path);
    snprintf(op->hdr[0], sizeof op->hdr[0], "%s", op->cr.api_key);
    snprintf(op->hdr[1], sizeof op->hdr[1], "%s", sig);
    httpc_clear(&op->http); /* the last answer's body: wiping the struct lost it */
    memset(&op->http, 0, sizeof op->http);
    op->http.method = "POST";
    op->http.content_type = "application/x-www-form-urlencoded";
    op->http.body = op->body;
    op->http.body_len = strlen(op->body);
    op->http.hdr_name[0] = "API-Key";
    op->http.hdr_value[0] = op->hdr[0];
    op->http.hdr_name[1] = "API-Sign";
    op->http.hdr_value[1] = op->hdr[1];
    op->http.nhdr = 2;
    return 0;
}

/* After the answer: 1 = retry, 0 = result in op->doc, -1 = failed (op->status set). */
static int judge_answer(exch_op_t *op)
{
    if (op->http.err) {
        exch_fail(op, 502, "Kraken %s request failed: %s", op->method, op->http.errmsg);
        return -1;
    }
    int top = 0;
    if (!op->doc.ntok || json_type(&op->doc, top) != JSON_OBJECT) {
        exch_fail(op, 502, "Kraken answered %s with something that is not JSON (HTTP %d)", op->method, op->http.status);
        return -1;
    }
    int errs = json_obj_get(&op->doc, top, "error");
    if (errs >= 0 && json_type(&op->doc, errs) == JSON_ARRAY && json_child_count(&op->doc, errs) > 0) {
        char e[200] = "";
        json_get_str(&op->doc, json_first(&op->doc, errs), e, sizeof e, NULL);
        if (!strncmp(e, "EAPI:Rate limit exceeded", 24) && op->retries < MAX_RETRIES) {
            double max, decay;
            tier(op, &max, &decay);
            op->st->counter = max; /* Kraken says we are at the limit: wait as if full */
            log_info("kraken %s: rate limited, waiting", op->cr.name);
            return 1;
        }
        if (!strncmp(e, "EAPI:Invalid nonce", 18) && op->retries < 2) return 1; /* a fresh, larger nonce */
        int keys = !strncmp(e, "EAPI:Invalid key", 16) || !strncmp(e, "EAPI:Invalid signature", 22) ||
                   !strncmp(e, "EAPI:Invalid nonce", 18) || !strncmp(e, "EGeneral:Permission denied", 26);
        exch_fail(op, keys ? 409 : 502, "Kraken: %s", e);
        return -1;
    }
    int res = json_obj_get(&op->doc, top, "result");
    if (res < 0 || json_type(&op->doc, res) != JSON_OBJECT) {
        exch_fail(op, 502, "Kraken's answer to %s has no result", op->method);
        return -1;
    }
    return 0;
}

static PT_THREAD(kraken_private(exch_op_t *op))
{
    PT_BEGIN(&op->call);
    for (op->retries = 0;; op->retries++) {
        {
            uint64_t wait = counter_wait_ms(op);
            if (wait) EXCH_SLEEP(&op->call, op, wait);
        }
        counter_wait_ms(op); /* decay up to now */
        op->st->counter += op->cost;
        if (build_call(op)) {
            exch_fail(op, 503, "The node is out of memory for a Kraken request");
            PT_EXIT(&op->call);
        }
        EXCH_HTTP(&op->call, op);
        {
            int j = judge_answer(op);
            if (j < 0 || j == 0) PT_EXIT(&op->call);
        }
    }
    PT_END(&op->call);
}

static void set_call(exch_op_t *op, const char *method, int cost, const char *params)
{
    snprintf(op->method, sizeof op->method, "%s", method);
    snprintf(op->params, sizeof op->params, "%s", params);
    op->cost = cost;
}

/* ------------------------------------------------------------------ balances */
static void take_balances(exch_op_t *op)
{
    int res = json_obj_get(&op->doc, 0, "result");
    for (int k = json_first(&op->doc, res); k >= 0; k = json_sibling(&op->doc, k)) {
        char sym[40], amount[80];
        int v = k + 1; /* a member's value follows its key */
        if (json_get_str(&op->doc, k, sym, sizeof sym, NULL) != JSON_OK ||
            exch_json_decimal(&op->doc, v, 0, amount, sizeof amount) != 0) {
            exch_fail(op, 502, "Kraken's balance of %s is not an amount", sym);
            return;
        }
        if (exch_take_balance(op, sym, amount)) return;
    }
}

static PT_THREAD(kraken_balances(exch_op_t *op))
{
    PT_BEGIN(&op->sub);
    set_call(op, "Balance", 1, "");
    PT_SPAWN(&op->sub, &op->call, kraken_private(op));
    if (!op->status) take_balances(op);
    PT_END(&op->sub);
}

/* ------------------------------------------------------------------ history */
/* Kraken's times: unix seconds with a fraction, as a number or a string ("1700000000.1234");
 * -1 when not that, or past the year 9999 (no overflow on the way) */
static int64_t kraken_time_ms(const json_doc_t *doc, int tok)
{
    const char *raw;
    size_t n, i = 0;
    int ty = json_type(doc, tok);
    if ((ty != JSON_STRING && ty != JSON_NUMBER) || json_get_raw(doc, tok, &raw, &n) != JSON_OK) return -1;
    if (ty == JSON_STRING && n >= 2) raw++, n -= 2;
    int64_t s = 0, ms;
    for (; i < n && raw[i] >= '0' && raw[i] <= '9'; i++)
        if ((s = s * 10 + (raw[i] - '0')) > 253402300799LL) return -1;
    if (i == 0) return -1;
    ms = s * 1000;
    if (i < n && raw[i] == '.')
        for (int mult = 100; ++i < n && raw[i] >= '0' && raw[i] <= '9'; mult /= 10) ms += (raw[i] - '0') * mult;
    return i == n ? ms : -1;
}

static int take_ledgers(exch_op_t *op, ledgers_t *L, int *page_n)
{
    int res = json_obj_get(&op->doc, 0, "result");
    int ledger = json_obj_get(&op->doc, res, "ledger"), cnt = json_obj_get(&op->doc, res, "count");
    int64_t count;
    if (ledger < 0 || json_type(&op->doc, ledger) != JSON_OBJECT || cnt < 0 || json_get_int64(&op->doc, cnt, &count)) {
        exch_fail(op, 502, "Kraken's Ledgers answer lacks its ledger or count");
        return -1;
    }
    op->count = count;
    *page_n = 0;
    for (int k = json_first(&op->doc, ledger); k >= 0; k = json_sibling(&op->doc, k)) {
        int v = k + 1; /* a member's value follows its key */
        if (L->n == L->cap) {
            size_t cap = L->cap ? L->cap * 2 : 256;
            ledger_t *e = alloc_reget(ALLOC_CLIENT, L->e, cap * sizeof *e);
            if (!e) {
                exch_fail(op, 503, "The node is out of memory for Kraken's ledger");
                return -1;
            }
            L->e = e;
            L->cap = cap;
        }
        ledger_t *e = &L->e[L->n];
        memset(e, 0, sizeof *e);
        char sym[40];
        int ref = json_obj_get(&op->doc, v, "refid"), tim = json_obj_get(&op->doc, v, "time"),
            ty = json_obj_get(&op->doc, v, "type"), sub = json_obj_get(&op->doc, v, "subtype"),
            as = json_obj_get(&op->doc, v, "asset"), am = json_obj_get(&op->doc, v, "amount"),
            fe = json_obj_get(&op->doc, v, "fee");
        if (json_get_str(&op->doc, k, e->id, sizeof e->id, NULL) || ref < 0 ||
            json_get_str(&op->doc, ref, e->refid, sizeof e->refid, NULL) || tim < 0 ||
            (e->ts_ms = kraken_time_ms(&op->doc, tim)) < 0 || ty < 0 ||
            json_get_str(&op->doc, ty, e->type, sizeof e->type, NULL) || as < 0 ||
            json_get_str(&op->doc, as, sym, sizeof sym, NULL) || am < 0 ||
            exch_json_decimal(&op->doc, am, 0, e->amount, sizeof e->amount) ||
            (fe >= 0 && exch_json_decimal(&op->doc, fe, 1, e->fee, sizeof e->fee))) {
            exch_fail(op, 502, "Kraken's ledger has a malformed entry");
            return -1;
        }
        if (sub >= 0) json_get_str(&op->doc, sub, e->subtype, sizeof e->subtype, NULL);
        if (!e->fee[0]) snprintf(e->fee, sizeof e->fee, "0");
        (*page_n)++;
        if (kraken_map_asset(sym, e->asset, sizeof e->asset) != 0) {
            exch_unknown_asset(op, sym);
            continue; /* not kept: its trade partner then stands alone and is skipped too */
        }
        L->n++;
    }
    return 0;
}

static int by_refid(const void *a, const void *b)
{
    const ledger_t *x = a, *y = b;
    int c = strcmp(x->refid, y->refid);
    return c ? c : (x->ts_ms < y->ts_ms ? -1 : x->ts_ms > y->ts_ms);
}

/* Ledger entries -> rotki events (see the file comment). */
static void convert(exch_op_t *op, ledgers_t *L)
{
    if (L->n) qsort(L->e, L->n, sizeof *L->e, by_refid); /* an empty history has no array at all */
    for (size_t i = 0; i < L->n && !op->status;) {
        size_t j = i;
        while (j < L->n && !strcmp(L->e[j].refid, L->e[i].refid)) j++;
        ledger_t *first = &L->e[i];
        char group[65], uid[96];
        if (!strcmp(first->type, "trade") || !strcmp(first->type, "spend") || !strcmp(first->type, "receive")) {
            ledger_t *spend = NULL, *recv = NULL;
            for (size_t k = i; k < j; k++) {
                if (dec_is_negative(L->e[k].amount) && !spend) spend = &L->e[k];
                else if (!dec_is_negative(L->e[k].amount) && !dec_is_zero(L->e[k].amount) && !recv) recv = &L->e[k];
            }
            if (!spend || !recv) {
                log_warn("kraken %s: trade %s has no spend/receive pair; skipped", op->cr.name, first->refid);
            } else {
                snprintf(uid, sizeof uid, "%s%lld", first->refid, (long long)first->ts_ms);
                exch_group_id("kraken", uid, group);
                history_event_t *e;
                int seq = 0;
                if ((e = exch_new_event(op))) exch_fill_event(op, e, 7, group, seq++, first->ts_ms, spend->asset, spend->amount, "trade", "spend");
                if ((e = exch_new_event(op))) exch_fill_event(op, e, 7, group, seq++, first->ts_ms, recv->asset, recv->amount, "trade", "receive");
                for (size_t k = i; k < j; k++)
                    if (!dec_is_zero(L->e[k].fee) && (e = exch_new_event(op)))
                        exch_fill_event(op, e, 7, group, seq++, first->ts_ms, L->e[k].asset, L->e[k].fee, "trade", "fee");
            }
        } else {
            for (size_t k = i; k < j; k++) {
                ledger_t *x = &L->e[k];
                history_event_t *e;
                int movement = !strcmp(x->type, "deposit") || !strcmp(x->type, "withdrawal");
                exch_group_id("kraken", movement ? x->refid : x->id, group);
                if (movement) {
                    int dep = !strcmp(x->type, "deposit");
                    /* rotki's asset movement: an exchange transfer received or spent */
                    if ((e = exch_new_event(op)))
                        exch_fill_event(op, e, 6, group, 0, x->ts_ms, x->asset, x->amount, "exchange transfer", dep ? "receive" : "spend");
                    if (!dec_is_zero(x->fee) && (e = exch_new_event(op)))
                        exch_fill_event(op, e, 6, group, 1, x->ts_ms, x->asset, x->fee, "exchange transfer", "fee");
                } else if (!strcmp(x->type, "staking")) {
                    if ((e = exch_new_event(op))) exch_fill_event(op, e, 1, group, 0, x->ts_ms, x->asset, x->amount, "staking", "reward");
                } else if ((e = exch_new_event(op))) {
                    exch_fill_event(op, e, 1, group, 0, x->ts_ms, x->asset, x->amount,
                               !strcmp(x->type, "transfer") ? "transfer" : "informational", "none");
                    snprintf(e->notes, sizeof e->notes, "Kraken ledger entry of type %s", x->type);
                }
            }
        }
        i = j;
    }
}

static PT_THREAD(kraken_history(exch_op_t *op))
{
    ledgers_t *L = op->scratch;
    PT_BEGIN(&op->sub);
    op->scratch = L = alloc_zget(ALLOC_CLIENT, sizeof *L);
    if (!L) {
        exch_fail(op, 503, "The node is out of memory for Kraken's history");
        PT_EXIT(&op->sub);
    }
    for (op->ofs = 0;;) {
        {
            char p[128];
            snprintf(p, sizeof p, "start=%lld&end=%lld&ofs=%lld", (long long)op->since_s, (long long)op->until_s,
                     (long long)op->ofs);
            set_call(op, "Ledgers", 2, p);
        }
        PT_SPAWN(&op->sub, &op->call, kraken_private(op));
        if (op->status) PT_EXIT(&op->sub);
        {
            int page_n = 0;
            if (take_ledgers(op, L, &page_n)) PT_EXIT(&op->sub);
            op->ofs += page_n;
            if (page_n == 0 || op->ofs >= op->count) break;
        }
    }
    convert(op, L);
    PT_END(&op->sub);
}

static void free_ledgers(exch_op_t *op)
{
    ledgers_t *L = op->scratch;
    if (L) alloc_free(L->e);
}

int kraken_take_answer(exch_op_t *op, int kind)
{
    int j = kind == EXCH_ANSWER_END ? 0 : judge_answer(op);
    if (j) return j;
    ledgers_t *L = op->scratch;
    if (kind != EXCH_ANSWER_BALANCES && !L && !(op->scratch = L = alloc_zget(ALLOC_CLIENT, sizeof *L))) {
        exch_fail(op, 503, "The node is out of memory for Kraken's history");
        return -1;
    }
    int page_n;
    if (kind == EXCH_ANSWER_BALANCES) take_balances(op);
    else if (kind == EXCH_ANSWER_KRAKEN_LEDGERS) take_ledgers(op, L, &page_n);
    else convert(op, L);
    return op->status ? -1 : 0;
}

const exchange_t exchange_kraken = {
    .location = "kraken",
    .db_code = 'B',
    .url_env = "PIPIT_KRAKEN_API_URL",
    .default_url = "https://api.kraken.com",
    .validate_pt = kraken_balances,
    .balances_pt = kraken_balances,
    .history_pt = kraken_history,
    .map_asset = kraken_map_asset,
    .free_scratch = free_ledgers,
};
