/* tokens — see tokens.h. PUT and DELETE read the user's tokens first (409 for one already
 * tracked or unknown, nothing written), write in one transaction, then read them again for
 * the answer, which is always the whole list. */
#include "tokens.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../../db/userdb.h"
#include "../auth.h"
#include "../../core/keccak.h"
#include "../assets/registry.h"
#include "accounts.h"
#include "erc20meta.h"
#include "multicall.h"

#define KEY_PREFIX "pipit_token:"
#define MAX_DECIMALS 77 /* 10^77 still fits a uint256 */

/* Ethereum mainnet (chain id 1): addresses as the token contracts' EIP-55 form (checked at
 * start-up), decimals as the contracts report them. Cross-checked with rotki's
 * rotkehlchen/constants/assets.py where it names them. */
static const struct {
    const char *address, *symbol, *name;
    int decimals;
} builtin_defs[] = {
    {"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "USDC", "USD Coin", 6},
    {"0xdAC17F958D2ee523a2206206994597C13D831ec7", "USDT", "Tether USD", 6},
    {"0x6B175474E89094C44Da98b954EedeAC495271d0F", "DAI", "Dai Stablecoin", 18},
    {"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "WETH", "Wrapped Ether", 18},
    {"0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", "WBTC", "Wrapped BTC", 8},
    {"0x514910771AF9Ca656af840dff83E8264EcF986CA", "LINK", "ChainLink Token", 18},
    {"0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984", "UNI", "Uniswap", 18},
    {"0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9", "AAVE", "Aave Token", 18},
    {"0x9f8F72aA9304c8B593d555F12eF6589cC3A579A2", "MKR", "Maker", 18},
    {"0x5A98FcBEA516Cf06857215779Fd812CA3beF1B32", "LDO", "Lido DAO Token", 18},
    {"0x95aD61b0a150d79219dCF64E1E6Cc01f0B64C4cE", "SHIB", "SHIBA INU", 18},
    {"0x6982508145454Ce325dDbE47a25d4ec3d2311933", "PEPE", "Pepe", 18},
    {"0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84", "stETH", "Liquid staked Ether 2.0", 18},
    {"0xB50721BCf8d664c30412Cfbc6cf7a15145234ad1", "ARB", "Arbitrum", 18}, /* its L1 contract */
    {"0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0", "MATIC", "Matic Token", 18},
    {"0x455e53CBB86018Ac2B8092FdCd39d8444aFFC3F6", "POL", "Polygon Ecosystem Token", 18},
    {"0xD533a949740bb3306d119CC777fa900bA034cd52", "CRV", "Curve DAO Token", 18},
    {"0xc00e94Cb662C3520282E6f5717214004A7f26888", "COMP", "Compound", 18},
    {"0xC011a73ee8576Fb46F5E1c5751cA3B9Fe0af2a6F", "SNX", "Synthetix Network Token", 18},
    {"0xc944E90C64B2c07662A292be6244BDf05Cda44a7", "GRT", "Graph Token", 18},
    {"0xC18360217D8F7Ab5e7c516566761Ea12Ce7F9D72", "ENS", "Ethereum Name Service", 18},
};
#define N_BUILTIN (sizeof builtin_defs / sizeof builtin_defs[0])

static chain_token_t builtin[N_BUILTIN];
static int builtin_state; /* 0 not built, 1 built, -1 built but a listed address failed its check */

static void make_identifier(chain_token_t *t)
{
    snprintf(t->identifier, sizeof t->identifier, "eip155:%llu/erc20:%s", (unsigned long long)t->chain_id, t->address);
}

/* The entries carry the checksummed form computed here; a listed one that differs is a typo. */
static int build_builtin(void)
{
    if (builtin_state) return builtin_state;
    builtin_state = 1;
    for (size_t i = 0; i < N_BUILTIN; i++) {
        chain_token_t *t = &builtin[i];
        const char *a = builtin_defs[i].address;
        if (chain_address_checksummed(a, strlen(a), t->address) != 0 || strcmp(t->address, a) != 0) {
            log_error("tokens: the built-in address of %s, %s, is not in its EIP-55 form", builtin_defs[i].symbol, a);
            builtin_state = -1;
        }
        t->chain_id = 1;
        snprintf(t->symbol, sizeof t->symbol, "%s", builtin_defs[i].symbol);
        snprintf(t->name, sizeof t->name, "%s", builtin_defs[i].name);
        t->decimals = builtin_defs[i].decimals;
        t->builtin = 1;
        make_identifier(t);
    }
    return builtin_state;
}

size_t chain_tokens_builtin(const chain_token_t **out)
{
    build_builtin();
    *out = builtin;
    return N_BUILTIN;
}

static const chain_token_t *builtin_find(const char *identifier)
{
    build_builtin();
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin[i].identifier, identifier) == 0) return &builtin[i];
    return NULL;
}

