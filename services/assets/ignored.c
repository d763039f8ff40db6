/* ignored — rotki's ignored assets (/assets/ignored: GET, PUT, DELETE; multisettings rows
 * 'ignored_asset') and its spam whitelist (/assets/ignored/whitelist: GET, POST, DELETE).
 * Every asset named must be known to the registry (token identifiers are learned on chain
 * first); one unknown is rotki's 400 and nothing is written. PUT and DELETE answer rotki's
 * {"successful": [...], "no_action": [...]}. */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../auth.h"
#include "../../db/userdb.h"
#include "../chain/accounts.h"
#include "args.h"
#include "registry.h"
#include "routes.h"
#include "sets.h"

typedef struct {
    api_req_t *req;
    unsigned method;
    int whitelist;
    char **ids;   /* as given; then the registry's identifiers */
    size_t n;
    int *act;     /* per id: 1 successful, 0 no action */
    char *param;
    db_query_t q;
    db_batch_t batch;
} ig_t;

static void ig_free(ig_t *op)
{
    asset_args_free_list(op->ids, op->n);
    alloc_free(op->act);
    alloc_free(op->param);
    db_query_clear(&op->q);
    alloc_free(op);
}

static void fail(ig_t *op, int status, const char *fmt, const char *arg)
{
    api_reply_error(op->req, status, fmt, arg);
    ig_free(op);
}

/* GET: the list (ignored assets, or the whitelist) from the sets read */
static void list_done(db_job_t *j)
{
    ig_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail(op, db_job_status(j), "Could not read the ignored assets: %s", j->errmsg);
        return;
    }
    int kind = op->whitelist ? SET_WHITELISTED : SET_IGNORED;
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_array(w);
    for (size_t r = 0; r < op->q.nrows; r++) {
        const char *k = db_query_cell(&op->q, r, 0);
        if (k && k[0] == kind) json_write_str(w, db_query_cell(&op->q, r, 1));
    }
    json_end_array(w);
    api_reply_end(op->req, 200, "");
    ig_free(op);
}

static void read_sets(ig_t *op, void (*done)(db_job_t *))
{
    if (!auth_db()) {
        fail(op, 409, "%s", "The user logged out");
        return;
    }
    db_query_clear(&op->q);
    asset_sets_query_init(&op->q, done, op);
    auth_submit(op->req, &op->q.job);
}

static void written(db_job_t *j)
{
    ig_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail(op, db_job_status(j), "Could not change the ignored assets: %s", j->errmsg);
        return;
    }
    if (op->whitelist) {
        api_reply_true(op->req);
        ig_free(op);
        return;
    }
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    for (int pass = 1; pass >= 0; pass--) {
        json_write_key(w, pass ? "successful" : "no_action");
        json_begin_array(w);
        for (size_t i = 0; i < op->n; i++)
            if (op->act[i] == pass) json_write_str(w, op->ids[i]);
        json_end_array(w);
    }
    json_end_object(w);
    api_reply_end(op->req, 200, "");
    ig_free(op);
}

/* The changes, after the current sets were read: which ids act, then one transaction. */
static void sets_read(db_job_t *j)
{
    ig_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail(op, db_job_status(j), "Could not read the ignored assets: %s", j->errmsg);
        return;
    }
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < op->n; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++) dup = !strcmp(op->ids[k], op->ids[i]);
        int has = asset_sets_has(&op->q, op->whitelist ? SET_WHITELISTED : SET_IGNORED, op->ids[i]);
        op->act[i] = !dup && (op->method == API_DELETE ? has : !has);
        if (op->act[i] || op->whitelist) json_write_str(&w, op->ids[i]);
    }
    json_end_array(&w);
    size_t len;
    op->param = json_writer_take(&w, &len);
    if (!op->param) {
        chain_reply_oom(op->req);
        ig_free(op);
        return;
    }
    db_batch_init(&op->batch, written, op);
    const char *sql;
    if (op->whitelist && op->method == API_POST) {
        db_stmt_param(db_batch_add(&op->batch, "INSERT OR REPLACE INTO key_value_cache(name, value) "
                                               "SELECT '" WHITELIST_PREFIX "' || value, '1' FROM json_each(?)"),
                      op->param);
        sql = "DELETE FROM multisettings WHERE name = 'ignored_asset' AND value IN (SELECT value FROM json_each(?))";
    } else if (op->whitelist) {
        sql = "DELETE FROM key_value_cache WHERE name IN (SELECT '" WHITELIST_PREFIX "' || value FROM json_each(?))";
    } else if (op->method == API_PUT) {
        sql = "INSERT OR IGNORE INTO multisettings(name, value) SELECT 'ignored_asset', value FROM json_each(?)";
    } else {
        sql = "DELETE FROM multisettings WHERE name = 'ignored_asset' AND value IN (SELECT value FROM json_each(?))";
    }
    db_stmt_param(db_batch_add(&op->batch, sql), op->param);
    db_batch_add(&op->batch, userdb_sql_touch);
    if (!auth_db()) {
        fail(op, 409, "%s", "The user logged out");
        return;
    }
    auth_submit(op->req, &op->batch.job);
}

