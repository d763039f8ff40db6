/* db — see db.h. */
#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"

#define WORKER_STEPS 10000 /* threaded: steps between checks for cancellation */

enum { Q_WRITE, Q_READ, Q_MISC, Q_COUNT };

typedef struct {
    db_t *db;
    db_job_t *head, *tail;
    int worker;          /* threaded: loop worker index */
    loop_task_t task;    /* sliced: the protothread that runs this queue */
    db_job_t *cur;
    int r;
    uint32_t queued;
} queue_t;

struct db {
    loop_t *loop;
    db_driver_t driver;
    int slice_steps;
    sqlite3 *writer, *reader;
    queue_t q[Q_COUNT];
    int inflight;
    int closing;
    void (*closed)(void *);
    void *closed_ud;
    db_stats_t stats;
    uint64_t write_gen; /* bumped on the loop as each job that may have written completes */
};

/* ------------------------------------------------------------------ SQLite's memory */
static void *sq_malloc(int n) { return n > 0 ? alloc_get(ALLOC_DB, (size_t)n) : NULL; }
static void sq_free(void *p) { alloc_free(p); }
static void *sq_realloc(void *p, int n) { return n > 0 ? alloc_reget(ALLOC_DB, p, (size_t)n) : NULL; }
static int sq_size(void *p) { return (int)alloc_size(p); }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *ud) { (void)ud; return SQLITE_OK; }
static void sq_shutdown(void *ud) { (void)ud; }

int db_global_init(void)
{
    static const sqlite3_mem_methods mem = {sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL};
    int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);
    if (rc == SQLITE_OK) rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD); /* each connection on one thread */
    if (rc == SQLITE_OK) rc = sqlite3_initialize();
#if defined(PIPIT_PAL_FAULTS)
    if (rc == SQLITE_OK) rc = db_vfs_fault_register();
#endif
    if (rc != SQLITE_OK) log_error("db: SQLite start-up failed: %s", sqlite3_errstr(rc));
    return rc == SQLITE_OK ? 0 : -1;
}

void db_global_shutdown(void) { sqlite3_shutdown(); }

/* ------------------------------------------------------------------ helpers for jobs */
void db_job_init(db_job_t *j, unsigned flags, int (*step)(db_job_t *, sqlite3 **), void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    j->flags = flags;
    j->step = step;
    j->done = done;
    j->ud = ud;
}

int db_job_step(db_job_t *j, sqlite3_stmt *st)
{
    j->budget--;
    return sqlite3_step(st);
}

int db_job_yield_due(db_job_t *j) { return j->budget <= 0; }

int db_job_fail(db_job_t *j, sqlite3 *conn, const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->errmsg, sizeof j->errmsg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(j->errmsg, sizeof j->errmsg, "%s", conn ? sqlite3_errmsg(conn) : "database error");
    }
    if (conn && (sqlite3_errcode(conn) & 0xff) == SQLITE_NOMEM) j->nomem = 1;
    return DB_JOB_EFAIL;
}

int db_job_fail_nomem(db_job_t *j, const char *what)
{
    j->nomem = 1;
    return db_job_fail(j, NULL, "out of memory %s (heap budget reached)", what);
}

int db_job_status(const db_job_t *j) { return j->nomem ? 503 : 409; }

int db_job_exec(db_job_t *j, sqlite3 *conn, const char *sql)
{
    char *err = NULL;
    j->budget--;
    if (sqlite3_exec(conn, sql, NULL, NULL, &err) == SQLITE_OK) return DB_JOB_DONE;
    snprintf(j->errmsg, sizeof j->errmsg, "%s", err ? err : sqlite3_errmsg(conn));
    sqlite3_free(err);
    if ((sqlite3_errcode(conn) & 0xff) == SQLITE_NOMEM) j->nomem = 1;
    return DB_JOB_EFAIL;
}

sqlite3 **db_writer_slot(db_t *db) { return &db->writer; }
sqlite3 **db_reader_slot(db_t *db) { return &db->reader; }
db_driver_t db_driver(const db_t *db) { return db->driver; }
uint64_t db_write_gen(const db_t *db) { return db->write_gen; }

void db_get_stats(const db_t *db, db_stats_t *out)
{
    *out = db->stats;
    out->queued_writes = db->q[Q_WRITE].queued;
    out->queued_reads = db->q[Q_READ].queued;
}

