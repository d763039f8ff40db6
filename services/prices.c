/* prices — see prices.h.
 *
 * The oracle's unit of work is a key: a CoinGecko id priced in USD, or the reference coin
 * priced in a fiat currency. The keys are fixed by the built-in tables, so the cache and the
 * table of requests in flight are plain arrays indexed by key: no eviction, no hashing. A
 * query reads the user's manual prices, works out the keys its assets need, takes the fresh
 * ones from the cache, waits on requests already fetching others, and sends one request for
 * the rest. Its done runs from a zero-delay timer once every awaited request has finished. */
#include "prices.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/json.h"
#include "../core/log.h"
#include "../db/query.h"
#include "../db/userdb.h"
#include "api.h"
#include "auth.h"
#include "httpc.h"
#include "messages.h"

#define KEY_PREFIX "pipit_price:"
#define DEFAULT_BASE "https://api.coingecko.com"
#define CONNECT_TIMEOUT_MS 5000
#define RESPONSE_TIMEOUT_MS 15000
#define MAX_RESPONSE (1u << 20)
#define DEFAULT_BACKOFF_S 60 /* a 429 without Retry-After */
#define MAX_MANUAL_HOPS 4    /* A priced in B priced in C …: a cycle ends here */
#define MAX_QUERY_ASSETS 1024
#define WARN_NAMES 8         /* assets named in a warning; the rest are counted */
#define REF_COIN "bitcoin"   /* fiat rates come from this coin's price in USD and in the fiat */

/* rotki asset identifier → CoinGecko id. Natives by rotki's identifiers, the symbols the
 * common tokens go by, and the mainnet ERC-20 identifiers (every built-in token of
 * chain/tokens.c, checked by the unit test, and a few of rotki's constants). */
