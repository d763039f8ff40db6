/* balances — see balances.h.
 *
 * A query is one protothread: read the tracked accounts, the RPC nodes and the user's tokens
 * from the user DB; one small batch (eth_chainId, eth_blockNumber, eth_getCode of Multicall3);
 * then every read of every account at that block. With Multicall3 that is one HTTP request
 * carrying a few aggregate3 eth_calls of BALANCE_CHUNK reads each (getEthBalance per account,
 * balanceOf per account and token, allowFailure so one odd token does not sink the rest);
 * without it, batches of FALLBACK_CHUNK plain eth_getBalance / eth_call requests. Amounts are
 * exact 256-bit values, formatted with each token's decimals. Then (aggregated /balances) the
 * userhub's contributors (exchanges, manual balances) refresh and join, everything is priced
 * by the price layer, and — when
 * balance_save_frequency has passed — stored as a snapshot; the result replaces the chain's
 * cache and is answered. */
#include "balances.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/decimal.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "../../core/u256.h"
#include "../../db/query.h"
#include "../api.h"
#include "../auth.h"
#include "../../db/snapshots.h"
#include "../messages.h"
#include "../prices.h"
#include "../userhub.h"
#include "accounts.h"
#include "multicall.h"
#include "nodes.h"
#include "rpc.h"
#include "tokens.h"

#define BALANCE_CHUNK 700    /* reads per aggregate3 call (≈ 5–10k gas each) */
#define FALLBACK_CHUNK 200   /* plain calls per HTTP batch without multicall */
#define CACHE_FRESH_S 600    /* rotki's CACHE_RESPONSE_FOR_SECS */
#define MAX_ACCOUNTS 4096
#define MAX_ASSETS 1024

typedef struct {
    char id[84];        /* "ETH" or "eip155:<chain>/erc20:<checksummed>" */
    uint8_t addr[20];   /* token contract; unused for ETH */
    int decimals;
    int native;
    char price[PRICES_PRICE_MAX]; /* USD, from the price layer; "" = none */
} asset_t;

typedef struct {
    uint16_t acct, asset;
    uint8_t raw[32];
} bal_t;

/* The chain's last result. */
typedef struct {
    int valid;
    int64_t ts;          /* wall seconds */
    int naccts, nassets;
    char (*accts)[43];
    asset_t *assets;
    size_t nbal;
    bal_t *bal;
} cache_t;

static void cache_free(cache_t *c)
{
    alloc_free(c->accts);
    alloc_free(c->assets);
    alloc_free(c->bal);
    memset(c, 0, sizeof *c);
}

typedef struct {
    loop_task_t task;
    api_req_t *req;
    int kind;             /* Q_CHAIN (per chain) or Q_ALL (aggregated /balances) */
    int save_data;
    char only[8][43];     /* addresses asked for (empty = all) */
    int nonly;
    int job_done, rpc_done;
    db_query_t q;
    rpc_node_t nodes[RPC_MAX_NODES];
    int nnodes;
    cache_t r;            /* the result being built */
    uint64_t chain_id;
    int has_multicall;
    char block[24];       /* "0x…" block every read is pinned to */
    rpc_batch_t batch;
    size_t reads, done_reads, next_read;
    uint8_t *calldata;    /* multicall request data of the batch in flight */
    int status;
    char msg[700];
    db_batch_t save;
    char ts_text[24];
    char *assets_sql, *bal_sql, *loc_sql; /* the snapshot's statements while it is written */
    int use_cache;        /* the chain part comes from the cache (copied into r) */
    int ignore_cache, ignore_errors;
    pt_t chain;           /* the chain part's protothread */
    /* what the answer adds up: amounts per (location, asset), then their prices */
    struct part { char location[24]; char id[96]; char amount[128]; int liability; } *parts;
    size_t nparts;
    const char **pids;    /* the distinct assets of parts, for the price query */
    size_t npids;
    prices_query_t pq;
    int hub_done, px_done;
    userhub_refresh_t hub;
} bq_t;

enum { Q_CHAIN = 1, Q_ALL = 2 };

static struct {
    loop_t *loop;
    const config_t *cfg;
    cache_t eth;
    char eth_user[128]; /* the cache belongs to this user: another login starts empty */
    int eth_stale;      /* accounts were added since: a plain GET asks the chain again */
    int64_t last_snapshot_ts; /* per login; 0 = read it from the DB on the next query */
    char last_node[64], last_node_user[128]; /* the node that answered the last batch, for whom */
} bs;

/* ------------------------------------------------------------------ cached results */
/* Totals are TOTAL_BYTES wide: a sum of 256-bit balances must not wrap. */
#define TOTAL_BYTES UINT_DECIMAL_MAX_BYTES
typedef uint8_t total_t[TOTAL_BYTES];

static void write_balance(json_writer_t *w, const uint8_t *raw, size_t nbytes, int decimals, const char *price)
{
    char amount[128], value[PRICES_VALUE_MAX];
    if (uint_to_decimal(raw, nbytes, (unsigned)decimals, amount, sizeof amount) < 0) snprintf(amount, sizeof amount, "0");
    if (prices_value(amount, price, value, sizeof value)) snprintf(value, sizeof value, "0");
    json_begin_object(w);
    json_write_key(w, "amount");
    json_write_str(w, amount);
    json_write_key(w, "value");
    json_write_str(w, value);
    json_end_object(w);
}

static void total_add(total_t acc, const uint8_t v[32])
{
    unsigned carry = 0;
    for (int i = TOTAL_BYTES - 1; i >= 0; i--) {
        int vi = i - (TOTAL_BYTES - 32);
        unsigned s = (unsigned)acc[i] + (vi >= 0 ? v[vi] : 0) + carry;
        acc[i] = (uint8_t)s;
        carry = s >> 8;
    }
}

static int total_zero(const total_t t)
{
    for (int i = 0; i < TOTAL_BYTES; i++)
        if (t[i]) return 0;
    return 1;
}

/* Sums per asset; NULL when out of memory. */
static total_t *cache_totals(const cache_t *c)
{
    total_t *t = alloc_zget(ALLOC_CLIENT, (size_t)(c->nassets ? c->nassets : 1) * sizeof(total_t));
    if (!t) return NULL;
    for (size_t i = 0; i < c->nbal; i++) total_add(t[c->bal[i].asset], c->bal[i].raw);
    return t;
}

/* The per-asset sums: {id: {"address": {"amount", "value"}}}. */
static void write_totals(json_writer_t *w, const cache_t *c)
{
    json_begin_object(w);
    total_t *tot = c->valid ? cache_totals(c) : NULL;
    for (int s = 0; tot && s < c->nassets; s++) {
        if (total_zero(tot[s])) continue;
        json_write_key(w, c->assets[s].id);
        json_begin_object(w);
        json_write_key(w, "address");
        write_balance(w, tot[s], TOTAL_BYTES, c->assets[s].decimals, c->assets[s].price);
        json_end_object(w);
    }
    alloc_free(tot);
    json_end_object(w);
}

