/* query — POST /api/1/history/events: rotki's HistoryEventsService.get_history_events for the
 * events pipit stores. One read job runs three statements: the total (rows, or groups when
 * aggregating), the filtered count, and the page; the page's rows are written straight into the
 * reply as they come (the job yields between rows), each with rotki's wrapper fields computed
 * by SQL for that row only:
 *   ignored_in_accounting  the group is in ignored_actions (only when true, as rotki)
 *   states                 its history_events_mappings 'state' values (only when any)
 *   hidden                 rotki's get_hidden_event_ids rule (eth staking groups; only when true)
 *   grouped_events_num     the group's matching events (aggregate_by_group_ids only)
 *   has_ignored_assets     an event of the group has an ignored asset (only when true)
 *   event_accounting_rule_status  "processed" (informational, eth staking), "has rule" (an event
 *                          rule or a type/subtype rule in accounting_rules), else "not processed"
 * The page is selected first (a materialized CTE with the ORDER BY/LIMIT), so those lookups
 * run for the page's rows, never for the whole filtered set. */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../../db/snapshots.h"
#include "../auth.h"
#include "../chain/tokens.h"
#include "internal.h"

enum { Q_TOTAL, Q_FOUND, Q_PAGE, Q_COUNT };
enum { P_START = Q_COUNT, P_ROWS };

typedef struct {
    db_job_t job; /* first: the job is the op */
    api_req_t *req;
    hist_filter_t f;
    hist_sql_t sql[Q_COUNT];
    json_writer_t *w;
    sqlite3_stmt *st;
    int64_t count[2]; /* total, found */
    uint64_t rows, skipped;
    int nomem;
} query_op_t;

/* ------------------------------------------------------------------ SQL */
static const char page_columns[] =
    "%s, entry_type, group_identifier, sequence_index, timestamp, location, location_label, asset, amount, notes, type, "
    "subtype, extra_data, %s AS grouped";
enum {
    C_ID, C_ENTRY_TYPE, C_GROUP, C_SEQ, C_TS, C_LOCATION, C_LABEL, C_ASSET, C_AMOUNT, C_NOTES, C_TYPE, C_SUBTYPE,
    C_EXTRA, C_GROUPED, C_IGNORED_ACTION, C_STATES, C_HIDDEN, C_GROUP_IGNORED, C_STATUS, C_SYMBOL, C_TX_REF,
    C_COUNTERPARTY, C_ADDRESS
};
/* the wrapper fields, per page row */
static const char wrapper_columns[] =
    ", EXISTS(SELECT 1 FROM ignored_actions a WHERE a.identifier = page.group_identifier)"
    ", (SELECT group_concat(value) FROM (SELECT m.value FROM history_events_mappings m "
    "WHERE m.parent_identifier = page.identifier AND m.name = 'state' ORDER BY m.value))"
    ", (page.sequence_index = 1 AND EXISTS(SELECT 1 FROM eth_staking_events_info s WHERE s.identifier = page.identifier) "
    "AND (SELECT COUNT(*) FROM history_events e2 WHERE e2.group_identifier = page.group_identifier) > 2)"
    ", EXISTS(SELECT 1 FROM history_events g WHERE g.group_identifier = page.group_identifier AND g.ignored = 1)"
    ", CASE WHEN page.type = 'informational' OR page.entry_type IN (3, 4, 5) "
    "OR (page.entry_type = 2 AND substr(page.group_identifier, 1, 4) = 'BP1_') THEN 'processed' "
    "WHEN EXISTS(SELECT 1 FROM accounting_rule_events r WHERE r.event_id = page.identifier) THEN 'has rule' "
    "WHEN EXISTS(SELECT 1 FROM accounting_rules r WHERE r.type = page.type AND r.subtype = page.subtype "
    "AND r.is_event_specific = 0 AND r.counterparty IN ('NONE', COALESCE((SELECT c.counterparty FROM chain_events_info c "
    "WHERE c.identifier = page.identifier), 'NONE'))) THEN 'has rule' ELSE 'not processed' END"
    ", (SELECT CASE WHEN json_valid(k.value) THEN json_extract(k.value, '$.symbol') END FROM key_value_cache k "
    "WHERE k.name = 'pipit_token:' || page.asset)"
    /* an onchain event's chain_events_info (rotki's OnchainEvent) */
    ", (SELECT lower(hex(c.tx_ref)) FROM chain_events_info c WHERE c.identifier = page.identifier)"
    ", (SELECT c.counterparty FROM chain_events_info c WHERE c.identifier = page.identifier)"
    ", (SELECT c.address FROM chain_events_info c WHERE c.identifier = page.identifier)";