static const struct {
    const char *asset, *id;
} asset_map[] = {
    {"BTC", "bitcoin"},
    {"ETH", "ethereum"},
    {"ETH2", "ethereum"},
    {"BCH", "bitcoin-cash"},
    {"BSV", "bitcoin-cash-sv"},
    {"LTC", "litecoin"},
    {"DOT", "polkadot"},
    {"KSM", "kusama"},
    {"ADA", "cardano"},
    {"SOL", "solana"},
    {"XRP", "ripple"},
    {"BNB", "binancecoin"},
    {"DOGE", "dogecoin"},
    {"AVAX", "avalanche-2"},
    {"XLM", "stellar"},
    {"XMR", "monero"},
    {"ZEC", "zcash"},
    {"DASH", "dash"},
    {"ETC", "ethereum-classic"},
    {"TRX", "tron"},
    {"EOS", "eos"},
    {"XTZ", "tezos"},
    {"ATOM", "cosmos"},
    {"ALGO", "algorand"},
    {"NEAR", "near"},
    {"FIL", "filecoin"},
    {"HBAR", "hedera-hashgraph"},
    {"ICP", "internet-computer"},
    {"XDAI", "xdai"},
    {"HYPE", "hyperliquid"},
    {"USDT", "tether"},
    {"USDC", "usd-coin"},
    {"DAI", "dai"},
    {"LINK", "chainlink"},
    {"UNI", "uniswap"},
    {"eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "usd-coin"},
    {"eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7", "tether"},
    {"eip155:1/erc20:0x6B175474E89094C44Da98b954EedeAC495271d0F", "dai"},
    {"eip155:1/erc20:0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "weth"},
    {"eip155:1/erc20:0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", "wrapped-bitcoin"},
    {"eip155:1/erc20:0x514910771AF9Ca656af840dff83E8264EcF986CA", "chainlink"},
    {"eip155:1/erc20:0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984", "uniswap"},
    {"eip155:1/erc20:0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9", "aave"},
    {"eip155:1/erc20:0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2", "maker"},
    {"eip155:1/erc20:0x5A98FcBEA516Cf06857215779Fd812CA3beF1B32", "lido-dao"},
    {"eip155:1/erc20:0x95aD61b0a150d79219dCF64E1E6Cc01f0B64C4cE", "shiba-inu"},
    {"eip155:1/erc20:0x6982508145454Ce325dDbE47a25d4ec3d2311933", "pepe"},
    {"eip155:1/erc20:0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84", "staked-ether"},
    {"eip155:1/erc20:0xB50721BCf8d664c30412Cfbc6cf7a15145234ad1", "arbitrum"},
    {"eip155:1/erc20:0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0", "matic-network"},
    {"eip155:1/erc20:0x455e53CBB86018Ac2B8092FdCd39d8444aFFC3F6", "polygon-ecosystem-token"},
    {"eip155:1/erc20:0xD533a949740bb3306d119CC777fa900bA034cd52", "curve-dao-token"},
    {"eip155:1/erc20:0xc00e94Cb662C3520282E6f5717214004A7f26888", "compound-governance-token"},
    {"eip155:1/erc20:0xC011a73ee8576Fb46F5E1c5751cA3B9Fe0af2a6F", "havven"},
    {"eip155:1/erc20:0xc944E90C64B2c07662A292be6244BDf05Cda44a7", "the-graph"},
    {"eip155:1/erc20:0xC18360217D8F7Ab5e7c516566761Ea12Ce7F9D72", "ethereum-name-service"},
    {"eip155:1/erc20:0x0D8775F648430679A709E98d2b0Cb6250d2887EF", "basic-attention-token"},
    {"eip155:1/erc20:0x0bc529c00C6401aEF6D220BE8C6Ea1667F6Ad93e", "yearn-finance"},
    {"eip155:1/erc20:0x111111111117dC0aa78b770fA6A738034120C302", "1inch"},
    {"eip155:1/erc20:0xba100000625a3754423978a60c9317c58a424e3D", "balancer"},
    {"eip155:1/erc20:0x0F5D2fB29fb7d3CFeE444a200298f468908cC942", "decentraland"},
    {"eip155:1/erc20:0x5f98805A4E8be255a32880FDeC7F6728C6568bA0", "liquity-usd"},
    {"eip155:10/erc20:0x4200000000000000000000000000000000000042", "optimism"},
    {"eip155:42161/erc20:0x912CE59144191C1204E64559FE8253a0e49E6548", "arbitrum"},
};
#define N_MAP (sizeof asset_map / sizeof asset_map[0])

/* Fiat currencies (rotki's identifiers) that CoinGecko takes as vs_currencies. */
static const char *const fiats[] = {
    "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "HKD", "SGD", "KRW", "INR", "IDR", "THB", "TWD",
    "PHP", "MYR", "VND", "PKR", "BDT", "LKR", "AED", "SAR", "ILS", "TRY", "RUB", "UAH", "PLN", "CZK", "HUF",
    "SEK", "NOK", "DKK", "ZAR", "NGN", "BRL", "MXN", "ARS", "CLP", "KWD", "BHD", "MMK", "GEL",
};
#define N_FIAT (sizeof fiats / sizeof fiats[0])
#define MAX_KEYS (N_MAP + N_FIAT)

enum { C_NONE = 0, C_HAVE, C_ABSENT }; /* a cache entry: never asked, a price, answered without one */

typedef struct batch batch_t;
struct batch {
    batch_t *next;
    httpc_req_t http;
    char *url;
    uint16_t keys[MAX_KEYS];
    int nkeys;
    prices_query_t **wait;
    size_t nwait, capwait;
};

struct prices_manual {
    char asset[PRICES_ASSET_MAX];
    char to[PRICES_ASSET_MAX];
    char price[PRICES_PRICE_MAX];
    int64_t updated;
};

struct prices_reader {
    db_query_t dbq;
    prices_query_t *q; /* NULL once the query was abandoned */
};

static struct {
    loop_t *loop;
    const config_t *cfg;
    char base[256];
    /* keys: 0..nids-1 = ids[k] in USD; nids + f = REF_COIN in fiats[f] */
    const char *ids[N_MAP];
    int nids, nkeys, ref_key;
    int map_key[N_MAP];
    struct {
        char price[PRICES_PRICE_MAX];
        uint64_t at_us;
        uint8_t state;
    } cache[MAX_KEYS];
    batch_t *inflight[MAX_KEYS];
    batch_t *batches;
    uint64_t backoff_until_us;
    char last_warning[600];
    uint64_t last_warning_us;
} ps;

/* ------------------------------------------------------------------ keys */
static int map_index(const char *asset)
{
    for (size_t i = 0; i < N_MAP; i++)
        if (!strcmp(asset_map[i].asset, asset)) return (int)i;
    return -1;
}

static int fiat_index(const char *asset)
{
    for (size_t f = 0; f < N_FIAT; f++)
        if (!strcmp(fiats[f], asset)) return (int)f;
    return -1;
}

const char *prices_coingecko_id(const char *asset)
{
    int m = map_index(asset);
    return m < 0 ? NULL : asset_map[m].id;
}

const char *prices_usd_of(const prices_query_t *q, const char *asset)
{
    for (size_t j = 0; q->usd && j < q->n; j++)
        if (!strcmp(q->assets[j], asset)) return q->usd[j];
    return "";
}

int prices_asset_known(const char *asset)
{
    return !strcmp(asset, "USD") || map_index(asset) >= 0 || fiat_index(asset) >= 0;
}

static const char *key_id(int k) { return k < ps.nids ? ps.ids[k] : REF_COIN; }

/* The vs_currencies name of key k: "usd", or the fiat in lower case (into buf). */
static const char *key_vs(int k, char buf[8])
{
    if (k < ps.nids) return "usd";
    const char *f = fiats[k - ps.nids];
    size_t i = 0;
    for (; f[i] && i < 7; i++) buf[i] = (char)(f[i] | 0x20);
    buf[i] = 0;
    return buf;
}

static void build_keys(void)
{
    ps.nids = 0;
    ps.ref_key = -1;
    for (size_t i = 0; i < N_MAP; i++) {
        int k = 0;
        while (k < ps.nids && strcmp(ps.ids[k], asset_map[i].id)) k++;
        if (k == ps.nids) ps.ids[ps.nids++] = asset_map[i].id;
        ps.map_key[i] = k;
        if (!strcmp(asset_map[i].id, REF_COIN)) ps.ref_key = k;
    }
    ps.nkeys = ps.nids + (int)N_FIAT;
}

static int fresh(const prices_query_t *q, int k)
{
    if (ps.cache[k].state == C_NONE) return 0;
    uint64_t at = ps.cache[k].at_us;
    if (at >= q->started_us) return 1; /* answered while this query ran */
    return !q->ignore_cache && loop_now_us(ps.loop) - at < (uint64_t)ps.cfg->price_ttl * 1000000u;
}

/* ------------------------------------------------------------------ manual prices */
/* A key_value_cache row as a manual price: 0, or -1 for a row that is not one. */
static int manual_from_row(const char *name, const char *value, struct prices_manual *m)
{
    json_doc_t d;
    char err[8], price[128];
    size_t plen = strlen(KEY_PREFIX);
    memset(m, 0, sizeof *m);
    if (!name || !value || strncmp(name, KEY_PREFIX, plen) || !name[plen] || strlen(name + plen) >= sizeof m->asset)
        return -1;
    snprintf(m->asset, sizeof m->asset, "%s", name + plen);
    if (json_parse(&d, value, strlen(value), 16, err, sizeof err) != JSON_OK) return -1;
    int to = json_type(&d, 0) == JSON_OBJECT ? json_obj_get(&d, 0, "to_asset") : -1;
    int p = to >= 0 ? json_obj_get(&d, 0, "price") : -1, up = to >= 0 ? json_obj_get(&d, 0, "updated") : -1;
    int bad = p < 0 || json_get_str(&d, to, m->to, sizeof m->to, NULL) != JSON_OK || !m->to[0] ||
              json_get_amount(&d, p, price, sizeof price) != JSON_OK || price[0] == '-' ||
              prices_fit(price, PRICES_PRICE_MAX - 1, m->price, sizeof m->price) != 0;
    if (!bad && up >= 0 && json_get_int64(&d, up, &m->updated) != JSON_OK) m->updated = 0;
    json_doc_free(&d);
    return bad ? -1 : 0;
}

static void manual_query_init(db_query_t *dbq, void (*done)(db_job_t *), void *ud)
{
    /* the prefix as a key range (';' follows ':'), so the primary key's index serves it */
    db_query_init(dbq, "SELECT name, value FROM key_value_cache WHERE name >= '" KEY_PREFIX "' AND name < 'pipit_price;' "
                       "ORDER BY name", done, ud);
}

static const struct prices_manual *manual_find(const prices_query_t *q, const char *asset)
{
    for (size_t i = 0; i < q->nmanual; i++)
        if (!strcmp(q->manual[i].asset, asset)) return &q->manual[i];
    return NULL;
}

static void manual_load(prices_query_t *q, const db_query_t *dbq)
{
    q->manual = dbq->nrows ? alloc_get(ALLOC_CLIENT, dbq->nrows * sizeof *q->manual) : NULL;
    if (!q->manual) return; /* out of memory: the oracle alone */
    for (size_t r = 0; r < dbq->nrows; r++)
        if (manual_from_row(db_query_cell(dbq, r, 0), db_query_cell(dbq, r, 1), &q->manual[q->nmanual]) == 0) q->nmanual++;
}

/* ------------------------------------------------------------------ resolving */
/* The USD price of asset a into out ("" = none) and where it came from. With collect set it
 * only marks the oracle keys that would be needed (no price comes out). */
static void resolve(prices_query_t *q, const char *a, int hops, int collect, char out[PRICES_PRICE_MAX], uint8_t *oracle)
{
    out[0] = 0;
    *oracle = PRICES_ORACLE_BLOCKCHAIN;
    if (!strcmp(a, "USD")) {
        memcpy(out, "1", 2);
        *oracle = PRICES_ORACLE_FIAT;
        return;
    }
    const struct prices_manual *m = manual_find(q, a);
    if (m) {
        if (hops >= MAX_MANUAL_HOPS) return;
        *oracle = PRICES_ORACLE_MANUALCURRENT;
        if (!strcmp(m->to, "USD")) {
            memcpy(out, m->price, sizeof m->price);
            return;
        }
        char in_usd[PRICES_PRICE_MAX], v[PRICES_VALUE_MAX];
        uint8_t o;
        resolve(q, m->to, hops + 1, collect, in_usd, &o);
        if (!in_usd[0] || prices_value(m->price, in_usd, v, sizeof v) || prices_fit(v, PRICES_PRICE_MAX - 1, out, PRICES_PRICE_MAX))
            out[0] = 0;
        if (!out[0]) *oracle = PRICES_ORACLE_BLOCKCHAIN;
        return;
    }
    int keys[2], nk = 0, mi = map_index(a), f = mi < 0 ? fiat_index(a) : -1;
    if (mi >= 0) keys[nk++] = ps.map_key[mi];
    else if (f >= 0 && ps.ref_key >= 0) {
        keys[nk++] = ps.ref_key;
        keys[nk++] = ps.nids + f;
    }
    if (!nk) return;
    for (int i = 0; i < nk; i++) {
        if (collect) q->need[keys[i]] = 1;
        else if (!fresh(q, keys[i]) || ps.cache[keys[i]].state != C_HAVE) return;
    }
    if (collect) return;
    if (nk == 1) {
        memcpy(out, ps.cache[keys[0]].price, PRICES_PRICE_MAX);
        *oracle = PRICES_ORACLE_COINGECKO;
        return;
    }
    char v[PRICES_VALUE_MAX]; /* the coin in USD / the coin in the fiat = the fiat in USD */
    if (prices_ratio(ps.cache[keys[0]].price, ps.cache[keys[1]].price, v, sizeof v) == 0 &&
        prices_fit(v, PRICES_PRICE_MAX - 1, out, PRICES_PRICE_MAX) == 0)
        *oracle = PRICES_ORACLE_FIAT;
    else
        out[0] = 0;
}

/* ------------------------------------------------------------------ finishing a query */
static void warn_missing(prices_query_t *q)
{
    char msg[sizeof ps.last_warning];
    size_t off = (size_t)snprintf(msg, sizeof msg, "No price found for ");
    size_t named = 0;
    for (size_t i = 0; i < q->n && off < sizeof msg; i++) {
        if (q->usd[i][0]) continue;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) dup = !q->usd[j][0] && !strcmp(q->assets[j], q->assets[i]);
        if (dup) continue;
        if (named < WARN_NAMES)
            off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%.100s", named ? ", " : "", q->assets[i]);
        named++;
    }
    if (named > WARN_NAMES && off < sizeof msg)
        off += (size_t)snprintf(msg + off, sizeof msg - off, " and %zu more", named - WARN_NAMES);
    if (off < sizeof msg)
        snprintf(msg + off, sizeof msg - off, "%s%s%s; %s counted at 0", q->why[0] ? " (" : "", q->why, q->why[0] ? ")" : "",
                 named > 1 ? "their values are" : "its value is");
    uint64_t now = loop_now_us(ps.loop);
    if (!strcmp(msg, ps.last_warning) && now - ps.last_warning_us < (uint64_t)ps.cfg->price_ttl * 1000000u) return;
    snprintf(ps.last_warning, sizeof ps.last_warning, "%s", msg);
    ps.last_warning_us = now;
    log_warn("prices: %s", msg);
    messages_legacy(0, msg);
}

static void query_finish_now(prices_query_t *q)
{
    q->missing = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->usd) resolve(q, q->assets[i], 0, 0, q->usd[i], &q->oracle[i]);
        if (!q->usd || !q->usd[i][0]) q->missing++;
    }
    if (q->missing && q->usd) warn_missing(q);
    q->running = 0;
    if (q->done) q->done(q);
}

