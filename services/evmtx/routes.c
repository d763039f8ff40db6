/* routes — rotki's transaction endpoints (see routes.h):
 *   POST   /api/1/blockchains/transactions  fetch the accounts' txs (async), then decode them
 *   DELETE /api/1/blockchains/transactions  purge stored txs and their decoded events
 *   GET    /api/1/blockchains/transactions/latest  latest stored tx times
 *
 * A fetch is one task: read the source setting, the Etherscan key, the accounts, the nodes and
 * the ranges done; ask the node for its chain and latest block (and, for a time range that is
 * not the whole history, bisect for its blocks); run the chosen source; complete the txs from
 * the nodes; store everything in one write job; then run the decoder. transaction_status
 * started/finished go out per account (finished even on error). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "../../platform/pal.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "../chain/nodes.h"
#include "../messages.h"
#include "../read_reply.h"
#include "decode.h"
#include "fetch.h"

#define MAX_ASKED 64

typedef struct {
    evmtx_fetch_t f;          /* first: the sources' view */
    char asked[MAX_ASKED][43];
    int nasked;
    int started;              /* transaction_status started was sent */
    int64_t period_to;
    int decode_done, decode_status;
    char decode_msg[400];
    size_t decoded;
} fetch_op_t;

static struct {
    loop_t *loop;
    const config_t *cfg;
} rs;

static int64_t now_s(void) { return pal_wall_ms() / 1000; }

static void job_done(db_job_t *j)
{
    evmtx_fetch_t *f = j->ud;
    f->job_done = 1;
}

#define F_DB(pt, t, f, job)                                                                            \
    do {                                                                                               \
        (f)->job_done = 0;                                                                             \
        (job)->waiter = (t);                                                                           \
        auth_submit((f)->req, (job));                                                                  \
        PT_WAIT_UNTIL((pt), (f)->job_done);                                                            \
    } while (0)

static const char *range_prefix(const evmtx_fetch_t *f) { return f->node_source ? "ETHnodeblocks_" : "ETHindexerblocks_"; }

static int addr_cmp(const void *a, const void *b) { return memcmp(a, b, 20); }

/* The tracked accounts (all, or those asked for: each must be tracked). */
static int load_accounts(fetch_op_t *op)
{
    evmtx_fetch_t *f = &op->f;
    size_t n = f->q.nrows < EVMTX_MAX_ACCOUNTS ? f->q.nrows : EVMTX_MAX_ACCOUNTS;
    f->accts = alloc_zget(ALLOC_CLIENT, (n ? n : 1) * sizeof *f->accts);
    f->done = alloc_get(ALLOC_CLIENT, (n ? n : 1) * sizeof *f->done);
    if (!f->accts || !f->done) {
        evmtx_fail(f, 503, "The node is out of memory for the accounts");
        return -1;
    }
    for (size_t i = 0; i < f->q.nrows; i++) {
        const char *a = db_query_cell(&f->q, i, 0);
        uint8_t raw[20];
        char cs[43];
        if (!a || evm_address_parse(a, strlen(a), 0, raw)) continue;
        evm_address_checksum(raw, cs);
        int wanted = op->nasked == 0;
        for (int k = 0; k < op->nasked && !wanted; k++) wanted = !strcmp(op->asked[k], cs);
        if (!wanted) continue;
        if (f->naccts == n) { /* never a silent subset: the caller can ask for fewer */
            evmtx_fail(f, 409, "One fetch takes at most %d eth accounts; ask for some of them with 'accounts'",
                       EVMTX_MAX_ACCOUNTS);
            return -1;
        }
        memcpy(f->accts[f->naccts++], raw, 20);
    }
    for (int k = 0; k < op->nasked; k++) {
        uint8_t raw[20];
        int found = 0;
        evm_address_parse(op->asked[k], 42, 0, raw);
        for (size_t i = 0; i < f->naccts && !found; i++) found = !memcmp(f->accts[i], raw, 20);
        if (!found) {
            evmtx_fail(f, 409, "Account %s is not a tracked eth account", op->asked[k]);
            return -1;
        }
    }
    qsort(f->accts, f->naccts, sizeof *f->accts, addr_cmp);
    f->set.tracked = (const uint8_t(*)[20])f->accts;
    f->set.ntracked = f->naccts;
    for (size_t i = 0; i < f->naccts; i++) f->done[i][0] = f->done[i][1] = -1;
    return 0;
}