static int wanted(const bq_t *q, const char *addr)
{
    if (!q || !q->nonly) return 1;
    for (int i = 0; i < q->nonly; i++)
        if (!strcmp(q->only[i], addr)) return 1;
    return 0;
}

/* {"per_account": {"eth": {addr: {"assets": {id: {"address": bal}}, "liabilities": {}}}},
 *  "totals": {"assets": {id: {"address": bal}}, "liabilities": {}}} */
static void write_chain(json_writer_t *w, const cache_t *c, const bq_t *q)
{
    json_begin_object(w);
    json_write_key(w, "per_account");
    json_begin_object(w);
    if (c->valid && c->naccts) {
        json_write_key(w, "eth");
        json_begin_object(w);
        for (int a = 0; a < c->naccts; a++) {
            if (!wanted(q, c->accts[a])) continue;
            json_write_key(w, c->accts[a]);
            json_begin_object(w);
            json_write_key(w, "assets");
            json_begin_object(w);
            for (size_t i = 0; i < c->nbal; i++) {
                if (c->bal[i].acct != a) continue;
                const asset_t *as = &c->assets[c->bal[i].asset];
                json_write_key(w, as->id);
                json_begin_object(w);
                json_write_key(w, "address");
                write_balance(w, c->bal[i].raw, 32, as->decimals, as->price);
                json_end_object(w);
            }
            json_end_object(w);
            json_write_key(w, "liabilities");
            json_begin_object(w);
            json_end_object(w);
            json_end_object(w);
        }
        json_end_object(w);
    }
    json_end_object(w);
    json_write_key(w, "totals");
    json_begin_object(w);
    json_write_key(w, "assets");
    write_totals(w, c);
    json_write_key(w, "liabilities");
    json_begin_object(w);
    json_end_object(w);
    json_end_object(w);
    json_end_object(w);
}

void chain_balances_write_cached(json_writer_t *w, const char *chain)
{
    (void)chain; /* eth is the only chain so far */
    write_chain(w, &bs.eth, NULL);
}

const char *chain_balances_last_node(const char *chain)
{
    (void)chain;
    const char *u = auth_user();
    return bs.last_node[0] && u && !strcmp(u, bs.last_node_user) ? bs.last_node : NULL;
}

int64_t chain_balances_account_tokens(const char *chain, const char *checksummed_address,
                                      void (*each)(const char *asset_id, void *ud), void *ud)
{
    (void)chain;
    const cache_t *c = &bs.eth;
    const char *u = auth_user();
    if (!u || strcmp(u, bs.eth_user)) return -1; /* another user's result */
    for (int a = 0; c->valid && a < c->naccts; a++) {
        if (strcmp(c->accts[a], checksummed_address)) continue;
        for (size_t i = 0; i < c->nbal; i++)
            if (c->bal[i].acct == a && !c->assets[c->bal[i].asset].native) each(c->assets[c->bal[i].asset].id, ud);
        return c->ts;
    }
    return -1;
}

void chain_balances_forget(const char *chain, const char *checksummed_address)
{
    (void)chain;
    cache_t *c = &bs.eth;
    for (int a = 0; a < c->naccts; a++) {
        if (strcmp(c->accts[a], checksummed_address)) continue;
        size_t k = 0;
        for (size_t i = 0; i < c->nbal; i++) {
            if (c->bal[i].acct == a) continue;
            c->bal[k] = c->bal[i];
            if (c->bal[k].acct > a) c->bal[k].acct--;
            k++;
        }
        c->nbal = k;
        memmove(c->accts[a], c->accts[a + 1], (size_t)(c->naccts - a - 1) * sizeof c->accts[0]);
        c->naccts--;
        return;
    }
}

void chain_balances_stale(const char *chain)
{
    (void)chain;
    bs.eth_stale = 1;
}

/* ------------------------------------------------------------------ the query */
static void job_done(db_job_t *j)
{
    bq_t *q = j->ud;
    q->job_done = 1;
}

static void batch_done(rpc_batch_t *b)
{
    bq_t *q = b->ud;
    if (!b->err && b->node >= 0 && b->node < q->nnodes) {
        const char *u = auth_user();
        snprintf(bs.last_node, sizeof bs.last_node, "%s", q->nodes[b->node].name);
        snprintf(bs.last_node_user, sizeof bs.last_node_user, "%s", u ? u : "");
    }
    q->rpc_done = 1;
    loop_task_wake(&q->task, LOOP_WAKE_DONE);
}

#define Q_DB(pt, t, q)                                                                                 \
    do {                                                                                               \
        (q)->job_done = 0;                                                                             \
        (q)->q.job.waiter = (t);                                                                       \
        auth_submit((q)->req, &(q)->q.job);                                                            \
        PT_WAIT_UNTIL((pt), (q)->job_done);                                                            \
    } while (0)

#define Q_RPC(pt, t, q)                                                                                \
    do {                                                                                               \
        (q)->rpc_done = 0;                                                                             \
        (q)->batch.nodes = (q)->nodes;                                                                 \
        (q)->batch.nnodes = (q)->nnodes;                                                               \
        (q)->batch.done = batch_done;                                                                  \
        (q)->batch.ud = (q);                                                                           \
        rpc_batch_send(&(q)->batch);                                                                   \
        PT_WAIT_UNTIL((pt), (q)->rpc_done);                                                            \
    } while (0)

PIPIT_PRINTF(3, 4) static void fail(bq_t *q, int status, const char *fmt, ...)
{
    if (q->status) return;
    q->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->msg, sizeof q->msg, fmt, ap);
    va_end(ap);
}

static void hexify(json_writer_t *w, const uint8_t *data, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t off = 0;
    char *all = alloc_get(ALLOC_CLIENT, 2 + 2 * n + 1);
    if (!all) {
        json_write_null(w); /* makes the batch fail as out of memory */
        return;
    }
    all[off++] = '0';
    all[off++] = 'x';
    for (size_t i = 0; i < n; i++) {
        all[off++] = hx[data[i] >> 4];
        all[off++] = hx[data[i] & 15];
    }
    all[off] = 0;
    json_write_strn(w, all, off);
    alloc_free(all);
}

/* read k of the query: account k / (nassets), asset k % nassets */
static void read_of(const bq_t *q, size_t k, int *acct, int *asset)
{
    *acct = (int)(k / (size_t)q->r.nassets);
    *asset = (int)(k % (size_t)q->r.nassets);
}