static void query_finish(loop_timer_t *t) { query_finish_now(t->ud); }

static void query_schedule_finish(prices_query_t *q)
{
    q->timer.fn = query_finish;
    q->timer.ud = q;
    loop_timer_start(ps.loop, &q->timer, 0);
}

/* ------------------------------------------------------------------ the oracle */
static void batch_free(batch_t *b)
{
    httpc_clear(&b->http);
    alloc_free(b->url);
    alloc_free(b->wait);
    alloc_free(b);
}

static int batch_wait(batch_t *b, prices_query_t *q)
{
    for (size_t i = 0; i < b->nwait; i++)
        if (b->wait[i] == q) return 0;
    if (b->nwait == b->capwait) {
        size_t cap = b->capwait ? b->capwait * 2 : 4;
        prices_query_t **w = alloc_reget(ALLOC_CLIENT, b->wait, cap * sizeof *w);
        if (!w) return -1;
        b->wait = w;
        b->capwait = cap;
    }
    b->wait[b->nwait++] = q;
    q->pending++;
    return 0;
}

static void batch_forget(prices_query_t *q)
{
    for (batch_t *b = ps.batches; b; b = b->next)
        for (size_t i = 0; i < b->nwait; i++)
            if (b->wait[i] == q) {
                b->wait[i] = b->wait[--b->nwait];
                break;
            }
}