static void load_nodes(evmtx_fetch_t *f)
{
    f->nnodes = chain_nodes_from_query(&f->q, f->nodes, RPC_MAX_NODES);
}

static void load_ranges(evmtx_fetch_t *f)
{
    size_t plen = strlen(range_prefix(f));
    for (size_t r = 0; r < f->q.nrows; r++) {
        const char *name = db_query_cell(&f->q, r, 0), *a = db_query_cell(&f->q, r, 1), *b = db_query_cell(&f->q, r, 2);
        uint8_t raw[20];
        if (!name || !a || !b || strlen(name) != plen + 42 || evm_address_parse(name + plen, 42, 0, raw)) continue;
        for (size_t i = 0; i < f->naccts; i++)
            if (!memcmp(f->accts[i], raw, 20)) {
                f->done[i][0] = strtoll(a, NULL, 10);
                f->done[i][1] = strtoll(b, NULL, 10);
            }
    }
}

static void build_probe(evmtx_fetch_t *f)
{
    rpc_batch_begin(&f->batch);
    json_writer_t *w = rpc_call_begin(&f->batch, "eth_chainId");
    json_begin_array(w);
    json_end_array(w);
    rpc_call_end(&f->batch);
    w = rpc_call_begin(&f->batch, "eth_getBlockByNumber");
    json_begin_array(w);
    json_write_str(w, "latest");
    json_write_bool(w, 0);
    json_end_array(w);
    rpc_call_end(&f->batch);
}

static int take_probe(evmtx_fetch_t *f)
{
    const char *s;
    size_t n;
    char why[160];
    uint64_t ts;
    if (rpc_result_str(&f->batch, 0, &s, &n, why, sizeof why) || evmtx_hex_u64(s, n, &f->chain_id)) {
        evmtx_fail(f, 502, "The eth node did not tell its chain id: %s", why);
        return -1;
    }
    int r = f->batch.result[1];
    if (r < 0 || json_type(&f->batch.doc, r) != JSON_OBJECT || evmtx_json_str(&f->batch.doc, r, "number", &s, &n) ||
        evmtx_hex_u64(s, n, &f->latest) || evmtx_json_str(&f->batch.doc, r, "timestamp", &s, &n) || evmtx_hex_u64(s, n, &ts)) {
        evmtx_fail(f, 502, "The eth node did not tell its latest block");
        return -1;
    }
    f->latest_ts = (int64_t)ts;
    f->set.chain_id = f->chain_id;
    return 0;
}

/* The intervals some account still needs (merged) and, for each account, its range after. */
static int plan(evmtx_fetch_t *f)
{
    f->iv = alloc_get(ALLOC_CLIENT, (2 * f->naccts + 1) * sizeof *f->iv);
    if (!f->iv) return -1;
    f->niv = 0;
    if (f->from_block > f->to_block) return 0;
    for (size_t i = 0; i < f->naccts; i++)
        f->niv += (size_t)evmtx_missing(f->from_block, f->to_block, f->done[i][0], f->done[i][1], f->iv + f->niv);
    f->niv = evmtx_spans_merge(f->iv, f->niv);
    char name[72], cs[43];
    for (size_t i = 0; i < f->naccts; i++) {
        int64_t after[2];
        evmtx_done_after(f->from_block, f->to_block, f->done[i][0], f->done[i][1], after);
        evm_address_checksum(f->accts[i], cs);
        snprintf(name, sizeof name, "%s%s", range_prefix(f), cs);
        if (evmtx_set_add_range(&f->set, name, after[0], after[1])) return -1;
    }
    return 0;
}

static void status_all(fetch_op_t *op, const char *status)
{
    evmtx_fetch_t *f = &op->f;
    for (size_t i = 0; i < f->naccts; i++) {
        char cs[43];
        evm_address_checksum(f->accts[i], cs);
        messages_transaction_status(cs, "ETH", f->from_ts, op->period_to, status);
    }
}