static int add_balance(bq_t *q, int acct, int asset, const uint8_t raw[32])
{
    static const uint8_t zero[32];
    if (!memcmp(raw, zero, 32)) return 0; /* rotki leaves zero balances out */
    bal_t *b = &q->r.bal[q->r.nbal++];
    b->acct = (uint16_t)acct;
    b->asset = (uint16_t)asset;
    memcpy(b->raw, raw, 32);
    return 0;
}

static int load_accounts(bq_t *q)
{
    size_t n = q->q.nrows;
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    q->r.accts = alloc_zget(ALLOC_CLIENT, (n ? n : 1) * sizeof q->r.accts[0]);
    if (!q->r.accts) return -1;
    for (size_t i = 0; i < n; i++) {
        const char *a = db_query_cell(&q->q, i, 0);
        uint8_t raw[20];
        if (!a || evm_address_parse(a, strlen(a), 0, raw) != 0) continue; /* not ours to fix here */
        evm_address_checksum(raw, q->r.accts[q->r.naccts++]);
    }
    return 0;
}

static void load_nodes(bq_t *q)
{
    q->nnodes = 0;
    for (size_t i = 0; i < q->q.nrows && q->nnodes < RPC_MAX_NODES; i++) {
        const char *name = db_query_cell(&q->q, i, 0), *ep = db_query_cell(&q->q, i, 1), *owned = db_query_cell(&q->q, i, 2);
        if (!ep || !*ep) continue; /* rotki's etherscan pseudo-node has no endpoint */
        rpc_node_t *n = &q->nodes[q->nnodes++];
        snprintf(n->name, sizeof n->name, "%s", name ? name : ep);
        snprintf(n->endpoint, sizeof n->endpoint, "%s", ep);
        n->owned = owned && owned[0] == '1';
    }
}

static int add_asset(bq_t *q, const chain_token_t *t)
{
    if (t->chain_id != q->chain_id || q->r.nassets >= MAX_ASSETS) return 0;
    asset_t *a = &q->r.assets[q->r.nassets];
    if (evm_address_parse(t->address, strlen(t->address), 0, a->addr) != 0) return 0;
    for (int i = 1; i < q->r.nassets; i++)
        if (!memcmp(q->r.assets[i].addr, a->addr, 20)) return 0; /* listed twice */
    snprintf(a->id, sizeof a->id, "%s", t->identifier);
    a->decimals = t->decimals;
    a->native = 0;
    q->r.nassets++;
    return 0;
}

static int load_assets(bq_t *q)
{
    size_t nb;
    const chain_token_t *builtin;
    nb = chain_tokens_builtin(&builtin);
    size_t cap = 1 + nb + q->q.nrows;
    if (cap > MAX_ASSETS) cap = MAX_ASSETS;
    q->r.assets = alloc_zget(ALLOC_CLIENT, cap * sizeof *q->r.assets);
    if (!q->r.assets) return -1;
    snprintf(q->r.assets[0].id, sizeof q->r.assets[0].id, "ETH");
    q->r.assets[0].decimals = 18;
    q->r.assets[0].native = 1;
    q->r.nassets = 1;
    for (size_t i = 0; i < nb; i++) add_asset(q, &builtin[i]);
    for (size_t i = 0; i < q->q.nrows; i++) {
        chain_token_t t;
        if (chain_token_from_row(db_query_cell(&q->q, i, 0), db_query_cell(&q->q, i, 1), &t) == 0) add_asset(q, &t);
    }
    return 0;
}

/* The first batch: which chain, which block, is Multicall3 there. */
static void build_probe(bq_t *q)
{
    rpc_batch_begin(&q->batch);
    json_writer_t *w = rpc_call_begin(&q->batch, "eth_chainId");
    json_begin_array(w);
    json_end_array(w);
    rpc_call_end(&q->batch);
    w = rpc_call_begin(&q->batch, "eth_blockNumber");
    json_begin_array(w);
    json_end_array(w);
    rpc_call_end(&q->batch);
    w = rpc_call_begin(&q->batch, "eth_getCode");
    json_begin_array(w);
    json_write_str(w, MULTICALL3_ADDRESS);
    json_write_str(w, "latest");
    json_end_array(w);
    rpc_call_end(&q->batch);
}

static int parse_probe(bq_t *q)
{
    const char *s;
    size_t n;
    char why[160];
    uint8_t be[32];
    if (rpc_result_str(&q->batch, 0, &s, &n, why, sizeof why) || u256_from_hex(s, n, be)) {
        fail(q, 502, "The RPC node did not tell its chain id: %s", why);
        return -1;
    }
    q->chain_id = 0;
    for (int i = 24; i < 32; i++) q->chain_id = q->chain_id << 8 | be[i];
    if (rpc_result_str(&q->batch, 1, &s, &n, why, sizeof why) || n < 3 || n > 20 || s[0] != '0' || s[1] != 'x' ||
        u256_from_hex(s, n, be)) {
        fail(q, 502, "The RPC node did not tell its latest block: %s", why);
        return -1;
    }
    snprintf(q->block, sizeof q->block, "%.*s", (int)n, s);
    q->has_multicall = rpc_result_str(&q->batch, 2, &s, &n, why, sizeof why) == 0 && n > 2;
    return 0;
}

/* Adds one aggregate3 eth_call covering reads [from, to). */
static int add_multicall(bq_t *q, size_t from, size_t to)
{
    size_t n = to - from;
    multicall_call_t *calls = alloc_get(ALLOC_CLIENT, n * sizeof *calls);
    uint8_t *data = alloc_get(ALLOC_CLIENT, n * 36);
    uint8_t mc[20];
    if (!calls || !data) {
        alloc_free(calls);
        alloc_free(data);
        return -1;
    }
    evm_address_parse(MULTICALL3_ADDRESS, 42, 0, mc);
    for (size_t k = 0; k < n; k++) {
        int acct, asset;
        read_of(q, from + k, &acct, &asset);
        uint8_t owner[20];
        evm_address_parse(q->r.accts[acct], 42, 0, owner);
        if (q->r.assets[asset].native) {
            multicall_get_eth_balance(owner, data + 36 * k);
            memcpy(calls[k].target, mc, 20);
        } else {
            erc20_balance_of(owner, data + 36 * k);
            memcpy(calls[k].target, q->r.assets[asset].addr, 20);
        }
        calls[k].allow_failure = 1;
        calls[k].data = data + 36 * k;
        calls[k].len = 36;
    }
    uint8_t *enc;
    size_t enclen;
    int rc = multicall_encode(calls, n, &enc, &enclen);
    alloc_free(calls);
    alloc_free(data);
    if (rc) return -1;
    json_writer_t *w = rpc_call_begin(&q->batch, "eth_call");
    json_begin_array(w);
    json_begin_object(w);
    json_write_key(w, "to");
    json_write_str(w, MULTICALL3_ADDRESS);
    json_write_key(w, "data");
    hexify(w, enc, enclen);
    json_end_object(w);
    json_write_str(w, q->block);
    json_end_array(w);
    rpc_call_end(&q->batch);
    alloc_free(enc);
    return 0;
}

