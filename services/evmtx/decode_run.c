/* decode_run — evmtx_decode_pending (decode.h): the DB and token plumbing around the pure
 * decoder of decode.c. Works in slices of SLICE transactions, oldest first:
 *   tracked accounts, the pending count (once)
 *   -> the slice's txs with receipts -> their logs with topics -> their internal txs  (reads)
 *   -> the ERC-20 contracts its transfers/approvals need, unknown ones read on chain and added
 *      to the asset registry (asset_registry_resolve)
 *   -> decode -> one write: the events, their chain_events_info rows and evm_tx_mappings
 *      value 0 for each tx of the slice (all or nothing)
 *   -> progress_updates, next slice.
 * A tx without a receipt is not pending yet (it cannot be decoded). A token the nodes could
 * not be asked about stops the run with a 502 before its slice is written. A slice that runs
 * out of memory (the heap budget) is read again at half the size, down to one tx, before the
 * run answers 503. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "../../db/query.h"
#include "../assets/registry.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "../notifier.h"
#include "decode.h"

#define SLICE 200
#define MAX_TOKENS 64 /* distinct ERC-20 contracts of a slice the first list holds (it grows) */

static const char sql_count[] = "SELECT COUNT(*) FROM evm_transactions t JOIN evmtx_receipts r ON r.tx_id = t.identifier "
                                "WHERE t.chain_id = ?1 AND NOT EXISTS (SELECT 1 FROM evm_tx_mappings m WHERE "
                                "m.tx_id = t.identifier AND m.value = 0)";
static const char sql_txs[] =
    "SELECT t.identifier, hex(t.tx_hash), t.timestamp, t.from_address, t.to_address, t.value, t.gas_used, t.gas_price, "
    "hex(t.input_data), r.status, r.contract_address FROM evm_transactions t JOIN evmtx_receipts r ON "
    "r.tx_id = t.identifier WHERE t.chain_id = ?1 AND NOT EXISTS (SELECT 1 FROM evm_tx_mappings m WHERE "
    "m.tx_id = t.identifier AND m.value = 0) ORDER BY t.timestamp, t.identifier LIMIT CAST(?2 AS INTEGER)";
enum { T_ID, T_HASH, T_TS, T_FROM, T_TO, T_VALUE, T_GAS_USED, T_GAS_PRICE, T_INPUT, T_STATUS, T_CONTRACT };
static const char sql_logs[] =
    "SELECT l.tx_id, l.log_index, l.address, hex(l.data), (SELECT group_concat(h, ',') FROM (SELECT hex(topic) AS h "
    "FROM evmtx_receipt_log_topics WHERE log = l.identifier ORDER BY topic_index)) FROM evmtx_receipt_logs l "
    "WHERE l.tx_id IN (SELECT value FROM json_each(?1)) ORDER BY l.tx_id, l.log_index";
static const char sql_internal[] =
    "SELECT parent_tx, from_address, to_address, value FROM evm_internal_transactions WHERE parent_tx IN "
    "(SELECT value FROM json_each(?1)) ORDER BY parent_tx, trace_id";
static const char sql_mark[] = "INSERT OR IGNORE INTO evm_tx_mappings(tx_id, value) SELECT value, 0 FROM json_each(?1)";

typedef struct {
    int64_t id;
    evmtx_tx_t tx;
    uint8_t *input;
    evmtx_log_t *logs;
    size_t nlogs, caplogs;
    evmtx_internal_t *internals;
    size_t ninternals, capinternals;
} slice_tx_t;

typedef struct {
    uint8_t address[20];
    evmtx_token_info_t info;
} token_t;

typedef struct {
    api_req_t *req;
    uint64_t chain_id;
    size_t limit, decoded;
    size_t slice;           /* txs per slice: SLICE, halved when one runs out of memory */
    int in_slice;
    int64_t total;
    evmtx_decode_done_fn done;
    void *ud;
    char chain_param[24], limit_param[24];
    db_query_t q;
    evmtx_tracked_t tracked;
    /* the slice */
    slice_tx_t *txs;
    size_t ntxs, rows;      /* readable txs, rows read */
    char *ids;              /* JSON list of the slice's tx ids */
    uint8_t (*need)[20];
    size_t nneed;
    char **need_ids;        /* their identifiers for the registry */
    uint8_t *was_known;     /* known before this slice asked (else learned now: rotki's new_token_detected) */
    token_t *tokens;
    size_t ntokens;
    history_event_t *events;
    size_t nevents;
    history_insert_t ins;
} run_t;