void chain_user_tokens_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud)
{
    /* the prefix as a key range (';' follows ':'), so the primary key's index serves it */
    db_query_init(q, "SELECT name, value FROM key_value_cache WHERE name >= '" KEY_PREFIX "' AND name < 'pipit_token;' "
                     "ORDER BY name", done, ud);
}

int chain_token_parse_identifier(const char *id, chain_token_t *t)
{
    const char *p = id + 7;
    uint64_t chain = 0;
    if (strncmp(id, "eip155:", 7) != 0 || *p < '1' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (chain > (UINT64_MAX - 9) / 10) return -1;
        chain = chain * 10 + (uint64_t)(*p - '0');
    }
    if (strncmp(p, "/erc20:", 7) != 0 || chain_address_checksummed(p + 7, strlen(p + 7), t->address) != 0) return -1;
    t->chain_id = chain;
    make_identifier(t);
    return 0;
}

/* The token fields of a JSON object (a stored value or a PUT entry): a message for the first
 * bad one, NULL when they are fine. With `missing` (a PUT entry), an absent symbol, name or
 * decimals is left for the chain to tell: its NEED_* bit is set in *missing. */
enum { NEED_SYMBOL = 1, NEED_NAME = 2, NEED_DECIMALS = 4 };
static const char *token_fields(const json_doc_t *d, int obj, chain_token_t *t, const char **field, int *missing)
{
    int s = json_obj_get(d, obj, "symbol"), n = json_obj_get(d, obj, "name"), dec = json_obj_get(d, obj, "decimals");
    int64_t v;
    size_t len;
    if (missing) {
        *missing = (s < 0 ? NEED_SYMBOL : 0) | (s < 0 && (n < 0 || json_is_null(d, n)) ? NEED_NAME : 0) |
                   (dec < 0 ? NEED_DECIMALS : 0);
        if (s < 0) s = -2;
        if (dec < 0) dec = -2;
    }
    *field = "symbol";
    if (s == -1) return "Missing data for required field.";
    if (s == -2) goto name;
    if (json_type(d, s) != JSON_STRING || json_get_str(d, s, t->symbol, sizeof t->symbol, &len) != JSON_OK ||
        memchr(t->symbol, 0, len))
        return "Not a valid string of at most 31 bytes.";
    if (!len) return "Field cannot be an empty string";
name:
    *field = "name";
    if (n >= 0 && !json_is_null(d, n)) {
        if (json_type(d, n) != JSON_STRING || json_get_str(d, n, t->name, sizeof t->name, &len) != JSON_OK ||
            memchr(t->name, 0, len))
            return "Not a valid string of at most 63 bytes.";
    }
    if (!t->name[0] && t->symbol[0]) snprintf(t->name, sizeof t->name, "%s", t->symbol); /* rotki's default */
    *field = "decimals";
    if (dec == -2) return NULL;
    if (dec < 0) return "Missing data for required field.";
    if (json_get_int64(d, dec, &v) != JSON_OK || v < 0 || v > MAX_DECIMALS) return "Must be an integer from 0 to 77.";
    t->decimals = (int)v;
    return NULL;
}