static int hex_to_bytes(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    if (n < 2 || s[0] != '0' || s[1] != 'x' || (n & 1)) return -1;
    size_t len = (n - 2) / 2;
    uint8_t *b = alloc_get(ALLOC_CLIENT, len ? len : 1);
    if (!b) return -1;
    for (size_t i = 0; i < len; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 + 2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                alloc_free(b);
                return -1;
            }
            v = v * 16 + d;
        }
        b[i] = (uint8_t)v;
    }
    *out = b;
    *outlen = len;
    return 0;
}

/* An eth_call answer that must be one uint256 word. */
static int decode_word(const char *s, size_t n, uint8_t be[32])
{
    uint8_t *bytes;
    size_t blen;
    if (hex_to_bytes(s, n, &bytes, &blen)) return -1;
    int rc = abi_decode_uint256(bytes, blen, be);
    alloc_free(bytes);
    return rc;
}

/* Reads the aggregate3 answers of the batch: call c covers reads [c*CHUNK, …). */
static int take_multicall(bq_t *q)
{
    multicall_result_t *res = alloc_get(ALLOC_CLIENT, BALANCE_CHUNK * sizeof *res);
    if (!res) {
        fail(q, 503, "The node is out of memory for this query");
        return -1;
    }
    int rc = 0;
    for (int c = 0; c < q->batch.ncalls && !rc; c++) {
        size_t from = (size_t)c * BALANCE_CHUNK, to = from + BALANCE_CHUNK;
        if (to > q->reads) to = q->reads;
        const char *s;
        size_t n, blen;
        uint8_t *bytes;
        char why[200];
        if (rpc_result_str(&q->batch, c, &s, &n, why, sizeof why)) {
            fail(q, 502, "The balance query failed at the node: %s", why);
            rc = -1;
        } else if (hex_to_bytes(s, n, &bytes, &blen)) {
            fail(q, 502, "The RPC node answered a balance query with something that is not hex data: %.80s (%zu)", s, n);
            rc = -1;
        } else {
            if (multicall_decode(bytes, blen, res, to - from) != 0) {
                fail(q, 502, "The RPC node's multicall answer is malformed");
                rc = -1;
            }
            for (size_t k = 0; !rc && k < to - from; k++) {
                int acct, asset;
                uint8_t be[32];
                read_of(q, from + k, &acct, &asset);
                if (!res[k].success || abi_decode_uint256(res[k].data, res[k].len, be) != 0) {
                    log_warn("balances: %s of %s could not be read (the token contract failed)", q->r.assets[asset].id,
                             q->r.accts[acct]);
                    continue;
                }
                add_balance(q, acct, asset, be);
            }
            alloc_free(bytes);
        }
    }
    alloc_free(res);
    return rc;
}

/* Without multicall: reads [from, to) as plain calls. */
static void add_plain(bq_t *q, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) {
        int acct, asset;
        read_of(q, k, &acct, &asset);
        json_writer_t *w;
        if (q->r.assets[asset].native) {
            w = rpc_call_begin(&q->batch, "eth_getBalance");
            json_begin_array(w);
            json_write_str(w, q->r.accts[acct]);
        } else {
            uint8_t owner[20], data[36];
            char to_hex[43];
            evm_address_parse(q->r.accts[acct], 42, 0, owner);
            erc20_balance_of(owner, data);
            evm_address_checksum(q->r.assets[asset].addr, to_hex);
            w = rpc_call_begin(&q->batch, "eth_call");
            json_begin_array(w);
            json_begin_object(w);
            json_write_key(w, "to");
            json_write_str(w, to_hex);
            json_write_key(w, "data");
            hexify(w, data, sizeof data);
            json_end_object(w);
        }
        json_write_str(w, q->block);
        json_end_array(w);
        rpc_call_end(&q->batch);
    }
}

static int take_plain(bq_t *q, size_t from)
{
    for (int c = 0; c < q->batch.ncalls; c++) {
        int acct, asset;
        read_of(q, from + (size_t)c, &acct, &asset);
        const char *s;
        size_t n;
        char why[200];
        uint8_t be[32];
        if (rpc_result_str(&q->batch, c, &s, &n, why, sizeof why)) {
            if (q->r.assets[asset].native) {
                fail(q, 502, "eth_getBalance of %s failed at the node: %s", q->r.accts[acct], why);
                return -1;
            }
            log_warn("balances: %s of %s could not be read: %s", q->r.assets[asset].id, q->r.accts[acct], why);
            continue;
        }
        if (q->r.assets[asset].native ? u256_from_hex(s, n, be) != 0 : decode_word(s, n, be) != 0) {
            if (q->r.assets[asset].native) {
                fail(q, 502, "The RPC node answered eth_getBalance of %s with something that is not an amount", q->r.accts[acct]);
                return -1;
            }
            log_warn("balances: %s of %s: the token answered something that is not an amount", q->r.assets[asset].id,
                     q->r.accts[acct]);
            continue;
        }
        add_balance(q, acct, asset, be);
    }
    return 0;
}

/* ------------------------------------------------------------------ adding up */
/* Adds amount to the (location, asset) part, creating it. -1 out of memory. */
static int add_part(bq_t *q, const char *location, const char *id, const char *amount, int liability)
{
    for (size_t i = 0; i < q->nparts; i++) {
        struct part *p = &q->parts[i];
        if (strcmp(p->location, location) || strcmp(p->id, id) || p->liability != liability) continue;
        char sum[128];
        if (dec_add(p->amount, amount, sum, sizeof sum)) return -1;
        snprintf(p->amount, sizeof p->amount, "%s", sum);
        return 0;
    }
    struct part *np = alloc_reget(ALLOC_CLIENT, q->parts, (q->nparts + 1) * sizeof *q->parts);
    if (!np) return -1;
    q->parts = np;
    struct part *p = &q->parts[q->nparts++];
    snprintf(p->location, sizeof p->location, "%s", location);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->amount, sizeof p->amount, "%s", amount);
    p->liability = liability;
    return 0;
}

static void add_hub_part(const char *location, const char *asset, const char *amount, int liability, void *ud)
{
    bq_t *q = ud;
    if (add_part(q, location, asset, amount, liability)) fail(q, 503, "The node is out of memory for the balances");
}

/* The chain's totals as parts, then (aggregated view) the userhub contributors'; then the
 * distinct assets for the price query. */