/* ------------------------------------------------------------------ helpers */
static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
    if (n % 2) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
        if (h < 0 || l < 0) return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

static int parse_addr(const char *s, uint8_t out[20])
{
    return s && evm_address_parse(s, strlen(s), 0, out) == 0 ? 0 : -1;
}

static void slice_free(run_t *r)
{
    for (size_t i = 0; i < r->ntxs; i++) {
        alloc_free(r->txs[i].input);
        for (size_t k = 0; k < r->txs[i].nlogs; k++) alloc_free((void *)r->txs[i].logs[k].data);
        alloc_free(r->txs[i].logs);
        alloc_free(r->txs[i].internals);
    }
    alloc_free(r->txs);
    r->txs = NULL;
    r->ntxs = 0;
    alloc_free(r->ids);
    r->ids = NULL;
    for (size_t i = 0; i < r->nneed; i++) alloc_free(r->need_ids ? r->need_ids[i] : NULL);
    alloc_free(r->need_ids);
    r->need_ids = NULL;
    alloc_free(r->was_known);
    r->was_known = NULL;
    alloc_free(r->need);
    r->need = NULL;
    r->nneed = 0;
    alloc_free(r->tokens);
    r->tokens = NULL;
    r->ntokens = 0;
    alloc_free(r->events);
    r->events = NULL;
    r->nevents = 0;
}

static void next_slice(run_t *r);

static void finish(run_t *r, int status, const char *error)
{
    if (status == 503 && r->in_slice && r->slice > 1) { /* the same txs again, fewer at a time */
        db_query_clear(&r->q);
        slice_free(r);
        r->slice /= 2;
        log_info("evmtx: out of memory decoding a slice; trying %zu transactions at a time", r->slice);
        next_slice(r);
        return;
    }
    evmtx_decode_done_fn done = r->done;
    void *ud = r->ud;
    size_t decoded = r->decoded;
    char msg[300];
    snprintf(msg, sizeof msg, "%s", error ? error : "");
    db_query_clear(&r->q);
    slice_free(r);
    alloc_free(r->tracked.addr);
    alloc_free(r);
    done(ud, status, status ? msg : NULL, decoded);
}

static void fail_job(run_t *r, db_job_t *j, const char *what)
{
    char msg[300];
    snprintf(msg, sizeof msg, "%s: %s", what, j->errmsg);
    finish(r, db_job_status(j), msg);
}

/* rotki's progress_updates for the decoding */
static void progress(run_t *r)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "progress_updates");
    json_begin_object(d);
    json_write_key(d, "chain");
    json_write_str(d, asset_evm_chain_name(r->chain_id) ? asset_evm_chain_name(r->chain_id) : "ethereum");
    json_write_key(d, "subtype");
    json_write_str(d, "undecoded_transactions");
    json_write_key(d, "total");
    json_write_int64(d, r->total);
    json_write_key(d, "processed");
    json_write_int64(d, (int64_t)r->decoded);
    json_end_object(d);
    notifier_message_send(&w, "progress_updates");
}

static void submit_query(run_t *r, const char *sql, void (*done)(db_job_t *), const char *p1, const char *p2)
{
    db_query_clear(&r->q);
    db_query_init(&r->q, sql, done, r);
    if (p1) db_query_param(&r->q, p1);
    if (p2) db_query_param(&r->q, p2);
    auth_submit(r->req, &r->q.job);
}

/* ------------------------------------------------------------------ the write */
static void written(db_job_t *j)
{
    run_t *r = j->ud;
    history_insert_clear(&r->ins);
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not store the decoded events");
        return;
    }
    r->decoded += r->ntxs;
    size_t got = r->rows;
    progress(r);
    slice_free(r);
    if (got < r->slice || (r->limit && r->decoded >= r->limit)) finish(r, 0, NULL);
    else next_slice(r);
}

