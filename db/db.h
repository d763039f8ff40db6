/* db — the user database driver: SQLCipher 4 connections worked through jobs, never on the
 * loop's time.
 *
 * A job is a resumable step function. The threaded driver runs each job to its end on a PAL
 * worker thread (one writer thread with the one writer connection, one reader thread with a
 * read-only connection: in WAL mode reads go on while a write is in flight). The sliced
 * driver, for ports without threads, runs the head job of each queue for at most
 * `slice_steps` sqlite3_step calls per loop turn. Either way the job's `done` runs on the
 * loop thread, and a protothread waiting for it is woken.
 *
 * Write jobs run inside BEGIN IMMEDIATE … COMMIT; a job that fails is rolled back and its
 * error (SQLite's message, or the job's own) is in job->errmsg.
 */
#ifndef PIPIT_DB_H
#define PIPIT_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/alloc.h"
#include "../core/loop.h"
#include "sqlite.h"

typedef struct db db_t;
typedef struct db_job db_job_t;

typedef enum { DB_DRIVER_THREADED = 0, DB_DRIVER_SLICED = 1 } db_driver_t;

/* Step results. Errors are negative: -SQLITE_* codes or DB_JOB_EFAIL with errmsg set. */
enum { DB_JOB_DONE = 0, DB_JOB_MORE = 1, DB_JOB_EFAIL = -1000 };

#define DB_JOB_WRITE 0x1    /* on the writer connection */
#define DB_JOB_NO_TXN 0x2   /* the driver opens no transaction (PRAGMA rekey, VACUUM, opening) */
#define DB_JOB_NO_CONN 0x4  /* needs no connection (key derivation, file copies) */

struct db_job {
    loop_job_t lj;        /* first: handed to the worker */
    db_job_t *next;
    /* Does some work; returns DB_JOB_MORE to be called again (sliced driver: next turn). */
    int (*step)(db_job_t *j, sqlite3 **conn);
    void (*done)(db_job_t *j); /* loop thread, exactly once */
    /* optional: releases what a failed or cancelled job still holds (a half-read statement),
     * on the thread that ran it, before done */
    void (*abort)(db_job_t *j);
    void *ud;
    unsigned flags;
    int state;            /* the step function's own state */
    int budget;           /* sqlite3_step calls left in this slice (db_job_step counts them) */
    int rc;               /* DB_JOB_DONE or the error */
    int cancelled;        /* set by the owner: the result will be discarded */
    volatile int *cancel_flag; /* optional: the owning request's flag, read on the worker too */
    char errmsg[256];
    uint64_t queued_us, started_us, finished_us;
    loop_task_t *waiter;  /* woken with LOOP_WAKE_DONE after done() */
    alloc_account_t *account; /* the submitter's allocator account, carried into the job */
    db_t *db;
    uint8_t in_txn;
    uint8_t nomem;        /* it failed for want of memory (heap budget): a 503, not a 409 */
};

/* Global set-up: SQLite's memory through the core allocator (tag "db"). Once, before any db. */
int db_global_init(void);
#if defined(PIPIT_PAL_FAULTS)
/* The fault build's SQLite VFS shim (db/vfs_fault.c), registered by db_global_init. */
int db_vfs_fault_register(void);
#endif
void db_global_shutdown(void);

int db_create(loop_t *loop, db_driver_t driver, int slice_steps, db_t **out);
/* Stops after the queued jobs ran, closes the connections, frees db, then calls closed. */
void db_destroy(db_t *db, void (*closed)(void *ud), void *ud);
db_driver_t db_driver(const db_t *db);
/* A counter bumped on the loop thread when a job that may have changed the DB (a write job, or
 * one needing no connection: file copies) completes, just before its done runs. An in-memory
 * copy of a read is current while the counter still has the value it had when that read was
 * submitted: a read submitted at generation g that completes while it is still g saw every
 * write answered so far. */
uint64_t db_write_gen(const db_t *db);
void db_job_init(db_job_t *j, unsigned flags, int (*step)(db_job_t *, sqlite3 **), void (*done)(db_job_t *), void *ud);
void db_job_submit(db_t *db, db_job_t *j);

/* For step functions: one sqlite3_step that counts against the slice. */
int db_job_step(db_job_t *j, sqlite3_stmt *st);
/* 1 when the slice's budget is spent: return DB_JOB_MORE and resume from j->state. */
int db_job_yield_due(db_job_t *j);
/* Sets j->errmsg from the connection (or printf) and returns DB_JOB_EFAIL. */
int db_job_fail(db_job_t *j, sqlite3 *conn, const char *fmt, ...);
/* The same for a failure that is want of memory of our own (a row that cannot be kept). */
int db_job_fail_nomem(db_job_t *j, const char *what);
/* The HTTP status a failed job is answered with: 503 when memory ran out, else rotki's 409. */
int db_job_status(const db_job_t *j);
/* Runs SQL with no results (several statements allowed); DB_JOB_DONE or DB_JOB_EFAIL. */
int db_job_exec(db_job_t *j, sqlite3 *conn, const char *sql);

/* The writer and reader connections: opened by db_open_*() jobs of db_user.c. */
sqlite3 **db_writer_slot(db_t *db);
sqlite3 **db_reader_slot(db_t *db);

typedef struct {
    uint64_t jobs_done, jobs_failed;
    uint32_t queued_writes, queued_reads;
    uint64_t wait_us_total, run_us_total, longest_slice_us;
} db_stats_t;
void db_get_stats(const db_t *db, db_stats_t *out);

#endif
