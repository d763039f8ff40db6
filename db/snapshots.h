/* snapshots — rotki's balance snapshots in the user DB: the timed_balances and
 * timed_location_data rows that share one timestamp.
 *
 * Three jobs:
 *  - import: the two CSV files rotki's snapshot export writes for re-import
 *      balances_snapshot_import.csv       timestamp,category,asset_identifier,amount,usd_value
 *      location_data_snapshot_import.csv  timestamp,location,usd_value
 *    become rows of both tables in one write transaction. The files are read through the PAL
 *    in 64 KiB chunks (each read counts as one step of the slice), parsed record by record (a
 *    record may straddle chunks; RFC 4180 quoting as Python's csv writes it), and inserted with
 *    prepared statements, so the job yields between rows like any other. Both headers are
 *    checked before the first insert; any later problem fails the job and the driver rolls the
 *    transaction back, so nothing of a bad import stays.
 *  - read: one snapshot as rotki's GET /snapshots/<ts> result, written straight into a JSON
 *    writer the caller owns (the reply's, so a large snapshot is not copied again).
 *  - delete: both tables' rows at one timestamp, a few dozen rows per statement.
 *
 * Statements and files live in the job struct between slices on the sliced driver. On the
 * threaded driver a step never leaves a statement prepared when it returns (they are prepared
 * again on the next call, every 10,000 steps), so that the job's clear function, which runs in
 * `done` on the loop thread, never touches a connection a worker thread may be using.
 */
#ifndef PIPIT_SNAPSHOTS_DB_H
#define PIPIT_SNAPSHOTS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/json.h"
#include "db.h"

/* ---- rotki's names ------------------------------------------------------------------------ */
/* Location: the API/CSV name (the enum name lowercased, '_' -> ' '; matched as rotki does,
 * ignoring case and with '_' and ' ' alike) <-> the CHAR(1) stored in the DB ('A' + n - 1). */
#define SNAPSHOT_LOCATION_COUNT 61
char snapshot_location_code(const char *name, size_t n);  /* 0 when unknown */
/* rotki's enum deserialize(): value.replace(' ', '_').upper() must name the member whose
 * serialized (lowercase, spaced) name is canon: 1 when s[0..n) does. */
int snapshot_name_eq(const char *canon, const char *s, size_t n);
const char *snapshot_location_name(char code);           /* NULL when not a location */
/* balance_category: "asset" -> 'A', "liability" -> 'B' (same matching rules). */
char snapshot_category_code(const char *name, size_t n);  /* 0 when unknown */
const char *snapshot_category_name(char code);           /* NULL when unknown */
/* A timestamp as rotki's deserialize_timestamp takes it: a non-negative decimal that is an
 * exact integer ("1700000000", "1700000000.0", "1.7e9"), blanks around it allowed. 0 or -1. */
int snapshot_parse_timestamp(const char *s, size_t n, int64_t *out);

/* ---- import ------------------------------------------------------------------------------- */
#define SNAPSHOT_CHUNK 65536       /* bytes per file read (one step of the slice) */
#define SNAPSHOT_MAX_RECORD 8192   /* longest CSV record accepted */
#define SNAPSHOT_PATH_MAX 600

enum { SNAPSHOT_BALANCES = 0, SNAPSHOT_LOCATIONS = 1 };

/* Why an import failed (job.rc != DB_JOB_DONE): the service maps it to a status. */
typedef enum {
    SNAPSHOT_FAIL_NONE = 0, /* not ours: cancelled, or the driver's own error (job.errmsg) */
    SNAPSHOT_FAIL_INPUT,    /* unreadable file, malformed CSV, bad value: 409 */
    SNAPSHOT_FAIL_EXISTS,   /* a snapshot at that timestamp is already stored: 409 */
    SNAPSHOT_FAIL_DB,       /* SQLite said no: 409 with its message */
    SNAPSHOT_FAIL_NOMEM,    /* the heap budget: 503 */
} snapshot_failure_t;

