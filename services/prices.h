/* prices — the price layer: the USD price of assets, for balance values and rotki's price
 * endpoints.
 *
 * Where a price comes from, first found wins: the user's manual latest price (rotki's "manual
 * current" prices, PUT /api/1/assets/prices/latest); the oracle cache; one request to a
 * CoinGecko-shaped oracle (GET <base>/api/v3/simple/price?ids=…&vs_currencies=…; base
 * https://api.coingecko.com or PIPIT_COINGECKO_API_URL) for every asset still without a price.
 * A built-in table maps rotki's asset identifiers (BTC, ETH, eip155:1/erc20:0x…) to CoinGecko
 * ids; fiat currencies are priced from the same request through the vs_currencies of the
 * reference coin (USD of EUR = bitcoin in USD / bitcoin in EUR). Answers are cached for
 * --price-ttl seconds (missing ones too); queries that need a key already being fetched wait
 * for that request instead of sending another; a 429 stops all requests until its Retry-After.
 *
 * Manual prices live in the user DB's key_value_cache, one row per asset, so the schema stays
 * rotki's: name "pipit_price:<asset>", value {"to_asset": "USD", "price": "<decimal>",
 * "updated": <unix s>}. A price in another asset than USD counts once that asset has a USD
 * price (its own manual one or the oracle's), else the asset has none.
 *
 * A price that cannot be found is "" (its value "0"), never an error: the query answers, and
 * one rotki `legacy` warning names the assets without a price (the same warning is not
 * repeated within the TTL). Values are exact decimal strings throughout, never floats. */
#ifndef PIPIT_PRICES_H
#define PIPIT_PRICES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/json.h"
#include "../core/loop.h"

#define PRICES_PRICE_MAX 48   /* a price: at most 47 characters (longer ones are rounded) + NUL */
#define PRICES_VALUE_MAX 400  /* room for prices_value of an amount of up to 128 characters and a
                                * price, or prices_ratio of two prices */
#define PRICES_ASSET_MAX 128  /* longest asset identifier taken, NUL included */
#define PRICES_DIGITS 78      /* significant digits of rotki's arithmetic (Decimal context prec) */

/* rotki's CurrentPriceOracle ids, as POST /api/1/assets/prices/latest reports them */
enum {
    PRICES_ORACLE_COINGECKO = 1,
    PRICES_ORACLE_MANUALCURRENT = 5,
    PRICES_ORACLE_BLOCKCHAIN = 6, /* what rotki names a price it did not find ("0") */
    PRICES_ORACLE_FIAT = 7,
};

/* Registers the price routes; reads PIPIT_COINGECKO_API_URL (-1, logged, when it is not an
 * http(s) URL). */
int prices_init(const config_t *cfg, loop_t *loop);

typedef struct prices_query prices_query_t;
struct prices_query {
    /* inputs (zero the struct first; assets must outlive the query) */
    const char *const *assets;
    size_t n;
    void (*done)(prices_query_t *q);
    void *ud;
    int ignore_cache;            /* optional: ask the oracle even for cached prices */
    /* results */
    char (*usd)[PRICES_PRICE_MAX]; /* per asset: the USD price as a decimal string, "" when missing;
                                    * NULL only when the node had no memory (then missing = n) */
    size_t missing;
    uint8_t *oracle;             /* per asset: where the price came from, PRICES_ORACLE_* (with usd) */
    /* private */
    uint64_t started_us;
    int pending;                 /* oracle requests still awaited */
    uint8_t *need;               /* per oracle key: wanted by this query */
    struct prices_manual *manual;
    size_t nmanual;
    struct prices_reader *reader; /* the manual prices' DB read in flight */
    loop_timer_t timer;
    char why[160];               /* why the oracle gave nothing, for the warning */
    uint8_t running;
};

/* Looks the assets up (manual prices via the user DB, then the cache, then one oracle request);
 * done runs later on the loop thread, always (missing prices are "" — never an error). Needs a
 * logged-in user for the manual prices (without one only the oracle is asked). Out of memory
 * makes every price missing. */
void prices_query_start(prices_query_t *q);
/* The USD price the finished query q found for asset (one of q->assets); "" when none. */
const char *prices_usd_of(const prices_query_t *q, const char *asset);
/* Frees the results; a query still running is abandoned (done is then not called). A query is
 * cleared before it is started again. */
void prices_query_clear(prices_query_t *q);

/* The parse step of a CoinGecko-shaped answer {"<id>": {"<vs>": price, …}, …} (used by the
 * oracle batches and by their fuzz target): id's price in vs, a non-negative decimal rounded
 * to fit PRICES_PRICE_MAX - 1 characters, into out: 0, or -1 when absent or not such a price. */
int prices_answer_price(const json_doc_t *d, const char *id, const char *vs, char out[PRICES_PRICE_MAX]);

/* value = amount × price, exact decimal arithmetic on strings, rounded as rotki shows values
 * (Python Decimal with 78 significant digits, half even; plain decimal, no exponent, no
 * trailing zeros); "0" when price is "" or NULL. Inputs may be any decimal (exponents too).
 * 0, or -1 for input that is not a number or an out too small (see PRICES_VALUE_MAX). */
int prices_value(const char *amount, const char *price, char *out, size_t outlen);
/* num / den the same way (78 significant digits, half even); -1 also for den = 0. */
int prices_ratio(const char *num, const char *den, char *out, size_t outlen);
/* a − b the same way (78 significant digits, half even); 0 or -1. */
int prices_diff(const char *a, const char *b, char *out, size_t outlen);
/* s rounded half even to as many digits as fit in maxlen characters ("1234.5678", 7 →
 * "1234.57"); -1 when even its integer part does not fit. */
int prices_fit(const char *s, size_t maxlen, char *out, size_t outlen);

/* s rounded half even to exactly `decimals` fraction digits, as Python's format(d, ".2f")
 * ("12.345" → "12.34", "3" → "3.00"); 0 or -1. */
int prices_round(const char *s, int decimals, char *out, size_t outlen);

/* 1 when the built-in tables know the asset: USD, a fiat currency or a CoinGecko-mapped id
 * (rotki's AssetWithOracles for pipit: what main_currency must be). */
int prices_asset_known(const char *asset);

/* The CoinGecko id the built-in table gives an asset (NULL: none); for the tests. */
const char *prices_coingecko_id(const char *asset);

#endif