/* rotki's _build_matched_movement_exclusion: of a matched pair only the movement's group counts
 * (rotki's events filter always holds the time range, so the filtered form) */
static void matched_exclusion(const hist_filter_t *f, hist_sql_t *q)
{
    hist_sql_add(q, " AND group_identifier NOT IN (SELECT he_match.group_identifier FROM history_event_links hel "
                    "JOIN history_events he_match ON he_match.identifier = hel.right_event_id "
                    "JOIN history_events he_move ON he_move.identifier = hel.left_event_id WHERE hel.link_type = 1 "
                    "AND (he_move.entry_type != he_match.entry_type OR hel.left_event_id < hel.right_event_id) "
                    "AND he_move.group_identifier IN (SELECT group_identifier FROM history_events WHERE ");
    hist_filter_where(f, q);
    hist_sql_add(q, "))");
}

static int build_sql(query_op_t *op)
{
    const hist_filter_t *f = &op->f;
    hist_sql_t *total = &op->sql[Q_TOTAL], *found = &op->sql[Q_FOUND], *page = &op->sql[Q_PAGE];
    char cols[300];
    if (f->aggregate) {
        /* rotki: SELECT COUNT(*), * … GROUP BY group_identifier: the group's shown event is the
         * bare columns' row, the first of the group in scan order (SQLite sorts the groups in a
         * temporary b-tree), which is the lowest identifier; MIN() makes that explicit */
        hist_sql_add(total, "SELECT COUNT(DISTINCT group_identifier) FROM history_events");
        hist_sql_add(found, "SELECT COUNT(*) FROM (SELECT 1 FROM history_events WHERE ");
        hist_filter_where(f, found);
        matched_exclusion(f, found);
        hist_sql_add(found, " GROUP BY group_identifier)");
        snprintf(cols, sizeof cols, page_columns, "MIN(identifier) AS identifier", "COUNT(*)");
    } else {
        hist_sql_add(total, "SELECT COUNT(*) FROM history_events");
        hist_sql_add(found, "SELECT COUNT(*) FROM history_events WHERE ");
        hist_filter_where(f, found);
        snprintf(cols, sizeof cols, page_columns, "identifier", "0");
    }
    hist_sql_add(page, "WITH page AS MATERIALIZED (SELECT ");
    hist_sql_add(page, cols);
    hist_sql_add(page, " FROM history_events WHERE ");
    hist_filter_where(f, page);
    if (f->aggregate) {
        matched_exclusion(f, page);
        hist_sql_add(page, " GROUP BY group_identifier");
    }
    hist_sql_add(page, " ORDER BY ");
    hist_sql_add(page, f->order);
    if (f->paginate) { /* rotki's DBFilterPagination: LIMIT {limit or -1} OFFSET {offset} */
        hist_sql_add(page, " LIMIT ? OFFSET ?");
        hist_sql_bind_int(page, f->limit ? f->limit : -1);
        hist_sql_bind_int(page, f->offset);
    }
    hist_sql_add(page, ") SELECT page.*");
    hist_sql_add(page, wrapper_columns);
    hist_sql_add(page, " FROM page ORDER BY ");
    hist_sql_add(page, f->order);
    return hist_sql_ok(total) && hist_sql_ok(found) && hist_sql_ok(page) ? 0 : -1;
}

/* ------------------------------------------------------------------ one entry */
static const char *col_text(sqlite3_stmt *st, int c) { return (const char *)sqlite3_column_text(st, c); }