int prices_answer_price(const json_doc_t *d, const char *id, const char *vs, char out[PRICES_PRICE_MAX])
{
    char amount[128];
    int coin = json_type(d, 0) == JSON_OBJECT ? json_obj_get(d, 0, id) : -1;
    int v = coin >= 0 && json_type(d, coin) == JSON_OBJECT ? json_obj_get(d, coin, vs) : -1;
    return v >= 0 && json_get_amount(d, v, amount, sizeof amount) == JSON_OK && amount[0] != '-' &&
                   prices_fit(amount, PRICES_PRICE_MAX - 1, out, PRICES_PRICE_MAX) == 0
               ? 0
               : -1;
}

/* The answer {"<id>": {"<vs>": price, …}, …} into the cache: 0, or -1 (with why) when it is
 * not that shape at all. Ids or currencies it leaves out are cached as absent. */
static int batch_take(batch_t *b, char *why, size_t whylen)
{
    json_doc_t d;
    char err[128];
    if (json_parse(&d, b->http.resp, b->http.resp_len, 0, err, sizeof err) != JSON_OK) {
        snprintf(why, whylen, "the answer is not JSON: %s", err);
        return -1;
    }
    if (json_type(&d, 0) != JSON_OBJECT) {
        json_doc_free(&d);
        snprintf(why, whylen, "the answer is not a JSON object of prices");
        return -1;
    }
    uint64_t now = loop_now_us(ps.loop);
    for (int i = 0; i < b->nkeys; i++) {
        int k = b->keys[i];
        char vsb[8];
        int ok = prices_answer_price(&d, key_id(k), key_vs(k, vsb), ps.cache[k].price) == 0;
        ps.cache[k].state = ok ? C_HAVE : C_ABSENT;
        if (!ok) ps.cache[k].price[0] = 0;
        ps.cache[k].at_us = now;
    }
    json_doc_free(&d);
    return 0;
}

static void batch_done(httpc_req_t *h)
{
    batch_t *b = h->ud;
    char why[160] = "";
    uint64_t now = loop_now_us(ps.loop);
    if (h->err) {
        snprintf(why, sizeof why, "%.150s", h->errmsg[0] ? h->errmsg : httpc_strerror(h->err));
    } else if (h->status == 429) {
        uint32_t s = h->retry_after_s ? h->retry_after_s : DEFAULT_BACKOFF_S;
        ps.backoff_until_us = now + (uint64_t)s * 1000000u;
        snprintf(why, sizeof why, "rate limited, no requests for %u s", s);
    } else if (h->status != 200) {
        snprintf(why, sizeof why, "HTTP status %d", h->status);
    } else {
        batch_take(b, why, sizeof why);
    }
    if (why[0]) log_warn("prices: the price oracle at %s failed: %s", ps.base, why);
    for (int i = 0; i < b->nkeys; i++) /* new queries no longer wait on it */
        if (ps.inflight[b->keys[i]] == b) ps.inflight[b->keys[i]] = NULL;
    /* each done may clear other waiting queries (batch_forget takes them off this list, which
     * stays linked until the end) or start new ones; done runs now, so a query finishes even
     * when this is the last turn of a node shutting down */
    while (b->nwait) {
        prices_query_t *q = b->wait[--b->nwait];
        if (why[0]) snprintf(q->why, sizeof q->why, "price oracle: %.140s", why);
        if (--q->pending == 0) query_finish_now(q);
    }
    for (batch_t **p = &ps.batches; *p; p = &(*p)->next)
        if (*p == b) {
            *p = b->next;
            break;
        }
    batch_free(b);
}

