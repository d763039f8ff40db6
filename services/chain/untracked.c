/* untracked — see untracked.h. */
#include "untracked.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/query.h"
#include "../auth.h"
#include "../read_reply.h"
#include "accounts.h"
#include "balances.h"
#include "supported.h"

static void reply_not_tracked(api_req_t *req, const chain_supported_t *c, const char *what)
{
    api_reply_error(req, 400, "{\"blockchain\": [\"pipit does not track %s (%s) %s: it tracks eth only\"]}", c->name, c->id, what);
}

static void write_empty_balances(json_writer_t *w)
{
    json_begin_object(w);
    json_write_key(w, "per_account");
    json_begin_object(w);
    json_end_object(w);
    json_write_key(w, "totals");
    json_begin_object(w);
    json_write_key(w, "assets");
    json_begin_object(w);
    json_end_object(w);
    json_write_key(w, "liabilities");
    json_begin_object(w);
    json_end_object(w);
    json_end_object(w);
    json_end_object(w);
}

int chain_untracked_answer(api_req_t *req, const char *what)
{
    const char *p = api_path_param(req, "chain");
    const chain_supported_t *c = chain_supported_find(p);
    if (!c || chain_db_name(p)) return 0;
    if (auth_require_user(req) != 0) return 1;
    if (req->method != API_GET) {
        reply_not_tracked(req, c, what);
        return 1;
    }
    json_writer_t *w = api_reply_begin(req);
    if (!strcmp(c->type, "bitcoin") && what[0] == 'a') {
        json_begin_object(w);
        json_write_key(w, "standalone");
        json_begin_array(w);
        json_end_array(w);
        json_write_key(w, "xpubs");
        json_begin_array(w);
        json_end_array(w);
        json_end_object(w);
    } else {
        json_begin_array(w);
        json_end_array(w);
    }
    api_reply_end(req, 200, "");
    return 1;
}

