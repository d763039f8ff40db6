/* internal — what the history files share: one event row as SQL sees it, statements built with
 * their bindings, rotki's filters, and the small request helpers. Not for other services. */
#ifndef PIPIT_HISTORY_INTERNAL_H
#define PIPIT_HISTORY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../api.h"
#include "events.h"
#include "names.h"

/* ------------------------------------------------------------------ one row */
/* A history_events row to write: strings are borrowed (NULL = SQL NULL), amount already in
 * rotki's str(FVal) form, type/subtype as names.h values. identifier: the row to edit (0 = new). */
typedef struct {
    int entry_type;
    const char *group_identifier;
    int64_t sequence_index, timestamp_ms, identifier;
    char location;
    const char *location_label, *asset, *amount, *notes, *extra_data;
    int type, subtype;
    const uint8_t *tx_ref;             /* an evm event: 32 bytes for chain_events_info (else NULL) */
    const char *counterparty, *address;
} hist_row_t;

/* INSERT OR IGNORE of the row's asset, then of the row (ignored set from the ignored assets),
 * then of its chain_events_info row when it has a tx_ref; 1 inserted (*id set), 0 the (group, sequence) exists, -1 error (job.errmsg set). */
int hist_row_insert(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, const hist_row_t *r, int64_t *id);
/* UPDATE of row r->identifier with every column but extra_data (keep_extra) or all of them:
 * 1 done, 0 no such row, -2 the (group, sequence) belongs to another row, -1 error. */
int hist_row_update(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, const hist_row_t *r, int keep_extra);
/* Marks the row customized (rotki's HistoryMappingState.CUSTOMIZED); 0 or -1. */
int hist_row_mark_customized(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, int64_t id);
void hist_stmts_finalize(hist_stmts_t *s);
/* Checks an importer's event as rotki's classes would take it; fills r (pointing into e, the
 * amount into amount_buf). 0, or -1 with the reason in err. */
int hist_event_check(const history_event_t *e, hist_row_t *r, char amount_buf[80], char *err, size_t errlen);

/* ------------------------------------------------------------------ rotki's derived values */
/* create_group_identifier (asset movements) and create_group_identifier_from_swap; unique_id
 * NULL/"" when absent. 0, or -1 out of memory. */
int hist_group_id_movement(char location, int64_t ts, const char *asset, const char *amount, const char *unique_id,
                           char out[65]);
int hist_group_id_swap(char location, int64_t ts, const char *spend_asset, const char *spend_amount,
                       const char *receive_asset, const char *receive_amount, const char *unique_id, char out[65]);
/* json.dumps(dict) of string pairs as Python writes it (", ", ": ", ASCII only), keys[i] ->
 * values[i], NULL values skipped; NULL (no allocation) when every value is NULL, as rotki stores
 * an empty extra_data. *nomem set when the allocation failed. */
char *hist_py_json_object(const char *const *keys, const char *const *values, size_t n, int *nomem);

/* ------------------------------------------------------------------ SQL with bindings */
enum { HIST_BIND_INT = 1, HIST_BIND_REAL, HIST_BIND_TEXT };
typedef struct {
    int type;
    int64_t i;
    double d;
    const char *s; /* borrowed: must outlive the statement */
} hist_bind_t;

#define HIST_SQL_MAX_BINDS 48
typedef struct {
    char *text;
    size_t len, cap;
    int nomem, overflow;
    hist_bind_t binds[HIST_SQL_MAX_BINDS];
    int nbinds;
} hist_sql_t;

void hist_sql_add(hist_sql_t *q, const char *text);
void hist_sql_bind_int(hist_sql_t *q, int64_t v);
void hist_sql_bind_real(hist_sql_t *q, double v);
void hist_sql_bind_text(hist_sql_t *q, const char *s);
int hist_sql_ok(const hist_sql_t *q); /* 1 when built without running out of memory */
/* Prepares q on conn with its bindings: 0, or -1 with the job failed. */
int hist_sql_prepare(db_job_t *j, sqlite3 *conn, const hist_sql_t *q, sqlite3_stmt **st);
void hist_sql_free(hist_sql_t *q);
/* Runs sql (no result rows wanted) with the n bindings b: 0, or -1 with the job failed.
 * *changes (if given) gets the rows changed. */
