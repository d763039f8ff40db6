/* query — see query.h. Both jobs resume across slices: a half-read SELECT keeps its statement. */
#include "query.h"

#include <string.h>

#include "../core/alloc.h"

static int bind_all(sqlite3_stmt *st, const char *const *params, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC) : sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int keep_row(db_query_t *q)
{
    if (q->nrows == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        char **c = alloc_reget(ALLOC_DB, q->cells, cap * (size_t)q->ncols * sizeof *c);
        if (!c) return -1;
        q->cells = c;
        q->cap = cap;
    }
    char **row = q->cells + q->nrows * (size_t)q->ncols;
    for (int i = 0; i < q->ncols; i++) {
        const unsigned char *v = sqlite3_column_text(q->st, i);
        row[i] = v ? alloc_strndup(ALLOC_DB, (const char *)v, (size_t)sqlite3_column_bytes(q->st, i)) : NULL;
        if (v && !row[i]) {
            while (i-- > 0) alloc_free(row[i]);
            return -1;
        }
    }
    q->nrows++;
    return 0;
}

static int query_step(db_job_t *job, sqlite3 **slot)
{
    db_query_t *q = (db_query_t *)job;
    if (!q->st) {
        if (sqlite3_prepare_v2(*slot, q->sql, -1, &q->st, NULL) != SQLITE_OK ||
            bind_all(q->st, q->params, q->nparams) != SQLITE_OK) {
            int rc = db_job_fail(job, *slot, NULL);
            sqlite3_finalize(q->st);
            q->st = NULL;
            return rc;
        }
        q->ncols = sqlite3_column_count(q->st);
    }
    for (;;) {
        if (db_job_yield_due(job)) return DB_JOB_MORE;
        int rc = db_job_step(job, q->st);
        if (rc == SQLITE_ROW) {
            if (q->ncols && keep_row(q) != 0) {
                rc = db_job_fail_nomem(job, "reading the database");
                sqlite3_finalize(q->st);
                q->st = NULL;
                return rc;
            }
            continue;
        }
        int out = rc == SQLITE_DONE ? DB_JOB_DONE : db_job_fail(job, *slot, NULL);
        sqlite3_finalize(q->st);
        q->st = NULL;
        return out;
    }
}

static void query_abort(db_job_t *job)
{
    db_query_t *q = (db_query_t *)job;
    sqlite3_finalize(q->st);
    q->st = NULL;
}

void db_query_init(db_query_t *q, const char *sql, void (*done)(db_job_t *), void *ud)
{
    memset(q, 0, sizeof *q);
    db_job_init(&q->job, 0, query_step, done, ud);
    q->job.abort = query_abort;
    q->sql = sql;
}

void db_query_param(db_query_t *q, const char *value)
{
    if (q->nparams < DB_QUERY_MAX_PARAMS) q->params[q->nparams++] = value;
}

const char *db_query_cell(const db_query_t *q, size_t row, int col)
{
    if (row >= q->nrows || col < 0 || col >= q->ncols) return NULL;
    return q->cells[row * (size_t)q->ncols + (size_t)col];
}

void db_query_clear(db_query_t *q)
{
    for (size_t i = 0; i < q->nrows * (size_t)q->ncols; i++) alloc_free(q->cells[i]);
    alloc_free(q->cells);
    q->cells = NULL;
    q->nrows = q->cap = 0;
}

static int batch_step(db_job_t *job, sqlite3 **slot)
{
    db_batch_t *b = (db_batch_t *)job;
    while (b->next < b->n) {
        if (db_job_yield_due(job)) return DB_JOB_MORE;
        db_stmt_t *s = &b->stmts[b->next];
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(*slot, s->sql, -1, &st, NULL);
        if (rc == SQLITE_OK) rc = bind_all(st, s->params, s->nparams);
        if (rc == SQLITE_OK) {
            while ((rc = db_job_step(job, st)) == SQLITE_ROW) {}
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_OK) {
            b->constraint = (rc & 0xff) == SQLITE_CONSTRAINT;
            return db_job_fail(job, *slot, NULL);
        }
        s->changes = sqlite3_changes(*slot);
        b->next++;
    }
    return DB_JOB_DONE;
}

void db_batch_init(db_batch_t *b, void (*done)(db_job_t *), void *ud)
{
    memset(b, 0, sizeof *b);
    db_job_init(&b->job, DB_JOB_WRITE, batch_step, done, ud);
}

db_stmt_t *db_batch_add(db_batch_t *b, const char *sql)
{
    if (b->n == DB_BATCH_MAX) return NULL;
    db_stmt_t *s = &b->stmts[b->n++];
    s->sql = sql;
    return s;
}

void db_stmt_param(db_stmt_t *s, const char *value)
{
    if (s->nparams < DB_QUERY_MAX_PARAMS) s->params[s->nparams++] = value;
}
