/* exchange — the interface every exchange client implements, and the state they share.
 *
 * An operation (exch_op_t) is one protothread against one exchange account: validate its keys,
 * read its balances, or read its history since a timestamp. The exchange's vtable supplies the
 * protothread functions and the asset mapping; the shared parts here do the HTTP request (with
 * the account's signing, done by the exchange), the waits of the rate limiters (loop timers,
 * never blocking) and the decimal arithmetic on amounts. Many operations run at once, each with
 * its own connection. */
#ifndef PIPIT_EXCHANGE_H
#define PIPIT_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/decimal.h"
#include "../../core/json.h"
#include "../../core/log.h"
#include "../../core/loop.h"
#include "../history/events.h"
#include "../httpc.h"

typedef struct {
    char location[16];   /* "kraken", "binance" */
    char name[64];
    char api_key[128];
    char api_secret[160];
    char kraken_account_type[16]; /* starter | intermediate | pro */
    char binance_markets[512];    /* JSON list of symbols, "" = none selected */
} exch_creds_t;

typedef struct {
    char asset[96];   /* rotki asset identifier */
    char amount[80];  /* exact decimal */
    char value[80];   /* in USD, filled by the price layer */
} exch_balance_t;

/* What an account's client remembers between operations (rate limiter, nonce). */
typedef struct {
    char location[16], name[64];
    double counter;          /* Kraken's call counter */
    uint64_t counter_at_us;  /* when it was last decayed */
    uint64_t nonce_last;     /* Kraken: last nonce sent */
    uint64_t nonce_reserved; /* Kraken: nonces up to here are stored as used in the user DB */
    int nonce_loaded;
    uint64_t weight_window_us; /* Binance: start of the current minute of request weight */
    int weight_used;
    uint64_t banned_until_us;  /* Binance: 429/418 Retry-After */
} exch_state_t;

typedef struct exch_op exch_op_t;

typedef struct {
    const char *location;
    char db_code;          /* rotki's location CHAR(1): 'B' kraken, 'E' binance */
    const char *url_env;   /* environment variable overriding the base URL */
    const char *default_url;
    /* protothreads; each ends with op->status 0 (done) or an HTTP-ish status + op->msg */
    int (*validate_pt)(exch_op_t *op);
    int (*balances_pt)(exch_op_t *op);
    int (*history_pt)(exch_op_t *op); /* events since op->since_s, up to op->until_s */
    /* The exchange's symbol as a rotki asset identifier: 0, or -1 when unknown. */
    int (*map_asset)(const char *symbol, char *out, size_t outlen);
    void (*free_scratch)(exch_op_t *op); /* frees what op->scratch holds (then op->scratch is freed) */
} exchange_t;

enum { EXCH_VALIDATE = 1, EXCH_BALANCES = 2, EXCH_HISTORY = 3 };

struct exch_op {
    loop_task_t task;
    pt_t sub;                 /* the exchange's protothread inside the task */
    const exchange_t *ex;
    exch_creds_t cr;
    exch_state_t *st;
    int kind;
    /* the request in flight, built by the exchange */
    httpc_req_t http;
    int http_done;
    char url[1024];
    char *body;               /* form body (Kraken), alloc'd */
    char hdr[3][160];
    json_doc_t doc;           /* the last answer, parsed */
    int retries;
    /* results */
    exch_balance_t *bal;
    size_t nbal, capbal;
    history_event_t *ev;
    size_t nev, capev;
    int64_t since_s, until_s;
    int status;               /* 0 ok; else 409 (keys rejected), 502 (remote), 503 (memory) */
    char msg[512];
    /* one signed call (child protothread) */
    pt_t call;
    char method[48];
    char params[512];
    int cost;
    /* exchange scratch, kept between waits */
    int64_t ofs, count, cursor;
    int market, nmarkets;
    char markets[16][24];
    void *scratch;            /* exchange-owned allocation, freed with the op */
    /* completion */
    void (*done)(exch_op_t *op);
    void *ud;
};

/* ---- shared by the clients (exchanges.c) ---- */
const char *exch_base_url(const exchange_t *ex);
/* Sends op->http as set up by the caller (method, url = op->url, body, headers) and parks the
 * protothread `pt` until the answer is in; then op->http holds it and op->doc its parsed JSON
 * (doc.ntok == 0 when the body is not JSON). */