static int build_parts(bq_t *q)
{
    total_t *tot = cache_totals(&q->r);
    if (!tot) return -1;
    for (int a = 0; a < q->r.nassets; a++) {
        char amount[128];
        if (total_zero(tot[a]) || uint_to_decimal(tot[a], TOTAL_BYTES, (unsigned)q->r.assets[a].decimals, amount, sizeof amount) < 0)
            continue;
        if (add_part(q, "blockchain", q->r.assets[a].id, amount, 0)) {
            alloc_free(tot);
            return -1;
        }
    }
    alloc_free(tot);
    if (q->kind == Q_ALL) userhub_balances_each(add_hub_part, q);
    q->pids = alloc_get(ALLOC_CLIENT, (q->nparts + (size_t)q->r.nassets + 1) * sizeof *q->pids);
    if (!q->pids) return -1;
    q->npids = 0;
    for (size_t i = 0; i < q->nparts; i++) {
        size_t j = 0;
        while (j < q->npids && strcmp(q->pids[j], q->parts[i].id)) j++;
        if (j == q->npids) q->pids[q->npids++] = q->parts[i].id;
    }
    return q->status ? -1 : 0;
}

static const char *price_of(const bq_t *q, const char *id) { return prices_usd_of(&q->pq, id); }

/* value of an amount of id; "0" without a price */
static void value_of(const bq_t *q, const char *id, const char *amount, char *out, size_t outlen)
{
    if (prices_value(amount, price_of(q, id), out, outlen)) snprintf(out, outlen, "0");
}

/* value / net as rotki's percentage_of_net_value: "12.35%" (two decimals, half even) */
static void percentage(const char *value, const char *net, char *out, size_t outlen)
{
    char frac[PRICES_VALUE_MAX], pct[PRICES_VALUE_MAX], two[PRICES_VALUE_MAX - 2];
    if (dec_is_zero(net) || prices_ratio(value, net, frac, sizeof frac) || prices_value(frac, "100", pct, sizeof pct) ||
        prices_round(pct, 2, two, sizeof two))
        snprintf(two, sizeof two, "0.00");
    snprintf(out, outlen, "%.*s%%", (int)(outlen > 2 ? outlen - 2 : 0), two);
}

/* Sums the parts of one kind (liability 0 or 1) over locations (loc NULL) for an asset, or
 * over assets (id NULL) for a location. */
static void sum_parts(const bq_t *q, int liability, const char *loc, const char *id, char *amount, size_t alen, char *value,
                      size_t vlen)
{
    snprintf(amount, alen, "0");
    snprintf(value, vlen, "0");
    for (size_t i = 0; i < q->nparts; i++) {
        const struct part *p = &q->parts[i];
        if (p->liability != liability || (loc && strcmp(p->location, loc)) || (id && strcmp(p->id, id))) continue;
        char v[PRICES_VALUE_MAX], t[PRICES_VALUE_MAX];
        if (id && dec_add(amount, p->amount, t, sizeof t) == 0) snprintf(amount, alen, "%s", t);
        value_of(q, p->id, p->amount, v, sizeof v);
        if (dec_add(value, v, t, sizeof t) == 0) snprintf(value, vlen, "%s", t);
    }
}

/* rotki's net value: the assets' value minus the liabilities' */
static void net_value(const bq_t *q, char *net, size_t netlen)
{
    char amount[PRICES_VALUE_MAX], assets[PRICES_VALUE_MAX], liabilities[PRICES_VALUE_MAX];
    sum_parts(q, 0, NULL, NULL, amount, sizeof amount, assets, sizeof assets);
    sum_parts(q, 1, NULL, NULL, amount, sizeof amount, liabilities, sizeof liabilities);
    if (dec_sub(assets, liabilities, net, netlen)) snprintf(net, netlen, "0");
}

/* 1 when some part of this kind is of asset id */
static int has_parts(const bq_t *q, int liability, const char *id)
{
    for (size_t i = 0; i < q->nparts; i++)
        if (q->parts[i].liability == liability && !strcmp(q->parts[i].id, id)) return 1;
    return 0;
}

/* 1 when part i is the first asset part of its location */
static int first_of_location(const bq_t *q, size_t i)
{
    if (q->parts[i].liability) return 0;
    for (size_t k = 0; k < i; k++)
        if (!q->parts[k].liability && !strcmp(q->parts[k].location, q->parts[i].location)) return 0;
    return 1;
}

/* A location's value as rotki counts it: its assets, and for blockchain minus every liability. */
static void location_value(const bq_t *q, const char *loc, char *value, size_t vlen)
{
    char amount[PRICES_VALUE_MAX], assets[PRICES_VALUE_MAX], liabilities[PRICES_VALUE_MAX];
    sum_parts(q, 0, loc, NULL, amount, sizeof amount, assets, sizeof assets);
    snprintf(value, vlen, "%s", assets);
    if (strcmp(loc, "blockchain")) return;
    sum_parts(q, 1, NULL, NULL, amount, sizeof amount, liabilities, sizeof liabilities);
    if (dec_sub(assets, liabilities, value, vlen)) snprintf(value, vlen, "0");
}

/* {id: {amount, value, percentage_of_net_value}} of one kind */
static void write_kind(json_writer_t *w, const bq_t *q, int liability, const char *net)
{
    char amount[PRICES_VALUE_MAX], value[PRICES_VALUE_MAX], pct[PRICES_VALUE_MAX];
    json_begin_object(w);
    for (size_t j = 0; j < q->npids; j++) {
        if (!has_parts(q, liability, q->pids[j])) continue;
        sum_parts(q, liability, NULL, q->pids[j], amount, sizeof amount, value, sizeof value);
        percentage(value, net, pct, sizeof pct);
        json_write_key(w, q->pids[j]);
        json_begin_object(w);
        json_write_key(w, "amount");
        json_write_str(w, amount);
        json_write_key(w, "value");
        json_write_str(w, value);
        json_write_key(w, "percentage_of_net_value");
        json_write_str(w, pct);
        json_end_object(w);
    }
    json_end_object(w);
}

/* rotki's aggregated view: {"assets": {id: {amount, value, percentage_of_net_value}},
 * "liabilities": {…the same}, "location": {loc: {value, percentage_of_net_value}}, "net_value"} */
static void write_aggregated(json_writer_t *w, const bq_t *q)
{
    char net[PRICES_VALUE_MAX], value[PRICES_VALUE_MAX], pct[PRICES_VALUE_MAX];
    net_value(q, net, sizeof net);
    json_begin_object(w);
    json_write_key(w, "assets");
    write_kind(w, q, 0, net);
    json_write_key(w, "liabilities");
    write_kind(w, q, 1, net);
    json_write_key(w, "location");
    json_begin_object(w);
    for (size_t i = 0; i < q->nparts; i++) {
        if (!first_of_location(q, i)) continue;
        location_value(q, q->parts[i].location, value, sizeof value);
        percentage(value, net, pct, sizeof pct);
        json_write_key(w, q->parts[i].location);
        json_begin_object(w);
        json_write_key(w, "value");
        json_write_str(w, value);
        json_write_key(w, "percentage_of_net_value");
        json_write_str(w, pct);
        json_end_object(w);
    }
    json_end_object(w);
    json_write_key(w, "net_value");
    json_write_str(w, net);
    json_end_object(w);
}

