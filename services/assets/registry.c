/* registry — see registry.h. The user's part is a plain array in memory, tagged with the user
 * it was read for; it is small (the tokens one user met), so lookups are linear. */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "../chain/erc20meta.h"
#include "../chain/tokens.h"
#include "../prices.h"
#include "builtin.h"
#include "routes.h"

#define LEARNED_PREFIX "pipit_asset:"
#define TOKEN_PREFIX "pipit_token:"

const char *const asset_type_names[] = {
    "fiat", "own chain", "evm token", "omni token", "neo token", "counterparty token", "bitshares token",
    "ardor token", "nxt token", "ubiq token", "nubits token", "burst token", "waves token", "qtum token",
    "stellar token", "tron token", "ontology token", "vechain token", "eos token", "fusion token",
    "luniverse token", "other", "solana token", "custom asset", "hyperliquid token", NULL,
};

/* rotki's ChainID names (lower case) */
static const struct {
    uint64_t id;
    const char *name;
} evm_chains[] = {
    {1, "ethereum"},        {10, "optimism"},      {56, "binance_sc"},     {100, "gnosis"},      {137, "polygon_pos"},
    {250, "fantom"},        {999, "hyperliquid"},  {8453, "base"},         {42161, "arbitrum_one"},
    {43114, "avalanche"},   {42220, "celo"},       {42170, "arbitrum_nova"}, {25, "cronos"},     {288, "boba"},
    {9001, "evmos"},        {1101, "polygon_zkevm"}, {324, "zksync_era"},  {369, "pulsechain"},  {534352, "scroll"},
    {146, "sonic"},         {59144, "linea"},      {143, "monad"},         {57073, "ink"},       {4326, "megaeth"},
    {4663, "robinhood"},
};

const char *asset_evm_chain_name(uint64_t chain_id)
{
    for (size_t i = 0; i < sizeof evm_chains / sizeof evm_chains[0]; i++)
        if (evm_chains[i].id == chain_id) return evm_chains[i].name;
    return NULL;
}

uint64_t asset_evm_chain_id(const char *name)
{
    for (size_t i = 0; i < sizeof evm_chains / sizeof evm_chains[0]; i++)
        if (!strcmp(evm_chains[i].name, name)) return evm_chains[i].id;
    return 0;
}

#define MAX_BUILTIN 160
#define MAX_REFUSED 64

static struct {
    asset_info_t builtin[MAX_BUILTIN];
    size_t nbuiltin;
    asset_info_t *user;
    size_t nuser, cap;
    char user_of[128]; /* whose tokens `user` holds; "" when not read */
    unsigned generation; /* bumped by invalidate: a read started before it is not kept */
    /* contracts the chain said are no ERC-20 during this login, not asked again (a ring) */
    struct {
        uint64_t chain_id;
        uint8_t address[20];
    } refused[MAX_REFUSED];
    size_t nrefused, next_refused;
} reg;

static int was_refused(uint64_t chain_id, const uint8_t address[20])
{
    for (size_t i = 0; i < reg.nrefused; i++)
        if (reg.refused[i].chain_id == chain_id && !memcmp(reg.refused[i].address, address, 20)) return 1;
    return 0;
}

int asset_registry_refused(uint64_t chain_id, const uint8_t address[20]) { return was_refused(chain_id, address); }

static void refuse(uint64_t chain_id, const uint8_t address[20])
{
    reg.refused[reg.next_refused].chain_id = chain_id;
    memcpy(reg.refused[reg.next_refused].address, address, 20);
    reg.next_refused = (reg.next_refused + 1) % MAX_REFUSED;
    if (reg.nrefused < MAX_REFUSED) reg.nrefused++;
}