/* Asset.symbol_or_name() as far as pipit knows assets: the built-in and user tokens, else the
 * identifier (rotki's natives and fiat are their own symbol). */
static const char *asset_symbol(sqlite3_stmt *st)
{
    const char *asset = col_text(st, C_ASSET), *user = col_text(st, C_SYMBOL);
    const chain_token_t *builtin;
    size_t n = chain_tokens_builtin(&builtin);
    for (size_t i = 0; i < n; i++)
        if (strcmp(builtin[i].identifier, asset) == 0) return builtin[i].symbol;
    return user && user[0] ? user : asset;
}

/* The auto_notes rotki's classes write (SwapEvent, AssetMovement, Kraken staking); NULL for none. */
static const char *auto_notes(sqlite3_stmt *st, int entry_type, int type, int subtype, const char *amount, char location,
                              char *buf, size_t len)
{
    char where[64];
    const char *sym = asset_symbol(st);
    hist_location_label(location, where, sizeof where);
    if (entry_type == HIST_ENTRY_SWAP) {
        if (subtype == HS_SPEND) snprintf(buf, len, "Swap %s %s in %s", amount, sym, where);
        else if (subtype == HS_RECEIVE) snprintf(buf, len, "Receive %s %s after a swap in %s", amount, sym, where);
        else snprintf(buf, len, "Spend %s %s as %s swap fee", amount, sym, where);
    } else if (entry_type == HIST_ENTRY_ASSET_MOVEMENT) {
        if (subtype == HS_FEE) snprintf(buf, len, "Pay %s %s as %s exchange transfer fee", amount, sym, where);
        else if (subtype == HS_RECEIVE) snprintf(buf, len, "Deposit %s %s to %s", amount, sym, where);
        else snprintf(buf, len, "Withdraw %s %s from %s", amount, sym, where);
    } else if (location == 'B' && type == HT_STAKING && subtype == HS_REWARD) {
        snprintf(buf, len, "Gain %s %s from Kraken staking", amount, sym);
    } else if (location == 'B' && type == HT_STAKING && subtype == HS_FEE) {
        snprintf(buf, len, "Spend %s %s as Kraken staking fee", amount, sym);
    } else {
        return NULL;
    }
    return buf;
}

static int flag(sqlite3_stmt *st, int c) { return sqlite3_column_int(st, c) != 0; }

/* Writes one page row as rotki's serialize_for_api() does; 0 when rotki could not read the row
 * (rotki skips such an event too, with an error message). */