/* One CSV file being read: all of it survives between slices. */
typedef struct {
    void *file;              /* pal_file_t, NULL once closed */
    char *chunk;             /* SNAPSHOT_CHUNK bytes */
    size_t len, pos;         /* chunk[pos..len) not yet parsed */
    int eof, bom_checked;
    char *rec;               /* a record that straddles chunks, assembled here */
    size_t rec_len, rec_cap;
    int qstate;              /* quoting state of the record being scanned */
    uint64_t lines;          /* physical lines consumed so far */
    uint64_t rec_line;       /* first line of the record last returned (1-based) */
    size_t chunk_size;       /* bytes per read, 0 = SNAPSHOT_CHUNK (tests: records across reads) */
} snapshot_csv_t;

typedef struct {
    db_job_t job;
    char path[2][SNAPSHOT_PATH_MAX];  /* [SNAPSHOT_BALANCES], [SNAPSHOT_LOCATIONS] */
    snapshot_csv_t csv[2];
    sqlite3_stmt *st_asset, *st_balance, *st_location;
    int64_t timestamp;                /* of the first balance row: every row must have it */
    uint64_t timestamp_line;
    uint64_t rows[2];                 /* result: rows inserted per file */
    snapshot_failure_t failure;       /* result */
    char message[768];                /* result: the problem, naming the file and the line */
} snapshot_import_job_t;

/* The parse step of an import (used by the import job and by its fuzz target). The next
 * record of csv[which] (its file open, its chunk allocated) that is not a blank line: 1 with
 * *rec and *n set (writable, valid until the next call, no line break), 0 at the end of the
 * file, DB_JOB_EFAIL with j->message set. */
int snapshot_csv_next_row(snapshot_import_job_t *j, int which, char **rec, size_t *n);
/* Splits a record into fields in place (quotes removed, "" made "): the number of fields; only
 * the first max are stored. */
typedef struct {
    char *p;
    size_t n;
} snapshot_field_t;
int snapshot_csv_split(char *s, size_t n, snapshot_field_t *f, int max);

/* A write job (DB_JOB_WRITE): submit it, and call snapshot_import_job_clear() in done. */
void snapshot_import_job(snapshot_import_job_t *j, const char *balances_path, const char *locations_path,
                         void (*done)(db_job_t *), void *ud);
/* Closes the files, frees the buffers and finalizes what is still prepared (a job stopped by
 * cancellation never reaches its own clean-up). Loop thread, after the job ended; idempotent. */
void snapshot_import_job_clear(snapshot_import_job_t *j);
/* The message for a failed import: j->message, or the driver's job.errmsg. */
const char *snapshot_import_error(const snapshot_import_job_t *j);

/* ---- delete ------------------------------------------------------------------------------- */
#define SNAPSHOT_DELETE_CHUNK 64   /* rows per DELETE statement; each row counts as one step */

typedef struct {
    db_job_t job;
    int64_t timestamp;
    sqlite3_stmt *st;
    uint64_t deleted[2];       /* result: rows deleted from timed_balances, timed_location_data */
} snapshot_delete_job_t;

/* A write job deleting both tables' rows at timestamp in chunks, so that a large snapshot does
 * not hold the loop in one sqlite3_step. rotki answers 409 "No snapshot found for the specified
 * timestamp" when both counts are 0. Call snapshot_delete_job_clear() in done. */
void snapshot_delete_job(snapshot_delete_job_t *j, int64_t timestamp, void (*done)(db_job_t *), void *ud);
void snapshot_delete_job_clear(snapshot_delete_job_t *j);

/* ---- read --------------------------------------------------------------------------------- */
typedef struct {
    db_job_t job;
    int64_t timestamp;
    json_writer_t *out;        /* the caller's writer; the job writes one value into it */
    sqlite3_stmt *st;
    int phase;
    int on_row;                /* st stands on a row already written */
    char *after_currency;      /* keyset resumption when a statement was not kept */
    char after_category, after_location;
    uint64_t balances, locations; /* result: rows written */
    int nomem;                 /* result: the writer ran out of memory */
} snapshot_read_job_t;

/* A read job writing {"balances_snapshot": [...], "location_data_snapshot": [...]} (rotki's
 * DBAssetBalance / LocationData serialize(): timestamp int, category, asset_identifier, amount,
 * usd_value; timestamp, location, usd_value) into out. rotki answers 404 when either list is
 * empty: check balances and locations in done. Call snapshot_read_job_clear() in done. */
void snapshot_read_job(snapshot_read_job_t *j, int64_t timestamp, json_writer_t *out, void (*done)(db_job_t *),
                       void *ud);
void snapshot_read_job_clear(snapshot_read_job_t *j);

#endif