static void token_info(asset_info_t *a, const chain_token_t *t, int builtin)
{
    memset(a, 0, sizeof *a);
    snprintf(a->identifier, sizeof a->identifier, "%s", t->identifier);
    snprintf(a->name, sizeof a->name, "%s", t->name);
    snprintf(a->symbol, sizeof a->symbol, "%s", t->symbol);
    a->asset_type = "evm token";
    a->chain_id = t->chain_id;
    a->evm_chain = asset_evm_chain_name(t->chain_id);
    snprintf(a->address, sizeof a->address, "%s", t->address);
    a->decimals = t->decimals;
    a->coingecko = prices_coingecko_id(t->identifier);
    a->builtin = builtin;
}

static int build_builtin(void)
{
    const chain_token_t *tokens;
    size_t nt = chain_tokens_builtin(&tokens);
    if (asset_builtins_count + nt > MAX_BUILTIN) return -1;
    reg.nbuiltin = 0;
    int rc = 0;
    for (size_t i = 0; i < asset_builtins_count; i++) {
        const asset_builtin_t *b = &asset_builtins[i];
        asset_info_t *a = &reg.builtin[reg.nbuiltin++];
        snprintf(a->identifier, sizeof a->identifier, "%s", b->identifier);
        snprintf(a->name, sizeof a->name, "%s", b->name);
        snprintf(a->symbol, sizeof a->symbol, "%s", b->symbol);
        a->asset_type = b->asset_type;
        a->chain_id = b->chain_id;
        a->evm_chain = b->chain_id ? asset_evm_chain_name(b->chain_id) : NULL;
        a->decimals = b->decimals;
        a->native = b->native;
        a->builtin = 1;
        if (strcmp(b->asset_type, "fiat") != 0) a->coingecko = prices_coingecko_id(b->identifier);
        if (b->address) {
            chain_token_t t;
            if (chain_token_parse_identifier(b->identifier, &t) != 0 || strcmp(t.identifier, b->identifier) != 0 ||
                strcmp(t.address, b->address) != 0) {
                log_error("assets: the built-in identifier %s is not in its EIP-55 form", b->identifier);
                rc = -1;
            }
            snprintf(a->address, sizeof a->address, "%s", b->address);
        }
    }
    for (size_t i = 0; i < nt; i++) token_info(&reg.builtin[reg.nbuiltin++], &tokens[i], 1);
    return rc;
}