static void token_lookup(void *ud, const uint8_t address[20], evmtx_token_info_t *out)
{
    run_t *r = ud;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->ntokens; i++)
        if (!memcmp(r->tokens[i].address, address, 20)) {
            *out = r->tokens[i].info;
            return;
        }
}

static void decode_slice(run_t *r)
{
    size_t cap = 0;
    for (size_t i = 0; i < r->ntxs; i++) cap += evmtx_events_max(&r->txs[i].tx);
    r->events = alloc_get(ALLOC_CLIENT, (cap ? cap : 1) * sizeof *r->events);
    if (!r->events) {
        finish(r, 503, "out of memory for the decoded events (heap budget reached)");
        return;
    }
    for (size_t i = 0; i < r->ntxs; i++) {
        int n = evmtx_decode_tx(&r->txs[i].tx, &r->tracked, token_lookup, r, r->events + r->nevents, cap - r->nevents);
        if (n < 0) { /* a fee beyond 2^256: the stored tx is broken; its events are left out */
            log_warn("evmtx: transaction %lld has amounts that do not fit 256 bits; decoded without events",
                     (long long)r->txs[i].id);
            continue;
        }
        r->nevents += (size_t)n;
    }
    history_insert_init(&r->ins, r->events, r->nevents, written, r);
    r->ins.after_sql = sql_mark;
    r->ins.after_param = r->ids;
    auth_submit(r->req, &r->ins.job);
}

/* ------------------------------------------------------------------ tokens */
/* rotki's new_token_detected for a token learned while decoding, with the first tx it was seen in */
static void announce(run_t *r, const uint8_t address[20], const char *identifier)
{
    static const char hex[] = "0123456789abcdef";
    char ref[67] = "";
    for (size_t i = 0; i < r->ntxs && !ref[0]; i++)
        for (size_t k = 0; k < r->txs[i].nlogs && !ref[0]; k++)
            if (!memcmp(r->txs[i].logs[k].address, address, 20)) {
                ref[0] = '0', ref[1] = 'x';
                for (int b = 0; b < 32; b++) {
                    ref[2 + 2 * b] = hex[r->txs[i].tx.hash[b] >> 4];
                    ref[3 + 2 * b] = hex[r->txs[i].tx.hash[b] & 15];
                }
                ref[66] = 0;
            }
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "new_token_detected");
    json_begin_object(d);
    json_write_key(d, "token_identifier");
    json_write_str(d, identifier);
    json_write_key(d, "token_kind");
    json_write_str(d, "evm");
    if (ref[0]) {
        json_write_key(d, "seen_tx_reference");
        json_write_str(d, ref);
    }
    json_end_object(d);
    notifier_message_send(&w, "new_token_detected");
}

static void tokens_resolved(void *ud, const char *error)
{
    run_t *r = ud;
    if (error) {
        char msg[200];
        snprintf(msg, sizeof msg, "Could not read the token metadata: %s", error);
        finish(r, strstr(error, "memory") ? 503 : 409, msg);
        return;
    }
    r->tokens = alloc_zget(ALLOC_CLIENT, (r->nneed ? r->nneed : 1) * sizeof *r->tokens);
    if (!r->tokens) {
        finish(r, 503, "out of memory for the tokens (heap budget reached)");
        return;
    }
    for (size_t i = 0; i < r->nneed; i++) {
        token_t *t = &r->tokens[r->ntokens++];
        asset_info_t a;
        memcpy(t->address, r->need[i], 20);
        if (asset_registry_find(r->need_ids[i], &a) && a.decimals >= 0) {
            if (!r->was_known[i]) announce(r, r->need[i], a.identifier);
            t->info.known = 1;
            t->info.decimals = a.decimals;
            snprintf(t->info.symbol, sizeof t->info.symbol, "%s", a.symbol);
        } else if (!asset_registry_refused(r->chain_id, r->need[i])) {
            char msg[200];
            snprintf(msg, sizeof msg, "Could not read the metadata of token %s from the Ethereum nodes", r->need_ids[i]);
            finish(r, 502, msg);
            return;
        } /* else: the chain says it is no ERC-20, its logs give no event */
    }
    decode_slice(r);
}

