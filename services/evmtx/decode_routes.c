/* decode_routes — rotki's /api/1/blockchains/transactions/decode (TransactionsDecodingResource):
 *   POST {chain, ignore_cache}: decodes every pending tx of the chain (ignore_cache first resets
 *        the chain's events as rotki's reset_events_for_redecode: a tx with a customized event
 *        keeps its events and stays decoded); {"decoded_tx_number": n}
 *   PUT  {chain, tx_refs, delete_custom}: redecodes those stored txs (their events deleted, a
 *        customized tx's kept unless delete_custom, then decoded again); true
 *   GET  {"ethereum": {"undecoded": n, "total": m}}, the chain left out when nothing is pending
 * pipit decodes the eth chain (whatever chain id its nodes answer); the txs come from
 * POST /blockchains/transactions (services/evmtx/routes.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/query.h"
#include "../../db/snapshots.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "decode.h"

#define MAX_REFS 256
#define MAX_CHAINS 8

/* txs with a customized event (rotki's 'preserve_transactions') */
#define CUSTOMIZED_TXS                                                                                                      \
    "SELECT c.tx_ref FROM chain_events_info c JOIN history_events_mappings m ON m.parent_identifier = c.identifier "     \
    "AND m.name = 'state' AND m.value = 1"
/* ?1 the tx refs (JSON list of hex) or NULL for all, ?2 '1' to keep customized txs, ?3 the location code */
static const char sql_reset_events[] =
    "DELETE FROM history_events WHERE entry_type IN (2, 8) AND location = ?3 AND identifier IN (SELECT identifier FROM "
    "chain_events_info WHERE (?1 IS NULL OR tx_ref IN (SELECT unhex(value) FROM json_each(?1))) AND (?2 != '1' OR "
    "tx_ref NOT IN (" CUSTOMIZED_TXS ")))";
static const char sql_reset_marks[] =
    "DELETE FROM evm_tx_mappings WHERE value IN (0, 1) AND tx_id IN (SELECT identifier FROM evm_transactions WHERE "
    "(?1 IS NULL OR tx_hash IN (SELECT unhex(value) FROM json_each(?1))) AND (?2 != '1' OR tx_hash NOT IN ("
    CUSTOMIZED_TXS ")))";
static const char sql_chains[] = "SELECT lower(hex(tx_hash)), chain_id FROM evm_transactions WHERE (?1 IS NULL OR tx_hash IN "
                                 "(SELECT unhex(value) FROM json_each(?1)))";
static const char sql_counts[] =
    "SELECT COALESCE(SUM(NOT EXISTS(SELECT 1 FROM evm_tx_mappings m WHERE m.tx_id = t.identifier AND m.value = 0)), 0), "
    "COUNT(*) FROM evm_transactions t";

typedef struct {
    api_req_t *req;
    int redecode;             /* PUT */
    char *refs;               /* JSON list of lowercase hex hashes; NULL: all */
    size_t nrefs;
    char keep[2], location[2];
    db_batch_t batch;
    db_query_t q;
    uint64_t chains[MAX_CHAINS];
    size_t nchains, next;
    size_t decoded;
} decode_op_t;

static void op_end(decode_op_t *op, int status, const char *msg)
{
    if (status) api_reply_error(op->req, status, "%s", msg);
    else if (op->redecode) api_reply_true(op->req);
    else {
        json_writer_t *w = api_reply_begin(op->req);
        json_begin_object(w);
        json_write_key(w, "decoded_tx_number");
        json_write_uint64(w, op->decoded);
        json_end_object(w);
        api_reply_end(op->req, 200, "");
    }
    db_query_clear(&op->q);
    alloc_free(op->refs);
    alloc_free(op);
}

static void decode_next(decode_op_t *op);

static void chain_decoded(void *ud, int status, const char *error, size_t decoded)
{
    decode_op_t *op = ud;
    op->decoded += decoded;
    if (status) {
        op_end(op, status, error ? error : "Decoding failed");
        return;
    }
    decode_next(op);
}