int chain_token_from_row(const char *name, const char *value, chain_token_t *out)
{
    json_doc_t d;
    char err[8];
    const char *field;
    memset(out, 0, sizeof *out);
    if (!name || !value || strncmp(name, KEY_PREFIX, strlen(KEY_PREFIX)) != 0) return -1;
    const char *id = name + strlen(KEY_PREFIX);
    if (chain_token_parse_identifier(id, out) != 0 || strcmp(out->identifier, id) != 0) return -1;
    if (json_parse(&d, value, strlen(value), 16, err, sizeof err) != JSON_OK) return -1;
    int bad = json_type(&d, 0) != JSON_OBJECT || token_fields(&d, 0, out, &field, NULL) != NULL;
    json_doc_free(&d);
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ requests */
enum { STAGE_CHECK, STAGE_LIST };

typedef struct {
    api_req_t *req;
    unsigned method;
    int stage;
    int has_filter;
    uint64_t filter; /* GET's chain_id */
    chain_token_t *items;
    int *missing; /* PUT: per item, the NEED_* fields to read on chain */
    erc20_meta_t *meta;
    size_t n;
    char *param;
    db_query_t query;
    db_batch_t batch;
} token_op_t;

static void op_free(token_op_t *op)
{
    db_query_clear(&op->query);
    alloc_free(op->items);
    alloc_free(op->missing);
    alloc_free(op->meta);
    alloc_free(op->param);
    alloc_free(op);
}

static void fail(token_op_t *op, int status, const char *fmt, const char *arg)
{
    api_reply_error(op->req, status, fmt, arg);
    op_free(op);
}

static void write_token(json_writer_t *w, const chain_token_t *t)
{
    json_begin_object(w);
    json_write_key(w, "identifier");
    json_write_str(w, t->identifier);
    json_write_key(w, "address");
    json_write_str(w, t->address);
    json_write_key(w, "chain_id");
    json_write_uint64(w, t->chain_id);
    json_write_key(w, "symbol");
    json_write_str(w, t->symbol);
    json_write_key(w, "name");
    json_write_str(w, t->name);
    json_write_key(w, "decimals");
    json_write_int64(w, t->decimals);
    json_write_key(w, "builtin");
    json_write_bool(w, t->builtin);
    json_end_object(w);
}

static void reply_list(token_op_t *op)
{
    const chain_token_t *b;
    size_t nb = chain_tokens_builtin(&b);
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_array(w);
    for (size_t i = 0; i < nb; i++)
        if (!op->has_filter || b[i].chain_id == op->filter) write_token(w, &b[i]);
    for (size_t r = 0; r < op->query.nrows; r++) {
        chain_token_t t;
        if (chain_token_from_row(db_query_cell(&op->query, r, 0), db_query_cell(&op->query, r, 1), &t) == 0 &&
            (!op->has_filter || t.chain_id == op->filter))
            write_token(w, &t);
    }
    json_end_array(w);
    api_reply_end(op->req, 200, "");
    op_free(op);
}

static void read_done(db_job_t *j);

static void read_tokens(token_op_t *op, int stage)
{
    if (!auth_db()) {
        fail(op, 409, "%s", "The user logged out");
        return;
    }
    op->stage = stage;
    db_query_clear(&op->query);
    chain_user_tokens_query_init(&op->query, read_done, op);
    auth_submit(op->req, &op->query.job);
}

static void write_done(db_job_t *j)
{
    token_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail(op, 409, op->batch.constraint ? "The tokens changed meanwhile; nothing was written: %s"
                                           : "Could not change the tokens: %s", j->errmsg);
        return;
    }
    asset_registry_invalidate();
    read_tokens(op, STAGE_LIST);
}

static int is_stored(const token_op_t *op, const char *identifier)
{
    for (size_t r = 0; r < op->query.nrows; r++)
        if (strcmp(db_query_cell(&op->query, r, 0) + strlen(KEY_PREFIX), identifier) == 0) return 1;
    return 0;
}