/* ------------------------------------------------------------------ snapshot */
/* Identifiers and amounts go into the SQL text, so only these characters are let through. */
static int sql_safe(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == ':' || *s == '/' ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* rotki's snapshot rows: per asset its amount and value (timed_balances, category 'A' for
 * assets, 'B' for liabilities), per location its value and the net value under 'H'
 * (timed_location_data). which: 0 assets rows,
 * 1 timed_balances, 2 timed_location_data. NULL when there is nothing or no memory. */
static char *snapshot_sql(const bq_t *q, int64_t ts, int which)
{
    size_t cap = 512 + (2 * q->npids + q->nparts) * (2 * PRICES_VALUE_MAX + 200);
    char *sql = alloc_get(ALLOC_CLIENT, cap);
    if (!sql) return NULL;
    static const char *const head[] = {
        "INSERT OR IGNORE INTO assets(identifier) VALUES ",
        "INSERT OR REPLACE INTO timed_balances(category, timestamp, currency, amount, usd_value) VALUES ",
        "INSERT OR REPLACE INTO timed_location_data(timestamp, location, usd_value) VALUES ",
    };
    size_t off = (size_t)snprintf(sql, cap, "%s", head[which]);
    int rows = 0;
    char amount[PRICES_VALUE_MAX], value[PRICES_VALUE_MAX];
    if (which == 0) {
        for (size_t j = 0; j < q->npids; j++) {
            if (!sql_safe(q->pids[j])) continue;
            off += (size_t)snprintf(sql + off, cap - off, "%s('%s')", rows ? ", " : "", q->pids[j]);
            rows++;
        }
    } else if (which == 1) {
        for (int liability = 0; liability < 2; liability++)
            for (size_t j = 0; j < q->npids; j++) {
                if (!sql_safe(q->pids[j]) || !has_parts(q, liability, q->pids[j])) continue;
                sum_parts(q, liability, NULL, q->pids[j], amount, sizeof amount, value, sizeof value);
                off += (size_t)snprintf(sql + off, cap - off, "%s('%c', %lld, '%s', '%s', '%s')", rows ? ", " : "",
                                        liability ? 'B' : 'A', (long long)ts, q->pids[j], amount, value);
                rows++;
            }
    } else {
        for (size_t i = 0; i < q->nparts; i++) {
            char code = snapshot_location_code(q->parts[i].location, strlen(q->parts[i].location));
            if (!first_of_location(q, i) || !code) continue;
            location_value(q, q->parts[i].location, value, sizeof value);
            off += (size_t)snprintf(sql + off, cap - off, "%s(%lld, '%c', '%s')", rows ? ", " : "", (long long)ts, code, value);
            rows++;
        }
        net_value(q, value, sizeof value);
        off += (size_t)snprintf(sql + off, cap - off, "%s(%lld, 'H', '%s')", rows ? ", " : "", (long long)ts, value);
        rows++;
    }
    if (!rows) {
        alloc_free(sql);
        return NULL;
    }
    return sql;
}

/* ------------------------------------------------------------------ the protothreads */
static int64_t now_s(void) { return pal_wall_ms() / 1000; }

static void progress(bq_t *q)
{
    int total = (int)(q->reads < 0x7fffffff ? q->reads : 0x7fffffff);
    messages_progress("evm_balances_query", (int)q->done_reads, total, "eth");
}

static int logged_out(bq_t *q)
{
    if (auth_db()) return 0;
    fail(q, 409, "The user logged out during the balance query");
    return 1;
}

/* The chain part: accounts, nodes and tokens from the DB, then the node. */
static PT_THREAD(chain_pt(loop_task_t *t, bq_t *q))
{
    PT_BEGIN(&q->chain);

    if (logged_out(q)) PT_EXIT(&q->chain);
    chain_accounts_query_init(&q->q, "eth", job_done, q);
    Q_DB(&q->chain, t, q);
    if (q->q.job.rc != DB_JOB_DONE || load_accounts(q)) {
        fail(q, 409, "Could not read the tracked accounts: %s", q->q.job.errmsg);
        PT_EXIT(&q->chain);
    }
    db_query_clear(&q->q);
    for (int i = 0; i < q->nonly; i++) {
        int known = 0;
        for (int a = 0; a < q->r.naccts; a++) known |= !strcmp(q->r.accts[a], q->only[i]);
        if (!known) {
            fail(q, 409, "Account %s is not tracked for eth", q->only[i]);
            PT_EXIT(&q->chain);
        }
    }
    if (!q->r.naccts) { /* nothing to ask any node */
        q->r.valid = 1;
        q->r.ts = now_s();
        PT_EXIT(&q->chain);
    }

    if (logged_out(q)) PT_EXIT(&q->chain);
    chain_nodes_query_init(&q->q, "eth", job_done, q);
    Q_DB(&q->chain, t, q);
    if (q->q.job.rc != DB_JOB_DONE) {
        fail(q, 409, "Could not read the RPC nodes: %s", q->q.job.errmsg);
        PT_EXIT(&q->chain);
    }
    load_nodes(q);
    db_query_clear(&q->q);

    build_probe(q);
    Q_RPC(&q->chain, t, q);
    if (q->batch.err) fail(q, 502, "Could not query eth balances: %s", q->batch.errmsg);
    else parse_probe(q);
    rpc_batch_clear(&q->batch);
    if (q->status || q->req->cancelled) PT_EXIT(&q->chain);

    if (logged_out(q)) PT_EXIT(&q->chain);
    chain_user_tokens_query_init(&q->q, job_done, q);
    Q_DB(&q->chain, t, q);
    if (q->q.job.rc != DB_JOB_DONE || load_assets(q)) {
        fail(q, 409, "Could not read the tracked tokens: %s", q->q.job.errmsg);
        PT_EXIT(&q->chain);
    }
    db_query_clear(&q->q);

    q->reads = (size_t)q->r.naccts * (size_t)q->r.nassets;
    q->r.bal = alloc_get(ALLOC_CLIENT, q->reads * sizeof *q->r.bal);
    if (!q->r.bal) {
        fail(q, 503, "The node is out of memory for a query of %zu balances", q->reads);
        PT_EXIT(&q->chain);
    }
    progress(q);
    if (q->has_multicall) {
        /* every aggregate3 chunk in one HTTP request */
        rpc_batch_begin(&q->batch);
        for (q->next_read = 0; q->next_read < q->reads; q->next_read += BALANCE_CHUNK) {
            size_t to = q->next_read + BALANCE_CHUNK < q->reads ? q->next_read + BALANCE_CHUNK : q->reads;
            if (add_multicall(q, q->next_read, to)) {
                fail(q, 503, "The node is out of memory for the balance query");
                rpc_batch_clear(&q->batch);
                PT_EXIT(&q->chain);
            }
        }
        Q_RPC(&q->chain, t, q);
        if (q->batch.err) fail(q, 502, "Could not query eth balances: %s", q->batch.errmsg);
        else take_multicall(q);
        rpc_batch_clear(&q->batch);
        q->done_reads = q->reads;
        if (!q->status) progress(q);
    } else {
        for (q->next_read = 0; q->next_read < q->reads && !q->status && !q->req->cancelled; q->next_read += FALLBACK_CHUNK) {
            rpc_batch_begin(&q->batch);
            add_plain(q, q->next_read, q->next_read + FALLBACK_CHUNK < q->reads ? q->next_read + FALLBACK_CHUNK : q->reads);
            Q_RPC(&q->chain, t, q);
            if (q->batch.err) fail(q, 502, "Could not query eth balances: %s", q->batch.errmsg);
            else take_plain(q, q->next_read);
            rpc_batch_clear(&q->batch);
            q->done_reads += FALLBACK_CHUNK < q->reads - q->next_read ? FALLBACK_CHUNK : q->reads - q->next_read;
            progress(q);
        }
    }
    if (q->status || q->req->cancelled) PT_EXIT(&q->chain);
    q->r.valid = 1;
    q->r.ts = now_s();
    PT_END(&q->chain);
}