static void decode_done(void *ud, int status, const char *error, size_t decoded)
{
    fetch_op_t *op = ud;
    op->decode_status = status;
    snprintf(op->decode_msg, sizeof op->decode_msg, "%s", error ? error : "");
    op->decoded = decoded;
    op->decode_done = 1;
    loop_task_wake(&op->f.task, LOOP_WAKE_DONE);
}

static int logged_out(evmtx_fetch_t *f)
{
    if (auth_db()) return 0;
    evmtx_fail(f, 409, "The user logged out during the transaction query");
    return 1;
}

static int fetch_pt(loop_task_t *t)
{
    fetch_op_t *op = t->ud;
    evmtx_fetch_t *f = &op->f;
    PT_BEGIN(&t->pt);

    if (logged_out(f)) PT_EXIT(&t->pt);
    db_query_init(&f->q,
                  "SELECT (SELECT value FROM settings WHERE name='evm_transactions_source'), "
                  "(SELECT api_key FROM external_service_credentials WHERE name='etherscan')",
                  job_done, f);
    F_DB(&t->pt, t, f, &f->q.job);
    if (f->q.job.rc != DB_JOB_DONE || f->q.nrows != 1) {
        evmtx_fail(f, db_job_status(&f->q.job), "Could not read the settings: %s", f->q.job.errmsg);
        PT_EXIT(&t->pt);
    }
    {
        const char *src = db_query_cell(&f->q, 0, 0), *key = db_query_cell(&f->q, 0, 1);
        f->node_source = src && !strcmp(src, "node");
        snprintf(f->key, sizeof f->key, "%s", key ? key : "");
    }
    db_query_clear(&f->q);

    if (logged_out(f)) PT_EXIT(&t->pt);
    chain_accounts_query_init(&f->q, "eth", job_done, f);
    F_DB(&t->pt, t, f, &f->q.job);
    if (f->q.job.rc != DB_JOB_DONE) {
        evmtx_fail(f, db_job_status(&f->q.job), "Could not read the tracked accounts: %s", f->q.job.errmsg);
        PT_EXIT(&t->pt);
    }
    if (load_accounts(op)) PT_EXIT(&t->pt);
    db_query_clear(&f->q);
    if (!f->naccts) PT_EXIT(&t->pt); /* nothing to fetch: true, as rotki */

    if (logged_out(f)) PT_EXIT(&t->pt);
    chain_nodes_query_init(&f->q, "eth", job_done, f);
    F_DB(&t->pt, t, f, &f->q.job);
    if (f->q.job.rc != DB_JOB_DONE) {
        evmtx_fail(f, db_job_status(&f->q.job), "Could not read the RPC nodes: %s", f->q.job.errmsg);
        PT_EXIT(&t->pt);
    }
    load_nodes(f);
    db_query_clear(&f->q);
    if (!f->nnodes) {
        evmtx_fail(f, 409, "No eth RPC node is configured: transactions are read (%s) from the user's nodes; add one "
                   "at /api/1/blockchains/eth/nodes", f->node_source ? "all of them" : "receipts and details");
        PT_EXIT(&t->pt);
    }
    if (!f->node_source && !f->key[0]) {
        evmtx_fail(f, 409, "No Etherscan API key is configured (external service 'etherscan'); add one, or set "
                   "evm_transactions_source to 'node' to read transactions from your own node only");
        PT_EXIT(&t->pt);
    }

    if (logged_out(f)) PT_EXIT(&t->pt);
    db_query_init(&f->q, "SELECT name, start_ts, end_ts FROM used_query_ranges WHERE substr(name, 1, ?1)=?2", job_done, f);
    {
        static char len_node[8], len_indexer[8];
        snprintf(len_node, sizeof len_node, "%zu", strlen("ETHnodeblocks_"));
        snprintf(len_indexer, sizeof len_indexer, "%zu", strlen("ETHindexerblocks_"));
        db_query_param(&f->q, f->node_source ? len_node : len_indexer);
        db_query_param(&f->q, range_prefix(f));
    }
    F_DB(&t->pt, t, f, &f->q.job);
    if (f->q.job.rc != DB_JOB_DONE) {
        evmtx_fail(f, db_job_status(&f->q.job), "Could not read the queried ranges: %s", f->q.job.errmsg);
        PT_EXIT(&t->pt);
    }
    load_ranges(f);
    db_query_clear(&f->q);

    op->period_to = f->to_ts >= 0 ? f->to_ts : now_s();
    op->started = 1;
    status_all(op, "querying_transactions_started");

    build_probe(f);
    EVMTX_RPC(&t->pt, f);
    if (f->batch.err) evmtx_fail(f, 502, "Could not query eth transactions: %s", f->batch.errmsg);
    else take_probe(f);
    rpc_batch_clear(&f->batch);
    if (f->status || f->req->cancelled) PT_EXIT(&t->pt);

    /* the blocks of the time range: bisected only for a range that is not the whole history */
    f->from_block = 0;
    f->to_block = f->latest;
    if (f->from_ts > 0) {
        f->bs_target = f->from_ts - 1;
        PT_SPAWN(&t->pt, &f->child, evmtx_blocktime_pt(&f->child, f));
        f->from_block = f->bs_lo;
    }
    if (!f->status && f->to_ts >= 0 && f->to_ts < f->latest_ts) {
        f->bs_target = f->to_ts;
        PT_SPAWN(&t->pt, &f->child, evmtx_blocktime_pt(&f->child, f));
        if (f->bs_lo == 0) f->from_block = 1, f->to_block = 0; /* before the first block: nothing */
        else f->to_block = f->bs_lo - 1;
    }
    if (f->status || f->req->cancelled) PT_EXIT(&t->pt);
    if (plan(f)) {
        evmtx_fail(f, 503, "The node is out of memory for the transaction query");
        PT_EXIT(&t->pt);
    }

    if (f->node_source) PT_SPAWN(&t->pt, &f->child, evmtx_node_pt(&f->child, f));
    else PT_SPAWN(&t->pt, &f->child, evmtx_indexer_pt(&f->child, f));
    if (f->status || f->req->cancelled) PT_EXIT(&t->pt);
    PT_SPAWN(&t->pt, &f->child, evmtx_details_pt(&f->child, f));
    if (f->status || f->req->cancelled) PT_EXIT(&t->pt);
    evmtx_sources_clear(f);

    if (logged_out(f)) PT_EXIT(&t->pt);
    evmtx_store_init(&f->store, &f->set, job_done, f);
    F_DB(&t->pt, t, f, &f->store.job);
    if (f->store.job.rc != DB_JOB_DONE) {
        evmtx_fail(f, db_job_status(&f->store.job), "Could not store the transactions: %s", f->store.job.errmsg);
        PT_EXIT(&t->pt);
    }
    log_info("evmtx: %zu txs found (%zu new) over %zu accounts, %u round trips, source %s", f->set.n, f->store.inserted,
             f->naccts, f->round_trips, f->node_source ? "node" : "indexer");
    evmtx_set_free(&f->set); /* the decoder reads them back from the DB */
    status_all(op, "querying_transactions_finished");
    op->started = 0;

    if (logged_out(f)) PT_EXIT(&t->pt);
    op->decode_done = 0;
    evmtx_decode_pending(f->req, f->chain_id, 0, decode_done, op);
    PT_WAIT_UNTIL(&t->pt, op->decode_done);
    if (op->decode_status) evmtx_fail(f, op->decode_status, "%s", op->decode_msg[0] ? op->decode_msg : "Decoding failed");
    PT_END(&t->pt);
}