/* rotki's identifiers are COLLATE NOCASE: ASCII case does not matter */
static int same_id(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a, y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

static const asset_info_t *lookup(const char *identifier)
{
    chain_token_t t;
    const char *id = identifier;
    if (!strncmp(identifier, "eip155:", 7) && chain_token_parse_identifier(identifier, &t) == 0) id = t.identifier;
    for (size_t i = 0; i < reg.nbuiltin; i++)
        if (same_id(reg.builtin[i].identifier, id)) return &reg.builtin[i];
    const char *u = auth_user();
    if (!u || strcmp(u, reg.user_of) != 0) return NULL;
    for (size_t i = 0; i < reg.nuser; i++)
        if (same_id(reg.user[i].identifier, id)) return &reg.user[i];
    return NULL;
}

int asset_registry_find(const char *identifier, asset_info_t *out)
{
    const asset_info_t *a = identifier ? lookup(identifier) : NULL;
    if (a && out) *out = *a;
    return a != NULL;
}

static size_t user_count(void)
{
    const char *u = auth_user();
    return u && !strcmp(u, reg.user_of) ? reg.nuser : 0;
}

size_t asset_registry_count(void) { return reg.nbuiltin + user_count(); }

int asset_registry_at(size_t i, asset_info_t *out)
{
    if (i < reg.nbuiltin) *out = reg.builtin[i];
    else if (i - reg.nbuiltin < user_count()) *out = reg.user[i - reg.nbuiltin];
    else return -1;
    return 0;
}

void asset_registry_invalidate(void)
{
    reg.user_of[0] = 0;
    reg.nuser = 0;
    reg.nrefused = 0;
    reg.generation++;
}

static int user_add(const asset_info_t *a)
{
    for (size_t i = 0; i < reg.nuser; i++)
        if (!strcmp(reg.user[i].identifier, a->identifier)) return 0; /* a tracked token wins over a learned one */
    if (reg.nuser == reg.cap) {
        size_t cap = reg.cap ? 2 * reg.cap : 16;
        asset_info_t *n = alloc_get(ALLOC_CORE, cap * sizeof *n);
        if (!n) return -1;
        if (reg.nuser) memcpy(n, reg.user, reg.nuser * sizeof *n);
        alloc_free(reg.user);
        reg.user = n;
        reg.cap = cap;
    }
    reg.user[reg.nuser++] = *a;
    return 0;
}

/* A pipit_asset row: the identifier after the prefix, {"name", "symbol", "decimals"}. */
static int learned_from_row(const char *name, const char *value, asset_info_t *a)
{
    chain_token_t t;
    json_doc_t d;
    char err[8];
    int64_t dec = 0;
    memset(&t, 0, sizeof t);
    if (chain_token_parse_identifier(name + strlen(LEARNED_PREFIX), &t) != 0) return -1;
    if (json_parse(&d, value, strlen(value), 16, err, sizeof err) != JSON_OK) return -1;
    token_info(a, &t, 0);
    int n = json_obj_get(&d, 0, "name"), s = json_obj_get(&d, 0, "symbol"), k = json_obj_get(&d, 0, "decimals");
    int bad = n < 0 || s < 0 || k < 0 || json_get_str(&d, n, a->name, sizeof a->name, NULL) != JSON_OK ||
              json_get_str(&d, s, a->symbol, sizeof a->symbol, NULL) != JSON_OK || json_get_int64(&d, k, &dec) != JSON_OK ||
              dec < 0 || dec > 77;
    json_doc_free(&d);
    a->decimals = (int)dec;
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ resolve */
typedef struct {
    api_req_t *req;
    void (*done)(void *ud, const char *error);
    void *ud;
    const char *const *ids;
    size_t n;
    unsigned generation;
    char user[128];
    db_query_t q;
    db_batch_t batch;
    erc20_meta_t *meta;
    size_t nmeta;
    char *param;
} resolve_t;

static void resolve_end(resolve_t *r, const char *error)
{
    void (*done)(void *, const char *) = r->done;
    void *ud = r->ud;
    db_query_clear(&r->q);
    alloc_free(r->meta);
    alloc_free(r->param);
    alloc_free(r);
    done(ud, error);
}

static int still_current(const resolve_t *r)
{
    const char *u = auth_user();
    return u && !strcmp(u, r->user) && r->generation == reg.generation;
}

static void stored(db_job_t *j)
{
    resolve_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        log_warn("assets: the tokens read on chain could not be stored: %s", j->errmsg);
    } else if (still_current(r) && !strcmp(reg.user_of, r->user)) {
        for (size_t i = 0; i < r->nmeta; i++) {
            const erc20_meta_t *m = &r->meta[i];
            if (!m->ok) continue;
            asset_info_t a;
            chain_token_t t;
            memset(&t, 0, sizeof t);
            t.chain_id = m->chain_id;
            evm_address_checksum(m->address, t.address);
            snprintf(t.identifier, sizeof t.identifier, "eip155:%llu/erc20:%s", (unsigned long long)t.chain_id, t.address);
            token_info(&a, &t, 0);
            snprintf(a.name, sizeof a.name, "%s", m->name);
            snprintf(a.symbol, sizeof a.symbol, "%s", m->symbol);
            a.decimals = m->decimals;
            if (user_add(&a) != 0) log_warn("assets: out of memory for the learned token %s", a.identifier);
        }
    }
    resolve_end(r, NULL);
}

/* [{"id": identifier, "v": the stored value}, ...] of the tokens read */
static char *learned_param(const resolve_t *r)
{
    json_writer_t w, v;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < r->nmeta; i++) {
        const erc20_meta_t *m = &r->meta[i];
        if (!m->ok) continue;
        char addr[43], id[ASSET_ID_MAX];
        evm_address_checksum(m->address, addr);
        snprintf(id, sizeof id, "eip155:%llu/erc20:%s", (unsigned long long)m->chain_id, addr);
        const char *vs;
        size_t vl;
        json_writer_init(&v, 0);
        json_begin_object(&v);
        json_write_key(&v, "name");
        json_write_str(&v, m->name);
        json_write_key(&v, "symbol");
        json_write_str(&v, m->symbol);
        json_write_key(&v, "decimals");
        json_write_int64(&v, m->decimals);
        json_end_object(&v);
        json_begin_object(&w);
        json_write_key(&w, "id");
        json_write_str(&w, id);
        json_write_key(&w, "v");
        if (json_writer_finish(&v, &vs, &vl) == JSON_OK) json_write_strn(&w, vs, vl);
        else json_write_null(&w); /* fails the insert: nothing half stored */
        json_writer_free(&v);
        json_end_object(&w);
    }
    json_end_array(&w);
    size_t len;
    return json_writer_take(&w, &len);
}

