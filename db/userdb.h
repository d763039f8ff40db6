/* userdb — a user's encrypted rotkehlchen.db (rotki's layout and format): key derivation,
 * create, unlock, migrate with backup and restore, rekey. Each operation is a db job; the auth
 * service strings them together in a protothread. */
#ifndef PIPIT_USERDB_H
#define PIPIT_USERDB_H

#include "db.h"
#include "kdf.h"

#define USERDB_NAME_MAX 64

/* The user's files: <data>/users/<name>/rotkehlchen.db */
int userdb_path(const char *data_dir, const char *name, char *out, size_t outlen);
int userdb_dir(const char *data_dir, const char *name, char *out, size_t outlen);
/* The statement that ends every write batch: rotki's last_write_ts, bumped by each user write. */
extern const char userdb_sql_touch[];
/* A name usable as a folder on every port: 1-64 of [A-Za-z0-9_.-], not starting with '.' */
int userdb_name_valid(const char *name);

/* ---- key derivation (no connection; sliced) ---- */
typedef struct {
    db_job_t job;
    char path[600];
    char *password;          /* owned copy, wiped when the job ends */
    size_t password_len;
    int fresh_salt;          /* 1: a new DB — its folder is made, a salt drawn; 0: read it from the file */
    int missing, exists;     /* results: no DB to read (login) / a DB already there (create) */
    int claimed;             /* result: create checked the DB absent and made its folder */
    unsigned char salt[DB_SALT_SIZE];
    unsigned char key[DB_KEY_SIZE];
    db_kdf_t kdf;
    int kdf_started;
} userdb_kdf_job_t;
int userdb_kdf_job(userdb_kdf_job_t *j, const char *path, const char *password, int fresh_salt,
                   void (*done)(db_job_t *), void *ud);
void userdb_kdf_job_clear(userdb_kdf_job_t *j);

/* ---- open the writer (creating the DB with rotki's schema) or the read-only reader ---- */
typedef struct {
    db_job_t job;
    char path[600];
    char keyspec[3 + 2 * (DB_KEY_SIZE + DB_SALT_SIZE) + 1];
    int create;
    int reader;
    int cache_kib;
    int wrong_password;      /* result: SQLITE_NOTADB on the first read */
    int version;             /* result: settings.version */
    size_t next_stmt;        /* create: the schema statement to run next */
} userdb_open_job_t;
void userdb_open_job(userdb_open_job_t *j, const char *path, const unsigned char key[DB_KEY_SIZE],
                     const unsigned char *salt_for_create, int create, int reader, int cache_kib,
                     void (*done)(db_job_t *), void *ud);

/* ---- rekey the writer to a new key (same salt) ---- */
typedef struct {
    db_job_t job;
    char keyspec[3 + 2 * DB_KEY_SIZE + 1];
} userdb_rekey_job_t;
void userdb_rekey_job(userdb_rekey_job_t *j, const unsigned char key[DB_KEY_SIZE], void (*done)(db_job_t *), void *ud);

/* ---- migrations: backup copy, ordered steps, restore on failure ---- */
typedef struct {
    int from, to;
    const char *description;
    const char *sql; /* run in one transaction on the writer */
} userdb_migration_t;
/* The steps pipit knows, and the oldest version it can upgrade. */
extern const userdb_migration_t userdb_migrations[];
extern const size_t userdb_migration_count;
int userdb_oldest_upgradable(void);

/* Copies rotkehlchen.db to (backup) or from (restore) <dir>/<ts>_rotkehlchen_db_v<N>.backup. */
typedef struct {
    db_job_t job;
    char from[600], to[600];
    void *in, *out;          /* pal_file_t */
    int opened;
} userdb_copy_job_t;
void userdb_copy_job(userdb_copy_job_t *j, const char *from, const char *to, void (*done)(db_job_t *), void *ud);
void userdb_backup_path(const char *db_path, int version, int64_t unix_ts, char *out, size_t outlen);

typedef struct {
    db_job_t job;
    const userdb_migration_t *m;
} userdb_migrate_job_t;
void userdb_migrate_job(userdb_migrate_job_t *j, const userdb_migration_t *m, void (*done)(db_job_t *), void *ud);

#endif