static void decode_next(decode_op_t *op)
{
    if (op->next == op->nchains) {
        op_end(op, 0, NULL);
        return;
    }
    evmtx_decode_pending(op->req, op->chains[op->next++], 0, chain_decoded, op);
}

static void reset_done(db_job_t *j)
{
    decode_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        char msg[320];
        snprintf(msg, sizeof msg, "Could not reset the events for redecoding: %s", j->errmsg);
        op_end(op, db_job_status(j), msg);
        return;
    }
    decode_next(op);
}

static void reset(decode_op_t *op)
{
    db_batch_init(&op->batch, reset_done, op);
    const char *sqls[] = {sql_reset_events, sql_reset_marks};
    for (int i = 0; i < 2; i++) {
        db_stmt_t *s = db_batch_add(&op->batch, sqls[i]);
        db_stmt_param(s, op->refs);
        db_stmt_param(s, op->keep);
        if (i == 0) db_stmt_param(s, op->location);
    }
    auth_submit(op->req, &op->batch.job);
}

static void chains_read(db_job_t *j)
{
    decode_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        char msg[320];
        snprintf(msg, sizeof msg, "Could not read the transactions: %s", j->errmsg);
        op_end(op, db_job_status(j), msg);
        return;
    }
    for (size_t r = 0; r < op->q.nrows; r++) {
        const char *c = db_query_cell(&op->q, r, 1);
        uint64_t id = c ? strtoull(c, NULL, 10) : 0;
        size_t k = 0;
        while (k < op->nchains && op->chains[k] != id) k++;
        if (k == op->nchains && k < MAX_CHAINS) op->chains[op->nchains++] = id;
    }
    if (op->refs) { /* every given hash must be a stored tx (rotki would pull it from the nodes) */
        const char *p = op->refs;
        while ((p = strchr(p, '"'))) {
            char h[65];
            if (sscanf(p + 1, "%64[0-9a-f]", h) != 1) break;
            size_t r = 0;
            while (r < op->q.nrows && strcmp(db_query_cell(&op->q, r, 0), h)) r++;
            if (r == op->q.nrows) {
                char msg[300];
                snprintf(msg, sizeof msg, "Failed to request ethereum transaction decoding due to hash 0x%s does not "
                         "correspond to a stored transaction (pull it with PUT /api/1/blockchains/transactions)", h);
                op_end(op, 409, msg);
                return;
            }
            p += 66;
        }
    }
    db_query_clear(&op->q);
    if (op->redecode || op->keep[0] == '1') reset(op); /* keep '1' stands for ignore_cache here */
    else decode_next(op);
}

/* ------------------------------------------------------------------ request parsing */
static int eth_chain(api_req_t *req, int obj)
{
    int c = obj >= 0 ? json_obj_get(&req->doc, obj, "chain") : -1;
    char chain[32];
    if (c < 0) {
        api_reply_error(req, 400, "{\"chain\": [\"Missing data for required field.\"]}");
        return -1;
    }
    if (json_get_str(&req->doc, c, chain, sizeof chain, NULL) != JSON_OK || !chain_db_name(chain) ||
        strcmp(chain_db_name(chain), "ETH") != 0) {
        api_reply_error(req, 400, "{\"chain\": [\"pipit decodes eth transactions only\"]}");
        return -1;
    }
    return 0;
}

static int read_bool(api_req_t *req, int obj, const char *key, int *out)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    *out = 0;
    if (t < 0) return 0;
    if (json_get_bool(&req->doc, t, out) != JSON_OK) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid boolean.\"]}", key);
        return -1;
    }
    return 0;
}