/* The items as the JSON json_each reads: [{"id": identifier, "v": the stored value}, ...]. */
static int build_param(token_op_t *op)
{
    json_writer_t w, v;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < op->n; i++) {
        const chain_token_t *t = &op->items[i];
        const char *vs;
        size_t vl;
        json_begin_object(&w);
        json_write_key(&w, "id");
        json_write_str(&w, t->identifier);
        json_writer_init(&v, 0);
        json_begin_object(&v);
        json_write_key(&v, "symbol");
        json_write_str(&v, t->symbol);
        json_write_key(&v, "name");
        json_write_str(&v, t->name);
        json_write_key(&v, "decimals");
        json_write_int64(&v, t->decimals);
        json_end_object(&v);
        json_write_key(&w, "v");
        if (json_writer_finish(&v, &vs, &vl) == JSON_OK) json_write_strn(&w, vs, vl);
        else json_write_null(&w); /* an error: the NULL value fails the insert below */
        json_writer_free(&v);
        json_end_object(&w);
    }
    json_end_array(&w);
    size_t len;
    op->param = json_writer_take(&w, &len);
    return op->param ? 0 : -1;
}

static void check_done(token_op_t *op)
{
    for (size_t i = 0; i < op->n; i++) {
        int stored = is_stored(op, op->items[i].identifier);
        if (op->method == API_PUT && stored)
            fail(op, 409, "Token %s is already tracked; delete it first to change it", op->items[i].identifier);
        else if (op->method == API_DELETE && !stored)
            fail(op, 409, "Token %s is not one of the user's tokens", op->items[i].identifier);
        else
            continue;
        return;
    }
    if (build_param(op) != 0) {
        chain_reply_oom(op->req);
        op_free(op);
        return;
    }
    db_batch_init(&op->batch, write_done, op);
    if (op->method == API_PUT) {
        db_stmt_param(db_batch_add(&op->batch, "INSERT OR IGNORE INTO assets(identifier) "
                                               "SELECT json_extract(value, '$.id') FROM json_each(?)"),
                      op->param);
        db_stmt_param(db_batch_add(&op->batch, "INSERT INTO key_value_cache(name, value) SELECT '" KEY_PREFIX
                                               "' || json_extract(value, '$.id'), json_extract(value, '$.v') "
                                               "FROM json_each(?)"),
                      op->param);
    } else { /* the assets row stays: other tables may refer to it, as rotki keeps every known asset there */
        db_stmt_param(db_batch_add(&op->batch, "DELETE FROM key_value_cache WHERE name IN (SELECT '" KEY_PREFIX
                                               "' || json_extract(value, '$.id') FROM json_each(?))"),
                      op->param);
    }
    db_batch_add(&op->batch, userdb_sql_touch);
    if (!auth_db()) {
        fail(op, 409, "%s", "The user logged out");
        return;
    }
    auth_submit(op->req, &op->batch.job);
}

static void read_done(db_job_t *j)
{
    token_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) fail(op, db_job_status(j), "Could not read the tokens: %s", j->errmsg);
    else if (op->stage == STAGE_LIST) reply_list(op);
    else check_done(op);
}

/* ------------------------------------------------------------------ body */
static int entry_error(api_req_t *req, size_t i, const char *field, const char *text)
{
    api_reply_error(req, 400, "{\"tokens\": {\"%zu\": {\"%s\": [\"%s\"]}}}", i, field, text);
    return -1;
}