static void user_tokens_read(void *ud, const char *error)
{
    run_t *r = ud;
    if (error) {
        tokens_resolved(r, error);
        return;
    }
    for (size_t i = 0; i < r->nneed; i++) {
        asset_info_t a;
        r->was_known[i] = (uint8_t)asset_registry_find(r->need_ids[i], &a);
    }
    asset_registry_resolve(r->req, (const char *const *)r->need_ids, r->nneed, tokens_resolved, r);
}

static void need_tokens(run_t *r)
{
    /* a list that came out full may have missed some: a bigger one, from the start */
    for (size_t cap = MAX_TOKENS;; cap *= 2) {
        r->nneed = 0;
        if (!(r->need = alloc_get(ALLOC_CLIENT, cap * sizeof *r->need))) {
            finish(r, 503, "out of memory for the tokens (heap budget reached)");
            return;
        }
        for (size_t i = 0; i < r->ntxs; i++)
            r->nneed = evmtx_tokens_needed(&r->txs[i].tx, &r->tracked, r->need, r->nneed, cap);
        if (r->nneed < cap) break;
        alloc_free(r->need);
        r->need = NULL;
    }
    r->need_ids = alloc_zget(ALLOC_CLIENT, (r->nneed ? r->nneed : 1) * sizeof *r->need_ids);
    if (!r->need_ids) {
        finish(r, 503, "out of memory for the tokens (heap budget reached)");
        return;
    }
    for (size_t i = 0; i < r->nneed; i++) {
        char addr[43];
        evm_address_checksum(r->need[i], addr);
        r->need_ids[i] = alloc_get(ALLOC_CLIENT, ASSET_ID_MAX);
        if (!r->need_ids[i]) {
            finish(r, 503, "out of memory for the tokens (heap budget reached)");
            return;
        }
        snprintf(r->need_ids[i], ASSET_ID_MAX, "eip155:%llu/erc20:%s", (unsigned long long)r->chain_id, addr);
    }
    if (!(r->was_known = alloc_zget(ALLOC_CLIENT, r->nneed ? r->nneed : 1))) {
        finish(r, 503, "out of memory for the tokens (heap budget reached)");
        return;
    }
    /* the user's tokens first (a resolve of nothing reads them after a login), so that what is
     * unknown now is truly new */
    asset_registry_resolve(r->req, NULL, 0, user_tokens_read, r);
}