static void hub_done(userhub_refresh_t *r)
{
    bq_t *q = r->ud;
    q->hub_done = 1;
    loop_task_wake(&q->task, LOOP_WAKE_DONE);
}

static void prices_done(prices_query_t *pq)
{
    bq_t *q = pq->ud;
    q->px_done = 1;
    loop_task_wake(&q->task, LOOP_WAKE_DONE);
}

static int query_pt(loop_task_t *t)
{
    bq_t *q = t->ud;
    PT_BEGIN(&t->pt);
    if (!q->use_cache) {
        PT_SPAWN(&t->pt, &q->chain, chain_pt(t, q));
        if (q->status || q->req->cancelled) PT_EXIT(&t->pt);
    }
    if (q->kind == Q_ALL) { /* the userhub's contributors join (each refreshed as its cache needs) */
        q->hub_done = 0;
        q->hub.ignore_cache = q->ignore_cache;
        q->hub.done = hub_done;
        q->hub.ud = q;
        if (userhub_balances_refresh(&q->hub)) PT_WAIT_UNTIL(&t->pt, q->hub_done);
        if (q->hub.error[0] && !q->ignore_errors) {
            fail(q, 502, "%s", q->hub.error);
            PT_EXIT(&t->pt);
        }
    }
    if (build_parts(q)) {
        fail(q, 503, "The node is out of memory for the balances");
        PT_EXIT(&t->pt);
    }
    q->pq.assets = q->pids;
    q->pq.n = q->npids;
    q->pq.done = prices_done;
    q->pq.ud = q;
    q->px_done = 0;
    prices_query_start(&q->pq);
    PT_WAIT_UNTIL(&t->pt, q->px_done);
    for (int a = 0; a < q->r.nassets; a++)
        snprintf(q->r.assets[a].price, sizeof q->r.assets[a].price, "%s", price_of(q, q->r.assets[a].id));

    /* the snapshot, when balance_save_frequency (hours) has passed since the last one */
    if (logged_out(q)) PT_EXIT(&t->pt);
    db_query_init(&q->q,
                  "SELECT (SELECT value FROM settings WHERE name = 'balance_save_frequency'), "
                  "(SELECT MAX(timestamp) FROM timed_location_data)",
                  job_done, q);
    Q_DB(&t->pt, t, q);
    if (q->q.job.rc == DB_JOB_DONE && q->q.nrows == 1) {
        const char *f = db_query_cell(&q->q, 0, 0), *last = db_query_cell(&q->q, 0, 1);
        long hours = f ? strtol(f, NULL, 10) : 24;
        if (hours < 1) hours = 24;
        if (q->save_data || !last || now_s() - strtoll(last, NULL, 10) >= hours * 3600) q->save_data = 2;
    }
    db_query_clear(&q->q);
    if (q->save_data == 2 && !logged_out(q)) {
        int64_t ts = now_s();
        q->assets_sql = snapshot_sql(q, ts, 0);
        q->bal_sql = snapshot_sql(q, ts, 1);
        q->loc_sql = snapshot_sql(q, ts, 2);
        db_batch_init(&q->save, job_done, q);
        if (q->assets_sql && q->bal_sql) {
            db_batch_add(&q->save, q->assets_sql);
            db_batch_add(&q->save, q->bal_sql);
        }
        if (q->loc_sql) db_batch_add(&q->save, q->loc_sql);
        q->job_done = 0;
        q->save.job.waiter = t;
        auth_submit(q->req, &q->save.job);
        PT_WAIT_UNTIL(&t->pt, q->job_done);
        if (q->save.job.rc != DB_JOB_DONE) log_warn("balances: the snapshot could not be stored: %s", q->save.job.errmsg);
    }
    PT_END(&t->pt);
}

/* ------------------------------------------------------------------ replies */
static int cache_usable(void)
{
    const char *u = auth_user();
    return bs.eth.valid && u && !strcmp(u, bs.eth_user);
}

/* A copy of the cache into r (the cached path still prices it and may write a snapshot). */
static int cache_copy(cache_t *r)
{
    const cache_t *c = &bs.eth;
    *r = *c;
    r->accts = alloc_get(ALLOC_CLIENT, (size_t)(c->naccts ? c->naccts : 1) * sizeof *c->accts);
    r->assets = alloc_get(ALLOC_CLIENT, (size_t)(c->nassets ? c->nassets : 1) * sizeof *c->assets);
    r->bal = alloc_get(ALLOC_CLIENT, (c->nbal ? c->nbal : 1) * sizeof *c->bal);
    if (!r->accts || !r->assets || !r->bal) {
        cache_free(r);
        return -1;
    }
    /* an empty cache has NULL arrays: memcpy from NULL is undefined even for 0 bytes */
    if (c->naccts) memcpy(r->accts, c->accts, (size_t)c->naccts * sizeof *c->accts);
    if (c->nassets) memcpy(r->assets, c->assets, (size_t)c->nassets * sizeof *c->assets);
    if (c->nbal) memcpy(r->bal, c->bal, c->nbal * sizeof *c->bal);
    return 0;
}