static int write_entry(query_op_t *op, sqlite3_stmt *st)
{
    json_writer_t *w = op->w;
    const char *loc = col_text(st, C_LOCATION), *type_s = col_text(st, C_TYPE), *sub_s = col_text(st, C_SUBTYPE);
    const char *amount_s = col_text(st, C_AMOUNT), *extra = col_text(st, C_EXTRA), *notes = col_text(st, C_NOTES);
    int entry_type = sqlite3_column_int(st, C_ENTRY_TYPE);
    int type = type_s ? hist_type_parse(type_s, strlen(type_s)) : -1;
    int subtype = sub_s ? hist_subtype_parse(sub_s, strlen(sub_s)) : -1;
    char amount[130], notes_buf[400];
    if (!hist_entry_type_name(entry_type) || !loc || strlen(loc) != 1 || !snapshot_location_name(loc[0]) || type < 0 ||
        subtype < 0 || !amount_s || json_normalize_amount(amount_s, strlen(amount_s), amount, sizeof amount) != JSON_OK ||
        !col_text(st, C_GROUP) || !col_text(st, C_ASSET))
        return 0;
    if ((entry_type == HIST_ENTRY_ASSET_MOVEMENT &&
         (type != HT_EXCHANGE_TRANSFER || (subtype != HS_FEE && subtype != HS_RECEIVE && subtype != HS_SPEND))) ||
        (entry_type == HIST_ENTRY_SWAP && subtype != HS_FEE && subtype != HS_RECEIVE && subtype != HS_SPEND))
        return 0;
    if (entry_type == HIST_ENTRY_SWAP) type = HT_TRADE; /* SwapEvent is always a trade */
    json_begin_object(w);
    json_write_key(w, "entry");
    json_begin_object(w);
    json_write_key(w, "timestamp");
    json_write_int64(w, sqlite3_column_int64(st, C_TS));
    json_write_key(w, "event_type");
    json_write_str(w, hist_type_name(type));
    json_write_key(w, "event_subtype");
    json_write_str(w, hist_subtype_name(subtype));
    json_write_key(w, "location");
    json_write_str(w, snapshot_location_name(loc[0]));
    json_write_key(w, "location_label");
    json_write_str(w, col_text(st, C_LABEL));
    json_write_key(w, "asset");
    json_write_str(w, col_text(st, C_ASSET));
    json_write_key(w, "amount");
    json_write_str(w, amount);
    json_write_key(w, "identifier");
    json_write_int64(w, sqlite3_column_int64(st, C_ID));
    json_write_key(w, "entry_type");
    json_write_str(w, hist_entry_type_name(entry_type));
    json_write_key(w, "group_identifier");
    json_write_str(w, col_text(st, C_GROUP));
    json_write_key(w, "sequence_index");
    json_write_int64(w, sqlite3_column_int64(st, C_SEQ));
    json_write_key(w, "extra_data");
    json_doc_t doc = {0};
    char why[8];
    if (extra && json_parse(&doc, extra, strlen(extra), 0, why, sizeof why) == JSON_OK) json_write_raw(w, extra, strlen(extra));
    else json_write_null(w); /* rotki: unreadable extra_data is logged and set to null */
    json_doc_free(&doc);
    if (notes && (notes[0] || entry_type != HIST_ENTRY_SWAP)) { /* a swap's "" notes read back as None */
        json_write_key(w, "user_notes");
        json_write_str(w, notes);
    }
    const char *an = auto_notes(st, entry_type, type, subtype, amount, loc[0], notes_buf, sizeof notes_buf);
    if (an) {
        json_write_key(w, "auto_notes");
        json_write_str(w, an);
    }
    const char *tx_ref = col_text(st, C_TX_REF);
    if (tx_ref) { /* OnchainEvent.serialize: str(tx_ref) is "0x" + hex */
        char ref[80];
        snprintf(ref, sizeof ref, "0x%s", tx_ref);
        json_write_key(w, "tx_ref");
        json_write_str(w, ref);
        json_write_key(w, "counterparty");
        json_write_str(w, col_text(st, C_COUNTERPARTY));
        json_write_key(w, "address");
        json_write_str(w, col_text(st, C_ADDRESS));
    }
    json_end_object(w);
    if (flag(st, C_IGNORED_ACTION)) {
        json_write_key(w, "ignored_in_accounting");
        json_write_bool(w, 1);
    }
    const char *states = col_text(st, C_STATES);
    if (states) {
        json_write_key(w, "states");
        json_begin_array(w);
        for (const char *p = states; *p;) {
            const char *name = hist_state_name(*p - '0');
            if (name && (p[1] == ',' || !p[1])) json_write_str(w, name);
            while (*p && *p != ',') p++;
            if (*p) p++;
        }
        json_end_array(w);
    }
    if (flag(st, C_HIDDEN)) {
        json_write_key(w, "hidden");
        json_write_bool(w, 1);
    }
    if (op->f.aggregate) {
        json_write_key(w, "grouped_events_num");
        json_write_int64(w, sqlite3_column_int64(st, C_GROUPED));
    }
    if (flag(st, C_GROUP_IGNORED)) {
        json_write_key(w, "has_ignored_assets");
        json_write_bool(w, 1);
    }
    json_write_key(w, "event_accounting_rule_status");
    json_write_str(w, col_text(st, C_STATUS));
    json_end_object(w);
    return 1;
}

/* ------------------------------------------------------------------ the job */
static int nomem_fail(query_op_t *op)
{
    op->nomem = 1;
    return db_job_fail(&op->job, NULL, "out of memory writing the events (heap budget reached)");
}