/* ------------------------------------------------------------------ eth2 and xpubs */
static int api_validators(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    if (req->method != API_GET) {
        reply_not_tracked(req, chain_supported_find("eth2"), "validators");
        return API_DONE;
    }
    read_reply_empty_collection(api_reply_begin(req), READ_REPLY_LIMIT);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int api_xpub(api_req_t *req)
{
    const chain_supported_t *c = chain_supported_find(api_path_param(req, "chain"));
    if (auth_require_user(req) != 0) return API_DONE;
    if (!c || strcmp(c->type, "bitcoin") != 0) {
        api_reply_error(req, 400, "{\"blockchain\": [\"xpubs are for btc and bch only\"]}");
        return API_DONE;
    }
    int obj, has = 0;
    char x[8];
    if (api_body_object(req, &obj) != 0) return API_DONE;
    has = (obj >= 0 && json_obj_get(&req->doc, obj, "xpub") >= 0) || api_query_arg(req, "xpub", x, sizeof x);
    if (!has) {
        api_reply_error(req, 400, "{\"xpub\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    if (req->method != API_GET) {
        reply_not_tracked(req, c, "xpubs");
        return API_DONE;
    }
    /* rotki: the balances of the xpub's derived addresses, of which pipit tracks none */
    write_empty_balances(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* ------------------------------------------------------------------ token detection */
typedef struct {
    api_req_t *req;
    db_query_t q;
} detect_op_t;

static void write_token(const char *id, void *ud)
{
    if (ud) json_write_str(ud, id);
}

/* tokens and last_update_timestamp are null until a balance query saw the account */
static void write_account(json_writer_t *w, const char *addr)
{
    int64_t ts = chain_balances_account_tokens("eth", addr, write_token, NULL);
    json_write_key(w, addr);
    json_begin_object(w);
    json_write_key(w, "tokens");
    if (ts < 0) {
        json_write_null(w);
    } else {
        json_begin_array(w);
        chain_balances_account_tokens("eth", addr, write_token, w);
        json_end_array(w);
    }
    json_write_key(w, "last_update_timestamp");
    if (ts < 0) json_write_null(w);
    else json_write_int64(w, ts);
    json_end_object(w);
}

static void accounts_done(db_job_t *j)
{
    detect_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, 409, "Could not read the accounts: %s", j->errmsg);
    } else {
        json_writer_t *w = api_reply_begin(op->req);
        json_begin_object(w);
        for (size_t r = 0; r < op->q.nrows; r++) write_account(w, db_query_cell(&op->q, r, 0));
        json_end_object(w);
        api_reply_end(op->req, 200, "");
    }
    db_query_clear(&op->q);
    alloc_free(op);
}

static int api_detect(api_req_t *req)
{
    static const char *const allowed[] = {"addresses", "only_cache", "async_query", NULL};
    const char *p = api_path_param(req, "chain");
    const chain_supported_t *c = chain_supported_find(p);
    int obj, only_cache;
    if (auth_require_user(req) != 0 || api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0 ||
        api_arg_bool(req, "only_cache", 0, &only_cache) != 0)
        return API_DONE;
    if (!c || strcmp(c->type, "evm") != 0) {
        char esc[160];
        api_reply_error(req, 400, "{\"blockchain\": [\"Failed to deserialize SupportedBlockchain value %s: token detection is for EVM chains\"]}",
                        chain_json_escape(p ? p : "", esc, sizeof esc));
        return API_DONE;
    }
    int list = obj >= 0 ? json_obj_get(&req->doc, obj, "addresses") : -1;
    if (list >= 0 && !json_is_null(&req->doc, list) && json_type(&req->doc, list) != JSON_ARRAY) {
        api_reply_error(req, 400, "{\"addresses\": [\"Not a valid list.\"]}");
        return API_DONE;
    }
    if (!chain_db_name(p)) { /* a chain pipit tracks no accounts of */
        json_writer_t *w = api_reply_begin(req);
        json_begin_object(w);
        json_end_object(w);
        api_reply_end(req, 200, "");
        return API_DONE;
    }
    if (list >= 0 && !json_is_null(&req->doc, list)) {
        char addrs[64][43];
        int n = 0;
        for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), n++) {
            char s[64];
            size_t len = 0;
            if (n == 64) {
                api_reply_error(req, 400, "{\"addresses\": [\"At most 64 addresses at once\"]}");
                return API_DONE;
            }
            if (json_get_str(&req->doc, e, s, sizeof s, &len) != JSON_OK || chain_address_checksummed(s, len, addrs[n]) != 0) {
                char esc[160];
                api_reply_error(req, 400, "{\"addresses\": {\"%d\": [\"Given value %s is not an ethereum address\"]}}", n,
                                chain_json_escape(s, esc, sizeof esc));
                return API_DONE;
            }
        }
        json_writer_t *w = api_reply_begin(req);
        json_begin_object(w);
        for (int i = 0; i < n; i++) write_account(w, addrs[i]);
        json_end_object(w);
        api_reply_end(req, 200, "");
        return API_DONE;
    }
    detect_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    chain_accounts_query_init(&op->q, p, accounts_done, op);
    auth_submit(req, &op->q.job);
    return API_PENDING;
}

/* POST /blockchains/evm/accounts: rotki looks for the tracked addresses' activity on the other
 * EVM chains and adds them there; pipit tracks eth only, so there is nothing to add: true */
static int api_detect_evm_accounts(api_req_t *req)
{
    static const char *const allowed[] = {"async_query", NULL};
    int obj;
    if (auth_require_user(req) != 0 || api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    api_reply_true(req);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/blockchains/evm/accounts", api_detect_evm_accounts, NULL, API_ASYNC},
    {API_GET | API_PUT | API_PATCH | API_DELETE, "/api/1/blockchains/eth2/validators", api_validators, NULL, API_ASYNC},
    {API_GET | API_PUT | API_PATCH | API_DELETE, "/api/1/blockchains/<chain>/xpub", api_xpub, NULL, API_ASYNC},
    {API_POST, "/api/1/blockchains/<chain>/tokens/detect", api_detect, NULL, API_ASYNC},
};

int chain_untracked_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
