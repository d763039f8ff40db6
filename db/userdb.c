/* userdb — see userdb.h. */
#include "userdb.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../platform/pal.h"
#include "schema.h"

#define KDF_ROUNDS_PER_STEP 8 /* a slice of 100 steps = 800 HMAC-SHA512 rounds, about 1 ms */
#define COPY_CHUNK 65536

const char userdb_sql_touch[] =
    "INSERT OR REPLACE INTO settings(name, value) VALUES('last_write_ts', CAST(strftime('%s','now') AS TEXT))";

int userdb_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > USERDB_NAME_MAX || name[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return 0;
    }
    return 1;
}

int userdb_dir(const char *data_dir, const char *name, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/users/%s", data_dir, name);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int userdb_path(const char *data_dir, const char *name, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/users/%s/rotkehlchen.db", data_dir, name);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* ------------------------------------------------------------------ key derivation */
static int kdf_step(db_job_t *job, sqlite3 **conn)
{
    (void)conn;
    userdb_kdf_job_t *j = (userdb_kdf_job_t *)job;
    if (!j->kdf_started) {
        if (j->fresh_salt) { /* a new user: its folder, unless the DB is there already */
            uint64_t size;
            char dir[600];
            const char *slash = strrchr(j->path, '/');
            snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - j->path) : 0, j->path);
            if (pal_file_size(j->path, &size) == PAL_OK) {
                j->exists = 1;
                return db_job_fail(job, NULL, "the user already exists");
            }
            if (pal_dir_make(dir) != PAL_OK) return db_job_fail(job, NULL, "cannot create %s: %s", dir, pal_last_error());
            j->claimed = 1;
            if (pal_entropy(j->salt, sizeof j->salt) != PAL_OK)
                return db_job_fail(job, NULL, "no entropy for a salt: %s", pal_last_error());
        } else { /* SQLCipher keeps the KDF salt in the first 16 bytes of the file */
            pal_file_t *f;
            int st = pal_file_open(j->path, PAL_F_READ, &f);
            if (st != PAL_OK) {
                j->missing = st == PAL_ENOENT;
                return db_job_fail(job, NULL, "cannot read the user database: %s", pal_last_error());
            }
            long n = pal_file_read(f, j->salt, sizeof j->salt);
            pal_file_close(f);
            if (n != (long)sizeof j->salt) return db_job_fail(job, NULL, "the user database file is too short");
        }
        if (db_kdf_start(&j->kdf, j->password, j->password_len, j->salt, DB_KDF_ITERATIONS) != 0)
            return db_job_fail(job, NULL, "key derivation could not start (out of memory)");
        j->kdf_started = 1;
    }
    uint32_t rounds = job->budget > 0 ? (uint32_t)job->budget * KDF_ROUNDS_PER_STEP : KDF_ROUNDS_PER_STEP;
    job->budget = 0;
    int r = db_kdf_run(&j->kdf, rounds);
    if (r < 0) return db_job_fail(job, NULL, "key derivation failed");
    if (r == 0) return DB_JOB_MORE;
    db_kdf_key(&j->kdf, j->key);
    db_kdf_free(&j->kdf);
    j->kdf_started = 0;
    return DB_JOB_DONE;
}

int userdb_kdf_job(userdb_kdf_job_t *j, const char *path, const char *password, int fresh_salt,
                   void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_NO_CONN, kdf_step, done, ud);
    snprintf(j->path, sizeof j->path, "%s", path);
    j->password_len = strlen(password);
    j->password = alloc_strndup(ALLOC_DB, password, j->password_len);
    j->fresh_salt = fresh_salt;
    return j->password ? 0 : -1;
}

void userdb_kdf_job_clear(userdb_kdf_job_t *j)
{
    if (j->password) {
        volatile char *p = j->password;
        for (size_t i = 0; i < j->password_len; i++) p[i] = 0;
        alloc_free(j->password);
        j->password = NULL;
    }
    if (j->kdf_started) db_kdf_free(&j->kdf);
    volatile unsigned char *k = j->key;
    for (size_t i = 0; i < sizeof j->key; i++) k[i] = 0;
}

/* ------------------------------------------------------------------ open / create */
enum { OPEN_CONNECT, OPEN_SCHEMA, OPEN_VERSION };

static int exec_fail_is_notadb(db_job_t *job, sqlite3 *c, const char *sql, int *notadb)
{
    char *err = NULL;
    job->budget--;
    int rc = sqlite3_exec(c, sql, NULL, NULL, &err);
    if (rc == SQLITE_OK) return DB_JOB_DONE;
    *notadb = (rc == SQLITE_NOTADB);
    snprintf(job->errmsg, sizeof job->errmsg, "%s", err ? err : sqlite3_errmsg(c));
    sqlite3_free(err);
    return DB_JOB_EFAIL;
}