static int step_fail(query_op_t *op, sqlite3 *conn, int rc)
{
    return (rc & 0xff) == SQLITE_NOMEM ? nomem_fail(op) : db_job_fail(&op->job, conn, NULL);
}

static void finalize(query_op_t *op)
{
    if (op->st) sqlite3_finalize(op->st);
    op->st = NULL;
}

static int query_run(query_op_t *op, sqlite3 *conn)
{
    db_job_t *job = &op->job;
    int rc;
    while (job->state < Q_PAGE) { /* the two counts: one row each */
        if (hist_sql_prepare(job, conn, &op->sql[job->state], &op->st) != 0) return DB_JOB_EFAIL;
        if ((rc = db_job_step(job, op->st)) != SQLITE_ROW) return step_fail(op, conn, rc);
        op->count[job->state] = sqlite3_column_int64(op->st, 0);
        finalize(op);
        job->state++;
    }
    if (job->state == Q_PAGE) {
        if (hist_sql_prepare(job, conn, &op->sql[Q_PAGE], &op->st) != 0) return DB_JOB_EFAIL;
        json_begin_object(op->w);
        json_write_key(op->w, "entries");
        json_begin_array(op->w);
        job->state = P_ROWS;
    }
    for (;;) {
        if (db_job_yield_due(job)) return DB_JOB_MORE; /* the page statement stays for the next slice */
        rc = db_job_step(job, op->st);
        if (rc != SQLITE_ROW) break;
        if (write_entry(op, op->st)) op->rows++;
        else op->skipped++;
        if (json_writer_error(op->w) != JSON_OK) return nomem_fail(op);
    }
    if (rc != SQLITE_DONE) return step_fail(op, conn, rc);
    finalize(op);
    json_end_array(op->w);
    json_write_key(op->w, "entries_found");
    json_write_int64(op->w, op->count[1]);
    json_write_key(op->w, "entries_limit");
    json_write_int64(op->w, -1); /* rotki's premium: no limit */
    json_write_key(op->w, "entries_total");
    json_write_int64(op->w, op->count[0]);
    json_end_object(op->w);
    return json_writer_error(op->w) == JSON_OK ? DB_JOB_DONE : nomem_fail(op);
}

static int query_step(db_job_t *job, sqlite3 **slot)
{
    query_op_t *op = (query_op_t *)job;
    int rc = query_run(op, *slot);
    if (rc != DB_JOB_MORE) finalize(op);
    return rc;
}

static void query_abort(db_job_t *job) { finalize((query_op_t *)job); }

static void op_free(query_op_t *op)
{
    for (int i = 0; i < Q_COUNT; i++) hist_sql_free(&op->sql[i]);
    hist_filter_free(&op->f);
    alloc_free(op);
}

static void query_done(db_job_t *job)
{
    query_op_t *op = (query_op_t *)job;
    if (op->skipped)
        log_warn("history: %llu event(s) could not be read (unknown type, location or amount) and were left out",
                 (unsigned long long)op->skipped);
    if (job->rc != DB_JOB_DONE) /* api_reply_error starts the reply over */
        api_reply_error(op->req, op->nomem ? 503 : 409, "Could not read the history events: %s", job->errmsg);
    else
        api_reply_end(op->req, 200, "");
    op_free(op);
}

int hist_api_query(api_req_t *req)
{
    int obj;
    query_op_t *op = hist_op_new(req, sizeof *op, &obj);
    if (!op) return API_DONE;
    op->req = req;
    if (hist_filter_parse(req, obj, HIST_FILTER_QUERY, &op->f) != 0) {
        op_free(op);
        return API_DONE;
    }
    if (build_sql(op) != 0) {
        op_free(op);
        hist_reply_oom(req);
        return API_DONE;
    }
    db_job_init(&op->job, 0, query_step, query_done, op);
    op->job.abort = query_abort;
    op->w = api_reply_begin(req); /* the job writes the result straight into the reply */
    auth_submit(req, &op->job);
    return API_PENDING;
}
