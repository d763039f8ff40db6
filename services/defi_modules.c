/* defi_modules — see defi_modules.h. */
#include "defi_modules.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/query.h"
#include "api.h"
#include "auth.h"
#include "chain/accounts.h"
#include "read_reply.h"

/* rotki's ModuleName, then the ones that can only be purged */
static const char *const modules[] = {"makerdao_dsr", "makerdao_vaults", "uniswap", "eth2", "sushiswap", "liquity",
                                      "pickle_finance", "nfts", "gnosis_pay", "cowswap", "loopring"};
#define QUERYABLE_MODULES 8

static int module_index(const char *s, int n)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(modules[i], s)) return i;
    return -1;
}

static int api_module_balances(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    const char *p = req->path + strlen("/api/1/blockchains/eth/modules/");
    api_reply_error(req, 409, "%.*s module is not activated", (int)strcspn(p, "/"), p);
    return API_DONE;
}

/* rotki's NFT balances and list come from its nfts module */
static int api_nfts(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    api_reply_error(req, 409, "nfts module is not activated");
    return API_DONE;
}

static int api_module_purge(api_req_t *req)
{
    const char *m = api_path_param(req, "module");
    if (auth_require_user(req) != 0) return API_DONE;
    if (m && module_index(m, (int)(sizeof modules / sizeof modules[0])) < 0) {
        api_reply_error(req, 400, "{\"module_name\": [\"Must be one of: makerdao_dsr, makerdao_vaults, uniswap, eth2, sushiswap, "
                                  "liquity, pickle_finance, nfts, gnosis_pay, cowswap, loopring.\"]}");
        return API_DONE;
    }
    api_reply_true(req);
    return API_DONE;
}

/* ------------------------------------------------------------------ queried addresses */
static void write_map(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    const char *open = NULL;
    json_begin_object(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *m = db_query_cell(q, r, 0);
        if (!open || strcmp(open, m)) {
            if (open) json_end_array(w);
            json_write_key(w, m);
            json_begin_array(w);
            open = m;
        }
        json_write_str(w, db_query_cell(q, r, 1));
    }
    if (open) json_end_array(w);
    json_end_object(w);
}

static const read_reply_t map = {
    .sql = "SELECT substr(name, 17), value FROM multisettings WHERE name IN ('queried_address_makerdao_dsr', "
           "'queried_address_makerdao_vaults', 'queried_address_uniswap', 'queried_address_eth2', 'queried_address_sushiswap', "
           "'queried_address_liquity', 'queried_address_pickle_finance', 'queried_address_nfts') ORDER BY name, rowid",
    .write = write_map,
};

typedef struct {
    api_req_t *req;
    db_batch_t batch;
    char name[48], address[43];
    int put;
} change_t;

static void change_done(db_job_t *j)
{
    change_t *c = j->ud;
    const char *module = c->name + 16;
    if (j->rc != DB_JOB_DONE && c->batch.constraint)
        api_reply_error(c->req, 409, "Address %s is already in the queried addresses for %s", c->address, module);
    else if (j->rc != DB_JOB_DONE)
        api_reply_error(c->req, 409, "Could not change the queried addresses: %s", j->errmsg);
    else if (!c->put && c->batch.stmts[0].changes != 1)
        api_reply_error(c->req, 409, "Address %s is not in the queried addresses for %s", c->address, module);
    else
        read_reply_start(c->req, &map);
    alloc_free(c);
}

static int api_queried(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    if (req->method == API_GET) return read_reply_start(req, &map);
    static const char *const allowed[] = {"module", "address", NULL};
    int obj;
    char module[32] = "", address[64] = "", sum[43];
    size_t alen = 0;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    int mt = obj >= 0 ? json_obj_get(&req->doc, obj, "module") : -1, at = obj >= 0 ? json_obj_get(&req->doc, obj, "address") : -1;
    if (mt < 0 || json_get_str(&req->doc, mt, module, sizeof module, NULL) != JSON_OK || module_index(module, QUERYABLE_MODULES) < 0) {
        api_reply_error(req, 400, "{\"module\": [\"Must be one of: makerdao_dsr, makerdao_vaults, uniswap, eth2, sushiswap, liquity, "
                                  "pickle_finance, nfts.\"]}");
        return API_DONE;
    }
    if (at < 0 || json_get_str(&req->doc, at, address, sizeof address, &alen) != JSON_OK ||
        chain_address_checksummed(address, alen, sum) != 0) {
        api_reply_error(req, 400, "{\"address\": [\"Given value %s is not an ethereum address\"]}", at < 0 ? "null" : "given");
        return API_DONE;
    }
    change_t *c = read_reply_state_new(req, sizeof *c);
    if (!c) return API_DONE;
    c->req = req;
    c->put = req->method == API_PUT;
    snprintf(c->name, sizeof c->name, "queried_address_%s", module);
    memcpy(c->address, sum, sizeof c->address);
    db_batch_init(&c->batch, change_done, c);
    db_stmt_t *s = db_batch_add(&c->batch, c->put ? "INSERT INTO multisettings(name, value) VALUES(?, ?)"
                                                  : "DELETE FROM multisettings WHERE name = ? AND value = ?");
    db_stmt_param(s, c->name);
    db_stmt_param(s, c->address);
    auth_submit(req, &c->batch.job);
    return API_PENDING;
}

/* rotki refreshes its protocols' cached data (curve pools, yearn vaults, …) here; pipit keeps none */
static int api_protocols(api_req_t *req)
{
    if (req->method == API_GET) {
        read_reply_empty_list(req);
    } else {
        api_reply_error(req, 400, "{\"cache_protocol\": [\"pipit keeps no protocol data to refresh\"]}");
    }
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET | API_POST, "/api/1/protocols/data/refresh", api_protocols, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/uniswap/v2/balances", api_module_balances, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/sushiswap/balances", api_module_balances, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/liquity/balances", api_module_balances, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/liquity/stats", api_module_balances, NULL, API_ASYNC},
    {API_GET, "/api/1/nfts", api_nfts, NULL, API_ASYNC},
    {API_GET, "/api/1/nfts/balances", api_nfts, NULL, API_ASYNC},
    {API_DELETE, "/api/1/blockchains/eth/modules/data", api_module_purge, NULL, 0},
    {API_DELETE, "/api/1/blockchains/eth/modules/<module>/data", api_module_purge, NULL, 0},
    {API_GET | API_PUT | API_DELETE, "/api/1/queried_addresses", api_queried, NULL, 0},
};

int defi_modules_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