static void fetch_end(loop_task_t *t)
{
    fetch_op_t *op = t->ud;
    evmtx_fetch_t *f = &op->f;
    if (op->started) status_all(op, "querying_transactions_finished");
    if (loop_timer_armed(&f->wait)) loop_timer_stop(rs.loop, &f->wait);
    evmtx_sources_clear(f);
    db_query_clear(&f->q);
    if (!f->status && f->req->cancelled) evmtx_fail(f, 409, "The transaction query was cancelled");
    if (f->status) {
        log_warn("evmtx: the transaction query failed (%d): %s", f->status, f->msg);
        api_reply_error(f->req, f->status, "%s", f->msg);
    } else {
        api_reply_true(f->req);
    }
    evmtx_set_free(&f->set);
    alloc_free(f->accts);
    alloc_free(f->done);
    alloc_free(f->iv);
    alloc_free(op);
}

static void mark_gone(api_req_t *req) { req->cancelled = 1; }

static int int_arg(api_req_t *req, int obj, const char *name, int64_t *out)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, name) : -1;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_get_int64(&req->doc, t, out) != JSON_OK || *out < 0) {
        api_reply_error(req, 400, "%s must be a non-negative timestamp in seconds", name);
        return -1;
    }
    return 1;
}

/* accounts: [{"address": "0x…", "blockchain": "eth" | null}] */
static int parse_accounts(api_req_t *req, int obj, fetch_op_t *op)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, "accounts") : -1;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_type(&req->doc, t) != JSON_ARRAY) {
        api_reply_error(req, 400, "accounts must be a list of {address, blockchain}");
        return -1;
    }
    for (int e = json_first(&req->doc, t); e >= 0; e = json_sibling(&req->doc, e)) {
        char addr[64], chain[24] = "";
        int a = json_type(&req->doc, e) == JSON_OBJECT ? json_obj_get(&req->doc, e, "address") : -1;
        int c = a >= 0 ? json_obj_get(&req->doc, e, "blockchain") : -1;
        if (a < 0 || json_get_str(&req->doc, a, addr, sizeof addr, NULL) != JSON_OK) {
            api_reply_error(req, 400, "each account must be an object with an address");
            return -1;
        }
        if (c >= 0 && !json_is_null(&req->doc, c) &&
            (json_get_str(&req->doc, c, chain, sizeof chain, NULL) != JSON_OK || !chain_db_name(chain) ||
             strcmp(chain_db_name(chain), "ETH"))) {
            api_reply_error(req, 400, "Unsupported blockchain for transactions: pipit fetches eth transactions only");
            return -1;
        }
        if (op->nasked == MAX_ASKED) {
            api_reply_error(req, 400, "Ask for at most %d accounts at once, or for all", MAX_ASKED);
            return -1;
        }
        if (chain_address_checksummed(addr, strlen(addr), op->asked[op->nasked]) != 0) {
            api_reply_error(req, 400, "Given value %.64s is not an evm address", addr);
            return -1;
        }
        op->nasked++;
    }
    return 0;
}