/* ------------------------------------------------------------------ the reads */
static slice_tx_t *tx_of(run_t *r, const char *id_s, size_t *hint)
{
    int64_t id = id_s ? strtoll(id_s, NULL, 10) : -1;
    for (size_t k = 0; k < r->ntxs; k++) {
        size_t i = (*hint + k) % r->ntxs;
        if (r->txs[i].id == id) {
            *hint = i;
            return &r->txs[i];
        }
    }
    return NULL;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 4;
    void *q = alloc_reget(ALLOC_CLIENT, *p, c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static void internals_read(db_job_t *j)
{
    run_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not read the internal transactions");
        return;
    }
    size_t hint = 0;
    for (size_t row = 0; row < r->q.nrows; row++) {
        slice_tx_t *t = tx_of(r, db_query_cell(&r->q, row, 0), &hint);
        if (!t) continue;
        if (grow((void **)&t->internals, &t->capinternals, t->ninternals, sizeof *t->internals) != 0) {
            finish(r, 503, "out of memory for the internal transactions (heap budget reached)");
            return;
        }
        evmtx_internal_t *in = &t->internals[t->ninternals];
        memset(in, 0, sizeof *in);
        const char *to = db_query_cell(&r->q, row, 2), *value = db_query_cell(&r->q, row, 3);
        if (parse_addr(db_query_cell(&r->q, row, 1), in->from) != 0 || !value || evmtx_u256_from_dec(value, in->value) != 0)
            continue; /* a row rotki could not read either */
        in->has_to = to && parse_addr(to, in->to) == 0;
        t->ninternals++;
    }
    for (size_t i = 0; i < r->ntxs; i++) {
        r->txs[i].tx.internals = r->txs[i].internals;
        r->txs[i].tx.ninternals = r->txs[i].ninternals;
    }
    db_query_clear(&r->q);
    need_tokens(r);
}

static void logs_read(db_job_t *j)
{
    run_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not read the receipt logs");
        return;
    }
    size_t hint = 0;
    for (size_t row = 0; row < r->q.nrows; row++) {
        slice_tx_t *t = tx_of(r, db_query_cell(&r->q, row, 0), &hint);
        const char *index = db_query_cell(&r->q, row, 1), *data = db_query_cell(&r->q, row, 3);
        const char *topics = db_query_cell(&r->q, row, 4);
        if (!t || !index || !data) continue;
        if (grow((void **)&t->logs, &t->caplogs, t->nlogs, sizeof *t->logs) != 0) {
            finish(r, 503, "out of memory for the receipt logs (heap budget reached)");
            return;
        }
        evmtx_log_t *l = &t->logs[t->nlogs];
        memset(l, 0, sizeof *l);
        l->log_index = (uint32_t)strtoul(index, NULL, 10);
        if (parse_addr(db_query_cell(&r->q, row, 2), l->address) != 0) continue;
        for (const char *p = topics; p && *p && l->ntopics < 4;) { /* 64 hex digits each, comma-separated */
            if (strlen(p) < 64 || unhex(p, 64, l->topics[l->ntopics]) != 0) break;
            l->ntopics++;
            p += 64;
            if (*p == ',') p++;
        }
        /* the data stays in the query's cells until the slice is decoded: copy it */
        size_t n = strlen(data) / 2;
        uint8_t *bytes = n ? alloc_get(ALLOC_CLIENT, n) : NULL;
        if (n && !bytes) {
            finish(r, 503, "out of memory for the receipt logs (heap budget reached)");
            return;
        }
        if (n && unhex(data, 2 * n, bytes) != 0) {
            alloc_free(bytes);
            continue;
        }
        l->data = bytes;
        l->data_len = n;
        t->nlogs++;
    }
    for (size_t i = 0; i < r->ntxs; i++) {
        r->txs[i].tx.logs = r->txs[i].logs;
        r->txs[i].tx.nlogs = r->txs[i].nlogs;
    }
    submit_query(r, sql_internal, internals_read, r->ids, NULL);
}

/* one tx row into t; -1 when rotki could not read it either */
static int tx_from_row(run_t *r, size_t row, slice_tx_t *t)
{
    const db_query_t *q = &r->q;
    const char *hash = db_query_cell(q, row, T_HASH), *ts = db_query_cell(q, row, T_TS), *to = db_query_cell(q, row, T_TO);
    const char *input = db_query_cell(q, row, T_INPUT), *status = db_query_cell(q, row, T_STATUS);
    const char *contract = db_query_cell(q, row, T_CONTRACT);
    evmtx_tx_t *tx = &t->tx;
    t->id = strtoll(db_query_cell(q, row, T_ID), NULL, 10);
    tx->chain_id = r->chain_id;
    if (!hash || strlen(hash) != 64 || unhex(hash, 64, tx->hash) != 0 || !ts || !status ||
        parse_addr(db_query_cell(q, row, T_FROM), tx->from) != 0 || !db_query_cell(q, row, T_VALUE) ||
        evmtx_u256_from_dec(db_query_cell(q, row, T_VALUE), tx->value) != 0 || !db_query_cell(q, row, T_GAS_USED) ||
        evmtx_u256_from_dec(db_query_cell(q, row, T_GAS_USED), tx->gas_used) != 0 || !db_query_cell(q, row, T_GAS_PRICE) ||
        evmtx_u256_from_dec(db_query_cell(q, row, T_GAS_PRICE), tx->gas_price) != 0)
        return -1;
    tx->timestamp = strtoll(ts, NULL, 10);
    tx->status = strcmp(status, "0") != 0;
    tx->has_to = to && parse_addr(to, tx->to) == 0;
    tx->has_contract = contract && parse_addr(contract, tx->contract_address) == 0;
    size_t n = input ? strlen(input) / 2 : 0;
    if (n) {
        if (!(t->input = alloc_get(ALLOC_CLIENT, n))) return -2;
        if (unhex(input, 2 * n, t->input) != 0) n = 0;
    }
    tx->input = t->input;
    tx->input_len = n;
    return 0;
}