#define EXCH_HTTP(pt, op)                                                                              \
    do {                                                                                               \
        exch_http_start(op);                                                                           \
        PT_WAIT_UNTIL((pt), (op)->http_done);                                                          \
        exch_http_parse(op);                                                                           \
    } while (0)
void exch_http_start(exch_op_t *op);
void exch_http_parse(exch_op_t *op);
/* Parks the protothread for ms on a loop timer (rate limits, Retry-After). */
#define EXCH_SLEEP(pt, op, ms)                                                                         \
    do {                                                                                               \
        (op)->task.wake = 0;                                                                           \
        loop_timer_start((op)->task.loop, &(op)->task.timer, (ms));                                    \
        PT_WAIT_UNTIL((pt), (op)->task.wake & LOOP_WAKE_TIMER);                                        \
    } while (0)
/* Records a failure: status and message (first one wins). */
PIPIT_PRINTF(3, 4) void exch_fail(exch_op_t *op, int status, const char *fmt, ...);
/* Adds a balance, summing into an existing entry of the same asset. -1 out of memory. */
int exch_add_balance(exch_op_t *op, const char *asset, const char *amount);
/* A balance as the exchange names it: zero or negative ones are skipped, an unknown symbol is
 * reported (exch_unknown_asset) and skipped; -1 out of memory (the op failed). */
int exch_take_balance(exch_op_t *op, const char *symbol, const char *amount);
/* Fills an event of the op's exchange and account (amount made absolute and normalized). */
void exch_fill_event(exch_op_t *op, history_event_t *e, int entry_type, const char *group, int seq, int64_t ts,
                     const char *asset, const char *amount, const char *type, const char *subtype);
/* Appends a zeroed event; NULL out of memory (the op is failed with 503). */
history_event_t *exch_new_event(exch_op_t *op);
/* rotki's group identifier from a unique id: hex(SHA3-256(location ‖ unique_id)). */
void exch_group_id(const char *location, const char *unique_id, char out[65]);
/* Reports an exchange symbol pipit cannot map (the exchange_unknown_asset message). */
void exch_unknown_asset(exch_op_t *op, const char *symbol);
uint64_t exch_now_us(exch_op_t *op);
/* An asset known by the same symbol everywhere (BTC, ETH, USD, DOT…, and the built-in
 * Ethereum tokens by symbol): its rotki identifier. 0, or -1 when unknown. */
int exch_common_asset(const char *symbol, char *out, size_t outlen);
/* "2024-01-31 12:34:56" (UTC) -> unix ms; -1 when malformed. */
int64_t exch_parse_utc(const char *s);
/* A JSON string or number as a normalized decimal into out (abs drops a sign): 0 or -1. */
int exch_json_decimal(const json_doc_t *doc, int tok, int abs, char *out, size_t outlen);

extern const exchange_t exchange_kraken, exchange_binance;

/* The parse steps of each exchange's answers, the ones its protothreads take (used there and
 * by tests/fuzz/fuzz_exchanges.c): op->http (status, err) and op->doc hold the answer to a call
 * of the given kind. 0 taken (balances into op->bal, events into op->ev), 1 the call is to be
 * retried, -1 failed with op->status and op->msg set. KRAKEN_LEDGERS keeps the entries in
 * op->scratch (freed by the exchange's free_scratch) until EXCH_ANSWER_END converts them;
 * BINANCE_MARKETS reads op->markets, BINANCE_TRADES the market op->market of those taken. */
enum {
    EXCH_ANSWER_BALANCES, EXCH_ANSWER_KRAKEN_LEDGERS, EXCH_ANSWER_END, EXCH_ANSWER_BINANCE_MARKETS,
    EXCH_ANSWER_BINANCE_TRADES, EXCH_ANSWER_BINANCE_DEPOSITS, EXCH_ANSWER_BINANCE_WITHDRAWALS,
};
int kraken_take_answer(exch_op_t *op, int kind);
int binance_take_answer(exch_op_t *op, int kind);

#endif