static int api_fetch(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const allowed[] = {"async_query", "accounts", "from_timestamp", "to_timestamp", NULL};
    int obj = -1;
    if (api_body_object(req, &obj) || api_body_only(req, obj, allowed)) return API_DONE;
    fetch_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    evmtx_fetch_t *f = &op->f;
    f->from_ts = 0;
    f->to_ts = -1;
    if (parse_accounts(req, obj, op) || int_arg(req, obj, "from_timestamp", &f->from_ts) < 0 ||
        int_arg(req, obj, "to_timestamp", &f->to_ts) < 0) {
        alloc_free(op);
        return API_DONE;
    }
    if (f->to_ts >= 0 && f->to_ts < f->from_ts) {
        alloc_free(op);
        api_reply_error(req, 400, "from_timestamp must not be after to_timestamp");
        return API_DONE;
    }
    size_t budget = alloc_budget();
    f->target_bytes = budget ? budget / 16 : (4u << 20);
    if (f->target_bytes < (64u << 10)) f->target_bytes = 64u << 10;
    f->req = req;
    f->cfg = rs.cfg;
    req->ud = op;
    req->on_gone = mark_gone;
    loop_task_start(rs.loop, &f->task, fetch_pt, fetch_end, op);
    f->task.name = "evm_transactions";
    return API_PENDING;
}

/* ------------------------------------------------------------------ delete */
typedef struct {
    evmtx_delete_t d;
    api_req_t *req;
} delete_op_t;