/* <base>/api/v3/simple/price?ids=a,b&vs_currencies=usd,eur for the batch's keys. */
static char *batch_url(const batch_t *b)
{
    uint8_t id_seen[N_MAP] = {0}, vs_seen[N_FIAT + 1] = {0};
    size_t cap = strlen(ps.base) + 64;
    for (int i = 0; i < b->nkeys; i++) cap += strlen(key_id(b->keys[i])) + 8;
    char *url = alloc_get(ALLOC_CLIENT, cap);
    if (!url) return NULL;
    size_t off = (size_t)snprintf(url, cap, "%s/api/v3/simple/price?ids=", ps.base);
    int n = 0;
    for (int i = 0; i < b->nkeys; i++) {
        int k = b->keys[i], id = k < ps.nids ? k : ps.ref_key;
        if (id_seen[id]++) continue;
        off += (size_t)snprintf(url + off, cap - off, "%s%s", n++ ? "," : "", ps.ids[id]);
    }
    off += (size_t)snprintf(url + off, cap - off, "&vs_currencies=");
    n = 0;
    for (int i = 0; i < b->nkeys; i++) {
        int k = b->keys[i], vs = k < ps.nids ? 0 : 1 + k - ps.nids;
        char vsb[8];
        if (vs_seen[vs]++) continue;
        off += (size_t)snprintf(url + off, cap - off, "%s%s", n++ ? "," : "", key_vs(k, vsb));
    }
    return url;
}

/* Sends one request for the keys q needs that are neither fresh nor being fetched, and makes q
 * wait on every request that fetches one of its keys. */
static void query_fetch(prices_query_t *q)
{
    uint64_t now = loop_now_us(ps.loop);
    batch_t *b = NULL;
    int backoff = ps.backoff_until_us > now;
    for (int k = 0; k < ps.nkeys; k++) {
        if (!q->need[k] || fresh(q, k)) continue;
        if (ps.inflight[k]) {
            if (batch_wait(ps.inflight[k], q)) snprintf(q->why, sizeof q->why, "out of memory");
            continue;
        }
        if (backoff) {
            snprintf(q->why, sizeof q->why, "price oracle: rate limited, no requests for %llu s more",
                     (unsigned long long)((ps.backoff_until_us - now + 999999u) / 1000000u));
            continue;
        }
        if (!b && !(b = alloc_zget(ALLOC_CLIENT, sizeof *b))) {
            snprintf(q->why, sizeof q->why, "out of memory");
            break;
        }
        b->keys[b->nkeys++] = (uint16_t)k;
    }
    if (b && (!(b->url = batch_url(b)) || batch_wait(b, q))) {
        snprintf(q->why, sizeof q->why, "out of memory");
        if (b->nwait) q->pending--;
        batch_free(b);
        b = NULL;
    }
    if (b) {
        for (int i = 0; i < b->nkeys; i++) ps.inflight[b->keys[i]] = b;
        b->next = ps.batches;
        ps.batches = b;
        b->http.method = "GET";
        b->http.url = b->url;
        b->http.hdr_name[0] = "Accept";
        b->http.hdr_value[0] = "application/json";
        b->http.nhdr = 1;
        b->http.connect_timeout_ms = CONNECT_TIMEOUT_MS;
        b->http.response_timeout_ms = RESPONSE_TIMEOUT_MS;
        b->http.max_response = MAX_RESPONSE;
        b->http.keepalive = 1;
        b->http.done = batch_done;
        b->http.ud = b;
        log_debug("prices: asking %s for %d price(s)", ps.base, b->nkeys);
        httpc_start(&b->http);
    }
    if (!q->pending) query_schedule_finish(q);
}

/* With the manual prices known: which oracle keys the assets need. */
static void query_plan(prices_query_t *q)
{
    char unused[PRICES_PRICE_MAX];
    uint8_t o;
    for (size_t i = 0; i < q->n; i++) resolve(q, q->assets[i], 0, 1, unused, &o);
    query_fetch(q);
}

static void reader_done(db_job_t *j)
{
    struct prices_reader *r = j->ud;
    prices_query_t *q = r->q;
    if (q) {
        q->reader = NULL;
        if (j->rc == DB_JOB_DONE) manual_load(q, &r->dbq);
        else log_warn("prices: the manual prices could not be read: %s", j->errmsg);
        query_plan(q);
    }
    db_query_clear(&r->dbq);
    alloc_free(r);
}

static void query_free(prices_query_t *q)
{
    alloc_free(q->usd);
    alloc_free(q->oracle);
    alloc_free(q->need);
    alloc_free(q->manual);
    q->usd = NULL;
    q->oracle = NULL;
    q->need = NULL;
    q->manual = NULL;
    q->nmanual = 0;
}