/* One PUT entry: {"address", "chain_id" (default 1), "symbol", "name", "decimals"}. */
static int parse_new(api_req_t *req, size_t i, int obj, chain_token_t *t, int *missing)
{
    static const char *const keys[] = {"address", "chain_id", "symbol", "name", "decimals", NULL};
    const json_doc_t *d = &req->doc;
    const char *field, *err;
    char addr[64], esc[160];
    if (json_type(d, obj) != JSON_OBJECT) return entry_error(req, i, "_schema", "Invalid input type.");
    for (int k = json_first(d, obj); k >= 0; k = json_sibling(d, k)) {
        int known = 0;
        for (const char *const *key = keys; *key; key++) known |= json_str_eq(d, k, *key);
        if (!known) {
            char name[64];
            if (json_get_str(d, k, name, sizeof name, NULL) != JSON_OK) snprintf(name, sizeof name, "?");
            return entry_error(req, i, chain_json_escape(name, esc, sizeof esc), "Unknown field.");
        }
    }
    int a = json_obj_get(d, obj, "address"), c = json_obj_get(d, obj, "chain_id");
    size_t len = 0;
    if (a < 0) return entry_error(req, i, "address", "Missing data for required field.");
    int rc = json_type(d, a) == JSON_STRING ? json_get_str(d, a, addr, sizeof addr, &len) : JSON_ETYPE;
    rc = rc == JSON_OK ? chain_address_checksummed(addr, len, t->address) : -1;
    if (rc != 0)
        return entry_error(req, i, "address",
                           rc == -2 ? "Wrong EIP-55 checksum (use the checksummed form or all lower case)."
                                    : "Not an EVM address (0x and 40 hexadecimal digits).");
    int64_t chain = 1;
    if (c >= 0 && (json_get_int64(d, c, &chain) != JSON_OK || chain < 1))
        return entry_error(req, i, "chain_id", "Must be a positive integer.");
    t->chain_id = (uint64_t)chain;
    make_identifier(t);
    if ((err = token_fields(d, obj, t, &field, missing)) != NULL) return entry_error(req, i, field, err);
    return 0;
}

/* GET's optional chain_id, from the body or the query string: 0, or -1 with a 400 sent. */
static int chain_id_filter(api_req_t *req, int obj, token_op_t *op)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, "chain_id") : -1;
    char q[32] = "";
    for (const char *p = req->query; t < 0 && p && *p; p += strcspn(p, "&"), p += *p == '&') {
        if (strncmp(p, "chain_id=", 9) == 0) snprintf(q, sizeof q, "%.*s", (int)strcspn(p + 9, "&"), p + 9);
    }
    if (t < 0 && !q[0]) return 0;
    json_doc_t d;
    char err[8];
    int64_t v = 0;
    int ok = t >= 0 ? json_get_int64(&req->doc, t, &v) == JSON_OK
                    : json_parse(&d, q, strlen(q), 1, err, sizeof err) == JSON_OK && json_get_int64(&d, 0, &v) == JSON_OK;
    if (t < 0) json_doc_free(&d);
    if (!ok || v < 1) {
        api_reply_error(req, 400, "{\"chain_id\": [\"Must be a positive integer.\"]}");
        return -1;
    }
    op->has_filter = 1;
    op->filter = (uint64_t)v;
    return 0;
}

