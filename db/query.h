/* query — the two generic jobs most endpoints need: a SELECT whose rows come back as strings,
 * and a batch of writes in one transaction. Parameters are text (NULL = SQL NULL) and must
 * outlive the job; results are owned by the job until db_query_clear(). */
#ifndef PIPIT_QUERY_H
#define PIPIT_QUERY_H

#include "db.h"

#define DB_QUERY_MAX_PARAMS 8

typedef struct {
    db_job_t job;
    const char *sql;
    const char *params[DB_QUERY_MAX_PARAMS];
    int nparams;
    sqlite3_stmt *st;
    /* result: rows x cols cells, each a NUL-terminated copy or NULL for SQL NULL */
    int ncols;
    size_t nrows, cap;
    char **cells;
} db_query_t;

void db_query_init(db_query_t *q, const char *sql, void (*done)(db_job_t *), void *ud);
void db_query_param(db_query_t *q, const char *value);
const char *db_query_cell(const db_query_t *q, size_t row, int col);
void db_query_clear(db_query_t *q);

#define DB_BATCH_MAX 72
typedef struct {
    const char *sql;
    const char *params[DB_QUERY_MAX_PARAMS];
    int nparams;
    int changes; /* result: rows changed */
} db_stmt_t;

typedef struct {
    db_job_t job;
    db_stmt_t stmts[DB_BATCH_MAX];
    size_t n, next;
    int constraint; /* result: the failure was a constraint (unique, foreign key…) */
} db_batch_t;

void db_batch_init(db_batch_t *b, void (*done)(db_job_t *), void *ud);
/* Adds a statement; returns it so params can be added with db_stmt_param. NULL when full. */
db_stmt_t *db_batch_add(db_batch_t *b, const char *sql);
void db_stmt_param(db_stmt_t *s, const char *value);

#endif
