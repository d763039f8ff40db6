/* sql — statements with their bindings, and the row writes every history job shares. Runs on
 * the DB connection's thread (a worker with the threaded driver). */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/userdb.h"
#include "internal.h"

/* ------------------------------------------------------------------ building */
void hist_sql_add(hist_sql_t *q, const char *text)
{
    size_t n = strlen(text);
    if (q->nomem) return;
    if (q->len + n + 1 > q->cap) {
        size_t cap = q->cap ? q->cap : 512;
        while (cap < q->len + n + 1) cap *= 2;
        char *t = alloc_reget(ALLOC_HTTP, q->text, cap);
        if (!t) {
            q->nomem = 1;
            return;
        }
        q->text = t;
        q->cap = cap;
    }
    memcpy(q->text + q->len, text, n + 1);
    q->len += n;
}

static hist_bind_t *bind_slot(hist_sql_t *q)
{
    if (q->nbinds == HIST_SQL_MAX_BINDS) {
        q->overflow = 1;
        return NULL;
    }
    hist_bind_t *b = &q->binds[q->nbinds++];
    memset(b, 0, sizeof *b);
    return b;
}

void hist_sql_bind_int(hist_sql_t *q, int64_t v)
{
    hist_bind_t *b = bind_slot(q);
    if (b) b->type = HIST_BIND_INT, b->i = v;
}

void hist_sql_bind_real(hist_sql_t *q, double v)
{
    hist_bind_t *b = bind_slot(q);
    if (b) b->type = HIST_BIND_REAL, b->d = v;
}

void hist_sql_bind_text(hist_sql_t *q, const char *s)
{
    hist_bind_t *b = bind_slot(q);
    if (b) b->type = HIST_BIND_TEXT, b->s = s;
}

int hist_sql_ok(const hist_sql_t *q) { return !q->nomem && !q->overflow && q->text; }

void hist_sql_free(hist_sql_t *q)
{
    alloc_free(q->text);
    memset(q, 0, sizeof *q);
}