void prices_query_start(prices_query_t *q)
{
    q->usd = NULL;
    q->oracle = NULL;
    q->missing = 0;
    q->manual = NULL;
    q->nmanual = 0;
    q->reader = NULL;
    q->pending = 0;
    q->why[0] = 0;
    q->running = 1;
    memset(&q->timer, 0, sizeof q->timer);
    q->started_us = loop_now_us(ps.loop);
    size_t n = q->n ? q->n : 1;
    q->usd = alloc_zget(ALLOC_CLIENT, n * sizeof *q->usd);
    q->oracle = alloc_zget(ALLOC_CLIENT, n);
    q->need = alloc_zget(ALLOC_CLIENT, MAX_KEYS);
    if (!q->usd || !q->oracle || !q->need) { /* every price missing, but done still comes */
        query_free(q);
        log_warn("prices: out of memory for a query of %zu prices", q->n);
        query_schedule_finish(q);
        return;
    }
    db_t *db = auth_db();
    if (db) {
        struct prices_reader *r = alloc_zget(ALLOC_CLIENT, sizeof *r);
        if (r) {
            r->q = q;
            q->reader = r;
            manual_query_init(&r->dbq, reader_done, r);
            db_job_submit(db, &r->dbq.job);
            return;
        }
    }
    query_plan(q);
}

void prices_query_clear(prices_query_t *q)
{
    if (q->running) {
        if (q->reader) q->reader->q = NULL;
        batch_forget(q);
        loop_timer_stop(ps.loop, &q->timer);
        q->running = 0;
    }
    query_free(q);
    q->reader = NULL;
    q->missing = 0;
    q->pending = 0;
}

/* ------------------------------------------------------------------ endpoints */
static void reply_oom(api_req_t *req)
{
    api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
}

/* An asset identifier argument: 0 set, 1 absent (optional), -1 with a 400 sent. */
static int arg_asset(api_req_t *req, int obj, const char *field, int required, char out[PRICES_ASSET_MAX])
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, field) : -1;
    out[0] = 0;
    if (t < 0 || (!required && json_is_null(&req->doc, t))) {
        if (!required) return 1;
        api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", field);
        return -1;
    }
    if (json_type(&req->doc, t) != JSON_STRING) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string.\"]}", field);
        return -1;
    }
    int rc = json_get_str(&req->doc, t, out, PRICES_ASSET_MAX, NULL);
    if (rc != JSON_OK || !out[0]) {
        api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", field,
                        rc == JSON_ERANGE ? "Asset identifiers are at most 127 bytes long." : "Not a valid asset identifier.");
        return -1;
    }
    return 0;
}

typedef struct {
    api_req_t *req;
    db_batch_t batch;
    db_query_t query;
    char name[sizeof KEY_PREFIX + PRICES_ASSET_MAX];
    char asset[PRICES_ASSET_MAX];
    char *value;
    char from_filter[PRICES_ASSET_MAX], to_filter[PRICES_ASSET_MAX];
} manual_op_t;

static manual_op_t *manual_op_new(api_req_t *req)
{
    manual_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) reply_oom(req);
    else op->req = req;
    return op;
}

static void manual_op_free(manual_op_t *op)
{
    db_query_clear(&op->query);
    alloc_free(op->value);
    alloc_free(op);
}

static void put_done(db_job_t *j)
{
    manual_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) api_reply_error(op->req, db_job_status(j), "Failed to add manual current price: %s", j->errmsg);
    else api_reply_true(op->req);
    manual_op_free(op);
}

/* PUT {"from_asset", "to_asset", "price"}: replaces the asset's manual price. */
static int api_price_put(api_req_t *req)
{
    static const char *const keys[] = {"from_asset", "to_asset", "price", NULL};
    char to[PRICES_ASSET_MAX], price[PRICES_PRICE_MAX];
    int obj;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    manual_op_t *op = manual_op_new(req);
    if (!op) return API_DONE;
    if (arg_asset(req, obj, "from_asset", 1, op->asset) || arg_asset(req, obj, "to_asset", 1, to)) goto done;
    int p = obj >= 0 ? json_obj_get(&req->doc, obj, "price") : -1;
    int rc = p >= 0 ? json_get_amount(&req->doc, p, price, sizeof price) : JSON_ETYPE;
    if (p < 0 || rc != JSON_OK || price[0] == '-') {
        api_reply_error(req, 400, "{\"price\": [\"%s\"]}",
                        p < 0               ? "Missing data for required field."
                        : rc == JSON_ERANGE ? "A price is at most 47 characters (digits and point) long."
                        : rc == JSON_OK     ? "A negative price is not allowed"
                                            : "Not a valid price: a decimal number as a string or a number.");
        goto done;
    }
    if (!strcmp(op->asset, to)) {
        api_reply_error(req, 400, "{\"from_asset\": [\"The from and to assets must be different\"]}");
        goto done;
    }
    json_writer_t w;
    size_t len;
    json_writer_init(&w, 0);
    json_begin_object(&w);
    json_write_key(&w, "to_asset");
    json_write_str(&w, to);
    json_write_key(&w, "price");
    json_write_str(&w, price);
    json_write_key(&w, "updated");
    json_write_int64(&w, pal_wall_ms() / 1000);
    json_end_object(&w);
    if (!(op->value = json_writer_take(&w, &len))) {
        reply_oom(req);
        goto done;
    }
    snprintf(op->name, sizeof op->name, KEY_PREFIX "%s", op->asset);
    db_batch_init(&op->batch, put_done, op);
    db_stmt_t *st = db_batch_add(&op->batch, "INSERT OR REPLACE INTO key_value_cache(name, value) VALUES (?, ?)");
    db_stmt_param(st, op->name);
    db_stmt_param(st, op->value);
    db_batch_add(&op->batch, userdb_sql_touch);
    auth_submit(req, &op->batch.job);
    return API_PENDING;
done:
    manual_op_free(op);
    return API_DONE;
}