/* After the registry learned what it could: every id must be known (a token, for the whitelist). */
static void resolved(void *ud, const char *error)
{
    ig_t *op = ud;
    char esc[200], msg[300];
    if (error) {
        fail(op, 409, "Could not read the user's assets: %s", error);
        return;
    }
    for (size_t i = 0; i < op->n; i++) {
        asset_info_t a;
        int known = asset_registry_find(op->ids[i], &a);
        if (!known && !op->whitelist && !strncmp(op->ids[i], "_nft_", 5)) continue; /* rotki takes NFT ids as they are */
        chain_json_escape(op->ids[i], esc, sizeof esc);
        if (!known || (op->whitelist && !a.chain_id)) {
            if (!known) snprintf(msg, sizeof msg, "Unknown asset %s provided.", esc);
            else snprintf(msg, sizeof msg, "Given identifier %s is not an EVM or Solana token", esc);
            if (op->whitelist) api_reply_error(op->req, 400, "{\"token\": [\"%s\"]}", msg);
            else api_reply_error(op->req, 400, "{\"assets\": {\"%zu\": [\"%s\"]}}", i, msg);
            ig_free(op);
            return;
        }
        size_t len = strlen(a.identifier);
        if (len > strlen(op->ids[i])) {
            char *c = alloc_get(ALLOC_HTTP, len + 1);
            if (!c) {
                chain_reply_oom(op->req);
                ig_free(op);
                return;
            }
            alloc_free(op->ids[i]);
            op->ids[i] = c;
        }
        memcpy(op->ids[i], a.identifier, len + 1); /* the canonical form (checksummed address) */
    }
    read_sets(op, sets_read);
}

static int handle(api_req_t *req, int whitelist)
{
    static const char *const list_keys[] = {"assets", NULL};
    static const char *const token_keys[] = {"token", NULL};
    static const char *const none[] = {NULL};
    int obj;
    if (auth_require_user(req) || api_body_object(req, &obj) ||
        api_body_only(req, obj, req->method == API_GET ? none : whitelist ? token_keys : list_keys))
        return API_DONE;
    ig_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    op->method = req->method;
    op->whitelist = whitelist;
    if (req->method == API_GET) {
        read_sets(op, list_done);
        return API_PENDING;
    }
    if (whitelist) {
        int t = obj >= 0 ? json_obj_get(&req->doc, obj, "token") : -1;
        size_t len;
        op->ids = alloc_zget(ALLOC_HTTP, sizeof *op->ids);
        if (!op->ids) {
            chain_reply_oom(req);
            ig_free(op);
            return API_DONE;
        }
        op->n = 1;
        if (t < 0 || json_type(&req->doc, t) != JSON_STRING ||
            json_get_strdup(&req->doc, t, ALLOC_HTTP, &op->ids[0], &len) != JSON_OK || !len) {
            api_reply_error(req, 400, "{\"token\": [\"%s\"]}", t < 0 ? "Missing data for required field." : "Not a valid string.");
            ig_free(op);
            return API_DONE;
        }
    } else if (asset_arg_list(req, obj, "assets", 1, &op->ids, &op->n) != 0) {
        ig_free(op);
        return API_DONE;
    }
    op->act = alloc_zget(ALLOC_HTTP, (op->n ? op->n : 1) * sizeof *op->act);
    if (!op->act) {
        chain_reply_oom(req);
        ig_free(op);
        return API_DONE;
    }
    asset_registry_resolve(req, (const char *const *)op->ids, op->n, resolved, op);
    return API_PENDING;
}

int api_assets_ignored(api_req_t *req) { return handle(req, 0); }
int api_assets_whitelist(api_req_t *req) { return handle(req, 1); }