/* ------------------------------------------------------------------ running */
static int bind_all(sqlite3_stmt *st, const hist_bind_t *b, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = b[i].type == HIST_BIND_INT    ? sqlite3_bind_int64(st, i + 1, b[i].i)
                 : b[i].type == HIST_BIND_REAL ? sqlite3_bind_double(st, i + 1, b[i].d)
                 : b[i].s                      ? sqlite3_bind_text(st, i + 1, b[i].s, -1, SQLITE_STATIC)
                                               : sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int prepare_bound(db_job_t *j, sqlite3 *conn, const char *sql, const hist_bind_t *b, int n, sqlite3_stmt **st)
{
    *st = NULL;
    if (sqlite3_prepare_v2(conn, sql, -1, st, NULL) != SQLITE_OK || bind_all(*st, b, n) != SQLITE_OK) {
        db_job_fail(j, conn, NULL);
        sqlite3_finalize(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

int hist_sql_prepare(db_job_t *j, sqlite3 *conn, const hist_sql_t *q, sqlite3_stmt **st)
{
    return prepare_bound(j, conn, q->text, q->binds, q->nbinds, st);
}

int hist_exec(db_job_t *j, sqlite3 *conn, const char *sql, const hist_bind_t *b, int n, int *changes)
{
    sqlite3_stmt *st;
    if (prepare_bound(j, conn, sql, b, n, &st) != 0) return -1;
    int rc;
    while ((rc = db_job_step(j, st)) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) db_job_fail(j, conn, NULL);
    else if (changes) *changes = sqlite3_changes(conn);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int hist_touch(db_job_t *j, sqlite3 *conn) { return hist_exec(j, conn, userdb_sql_touch, NULL, 0, NULL); }

/* ------------------------------------------------------------------ rows */
static const char sql_asset[] = "INSERT OR IGNORE INTO assets(identifier) VALUES(?)";
/* rotki's _serialize_base_tuple_for_db columns; `ignored` as add_history_event sets it */
#define IGNORED_EXPR "EXISTS(SELECT 1 FROM multisettings WHERE name = 'ignored_asset' AND value = ?7)"
static const char sql_insert[] =
    "INSERT OR IGNORE INTO history_events(entry_type, group_identifier, sequence_index, timestamp, location, "
    "location_label, asset, amount, notes, type, subtype, extra_data, ignored) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, " IGNORED_EXPR ")";
/* rotki's edit_history_event: every column, `ignored` again; ?14 keeps the stored extra_data */
static const char sql_update[] =
    "UPDATE history_events SET entry_type = ?1, group_identifier = ?2, sequence_index = ?3, timestamp = ?4, "
    "location = ?5, location_label = ?6, asset = ?7, amount = ?8, notes = ?9, type = ?10, subtype = ?11, "
    "extra_data = CASE WHEN ?14 THEN extra_data ELSE ?12 END, ignored = " IGNORED_EXPR " WHERE identifier = ?13";
static const char sql_chain[] =
    "INSERT INTO chain_events_info(identifier, tx_ref, counterparty, address) VALUES(?, ?, ?, ?)";
static const char sql_state[] =
    "INSERT OR IGNORE INTO history_events_mappings(parent_identifier, name, value) VALUES(?, 'state', ?)";

static int ensure(db_job_t *j, sqlite3 *conn, sqlite3_stmt **st, const char *sql)
{
    if (*st) return 0;
    if (sqlite3_prepare_v2(conn, sql, -1, st, NULL) == SQLITE_OK) return 0;
    *st = NULL;
    db_job_fail(j, conn, NULL);
    return -1;
}

/* One step of a kept statement, reset after; the SQLite result code. */
static int step_once(db_job_t *j, sqlite3 *conn, sqlite3_stmt *st)
{
    int rc = db_job_step(j, st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int ext = sqlite3_extended_errcode(conn);
        db_job_fail(j, conn, NULL); /* before the reset replaces the message */
        sqlite3_reset(st);
        return ext;
    }
    sqlite3_reset(st);
    return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static void bind_row(sqlite3_stmt *st, const hist_row_t *r)
{
    char loc[2] = {r->location, 0};
    sqlite3_bind_int(st, 1, r->entry_type);
    sqlite3_bind_text(st, 2, r->group_identifier, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->sequence_index);
    sqlite3_bind_int64(st, 4, r->timestamp_ms);
    sqlite3_bind_text(st, 5, loc, 1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 6, r->location_label);
    sqlite3_bind_text(st, 7, r->asset, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->amount, -1, SQLITE_STATIC);
    bind_text_or_null(st, 9, r->notes);
    sqlite3_bind_text(st, 10, hist_type_name(r->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, hist_subtype_name(r->subtype), -1, SQLITE_STATIC);
    bind_text_or_null(st, 12, r->extra_data);
}

static int add_asset(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, const char *asset)
{
    if (ensure(j, conn, &s->asset, sql_asset) != 0) return -1;
    sqlite3_bind_text(s->asset, 1, asset, -1, SQLITE_STATIC);
    return step_once(j, conn, s->asset) == SQLITE_DONE ? 0 : -1;
}

int hist_row_insert(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, const hist_row_t *r, int64_t *id)
{
    if (add_asset(j, conn, s, r->asset) != 0 || ensure(j, conn, &s->insert, sql_insert) != 0) return -1;
    bind_row(s->insert, r);
    if (step_once(j, conn, s->insert) != SQLITE_DONE) return -1;
    if (sqlite3_changes(conn) == 0) return 0;
    *id = sqlite3_last_insert_rowid(conn);
    if (r->tx_ref) {
        if (ensure(j, conn, &s->chain, sql_chain) != 0) return -1;
        sqlite3_bind_int64(s->chain, 1, *id);
        sqlite3_bind_blob(s->chain, 2, r->tx_ref, 32, SQLITE_STATIC);
        bind_text_or_null(s->chain, 3, r->counterparty);
        bind_text_or_null(s->chain, 4, r->address);
        if (step_once(j, conn, s->chain) != SQLITE_DONE) return -1;
    }
    return 1;
}

int hist_row_update(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, const hist_row_t *r, int keep_extra)
{
    if (add_asset(j, conn, s, r->asset) != 0 || ensure(j, conn, &s->update, sql_update) != 0) return -1;
    bind_row(s->update, r);
    sqlite3_bind_int64(s->update, 13, r->identifier);
    sqlite3_bind_int(s->update, 14, keep_extra);
    int rc = step_once(j, conn, s->update);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) return -2;
    if (rc != SQLITE_DONE) return -1;
    return sqlite3_changes(conn) == 1;
}

int hist_row_mark_customized(db_job_t *j, sqlite3 *conn, hist_stmts_t *s, int64_t id)
{
    if (ensure(j, conn, &s->state, sql_state) != 0) return -1;
    sqlite3_bind_int64(s->state, 1, id);
    sqlite3_bind_int(s->state, 2, HIST_STATE_CUSTOMIZED);
    return step_once(j, conn, s->state) == SQLITE_DONE ? 0 : -1;
}

void hist_stmts_finalize(hist_stmts_t *s)
{
    sqlite3_stmt **all[] = {&s->asset, &s->insert, &s->state, &s->update, &s->chain};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i]) sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}