static void read_on_chain(void *ud, const char *error)
{
    resolve_t *r = ud;
    size_t ok = 0;
    if (error) log_warn("assets: could not read tokens on chain: %s", error);
    for (size_t i = 0; !error && i < r->nmeta; i++) {
        if (r->meta[i].ok) ok++;
        else {
            if (!r->meta[i].other_chain && still_current(r)) refuse(r->meta[i].chain_id, r->meta[i].address);
            char addr[43];
            evm_address_checksum(r->meta[i].address, addr);
            log_info("assets: token %s of chain %llu not learned: %s", addr, (unsigned long long)r->meta[i].chain_id,
                     r->meta[i].why);
        }
    }
    if (error || !ok || !still_current(r)) {
        resolve_end(r, NULL);
        return;
    }
    r->param = learned_param(r);
    if (!r->param) {
        resolve_end(r, NULL);
        return;
    }
    db_batch_init(&r->batch, stored, r);
    db_stmt_param(db_batch_add(&r->batch, "INSERT OR IGNORE INTO assets(identifier) "
                                          "SELECT json_extract(value, '$.id') FROM json_each(?)"),
                  r->param);
    db_stmt_param(db_batch_add(&r->batch, "INSERT OR REPLACE INTO key_value_cache(name, value) SELECT '" LEARNED_PREFIX
                                          "' || json_extract(value, '$.id'), json_extract(value, '$.v') FROM json_each(?)"),
                  r->param);
    auth_submit(r->req, &r->batch.job);
}

/* The unknown well-formed token identifiers of the request, once each, then on chain. */
static void learn(resolve_t *r)
{
    r->meta = alloc_zget(ALLOC_CLIENT, (r->n ? r->n : 1) * sizeof *r->meta);
    if (!r->meta) {
        resolve_end(r, "out of memory");
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        chain_token_t t;
        uint8_t raw[20];
        if (strncmp(r->ids[i], "eip155:", 7) || chain_token_parse_identifier(r->ids[i], &t) != 0 || lookup(t.identifier) ||
            evm_address_parse(t.address, strlen(t.address), 0, raw) != 0 || was_refused(t.chain_id, raw))
            continue;
        int seen = 0;
        for (size_t k = 0; k < r->nmeta && !seen; k++)
            seen = r->meta[k].chain_id == t.chain_id && !memcmp(r->meta[k].address, raw, 20);
        if (seen) continue;
        r->meta[r->nmeta].chain_id = t.chain_id;
        memcpy(r->meta[r->nmeta].address, raw, 20);
        r->nmeta++;
    }
    if (!r->nmeta) {
        resolve_end(r, NULL);
        return;
    }
    erc20_meta_read(r->req, r->meta, r->nmeta, read_on_chain, r);
}