static void delete_done(db_job_t *j)
{
    manual_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) api_reply_error(op->req, db_job_status(j), "Failed to delete manual current price: %s", j->errmsg);
    else if (!op->batch.stmts[0].changes)
        api_reply_error(op->req, 409, "Not found manual current price to delete for asset %s", op->asset);
    else api_reply_true(op->req);
    manual_op_free(op);
}

/* DELETE {"asset"}: 409 when it has no manual price (and then nothing is written). */
static int api_price_delete(api_req_t *req)
{
    static const char *const keys[] = {"asset", NULL};
    int obj;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    manual_op_t *op = manual_op_new(req);
    if (!op) return API_DONE;
    if (arg_asset(req, obj, "asset", 1, op->asset)) {
        manual_op_free(op);
        return API_DONE;
    }
    snprintf(op->name, sizeof op->name, KEY_PREFIX "%s", op->asset);
    db_batch_init(&op->batch, delete_done, op);
    db_stmt_param(db_batch_add(&op->batch, "DELETE FROM key_value_cache WHERE name = ?"), op->name);
    /* rotki's last_write_ts, only when a row went */
    db_batch_add(&op->batch, "INSERT OR REPLACE INTO settings(name, value) "
                             "SELECT 'last_write_ts', CAST(strftime('%s','now') AS TEXT) WHERE changes() > 0");
    auth_submit(req, &op->batch.job);
    return API_PENDING;
}

static void list_done(db_job_t *j)
{
    manual_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, db_job_status(j), "Could not read the manual prices: %s", j->errmsg);
        manual_op_free(op);
        return;
    }
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_array(w);
    for (size_t r = 0; r < op->query.nrows; r++) {
        struct prices_manual m;
        if (manual_from_row(db_query_cell(&op->query, r, 0), db_query_cell(&op->query, r, 1), &m) ||
            (op->from_filter[0] && strcmp(op->from_filter, m.asset)) || (op->to_filter[0] && strcmp(op->to_filter, m.to)))
            continue;
        json_begin_object(w);
        json_write_key(w, "from_asset");
        json_write_str(w, m.asset);
        json_write_key(w, "to_asset");
        json_write_str(w, m.to);
        json_write_key(w, "price");
        json_write_str(w, m.price);
        json_end_object(w);
    }
    json_end_array(w);
    api_reply_end(op->req, 200, "");
    manual_op_free(op);
}

/* POST /latest/all {"from_asset"?, "to_asset"?}: the manual prices, filtered. */
static int api_price_list(api_req_t *req)
{
    static const char *const keys[] = {"from_asset", "to_asset", NULL};
    int obj;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    manual_op_t *op = manual_op_new(req);
    if (!op) return API_DONE;
    if (arg_asset(req, obj, "from_asset", 0, op->from_filter) < 0 || arg_asset(req, obj, "to_asset", 0, op->to_filter) < 0) {
        manual_op_free(op);
        return API_DONE;
    }
    manual_query_init(&op->query, list_done, op);
    auth_submit(req, &op->query.job);
    return API_PENDING;
}

/* POST /latest: rotki's current prices of assets in a target asset. */
typedef struct {
    api_req_t *req;
    prices_query_t q;
    char (*names)[PRICES_ASSET_MAX];
    const char **list;
    size_t n;            /* asked for; list[n] is the target when it is not USD */
    char target[PRICES_ASSET_MAX];
} latest_op_t;

static void latest_free(latest_op_t *op)
{
    prices_query_clear(&op->q);
    alloc_free(op->names);
    alloc_free(op->list);
    alloc_free(op);
}

static const char *const oracle_names[] = {"coingecko",     "cryptocompare", "uniswapv2", "uniswapv3",
                                           "manualcurrent", "blockchain",    "fiat",      "defillama",
                                           "kraken",        "alchemy",       "moralis"};

/* {"assets": {asset: [price in target, oracle id]}, "target_asset": T, "oracles": {name: id}} */
static void latest_done(prices_query_t *q)
{
    latest_op_t *op = q->ud;
    int usd_target = !strcmp(op->target, "USD");
    const char *tp = !usd_target && q->usd ? q->usd[op->n] : "1";
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    json_write_key(w, "assets");
    json_begin_object(w);
    for (size_t i = 0; i < op->n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) dup = !strcmp(op->list[i], op->list[j]);
        if (dup) continue;
        char v[PRICES_VALUE_MAX] = "0";
        int oracle = PRICES_ORACLE_BLOCKCHAIN;
        if (!strcmp(op->list[i], op->target)) { /* rotki: the asset itself, 1 by "manual current" */
            memcpy(v, "1", 2);
            oracle = PRICES_ORACLE_MANUALCURRENT;
        } else if (q->usd && q->usd[i][0] && tp[0] && strcmp(tp, "0") &&
                   (usd_target ? snprintf(v, sizeof v, "%s", q->usd[i]) > 0 : prices_ratio(q->usd[i], tp, v, sizeof v) == 0)) {
            oracle = q->oracle[i];
        } else {
            memcpy(v, "0", 2);
        }
        json_write_key(w, op->list[i]);
        json_begin_array(w);
        json_write_str(w, v);
        json_write_int64(w, oracle);
        json_end_array(w);
    }
    json_end_object(w);
    json_write_key(w, "target_asset");
    json_write_str(w, op->target);
    json_write_key(w, "oracles");
    json_begin_object(w);
    for (size_t i = 0; i < sizeof oracle_names / sizeof oracle_names[0]; i++) {
        json_write_key(w, oracle_names[i]);
        json_write_int64(w, (int64_t)i + 1);
    }
    json_end_object(w);
    json_end_object(w);
    api_reply_end(op->req, 200, "");
    latest_free(op);
}