static queue_t *queue_of(db_t *db, const db_job_t *j)
{
    if (j->flags & DB_JOB_NO_CONN) return &db->q[Q_MISC];
    return &db->q[(j->flags & DB_JOB_WRITE) ? Q_WRITE : Q_READ];
}

static sqlite3 **slot_of(db_t *db, const db_job_t *j)
{
    if (j->flags & DB_JOB_NO_CONN) return NULL;
    return (j->flags & DB_JOB_WRITE) ? &db->writer : &db->reader;
}

/* ------------------------------------------------------------------ running a job */
/* A cancelled job stops at its next slice and never commits. */
static int is_cancelled(const db_job_t *j) { return j->cancelled || (j->cancel_flag && *j->cancel_flag); }

static int wants_txn(const db_job_t *j) { return (j->flags & DB_JOB_WRITE) && !(j->flags & (DB_JOB_NO_TXN | DB_JOB_NO_CONN)); }

static void job_slice_run(db_job_t *j, sqlite3 **slot, int steps);

static void job_begin(db_job_t *j, sqlite3 **slot)
{
    j->started_us = pal_mono_us();
    j->rc = DB_JOB_MORE;
    if (is_cancelled(j)) {
        j->rc = db_job_fail(j, NULL, "cancelled");
        return;
    }
    if (!wants_txn(j)) return;
    if (!slot || !*slot) {
        j->rc = db_job_fail(j, NULL, "no user database is open");
        return;
    }
    if (sqlite3_exec(*slot, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        j->rc = db_job_fail(j, *slot, NULL);
        return;
    }
    j->in_txn = 1;
}

static void job_end(db_job_t *j, sqlite3 **slot)
{
    if (j->in_txn) {
        if (j->rc == DB_JOB_DONE && is_cancelled(j)) j->rc = db_job_fail(j, NULL, "cancelled");
        if (j->rc == DB_JOB_DONE && sqlite3_exec(*slot, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            j->rc = db_job_fail(j, *slot, NULL);
        if (j->rc != DB_JOB_DONE) sqlite3_exec(*slot, "ROLLBACK", NULL, NULL, NULL);
        j->in_txn = 0;
    }
    if (j->rc != DB_JOB_DONE && j->abort) j->abort(j);
    j->finished_us = pal_mono_us();
}

/* One slice of at most `steps` sqlite3_step calls. */
static void job_slice(db_job_t *j, sqlite3 **slot, int steps)
{
    alloc_account_t *outer = alloc_set_account(j->account);
    job_slice_run(j, slot, steps);
    alloc_set_account(outer);
}

static void job_slice_run(db_job_t *j, sqlite3 **slot, int steps)
{
    if (is_cancelled(j)) {
        j->rc = db_job_fail(j, NULL, "cancelled");
        return;
    }
    if (!(j->flags & DB_JOB_NO_CONN) && !(slot && *slot) && j->rc == DB_JOB_MORE && !(j->flags & DB_JOB_NO_TXN)) {
        j->rc = db_job_fail(j, NULL, "no user database is open");
        return;
    }
    j->budget = steps;
    j->rc = j->step(j, slot);
}

static void job_complete(db_t *db, queue_t *q, db_job_t *j)
{
    q->queued--;
    db->inflight--;
    uint64_t wait = j->started_us - j->queued_us, run = j->finished_us - j->started_us;
    db->stats.wait_us_total += wait;
    db->stats.run_us_total += run;
    if (j->rc == DB_JOB_DONE) db->stats.jobs_done++;
    else db->stats.jobs_failed++;
    loop_task_t *waiter = j->waiter;
    /* before done: whatever done answers, a read made from a cache after it sees this write */
    if (j->flags & (DB_JOB_WRITE | DB_JOB_NO_CONN)) db->write_gen++;
    alloc_account_t *outer = alloc_set_account(j->account);
    if (j->done) j->done(j); /* may free j */
    alloc_set_account(outer);
    if (waiter) loop_task_wake(waiter, LOOP_WAKE_DONE);
}

static void maybe_finish_close(db_t *db);

/* threaded driver: runs on a worker thread */
static void worker_run(pal_job_t *pj)
{
    db_job_t *j = (db_job_t *)pj;
    sqlite3 **slot = slot_of(j->db, j);
    job_begin(j, slot);
    while (j->rc == DB_JOB_MORE) job_slice(j, slot, WORKER_STEPS);
    job_end(j, slot);
}

static void worker_done(loop_job_t *lj)
{
    db_job_t *j = (db_job_t *)lj;
    db_t *db = j->db;
    job_complete(db, queue_of(db, j), j);
    maybe_finish_close(db);
}

/* sliced driver: one protothread per queue */
static int slicer_pt(loop_task_t *t)
{
    queue_t *q = t->ud;
    db_t *db = q->db;
    PT_BEGIN(&t->pt);
    for (;;) {
        PT_WAIT_UNTIL(&t->pt, q->head != NULL);
        q->cur = q->head;
        q->head = q->cur->next;
        if (!q->head) q->tail = NULL;
        job_begin(q->cur, slot_of(db, q->cur));
        while (q->cur->rc == DB_JOB_MORE) {
            uint64_t t0 = pal_mono_us();
            job_slice(q->cur, slot_of(db, q->cur), db->slice_steps);
            uint64_t dt = pal_mono_us() - t0;
            if (dt > db->stats.longest_slice_us) db->stats.longest_slice_us = dt;
            if (q->cur->rc == DB_JOB_MORE) PT_YIELD(&t->pt);
        }
        job_end(q->cur, slot_of(db, q->cur));
        job_complete(db, q, q->cur);
        q->cur = NULL;
        maybe_finish_close(db);
        PT_YIELD(&t->pt); /* one job per turn per queue: the loop breathes between jobs */
    }
    PT_END(&t->pt);
}

void db_job_submit(db_t *db, db_job_t *j)
{
    queue_t *q = queue_of(db, j);
    j->db = db;
    j->next = NULL;
    j->rc = DB_JOB_MORE;
    j->account = alloc_account();
    j->queued_us = pal_mono_us();
    q->queued++;
    db->inflight++;
    if (db->driver == DB_DRIVER_THREADED) {
        loop_job_submit_on(db->loop, q->worker, &j->lj, worker_run, worker_done);
        return;
    }
    if (q->tail) q->tail->next = j;
    else q->head = j;
    q->tail = j;
    loop_task_wake(&q->task, LOOP_WAKE_EVENT);
}

/* ------------------------------------------------------------------ life cycle */
int db_create(loop_t *loop, db_driver_t driver, int slice_steps, db_t **out)
{
    db_t *db = alloc_zget(ALLOC_DB, sizeof *db);
    if (!db) return -1;
    db->loop = loop;
    db->slice_steps = slice_steps > 0 ? slice_steps : 100;
    if (driver == DB_DRIVER_THREADED) {
        /* the two threads are started once and serve every later user's db too */
        int w = loop_worker_for(loop, LOOP_WORKER_DB_WRITER), r = loop_worker_for(loop, LOOP_WORKER_DB_READER);
        if (w < 0 || r < 0) {
            log_warn("db: no worker threads here; using the sliced driver");
            driver = DB_DRIVER_SLICED;
        } else {
            db->q[Q_WRITE].worker = w;
            db->q[Q_READ].worker = r;
            db->q[Q_MISC].worker = 0;
        }
    }
    db->driver = driver;
    for (int i = 0; i < Q_COUNT; i++) {
        db->q[i].db = db;
        if (driver == DB_DRIVER_SLICED) {
            static const char *const names[Q_COUNT] = {"db.writer", "db.reader", "db.misc"};
            loop_task_start(loop, &db->q[i].task, slicer_pt, NULL, &db->q[i]);
            db->q[i].task.name = names[i];
            db->q[i].task.account = NULL; /* outlives whoever opened the db: each job brings its own */
        }
    }
    *out = db;
    return 0;
}

static void maybe_finish_close(db_t *db)
{
    if (!db->closing || db->inflight) return;
    if (db->reader) sqlite3_close_v2(db->reader);
    if (db->writer) sqlite3_close_v2(db->writer);
    db->reader = db->writer = NULL;
    for (int i = 0; i < Q_COUNT; i++)
        if (db->driver == DB_DRIVER_SLICED) loop_task_abort(&db->q[i].task);
    void (*closed)(void *) = db->closed;
    void *ud = db->closed_ud;
    /* the threaded driver's workers stay with the loop for the next user's db */
    alloc_free(db);
    if (closed) closed(ud);
}

void db_destroy(db_t *db, void (*closed)(void *), void *ud)
{
    db->closing = 1;
    db->closed = closed;
    db->closed_ud = ud;
    maybe_finish_close(db);
}