/* tx_refs: a non-empty list of EVM hashes, as JSON of lowercase hex for unhex() */
static int read_refs(api_req_t *req, int obj, decode_op_t *op)
{
    const json_doc_t *d = &req->doc;
    int t = json_obj_get(d, obj, "tx_refs");
    if (t < 0) {
        api_reply_error(req, 400, "{\"tx_refs\": [\"Missing data for required field.\"]}");
        return -1;
    }
    if (json_type(d, t) != JSON_ARRAY || json_child_count(d, t) == 0 || json_child_count(d, t) > MAX_REFS) {
        api_reply_error(req, 400, "{\"tx_refs\": [\"Length must be between 1 and %d.\"]}", MAX_REFS);
        return -1;
    }
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (int e = json_first(d, t); e >= 0; e = json_sibling(d, e)) {
        char s[80], hex[65];
        const char *p = s;
        int ok = json_get_str(d, e, s, sizeof s, NULL) == JSON_OK;
        if (ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) p = s + 2;
        ok = ok && strlen(p) == 64;
        for (int i = 0; ok && i < 64; i++) {
            char c = p[i] >= 'A' && p[i] <= 'F' ? (char)(p[i] + 32) : p[i];
            ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            hex[i] = c;
        }
        if (!ok) {
            json_writer_free(&w);
            api_reply_error(req, 400, "{\"tx_refs\": [\"Invalid transaction hash\"]}");
            return -1;
        }
        hex[64] = 0;
        json_write_str(&w, hex);
        op->nrefs++;
    }
    json_end_array(&w);
    size_t len;
    if (!(op->refs = json_writer_take(&w, &len))) {
        chain_reply_oom(req);
        return -1;
    }
    return 0;
}

static int start(api_req_t *req, decode_op_t *op)
{
    op->req = req;
    op->location[0] = snapshot_location_code("ethereum", 8);
    db_query_init(&op->q, sql_chains, chains_read, op);
    db_query_param(&op->q, op->refs);
    auth_submit(req, &op->q.job);
    return API_PENDING;
}

static int api_decode_pending(api_req_t *req)
{
    static const char *const allowed[] = {"async_query", "chain", "ignore_cache", NULL};
    int obj = -1, ignore_cache;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, allowed) || eth_chain(req, obj) ||
        read_bool(req, obj, "ignore_cache", &ignore_cache))
        return API_DONE;
    decode_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->keep[0] = ignore_cache ? '1' : '0'; /* a reset of everything keeps the customized txs */
    return start(req, op);
}

static int api_redecode(api_req_t *req)
{
    static const char *const allowed[] = {"async_query", "chain", "tx_refs", "delete_custom", "custom_indexers_order", NULL};
    int obj = -1, delete_custom;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, allowed) || eth_chain(req, obj) ||
        read_bool(req, obj, "delete_custom", &delete_custom))
        return API_DONE;
    decode_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->redecode = 1;
    op->keep[0] = delete_custom ? '0' : '1';
    if (read_refs(req, obj, op) != 0) {
        alloc_free(op);
        return API_DONE;
    }
    return start(req, op);
}

/* ------------------------------------------------------------------ GET */
typedef struct {
    db_query_t q;
    api_req_t *req;
} count_op_t;

static void counted(db_job_t *j)
{
    count_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, db_job_status(j), "Could not count the transactions: %s", j->errmsg);
    } else {
        const char *u = op->q.nrows ? db_query_cell(&op->q, 0, 0) : NULL, *t = op->q.nrows ? db_query_cell(&op->q, 0, 1) : NULL;
        long long undecoded = u ? strtoll(u, NULL, 10) : 0, total = t ? strtoll(t, NULL, 10) : 0;
        json_writer_t *w = api_reply_begin(op->req);
        json_begin_object(w);
        if (undecoded) {
            json_write_key(w, "ethereum");
            json_begin_object(w);
            json_write_key(w, "undecoded");
            json_write_int64(w, undecoded);
            json_write_key(w, "total");
            json_write_int64(w, total);
            json_end_object(w);
        }
        json_end_object(w);
        api_reply_end(op->req, 200, "");
    }
    db_query_clear(&op->q);
    alloc_free(op);
}

static int api_pending_counts(api_req_t *req)
{
    static const char *const allowed[] = {"async_query", NULL};
    int obj = -1;
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, allowed)) return API_DONE;
    count_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    db_query_init(&op->q, sql_counts, counted, op);
    auth_submit(req, &op->q.job);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/blockchains/transactions/decode", api_decode_pending, NULL, API_ASYNC},
    {API_PUT, "/api/1/blockchains/transactions/decode", api_redecode, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/transactions/decode", api_pending_counts, NULL, API_ASYNC},
};

int evmtx_decode_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
