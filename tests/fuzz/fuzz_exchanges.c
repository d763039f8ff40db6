/* libFuzzer target for the exchanges' answers (services/exchanges/kraken.c and binance.c,
 * through kraken_take_answer / binance_take_answer, the steps their protothreads take). Byte 0
 * picks the exchange and the call, byte 1 the HTTP status; the rest is one or more answers
 * separated by NUL bytes, parsed by the real exch_http_parse and taken in turn: Kraken's
 * Balance, or Ledgers pages then their conversion; Binance's account, or exchangeInfo then
 * myTrades, deposits and withdrawals. Checked: a failure has a status and a message; balances
 * are positive canonical decimals of distinct assets; events have a 64-hex group, the
 * exchange's location and account, a non-negative canonical amount and a type. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/decimal.h"
#include "core/log.h"
#include "core/loop.h"
#include "services/exchanges/exchange.h"

#include "tests/fuzz/fuzz_pal.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_exchanges: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static loop_t *loop;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_pal_init();
    log_set_level(LOG_CRITICAL); /* unknown assets and refused answers are logged */
    MUST(loop_create(&loop) == 0);
    return 0;
}

static void canonical(const char *s)
{
    char again[128];
    MUST(dec_normalize(s, strlen(s), 0, again, sizeof again) == 0 && !strcmp(again, s));
}

static void check_op(const exch_op_t *op, int rc)
{
    MUST(rc == -1 || rc == 0 || rc == 1);
    if (rc == -1) MUST((op->status == 409 || op->status == 502 || op->status == 503) && op->msg[0]);
    if (rc >= 0) MUST(op->status == 0);
    for (size_t i = 0; i < op->nbal; i++) {
        const exch_balance_t *b = &op->bal[i];
        MUST(b->asset[0] && !dec_is_zero(b->amount) && !dec_is_negative(b->amount));
        canonical(b->amount);
        for (size_t k = 0; k < i; k++) MUST(strcmp(op->bal[k].asset, b->asset));
    }
    for (size_t i = 0; i < op->nev; i++) {
        const history_event_t *e = &op->ev[i];
        MUST(strlen(e->group_identifier) == 64 && strspn(e->group_identifier, "0123456789abcdef") == 64);
        MUST(e->location == op->ex->db_code && !strcmp(e->location_label, op->cr.name));
        MUST(e->asset[0] && e->type[0] && e->subtype[0] && !dec_is_negative(e->amount));
        canonical(e->amount);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {200, 200, 200, 400, 401, 418, 429, 500};
    if (size < 2) return 0;
    int kraken = data[0] & 1, history = data[0] >> 1 & 1;
    exch_state_t st;
    memset(&st, 0, sizeof st);
    exch_op_t *op = calloc(1, sizeof *op);
    MUST(op);
    op->ex = kraken ? &exchange_kraken : &exchange_binance;
    op->task.loop = loop;
    op->st = &st;
    op->kind = history ? EXCH_HISTORY : EXCH_BALANCES;
    snprintf(op->cr.location, sizeof op->cr.location, "%s", op->ex->location);
    snprintf(op->cr.name, sizeof op->cr.name, "fuzz account");
    snprintf(op->method, sizeof op->method, "%s", kraken ? "Ledgers" : "/api/v3/myTrades");
    op->retries = data[0] >> 2 & 7;
    op->nmarkets = 2;
    snprintf(op->markets[0], sizeof op->markets[0], "ETHBTC");
    snprintf(op->markets[1], sizeof op->markets[1], "BTCUSDT");

    /* the answers, one per NUL-separated piece (each its own allocation: reads past are caught) */
    const char *in = (const char *)data + 2, *end = (const char *)data + size;
    int step = 0, rc = 0;
    for (const char *p = in; p <= end && rc == 0 && step < 8; step++) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        size_t n = (size_t)((z ? z : end) - p);
        char *resp = malloc(n ? n : 1);
        MUST(resp);
        memcpy(resp, p, n);
        memset(&op->http, 0, sizeof op->http);
        op->http.status = statuses[(data[1] >> (step % 3)) % 8];
        op->http.resp = resp;
        op->http.resp_len = n;
        op->http.retry_after_s = data[1];
        exch_http_parse(op);
        int kind;
        if (!history) kind = EXCH_ANSWER_BALANCES;
        else if (kraken) kind = EXCH_ANSWER_KRAKEN_LEDGERS;
        else kind = step == 0 ? EXCH_ANSWER_BINANCE_MARKETS : step <= 2 ? EXCH_ANSWER_BINANCE_TRADES
                  : step == 3 ? EXCH_ANSWER_BINANCE_DEPOSITS : EXCH_ANSWER_BINANCE_WITHDRAWALS;
        op->market = step - 1;
        rc = kraken ? kraken_take_answer(op, kind) : binance_take_answer(op, kind);
        check_op(op, rc);
        json_doc_free(&op->doc);
        free(resp);
        memset(&op->http, 0, sizeof op->http);
        if (!history || !z) break;
        p = z + 1;
    }
    if (rc == 0 && history && kraken) {
        rc = kraken_take_answer(op, EXCH_ANSWER_END);
        check_op(op, rc);
    }
    if (op->scratch && op->ex->free_scratch) op->ex->free_scratch(op);
    alloc_free(op->scratch);
    alloc_free(op->bal);
    alloc_free(op->ev);
    free(op);
    return 0;
}