static void user_read(db_job_t *j);

static void submit_user_read(resolve_t *r)
{
    db_query_clear(&r->q);
    db_query_init(&r->q,
                  "SELECT name, value FROM key_value_cache WHERE (name >= '" LEARNED_PREFIX "' AND name < 'pipit_asset;') "
                  "OR (name >= '" TOKEN_PREFIX "' AND name < 'pipit_token;') ORDER BY name",
                  user_read, r);
    auth_submit(r->req, &r->q.job);
}

static void user_read(db_job_t *j)
{
    resolve_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        resolve_end(r, "Could not read the user's tokens");
        return;
    }
    const char *u = auth_user();
    if (!u || strcmp(u, r->user) != 0) { /* logged out meanwhile: only the built-in assets are known */
        resolve_end(r, NULL);
        return;
    }
    if (r->generation != reg.generation) { /* the tokens changed meanwhile: read them again */
        r->generation = reg.generation;
        submit_user_read(r);
        return;
    }
    reg.nuser = 0;
    int oom = 0;
    for (int pass = 0; pass < 2; pass++) /* the tracked tokens first: they win over a learned copy */
        for (size_t i = 0; i < r->q.nrows; i++) {
            const char *name = db_query_cell(&r->q, i, 0), *value = db_query_cell(&r->q, i, 1);
            asset_info_t a;
            chain_token_t t;
            if (!name || !value) continue;
            if (pass == 0 && !strncmp(name, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) && chain_token_from_row(name, value, &t) == 0)
                token_info(&a, &t, 0);
            else if (pass == 1 && !strncmp(name, LEARNED_PREFIX, strlen(LEARNED_PREFIX)) && learned_from_row(name, value, &a) == 0)
                ;
            else
                continue;
            oom |= user_add(&a) != 0;
        }
    db_query_clear(&r->q);
    if (oom) {
        reg.nuser = 0;
        resolve_end(r, "out of memory");
        return;
    }
    snprintf(reg.user_of, sizeof reg.user_of, "%s", r->user);
    reg.nrefused = 0; /* a new login asks again */
    learn(r);
}

void asset_registry_resolve(api_req_t *req, const char *const *ids, size_t n, void (*done)(void *ud, const char *error),
                            void *ud)
{
    const char *u = auth_user();
    if (!u || !auth_db()) {
        done(ud, NULL);
        return;
    }
    resolve_t *r = alloc_zget(ALLOC_CLIENT, sizeof *r);
    if (!r) {
        done(ud, "out of memory");
        return;
    }
    r->req = req;
    r->done = done;
    r->ud = ud;
    r->ids = ids;
    r->n = n;
    r->generation = reg.generation;
    snprintf(r->user, sizeof r->user, "%s", u);
    if (!strcmp(reg.user_of, u)) {
        learn(r);
        return;
    }
    submit_user_read(r);
}

/* one table for both modules: the router has room for few */
static const api_route_t routes[] = {
    {API_GET, "/api/1/assets/types", api_types, NULL, 0},
    {API_POST, "/api/1/assets/mappings", api_mappings, NULL, 0},
    {API_POST, "/api/1/assets/all", api_all, NULL, 0},
    {API_POST, "/api/1/assets/search", api_search, NULL, 0},
    {API_POST, "/api/1/assets/search/levenshtein", api_levenshtein, NULL, 0},
    {API_GET | API_PUT | API_DELETE, "/api/1/assets/ignored", api_assets_ignored, NULL, 0},
    {API_GET | API_POST | API_DELETE, "/api/1/assets/ignored/whitelist", api_assets_whitelist, NULL, 0},
};

void assets_shutdown(void)
{
    alloc_free(reg.user);
    reg.user = NULL;
    reg.nuser = reg.cap = 0;
    reg.user_of[0] = 0;
}

int assets_init(void)
{
    if (build_builtin() != 0) return -1;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