static void query_end(loop_task_t *t)
{
    bq_t *q = t->ud;
    rpc_batch_clear(&q->batch);
    db_query_clear(&q->q);
    alloc_free(q->assets_sql);
    alloc_free(q->bal_sql);
    alloc_free(q->loc_sql);
    if (!q->status && q->req->cancelled) fail(q, 409, "The balance query was cancelled");
    if (q->status) {
        api_reply_error(q->req, q->status, "%s", q->msg);
    } else {
        json_writer_t *w = api_reply_begin(q->req);
        if (q->kind == Q_ALL) write_aggregated(w, q);
        else write_chain(w, &q->r, q);
        api_reply_end(q->req, 200, "");
        const char *u = auth_user();
        cache_free(&bs.eth);
        bs.eth = q->r; /* the cache takes the result over, priced */
        bs.eth_stale = 0;
        memset(&q->r, 0, sizeof q->r);
        snprintf(bs.eth_user, sizeof bs.eth_user, "%s", u ? u : "");
    }
    cache_free(&q->r);
    prices_query_clear(&q->pq); /* after the reply: its values came from it */
    alloc_free(q->parts);
    alloc_free(q->pids);
    alloc_free(q);
}

static void mark_gone(api_req_t *req) { req->cancelled = 1; }

/* <chain>: only eth so far (case-insensitive, as rotki). */
static int chain_ok(api_req_t *req)
{
    const char *c = api_path_param(req, "chain");
    if (!c || ((c[0] | 0x20) == 'e' && (c[1] | 0x20) == 't' && (c[2] | 0x20) == 'h' && !c[3])) return 0;
    api_reply_error(req, 400, "Unsupported blockchain %s: pipit queries eth balances so far", c);
    return -1;
}

/* `addresses`: a JSON list in the body or comma-separated in the query string; each checked
 * and checksummed. -1 with a 400 sent. */
static int parse_addresses(api_req_t *req, bq_t *q)
{
    char one[8][64], qs[600];
    int n = 0, obj = -1;
    if (api_body_object(req, &obj)) return -1;
    int tok = obj >= 0 ? json_obj_get(&req->doc, obj, "addresses") : -1;
    if (tok >= 0 && !json_is_null(&req->doc, tok)) {
        if (json_type(&req->doc, tok) != JSON_ARRAY) {
            api_reply_error(req, 400, "addresses must be a list of addresses");
            return -1;
        }
        for (int el = json_first(&req->doc, tok); el >= 0; el = json_sibling(&req->doc, el)) {
            if (n == 8) {
                api_reply_error(req, 400, "Ask for at most 8 addresses at once, or for all");
                return -1;
            }
            if (json_get_str(&req->doc, el, one[n], sizeof one[n], NULL) != JSON_OK) {
                api_reply_error(req, 400, "addresses must be a list of address strings");
                return -1;
            }
            n++;
        }
    } else if (api_query_arg(req, "addresses", qs, sizeof qs) && qs[0]) {
        for (char *p = qs, *c; p && *p; p = c ? c + 1 : NULL) {
            c = strchr(p, ',');
            if (c) *c = 0;
            if (n == 8) {
                api_reply_error(req, 400, "Ask for at most 8 addresses at once, or for all");
                return -1;
            }
            snprintf(one[n++], sizeof one[0], "%.63s", p);
        }
    }
    for (int i = 0; i < n; i++) {
        uint8_t raw[20];
        if (evm_address_parse(one[i], strlen(one[i]), 1, raw) != 0) {
            api_reply_error(req, 400, "Given value %.64s is not an ethereum address", one[i]);
            return -1;
        }
        evm_address_checksum(raw, q->only[i]);
    }
    q->nonly = n;
    return 0;
}

static int start_query(api_req_t *req, int kind, int force)
{
    if (auth_require_user(req)) return API_DONE;
    if (kind == Q_CHAIN && chain_ok(req)) return API_DONE;
    static const char *const allowed[] = {"async_query", "only_cache", "ignore_cache", "addresses", "blockchain",
                                          "value_threshold", "save_data", "ignore_errors", NULL};
    int obj = -1, only_cache = 0, ignore_cache = 0, save_data = 0;
    if (api_body_object(req, &obj) || api_body_only(req, obj, allowed) ||
        api_arg_bool(req, "only_cache", 0, &only_cache) < 0 || api_arg_bool(req, "ignore_cache", 0, &ignore_cache) < 0 ||
        api_arg_bool(req, "save_data", 0, &save_data) < 0)
        return API_DONE;
    bq_t *q = alloc_zget(ALLOC_CLIENT, sizeof *q);
    if (!q) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    if (kind == Q_CHAIN && parse_addresses(req, q)) {
        alloc_free(q);
        return API_DONE;
    }
    int fresh = cache_usable() && !bs.eth_stale && now_s() - bs.eth.ts < CACHE_FRESH_S;
    if (kind == Q_CHAIN && !force && !save_data && (only_cache || (fresh && !ignore_cache))) {
        /* cached and priced already */
        json_writer_t *w = api_reply_begin(req);
        write_chain(w, &bs.eth, q);
        api_reply_end(req, 200, "");
        alloc_free(q);
        return API_DONE;
    }
    if (kind == Q_ALL && api_arg_bool(req, "ignore_errors", 0, &q->ignore_errors) < 0) {
        alloc_free(q);
        return API_DONE;
    }
    q->use_cache = kind == Q_ALL && cache_usable() && (only_cache || (fresh && !ignore_cache));
    if (q->use_cache && cache_copy(&q->r)) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        alloc_free(q);
        return API_DONE;
    }
    q->ignore_cache = ignore_cache;
    q->req = req;
    q->kind = kind;
    q->save_data = save_data;
    req->ud = q;
    req->on_gone = mark_gone;
    loop_task_start(bs.loop, &q->task, query_pt, query_end, q);
    q->task.name = "evm_balances";
    return API_PENDING;
}

static int api_chain_get(api_req_t *req) { return start_query(req, Q_CHAIN, 0); }
static int api_chain_post(api_req_t *req) { return start_query(req, Q_CHAIN, 1); }
static int api_all_get(api_req_t *req) { return start_query(req, Q_ALL, 0); }

static const api_route_t routes[] = {
    {API_GET, "/api/1/balances/blockchains", api_chain_get, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/blockchains", api_chain_post, NULL, API_ASYNC},
    {API_GET, "/api/1/balances/blockchains/<chain>", api_chain_get, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/blockchains/<chain>", api_chain_post, NULL, API_ASYNC},
    {API_GET, "/api/1/balances", api_all_get, NULL, API_ASYNC},
};

/* a logout drops the cached chain balances (the user's, and heap) */
static void session_logging_out(const char *user)
{
    (void)user;
    cache_free(&bs.eth);
    bs.eth_user[0] = 0;
}

static const userhub_session_t session = {NULL, session_logging_out};

int chain_balances_init(const config_t *cfg, loop_t *loop)
{
    memset(&bs, 0, sizeof bs);
    bs.cfg = cfg;
    bs.loop = loop;
    return rpc_init(cfg, loop) || userhub_add_session(&session) || api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void chain_balances_shutdown(void) { cache_free(&bs.eth); }