int hist_exec(db_job_t *j, sqlite3 *conn, const char *sql, const hist_bind_t *b, int n, int *changes);
/* The statement that ends every write: rotki's user_write() bumps last_write_ts. */
int hist_touch(db_job_t *j, sqlite3 *conn);

/* ------------------------------------------------------------------ rotki's filters */
/* HistoryEventFilterSchema (+ HistoryEventSchema's paging, order and grouping for the query,
 * + HistoryEventsDeletionSchema's force_delete for the delete), parsed from the body. Lists
 * become JSON arrays for json_each(?). */
typedef struct {
    int64_t from_ms, to_ms;
    char location[2];            /* the DB code as text; "": any */
    char *asset;
    char *entry_types;           /* JSON list of ints */
    int entry_types_exclude;
    char *event_types, *event_subtypes, *group_identifiers, *location_labels, *identifiers, *states;
    int states_matched;          /* "matched" is among the state markers */
    char *notes_like;            /* "%substring%" */
    char *tx_refs;               /* JSON list of 64-digit lowercase hex hashes */
    char *counterparties, *addresses;
    int evm;                     /* rotki's EvmEventFilterQuery: tx_refs, addresses or only EVM location labels */
    int has_min, has_max;
    double min_amount, max_amount;
    int exclude_ignored;
    /* query */
    int paginate;
    int64_t limit, offset;
    char order[160];             /* "timestamp DESC, sequence_index ASC, identifier ASC" */
    int aggregate;
    /* delete */
    int force_delete;
    int filters_given;           /* keys other than force_delete / exclude_ignored_assets */
} hist_filter_t;

enum { HIST_FILTER_QUERY, HIST_FILTER_DELETE };
/* 0, or -1 with the 400 (or 503) sent. f is to be freed either way. */
int hist_filter_parse(api_req_t *req, int obj, int kind, hist_filter_t *f);
/* Appends the filter's conditions, joined by AND, to q (never empty: the time range is always
 * there). Column names are history_events' own, unqualified. */
void hist_filter_where(const hist_filter_t *f, hist_sql_t *q);
void hist_filter_free(hist_filter_t *f);

/* ------------------------------------------------------------------ request helpers */
/* {"field": ["message"]} with status 400; returns -1. */
int hist_field_error(api_req_t *req, const char *field, const char *fmt, ...) PIPIT_PRINTF(3, 4);
/* A required/optional value of object obj: -1 absent (or null when null_ok) */
int hist_get(api_req_t *req, int obj, const char *key, int null_ok);
/* Python's int() of a string (blanks around allowed) / marshmallow's Boolean words: 0 or -1. */
int hist_parse_int(const char *s, int64_t *out);
int hist_parse_bool_word(const char *s, int *out);
/* Readers of one token; each returns 0, or -1 with the 400 sent naming field. */
int hist_read_int(api_req_t *req, int tok, const char *field, int64_t *out);
int hist_read_bool(api_req_t *req, int tok, const char *field, int *out);
/* A string into a new ALLOC_HTTP allocation (*out; NULL for "" when empty_null). */
int hist_read_str(api_req_t *req, int tok, const char *field, int empty_null, char **out);
/* rotki's deserialize_timestamp: a non-negative exact integer (number or string). */
int hist_read_timestamp(api_req_t *req, int tok, const char *field, int64_t *out);
/* rotki's AmountField: a decimal (number or string), canonical form into out. */
int hist_read_amount(api_req_t *req, int tok, const char *field, char *out, size_t outlen);
int hist_read_location(api_req_t *req, int tok, const char *field, char *out);
/* rotki's AssetField: a non-empty identifier (URL-unquoted, as rotki does). */
int hist_read_asset(api_req_t *req, int tok, const char *field, char **out);
/* The 503 for a request that ran out of memory. */
void hist_reply_oom(api_req_t *req);
/* A request's zeroed state, once it is known a user is logged in and the body (if any) is an
 * object (its token in *obj, -1 without a body); NULL with the reply (401, 400, 503) sent. */
void *hist_op_new(api_req_t *req, size_t size, int *obj);

/* ------------------------------------------------------------------ the endpoints */
int hist_api_query(api_req_t *req);
int hist_api_add(api_req_t *req);
int hist_api_edit(api_req_t *req);
int hist_api_delete(api_req_t *req);

#endif