static void txs_read(db_job_t *j)
{
    run_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not read the transactions");
        return;
    }
    if (r->q.nrows == 0) {
        finish(r, 0, NULL);
        return;
    }
    r->txs = alloc_zget(ALLOC_CLIENT, r->q.nrows * sizeof *r->txs);
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    if (!r->txs) {
        json_writer_free(&w);
        finish(r, 503, "out of memory for the transactions (heap budget reached)");
        return;
    }
    for (size_t row = 0; row < r->q.nrows; row++) {
        slice_tx_t *t = &r->txs[r->ntxs];
        int rc = tx_from_row(r, row, t);
        if (rc == -2) {
            r->ntxs++; /* its input is freed with the slice */
            json_writer_free(&w);
            finish(r, 503, "out of memory for the transactions (heap budget reached)");
            return;
        }
        /* an unreadable row is marked decoded too (no events), or it would come back forever */
        json_write_int64(&w, t->id);
        if (rc == 0) r->ntxs++;
        else {
            log_warn("evmtx: transaction %lld cannot be read; marked decoded without events", (long long)t->id);
            alloc_free(t->input);
            memset(t, 0, sizeof *t);
        }
    }
    json_end_array(&w);
    size_t len;
    r->ids = json_writer_take(&w, &len);
    if (!r->ids) {
        finish(r, 503, "out of memory for the transactions (heap budget reached)");
        return;
    }
    r->rows = r->q.nrows; /* a full slice asks for the next one even when some rows were unreadable */
    submit_query(r, sql_logs, logs_read, r->ids, NULL);
}

static void next_slice(run_t *r)
{
    size_t n = r->slice;
    r->in_slice = 1;
    if (r->limit && r->limit - r->decoded < n) n = r->limit - r->decoded;
    snprintf(r->limit_param, sizeof r->limit_param, "%zu", n);
    submit_query(r, sql_txs, txs_read, r->chain_param, r->limit_param);
}

static void counted(db_job_t *j)
{
    run_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not count the undecoded transactions");
        return;
    }
    const char *c = r->q.nrows ? db_query_cell(&r->q, 0, 0) : NULL;
    r->total = c ? strtoll(c, NULL, 10) : 0;
    if (r->limit && (int64_t)r->limit < r->total) r->total = (int64_t)r->limit;
    if (r->total == 0) {
        finish(r, 0, NULL);
        return;
    }
    progress(r);
    next_slice(r);
}

static void tracked_read(db_job_t *j)
{
    run_t *r = j->ud;
    if (j->rc != DB_JOB_DONE) {
        fail_job(r, j, "Could not read the tracked accounts");
        return;
    }
    r->tracked.addr = alloc_get(ALLOC_CLIENT, (r->q.nrows ? r->q.nrows : 1) * 20);
    if (!r->tracked.addr) {
        finish(r, 503, "out of memory for the tracked accounts (heap budget reached)");
        return;
    }
    for (size_t row = 0; row < r->q.nrows; row++)
        if (parse_addr(db_query_cell(&r->q, row, 0), r->tracked.addr[r->tracked.n]) == 0) r->tracked.n++;
    evmtx_tracked_sort(&r->tracked);
    submit_query(r, sql_count, counted, r->chain_param, NULL);
}

void evmtx_decode_pending(api_req_t *req, uint64_t chain_id, size_t limit, evmtx_decode_done_fn done, void *ud)
{
    run_t *r = alloc_zget(ALLOC_CLIENT, sizeof *r);
    if (!r) {
        done(ud, 503, "out of memory (heap budget reached)", 0);
        return;
    }
    r->req = req;
    r->chain_id = chain_id;
    r->limit = limit;
    r->slice = SLICE;
    r->done = done;
    r->ud = ud;
    snprintf(r->chain_param, sizeof r->chain_param, "%llu", (unsigned long long)chain_id);
    if (chain_accounts_query_init(&r->q, "eth", tracked_read, r) != 0) {
        finish(r, 409, "pipit does not serve the Ethereum accounts");
        return;
    }
    auth_submit(req, &r->q.job);
}