static int open_step(db_job_t *job, sqlite3 **slot)
{
    userdb_open_job_t *j = (userdb_open_job_t *)job;
    char sql[256];
    int rc;
    switch (j->job.state) {
    case OPEN_CONNECT: {
        char uri[700];
        if (*slot) { /* reopening (a new key): the old connection goes first */
            sqlite3_close_v2(*slot);
            *slot = NULL;
        }
        int flags = SQLITE_OPEN_URI | (j->reader ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    (j->create ? SQLITE_OPEN_CREATE : 0);
        snprintf(uri, sizeof uri, "file:%s%s", j->path, j->reader ? "?mode=ro" : "");
        if (sqlite3_open_v2(uri, slot, flags, NULL) != SQLITE_OK) {
            rc = db_job_fail(job, *slot, "cannot open %s: %s", j->path, *slot ? sqlite3_errmsg(*slot) : "out of memory");
            sqlite3_close_v2(*slot);
            *slot = NULL;
            return rc;
        }
        /* errors (a wrong key included) are ours to report, not SQLCipher's to print */
        sqlite3_exec(*slot, "PRAGMA cipher_log_level = NONE;", NULL, NULL, NULL);
        snprintf(sql, sizeof sql, "PRAGMA key = \"%s\";", j->keyspec);
        rc = db_job_exec(job, *slot, sql);
        memset(sql, 0, sizeof sql);
        if (rc == DB_JOB_DONE)
            rc = exec_fail_is_notadb(job, *slot, "SELECT count(*) FROM sqlite_master;", &j->wrong_password);
        if (rc == DB_JOB_DONE) {
            /* on the sliced driver a commit runs on the loop: skip its fsync (WAL stays consistent,
             * a kill -9 loses nothing; only an OS crash may lose the last commits) */
            snprintf(sql, sizeof sql, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-%d;%s%s", j->cache_kib,
                     j->reader ? "" : " PRAGMA journal_mode=WAL;",
                     !j->reader && db_driver(j->job.db) == DB_DRIVER_SLICED ? " PRAGMA synchronous=NORMAL;" : "");
            rc = db_job_exec(job, *slot, sql);
        }
        if (rc != DB_JOB_DONE) {
            sqlite3_close_v2(*slot);
            *slot = NULL;
            return rc;
        }
        if (j->reader) return DB_JOB_DONE;
        if (j->create) {
            if (db_job_exec(job, *slot, "PRAGMA foreign_keys=OFF; BEGIN;") != DB_JOB_DONE) return DB_JOB_EFAIL;
            j->job.state = OPEN_SCHEMA;
        } else {
            j->job.state = OPEN_VERSION;
        }
        return DB_JOB_MORE;
    }
    case OPEN_SCHEMA: /* one statement per step: creating the schema is itself sliced */
        while (j->next_stmt < db_schema_create_count) {
            if (db_job_yield_due(job)) return DB_JOB_MORE;
            if (db_job_exec(job, *slot, db_schema_create[j->next_stmt]) != DB_JOB_DONE) {
                sqlite3_exec(*slot, "ROLLBACK;", NULL, NULL, NULL);
                return DB_JOB_EFAIL;
            }
            j->next_stmt++;
        }
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO settings(name, value) VALUES('version', '%d');",
                 DB_SCHEMA_VERSION);
        if (db_job_exec(job, *slot, sql) != DB_JOB_DONE || db_job_exec(job, *slot, "COMMIT; PRAGMA foreign_keys=ON;") != DB_JOB_DONE) {
            sqlite3_exec(*slot, "ROLLBACK;", NULL, NULL, NULL);
            return DB_JOB_EFAIL;
        }
        j->job.state = OPEN_VERSION;
        return DB_JOB_MORE;
    default: { /* OPEN_VERSION */
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(*slot, "SELECT value FROM settings WHERE name='version'", -1, &st, NULL) != SQLITE_OK)
            return db_job_fail(job, *slot, "not a rotki user database: %s", sqlite3_errmsg(*slot));
        rc = db_job_step(job, st);
        j->version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) return db_job_fail(job, NULL, "not a rotki user database: no version in settings");
        return DB_JOB_DONE;
    }
    }
}

void userdb_open_job(userdb_open_job_t *j, const char *path, const unsigned char key[DB_KEY_SIZE],
                     const unsigned char *salt_for_create, int create, int reader, int cache_kib,
                     void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, (reader ? 0 : DB_JOB_WRITE) | DB_JOB_NO_TXN, open_step, done, ud);
    snprintf(j->path, sizeof j->path, "%s", path);
    db_key_spec(key, create ? salt_for_create : NULL, j->keyspec, sizeof j->keyspec);
    j->create = create;
    j->reader = reader;
    j->cache_kib = cache_kib > 0 ? cache_kib : 2048;
}

