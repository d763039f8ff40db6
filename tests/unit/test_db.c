/* The DB driver: our sliced key derivation equals SQLCipher's own, both drivers run jobs to
 * completion with the loop turning, failed writes roll back, reads resume across slices. */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/loop.h"
#include "../../db/db.h"
#include "../../db/kdf.h"
#include "../../db/query.h"
#include "../../db/userdb.h"
#include "unit.h"

static const char *tmp_db(const char *tag)
{
    static char p[128];
    snprintf(p, sizeof p, "/tmp/pipit-unit-db-%s.db", tag);
    remove(p);
    char w[160];
    snprintf(w, sizeof w, "%s-wal", p);
    remove(w);
    snprintf(w, sizeof w, "%s-shm", p);
    remove(w);
    return p;
}

UNIT_TEST(sliced_kdf_opens_a_passphrase_keyed_db)
{
    db_global_init();
    const char *path = tmp_db("kdf");
    sqlite3 *c;
    CHECK_EQ_INT(sqlite3_open(path, &c), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(c, "PRAGMA key='pässword'; CREATE TABLE t(x); INSERT INTO t VALUES(42);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(c);

    unsigned char salt[DB_SALT_SIZE], key[DB_KEY_SIZE];
    FILE *f = fopen(path, "rb");
    CHECK(f && fread(salt, 1, sizeof salt, f) == sizeof salt);
    fclose(f);
    db_kdf_t k;
    CHECK_EQ_INT(db_kdf_start(&k, "pässword", strlen("pässword"), salt, DB_KDF_ITERATIONS), 0);
    int r, slices = 0;
    while ((r = db_kdf_run(&k, 5000)) == 0) slices++;
    CHECK_EQ_INT(r, 1);
    CHECK(slices > 10); /* it really came in pieces */
    db_kdf_key(&k, key);
    db_kdf_free(&k);

    char spec[200], sql[260];
    db_key_spec(key, NULL, spec, sizeof spec);
    snprintf(sql, sizeof sql, "PRAGMA key = \"%s\";", spec);
    CHECK_EQ_INT(sqlite3_open(path, &c), SQLITE_OK);
    sqlite3_exec(c, sql, NULL, NULL, NULL);
    sqlite3_stmt *st;
    int ok = sqlite3_prepare_v2(c, "SELECT x FROM t", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_column_int(st, 0) == 42;
    sqlite3_finalize(st);
    sqlite3_close(c);
    remove(path);
    CHECK(ok);
}

/* a job that inserts n rows, sliced by the driver's budget */
typedef struct {
    db_job_t job;
    int n, i, slices, done;
    int fail_at;
} insert_job_t;

static int insert_step(db_job_t *j, sqlite3 **conn)
{
    insert_job_t *ij = (insert_job_t *)j;
    ij->slices++;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(*conn, "INSERT INTO rows(v) VALUES(?)", -1, &st, NULL) != SQLITE_OK) return db_job_fail(j, *conn, NULL);
    int rc = DB_JOB_DONE;
    while (ij->i < ij->n) {
        if (db_job_yield_due(j)) {
            rc = DB_JOB_MORE;
            break;
        }
        if (ij->fail_at && ij->i == ij->fail_at) {
            rc = db_job_fail(j, NULL, "stopped on purpose at row %d", ij->i);
            break;
        }
        sqlite3_bind_int(st, 1, ij->i);
        if (db_job_step(j, st) != SQLITE_DONE) {
            rc = db_job_fail(j, *conn, NULL);
            break;
        }
        sqlite3_reset(st);
        ij->i++;
    }
    sqlite3_finalize(st);
    return rc;
}

static void flag_done(db_job_t *j) { ((insert_job_t *)j)->done = 1; }
/* the write generation as a job's done sees it */
static uint64_t gen_seen;
static void gen_done(db_job_t *j)
{
    gen_seen = db_write_gen(j->db);
    *(int *)j->ud = 1;
}
static int open_done_flag;
static void open_done(db_job_t *j) { (void)j; open_done_flag = 1; }

static void run_until_flag(loop_t *l, int *flag)
{
    uint64_t end = pal_mono_ms() + 20000;
    while (!*flag && pal_mono_ms() < end) loop_turn(l, 5);
}

static int ticks;
static int tick_pt(loop_task_t *t)
{
    PT_BEGIN(&t->pt);
    for (;;) {
        LOOP_SLEEP(t, 1);
        ticks++;
    }
    PT_END(&t->pt);
}

static void closed_cb(void *ud) { *(int *)ud = 1; }

static void driver_roundtrip(db_driver_t driver, int *ok_out, int *slices_out, int *ticks_out)
{
    *ok_out = 0;
    loop_t *l;
    if (loop_create(&l) != PAL_OK) return;
    db_t *db;
    db_create(l, driver, 50, &db);
    const char *path = tmp_db(driver == DB_DRIVER_SLICED ? "sliced" : "threaded");
    unsigned char key[DB_KEY_SIZE], salt[DB_SALT_SIZE];
    memset(key, 7, sizeof key);
    memset(salt, 9, sizeof salt);
    userdb_open_job_t *oj = alloc_zget(ALLOC_TEST, sizeof *oj);
    userdb_open_job(oj, path, key, salt, 1, 0, 512, open_done, NULL);
    open_done_flag = 0;
    db_job_submit(db, &oj->job);
    run_until_flag(l, &open_done_flag);
    int opened = oj->job.rc == DB_JOB_DONE && oj->version == 53;

    db_batch_t *b = alloc_zget(ALLOC_TEST, sizeof *b);
    int bdone = 0;
    uint64_t gen0 = db_write_gen(db);
    db_batch_init(b, gen_done, &bdone);
    db_batch_add(b, "CREATE TABLE rows(v INTEGER)");
    db_job_submit(db, &b->job);
    run_until_flag(l, &bdone);
    int gen_ok = gen_seen == gen0 + 1; /* bumped before the write's done ran */

    loop_task_t ticker;
    ticks = 0;
    loop_task_start(l, &ticker, tick_pt, NULL, NULL);
    loop_stats_t before, after;
    loop_get_stats(l, &before);
    insert_job_t *good = alloc_zget(ALLOC_TEST, sizeof *good), *bad = alloc_zget(ALLOC_TEST, sizeof *bad);
    db_job_init(&good->job, DB_JOB_WRITE, insert_step, flag_done, NULL);
    good->n = 20000;
    db_job_init(&bad->job, DB_JOB_WRITE, insert_step, flag_done, NULL);
    bad->n = 5000;
    bad->fail_at = 4000;
    db_job_submit(db, &good->job);
    db_job_submit(db, &bad->job);
    run_until_flag(l, &bad->done);
    loop_get_stats(l, &after);

    /* the reader: opens read-only and sees only the committed rows */
    userdb_open_job(oj, path, key, NULL, 0, 1, 512, open_done, NULL);
    open_done_flag = 0;
    db_job_submit(db, &oj->job);
    run_until_flag(l, &open_done_flag);
    db_query_t *q = alloc_zget(ALLOC_TEST, sizeof *q);
    int qdone = 0;
    uint64_t gen1 = db_write_gen(db);
    db_query_init(q, "SELECT v FROM rows ORDER BY v", gen_done, &qdone);
    db_job_submit(db, &q->job);
    run_until_flag(l, &qdone);
    gen_ok = gen_ok && gen1 > gen0 + 1 && gen_seen == gen1; /* the inserts bumped it, the read did not */
    int rows_ok = q->job.rc == DB_JOB_DONE && q->nrows == 20000 && strcmp(db_query_cell(q, 19999, 0), "19999") == 0;

    *ok_out = opened && bdone && good->job.rc == DB_JOB_DONE && bad->job.rc == DB_JOB_EFAIL &&
              strstr(bad->job.errmsg, "on purpose") && rows_ok && gen_ok;
    *slices_out = good->slices;
    *ticks_out = (int)(after.turns - before.turns);
    loop_task_abort(&ticker);
    db_query_clear(q);
    int closed = 0;
    db_destroy(db, closed_cb, &closed);
    run_until_flag(l, &closed);
    alloc_free(q);
    alloc_free(good);
    alloc_free(bad);
    alloc_free(b);
    alloc_free(oj);
    loop_destroy(l);
    tmp_db(driver == DB_DRIVER_SLICED ? "sliced" : "threaded");
}

UNIT_TEST(sliced_driver_runs_jobs_in_slices_and_rolls_back_failures)
{
    int ok, slices, t;
    driver_roundtrip(DB_DRIVER_SLICED, &ok, &slices, &t);
    CHECK(ok);
    CHECK(slices >= 20000 / 50); /* a slice is at most 50 steps */
    CHECK(t >= slices);          /* a turn of the loop per slice: others get their turn in between */
}

UNIT_TEST(threaded_driver_runs_jobs_on_workers)
{
    int ok, slices, t;
    driver_roundtrip(DB_DRIVER_THREADED, &ok, &slices, &t);
    CHECK(ok);
}

UNIT_SUITE(suite_db, UNIT_CASE(sliced_kdf_opens_a_passphrase_keyed_db),
           UNIT_CASE(sliced_driver_runs_jobs_in_slices_and_rolls_back_failures), UNIT_CASE(threaded_driver_runs_jobs_on_workers));