static void delete_done(db_job_t *j)
{
    delete_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) api_reply_error(op->req, db_job_status(j), "Could not delete the transactions: %s", j->errmsg);
    else api_reply_true(op->req);
    alloc_free(op);
}

static int api_delete(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const allowed[] = {"async_query", "chain", "tx_ref", NULL};
    int obj = -1;
    if (api_body_object(req, &obj) || api_body_only(req, obj, allowed)) return API_DONE;
    char chain[24] = "", ref[80] = "";
    int c = obj >= 0 ? json_obj_get(&req->doc, obj, "chain") : -1, r = obj >= 0 ? json_obj_get(&req->doc, obj, "tx_ref") : -1;
    if (c >= 0 && !json_is_null(&req->doc, c)) {
        if (json_get_str(&req->doc, c, chain, sizeof chain, NULL) != JSON_OK || !chain_db_name(chain) ||
            strcmp(chain_db_name(chain), "ETH")) {
            api_reply_error(req, 400, "Unsupported chain for transactions: pipit stores eth transactions only");
            return API_DONE;
        }
    }
    uint8_t hash[32];
    int one = 0;
    if (r >= 0 && !json_is_null(&req->doc, r)) {
        if (!chain[0]) {
            api_reply_error(req, 400, "tx_ref needs the chain too");
            return API_DONE;
        }
        if (json_get_str(&req->doc, r, ref, sizeof ref, NULL) != JSON_OK || evmtx_hex32(ref, strlen(ref), hash)) {
            api_reply_error(req, 400, "tx_ref must be a transaction hash (0x and 64 hex digits)");
            return API_DONE;
        }
        one = 1;
    }
    delete_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    evmtx_delete_init(&op->d, one ? hash : NULL, delete_done, op);
    auth_submit(req, &op->d.job);
    return API_PENDING;
}

/* ------------------------------------------------------------------ latest */
/* rotki's chains with transaction history, in its answer's order; pipit stores eth's only. */
static const char *const tx_chains[] = {"eth",  "optimism", "polygon_pos", "arbitrum_one", "base", "hyperliquid", "gnosis",
                                        "scroll", "binance_sc", "monad", "zksync_lite", "btc", "bch", "solana"};

/* rows: (address, latest) per mapped address, the first row's address NULL = the overall latest */
static void write_latest(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    (void)rr;
    json_begin_object(w);
    for (size_t c = 0; c < sizeof tx_chains / sizeof tx_chains[0]; c++) {
        json_write_key(w, tx_chains[c]);
        json_begin_object(w);
        json_write_key(w, "latest_timestamp");
        const char *all = c == 0 && q->nrows ? db_query_cell(q, 0, 1) : NULL;
        json_write_int64(w, all ? strtoll(all, NULL, 10) : 0);
        json_write_key(w, "addresses");
        json_begin_object(w);
        for (size_t r = 1; c == 0 && r < q->nrows; r++) {
            const char *a = db_query_cell(q, r, 0), *ts = db_query_cell(q, r, 1);
            if (!a || !ts) continue;
            json_write_key(w, a);
            json_write_int64(w, strtoll(ts, NULL, 10));
        }
        json_end_object(w);
        json_end_object(w);
    }
    json_end_object(w);
}

static const read_reply_t latest = {
    .sql = "SELECT NULL, MAX(timestamp) FROM evm_transactions UNION ALL "
           "SELECT * FROM (SELECT m.address, MAX(t.timestamp) FROM evmtx_address_mappings m JOIN evm_transactions t "
           "ON t.identifier = m.tx_id GROUP BY m.address ORDER BY m.address)",
    .write = write_latest,
};

static int api_latest(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    return read_reply_start(req, &latest);
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/blockchains/transactions/latest", api_latest, NULL, API_ASYNC},
    {API_POST, "/api/1/blockchains/transactions", api_fetch, NULL, API_ASYNC},
    {API_DELETE, "/api/1/blockchains/transactions", api_delete, NULL, 0},
};

int evmtx_routes_init(const config_t *cfg, loop_t *loop)
{
    rs.cfg = cfg;
    rs.loop = loop;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