static token_op_t *parse(api_req_t *req, unsigned method)
{
    static const char *const get_keys[] = {"chain_id", NULL};
    static const char *const change_keys[] = {"tokens", NULL};
    if (auth_require_user(req) != 0 || !chain_path_db_name(req)) return NULL;
    token_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return NULL;
    op->req = req;
    op->method = method;
    int obj, list;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, method == API_GET ? get_keys : change_keys) != 0) goto bad;
    if (method == API_GET && chain_id_filter(req, obj, op) != 0) goto bad;
    if (method == API_GET) return op;
    list = obj >= 0 ? json_obj_get(&req->doc, obj, "tokens") : -1;
    if (list < 0 || json_type(&req->doc, list) != JSON_ARRAY || json_child_count(&req->doc, list) == 0) {
        api_reply_error(req, 400, "{\"tokens\": [\"%s\"]}",
                        list < 0 ? "Missing data for required field." : "Must be a non-empty list.");
        goto bad;
    }
    op->n = (size_t)json_child_count(&req->doc, list);
    op->items = alloc_zget(ALLOC_HTTP, op->n * sizeof *op->items);
    op->missing = alloc_zget(ALLOC_HTTP, op->n * sizeof *op->missing);
    if (!op->items || !op->missing) {
        chain_reply_oom(req);
        goto bad;
    }
    size_t i = 0;
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), i++) {
        chain_token_t *t = &op->items[i];
        if (method == API_PUT && parse_new(req, i, e, t, &op->missing[i]) != 0) goto bad;
        if (method == API_DELETE) {
            char id[96], esc[200];
            int rc = json_type(&req->doc, e) == JSON_STRING ? json_get_str(&req->doc, e, id, sizeof id, NULL) : JSON_ETYPE;
            if (rc != JSON_OK || chain_token_parse_identifier(id, t) != 0) {
                api_reply_error(req, 400, "{\"tokens\": {\"%zu\": [\"%s is not a token identifier "
                                          "(eip155:<chain id>/erc20:<address>)\"]}}",
                                i, rc == JSON_OK ? chain_json_escape(id, esc, sizeof esc) : "This");
                goto bad;
            }
        }
        const chain_token_t *b = builtin_find(t->identifier);
        if (b && method == API_PUT) {
            api_reply_error(req, 409, "Token %s is built in", t->identifier);
            goto bad;
        }
        if (b) {
            api_reply_error(req, 409, "The built-in token cannot be removed: %s (%s)", t->identifier, b->symbol);
            goto bad;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(op->items[k].identifier, t->identifier) == 0) {
                api_reply_error(req, 400, "{\"tokens\": [\"Token %s appears multiple times in the request data\"]}",
                                t->identifier);
                goto bad;
            }
    }
    return op;
bad:
    op_free(op);
    return NULL;
}

/* ------------------------------------------------------------------ endpoints */
/* The fields a PUT left out, as the contracts tell them (erc20meta.h); then the usual check. */
static void chain_read(void *ud, const char *error)
{
    token_op_t *op = ud;
    size_t k = 0;
    for (size_t i = 0; i < op->n; i++) {
        if (!op->missing[i]) continue;
        chain_token_t *t = &op->items[i];
        const erc20_meta_t *m = &op->meta[k++];
        if (error || !m->ok) {
            char why[400];
            snprintf(why, sizeof why, "%s", error ? error : m->why);
            api_reply_error(op->req, 409, "Could not read token %s on chain: %s", t->identifier, why);
            op_free(op);
            return;
        }
        if (op->missing[i] & NEED_SYMBOL) {
            utf8_copy(t->symbol, sizeof t->symbol, m->symbol, strlen(m->symbol));
        }
        if (op->missing[i] & NEED_NAME) {
            utf8_copy(t->name, sizeof t->name, m->name, strlen(m->name));
        }
        if (op->missing[i] & NEED_DECIMALS) t->decimals = m->decimals;
    }
    read_tokens(op, STAGE_CHECK);
}

static int api_tokens(api_req_t *req)
{
    token_op_t *op = parse(req, req->method);
    if (!op) return API_DONE;
    size_t need = 0;
    for (size_t i = 0; op->method == API_PUT && i < op->n; i++) need += op->missing[i] != 0;
    if (!need) {
        read_tokens(op, op->method == API_GET ? STAGE_LIST : STAGE_CHECK);
        return API_PENDING;
    }
    op->meta = alloc_zget(ALLOC_HTTP, need * sizeof *op->meta);
    if (!op->meta) {
        chain_reply_oom(req);
        op_free(op);
        return API_DONE;
    }
    for (size_t i = 0, k = 0; i < op->n; i++) {
        if (!op->missing[i]) continue;
        op->meta[k].chain_id = op->items[i].chain_id;
        evm_address_parse(op->items[i].address, strlen(op->items[i].address), 0, op->meta[k].address);
        k++;
    }
    erc20_meta_read(req, op->meta, need, chain_read, op);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET | API_PUT | API_DELETE, "/api/1/blockchains/<chain>/tokens", api_tokens, NULL, 0},
};

int chain_tokens_init(void)
{
    if (build_builtin() != 1) return -1;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