/* ------------------------------------------------------------------ rekey */
static int rekey_step(db_job_t *job, sqlite3 **slot)
{
    userdb_rekey_job_t *j = (userdb_rekey_job_t *)job;
    if (!*slot) return db_job_fail(job, NULL, "no user database is open");
    char sql[160];
    snprintf(sql, sizeof sql, "PRAGMA rekey = \"%s\";", j->keyspec);
    int rc = db_job_exec(job, *slot, sql);
    memset(sql, 0, sizeof sql);
    memset(j->keyspec, 0, sizeof j->keyspec);
    return rc;
}

void userdb_rekey_job(userdb_rekey_job_t *j, const unsigned char key[DB_KEY_SIZE], void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_WRITE | DB_JOB_NO_TXN, rekey_step, done, ud);
    db_key_spec(key, NULL, j->keyspec, sizeof j->keyspec);
}

/* ------------------------------------------------------------------ backup, restore, migrate */
void userdb_backup_path(const char *db_path, int version, int64_t unix_ts, char *out, size_t outlen)
{
    const char *slash = strrchr(db_path, '/');
    int dir_len = slash ? (int)(slash - db_path) : 0;
    snprintf(out, outlen, "%.*s%s%lld_rotkehlchen_db_v%d.backup", dir_len, db_path, slash ? "/" : "",
             (long long)unix_ts, version);
}

static int copy_step(db_job_t *job, sqlite3 **conn)
{
    (void)conn;
    userdb_copy_job_t *j = (userdb_copy_job_t *)job;
    if (!j->opened) {
        char tmp[620];
        snprintf(tmp, sizeof tmp, "%s.part", j->to);
        if (pal_file_open(j->from, PAL_F_READ, (pal_file_t **)&j->in) != PAL_OK ||
            pal_file_open(tmp, PAL_F_WRITE | PAL_F_CREATE | PAL_F_TRUNC, (pal_file_t **)&j->out) != PAL_OK) {
            pal_file_close(j->in);
            j->in = NULL;
            return db_job_fail(job, NULL, "cannot copy %s: %s", j->from, pal_last_error());
        }
        j->opened = 1;
    }
    char *buf = alloc_get(ALLOC_DB, COPY_CHUNK);
    if (!buf) return db_job_fail(job, NULL, "out of memory while copying the database");
    int rc = DB_JOB_MORE;
    do {
        long n = pal_file_read(j->in, buf, COPY_CHUNK);
        job->budget--;
        if (n < 0 || (n > 0 && pal_file_write(j->out, buf, (size_t)n) != n)) {
            rc = db_job_fail(job, NULL, "copying %s failed: %s", j->from, pal_last_error());
        } else if (n == 0) { /* complete: make it durable, then put it in place atomically */
            char tmp[620];
            snprintf(tmp, sizeof tmp, "%s.part", j->to);
            int ok = pal_file_sync(j->out) == PAL_OK;
            pal_file_close(j->out);
            j->out = NULL;
            rc = ok && pal_file_rename(tmp, j->to) == PAL_OK
                     ? DB_JOB_DONE
                     : db_job_fail(job, NULL, "cannot finish the copy %s: %s", j->to, pal_last_error());
        }
    } while (rc == DB_JOB_MORE && !db_job_yield_due(job));
    alloc_free(buf);
    if (rc != DB_JOB_MORE) {
        pal_file_close(j->in);
        pal_file_close(j->out);
        j->in = j->out = NULL;
    }
    return rc;
}

void userdb_copy_job(userdb_copy_job_t *j, const char *from, const char *to, void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_NO_CONN, copy_step, done, ud);
    snprintf(j->from, sizeof j->from, "%s", from);
    snprintf(j->to, sizeof j->to, "%s", to);
}

static int migrate_step(db_job_t *job, sqlite3 **slot)
{
    userdb_migrate_job_t *j = (userdb_migrate_job_t *)job;
    char sql[128];
    if (db_job_exec(job, *slot, j->m->sql) != DB_JOB_DONE) return DB_JOB_EFAIL;
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO settings(name, value) VALUES('version', '%d');", j->m->to);
    return db_job_exec(job, *slot, sql);
}

void userdb_migrate_job(userdb_migrate_job_t *j, const userdb_migration_t *m, void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_WRITE, migrate_step, done, ud);
    j->m = m;
}

int userdb_oldest_upgradable(void)
{
    int oldest = DB_SCHEMA_VERSION;
    for (size_t i = 0; i < userdb_migration_count; i++)
        if (userdb_migrations[i].from < oldest) oldest = userdb_migrations[i].from;
    return oldest;
}