/* `assets`: a list of identifiers, or one string of comma-separated ones (rotki's
 * DelimitedOrNormalList). -1 with a 400 sent. */
static int latest_assets(api_req_t *req, int obj, latest_op_t *op)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, "assets") : -1;
    const json_doc_t *d = &req->doc;
    char *joined = NULL;
    size_t n = 0;
    if (t < 0) {
        api_reply_error(req, 400, "{\"assets\": [\"Missing data for required field.\"]}");
        return -1;
    }
    if (json_type(d, t) == JSON_STRING) {
        if (json_get_strdup(d, t, ALLOC_HTTP, &joined, NULL) != JSON_OK) {
            api_reply_error(req, 400, "{\"assets\": [\"Not a valid list.\"]}");
            return -1;
        }
        n = *joined ? 1 : 0;
        for (const char *c = joined; *c; c++) n += *c == ',';
    } else if (json_type(d, t) == JSON_ARRAY) {
        n = (size_t)json_child_count(d, t);
    } else {
        api_reply_error(req, 400, "{\"assets\": [\"Not a valid list.\"]}");
        return -1;
    }
    if (!n || n > MAX_QUERY_ASSETS) {
        alloc_free(joined);
        api_reply_error(req, 400, "{\"assets\": [\"%s\"]}", n ? "At most 1024 assets at once." : "Shorter than minimum length 1.");
        return -1;
    }
    op->names = alloc_zget(ALLOC_HTTP, (n + 1) * sizeof *op->names);
    op->list = alloc_zget(ALLOC_HTTP, (n + 1) * sizeof *op->list);
    if (!op->names || !op->list) {
        alloc_free(joined);
        reply_oom(req);
        return -1;
    }
    const char *p = joined;
    int el = joined ? -1 : json_first(d, t);
    for (size_t i = 0; i < n; i++) {
        int bad;
        if (joined) {
            size_t len = strcspn(p, ",");
            bad = !len || len >= PRICES_ASSET_MAX;
            if (!bad) memcpy(op->names[i], p, len);
            p += len + (p[len] == ',');
        } else {
            bad = json_type(d, el) != JSON_STRING || json_get_str(d, el, op->names[i], PRICES_ASSET_MAX, NULL) != JSON_OK ||
                  !op->names[i][0];
            el = json_sibling(d, el);
        }
        if (bad) {
            alloc_free(joined);
            api_reply_error(req, 400, "{\"assets\": {\"%zu\": [\"Not a valid asset identifier (a string of 1 to 127 bytes).\"]}}", i);
            return -1;
        }
        op->list[i] = op->names[i];
    }
    alloc_free(joined);
    op->n = n;
    return 0;
}

static int api_price_latest(api_req_t *req)
{
    static const char *const keys[] = {"assets", "target_asset", "ignore_cache", "async_query", NULL};
    int obj, ignore_cache = 0;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, keys) ||
        api_arg_bool(req, "ignore_cache", 0, &ignore_cache))
        return API_DONE;
    latest_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) {
        reply_oom(req);
        return API_DONE;
    }
    op->req = req;
    if (latest_assets(req, obj, op) || arg_asset(req, obj, "target_asset", 1, op->target)) {
        latest_free(op);
        return API_DONE;
    }
    size_t n = op->n;
    if (strcmp(op->target, "USD")) { /* the target's own USD price divides the others */
        snprintf(op->names[n], PRICES_ASSET_MAX, "%s", op->target);
        op->list[n] = op->names[n];
        n++;
    }
    op->q.assets = op->list;
    op->q.n = n;
    op->q.ignore_cache = ignore_cache;
    op->q.done = latest_done;
    op->q.ud = op;
    prices_query_start(&op->q);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/assets/prices/latest", api_price_latest, NULL, API_ASYNC},
    {API_PUT, "/api/1/assets/prices/latest", api_price_put, NULL, 0},
    {API_DELETE, "/api/1/assets/prices/latest", api_price_delete, NULL, 0},
    {API_POST, "/api/1/assets/prices/latest/all", api_price_list, NULL, 0},
};

int prices_init(const config_t *cfg, loop_t *loop)
{
    memset(&ps, 0, sizeof ps);
    ps.loop = loop;
    ps.cfg = cfg;
    build_keys();
    const char *env = pal_env("PIPIT_COINGECKO_API_URL");
    snprintf(ps.base, sizeof ps.base, "%s", env && *env ? env : DEFAULT_BASE);
    size_t len = strlen(ps.base);
    while (len && ps.base[len - 1] == '/') ps.base[--len] = 0;
    char host[128];
    int tls, port;
    const char *path;
    if ((env && strlen(env) >= sizeof ps.base) || httpc_parse_url(ps.base, &tls, host, sizeof host, &port, &path) ||
        strchr(ps.base, '?') || strchr(ps.base, '#')) {
        log_error("PIPIT_COINGECKO_API_URL '%s' is not an http:// or https:// base URL (such as https://api.coingecko.com)",
                  env ? env : "");
        return -1;
    }
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
