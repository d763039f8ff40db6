/* SQLCipher 4.6.1 on the mbedtls provider: the provider is the one in use, SQLCipher 4 files
 * round-trip (right key, wrong key, rekey) without plaintext on disk, the primitives match
 * published vectors, and two threads can use the provider at once. */
#include <stdint.h>
#include <stdlib.h>

#define SQLITE_HAS_CODEC 1 /* sqlcipher.h is empty without it */
typedef struct Parse Parse; /* sqlcipher.h names SQLite's internal parser type in a prototype */
#include <sqlcipher/sqlite3.h>
#include <sqlcipher/sqlcipher.h>

#include "../../platform/pal.h"
#include "unit.h"

int sqlcipher_mbedtls_setup(sqlcipher_provider *p);

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void unhex(const char *s, unsigned char *out)
{
    for (size_t i = 0; s[2 * i]; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
}

/* A fresh path in /tmp, removed (with its journal) by db_remove. */
static void db_path(char *buf, size_t n)
{
    uint32_t r = 0;
    pal_entropy(&r, sizeof r);
    snprintf(buf, n, "/tmp/pipit-sqlcipher-%08x.db", (unsigned)r);
}

static void db_remove(const char *path)
{
    char j[300];
    snprintf(j, sizeof j, "%s-journal", path);
    pal_file_remove(path);
    pal_file_remove(j);
}

static sqlite3 *db_open(const char *path, const char *key)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    char *sql = sqlite3_mprintf("PRAGMA key = %Q", key);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* The first column of the first row as text into out; returns the step's result code. */
static int query(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && out) snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return rc;
}

#define MARKER "pipit-plaintext-marker"

static int db_create(const char *path, const char *key, int rows)
{
    sqlite3 *db = db_open(path, key);
    if (!db) return SQLITE_ERROR;
    int rc = sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); BEGIN", 0, 0, 0);
    for (int i = 0; i < rows && rc == SQLITE_OK; i++)
        rc = sqlite3_exec(db, "INSERT INTO t(v) VALUES ('" MARKER "')", 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
    sqlite3_close(db);
    return rc;
}

/* The row count with key, or -(SQLite result code) when the read fails. */
static int db_count(const char *path, const char *key)
{
    sqlite3 *db = db_open(path, key);
    if (!db) return -SQLITE_CANTOPEN;
    char buf[32];
    sqlite3_exec(db, "PRAGMA cipher_log_level = NONE", 0, 0, 0); /* a wrong key is expected */
    int rc = query(db, "PRAGMA schema_version", NULL, 0);
    if (rc == SQLITE_ROW) rc = query(db, "SELECT count(*) FROM t", buf, sizeof buf);
    sqlite3_exec(db, "PRAGMA cipher_log_level = WARN", 0, 0, 0);
    sqlite3_close(db);
    return rc == SQLITE_ROW ? atoi(buf) : -rc;
}

static int file_contains(const char *path, const char *needle)
{
    pal_file_t *f;
    if (pal_file_open(path, PAL_F_READ, &f) != PAL_OK) return -1;
    size_t nl = strlen(needle), have = 0;
    char buf[4096 + 64];
    int found = 0;
    long n;
    while (!found && (n = pal_file_read(f, buf + have, sizeof buf - have)) > 0) {
        have += (size_t)n;
        for (size_t i = 0; i + nl <= have && !found; i++) found = !memcmp(buf + i, needle, nl);
        if (have >= nl) { /* keep a tail so a match across reads is seen */
            memmove(buf, buf + have - (nl - 1), nl - 1);
            have = nl - 1;
        }
    }
    pal_file_close(f);
    return found;
}

UNIT_TEST(provider_and_version)
{
    char path[256], buf[128];
    db_path(path, sizeof path);
    sqlite3 *db = db_open(path, "pass");
    CHECK(db);
    int rc = query(db, "PRAGMA cipher_provider", buf, sizeof buf);
    char ver[128] = "";
    query(db, "PRAGMA cipher_version", ver, sizeof ver);
    sqlite3_close(db);
    db_remove(path);
    CHECK_EQ_INT(rc, SQLITE_ROW);
    CHECK_EQ_STR(buf, "mbedtls");
    CHECK(strncmp(ver, "4.6.1", 5) == 0);
}

UNIT_TEST(roundtrip_right_and_wrong_key)
{
    char path[256];
    db_path(path, sizeof path);
    int created = db_create(path, "correct horse", 50);
    int right = db_count(path, "correct horse");
    int wrong = db_count(path, "battery staple");
    int plain = file_contains(path, MARKER), header = file_contains(path, "SQLite format 3");
    db_remove(path);
    CHECK_EQ_INT(created, SQLITE_OK);
    CHECK_EQ_INT(right, 50);
    CHECK_EQ_INT(wrong, -SQLITE_NOTADB);
    CHECK_EQ_INT(plain, 0);
    CHECK_EQ_INT(header, 0);
}

UNIT_TEST(rekey)
{
    char path[256];
    db_path(path, sizeof path);
    int created = db_create(path, "old key", 3), rekeyed = SQLITE_ERROR;
    sqlite3 *db = db_open(path, "old key");
    if (db) {
        rekeyed = sqlite3_exec(db, "PRAGMA rekey = 'new key'", 0, 0, 0);
        sqlite3_close(db);
    }
    int with_old = db_count(path, "old key"), with_new = db_count(path, "new key");
    db_remove(path);
    CHECK_EQ_INT(created, SQLITE_OK);
    CHECK_EQ_INT(rekeyed, SQLITE_OK);
    CHECK_EQ_INT(with_old, -SQLITE_NOTADB);
    CHECK_EQ_INT(with_new, 3);
}

/* Published vectors: RFC 6070 (PBKDF2-HMAC-SHA1), the widely published PBKDF2-HMAC-SHA512
 * counterpart, RFC 4231 test case 1 (HMAC-SHA256/512), NIST SP 800-38A F.2.5/F.2.6. */
static const char *kat(const sqlcipher_provider *p)
{
    unsigned char out[64], buf[64], key[32], iv[16], iv0[16];
    char h[129];
    if (p->kdf(NULL, SQLCIPHER_PBKDF2_HMAC_SHA512, (const unsigned char *)"password", 8,
               (unsigned char *)"salt", 4, 1, 64, out) != SQLITE_OK) return "kdf sha512";
    hex(out, 64, h);
    if (strcmp(h, "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a05"
                  "01bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce")) return "pbkdf2 sha512";
    if (p->kdf(NULL, SQLCIPHER_PBKDF2_HMAC_SHA1, (const unsigned char *)"password", 8,
               (unsigned char *)"salt", 4, 2, 20, out) != SQLITE_OK) return "kdf sha1";
    hex(out, 20, h);
    if (strcmp(h, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957")) return "pbkdf2 sha1";

    memset(key, 0x0b, 20);
    /* the message split over in and in2, as SQLCipher passes page data and page number */
    if (p->hmac(NULL, SQLCIPHER_HMAC_SHA256, key, 20, (unsigned char *)"Hi ", 3,
                (unsigned char *)"There", 5, out) != SQLITE_OK) return "hmac sha256";
    hex(out, 32, h);
    if (strcmp(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
        return "hmac sha256 value";
    if (p->hmac(NULL, SQLCIPHER_HMAC_SHA512, key, 20, (unsigned char *)"Hi There", 8, NULL, 0,
                out) != SQLITE_OK) return "hmac sha512";
    hex(out, 64, h);
    if (strcmp(h, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a7"
                  "02038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")) return "hmac sha512 value";

    unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", key);
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
          "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710", buf);
    memcpy(iv0, iv, 16);
    if (p->cipher(NULL, 1, key, 32, iv, buf, 64, out) != SQLITE_OK) return "aes encrypt";
    hex(out, 64, h);
    if (strcmp(h, "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"))
        return "aes-256-cbc value";
    if (memcmp(iv, iv0, 16)) return "aes iv changed";
    if (p->cipher(NULL, 0, key, 32, iv, out, 64, out) != SQLITE_OK || memcmp(out, buf, 64))
        return "aes decrypt";
    if (p->cipher(NULL, 1, key, 32, iv, buf, 15, out) == SQLITE_OK) return "aes partial block";
    return NULL;
}

UNIT_TEST(provider_known_answers)
{
    sqlcipher_provider p;
    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(sqlcipher_mbedtls_setup(&p), SQLITE_OK);
    const char *failed = kat(&p);
    CHECK_EQ_STR(failed ? failed : "ok", "ok");
}

UNIT_TEST(provider_sizes_and_random)
{
    sqlcipher_provider p;
    memset(&p, 0, sizeof p);
    sqlcipher_mbedtls_setup(&p);
    void *ctx = &p;
    CHECK_EQ_INT(p.ctx_init(&ctx), SQLITE_OK);
    CHECK_EQ_STR(p.get_provider_name(ctx), "mbedtls");
    CHECK(strncmp(p.get_provider_version(ctx), "Mbed TLS 3.6", 12) == 0);
    CHECK_EQ_INT(p.get_key_sz(ctx), 32);
    CHECK_EQ_INT(p.get_iv_sz(ctx), 16);
    CHECK_EQ_INT(p.get_block_sz(ctx), 16);
    CHECK_EQ_INT(p.get_hmac_sz(ctx, SQLCIPHER_HMAC_SHA1), 20);
    CHECK_EQ_INT(p.get_hmac_sz(ctx, SQLCIPHER_HMAC_SHA256), 32);
    CHECK_EQ_INT(p.get_hmac_sz(ctx, SQLCIPHER_HMAC_SHA512), 64);
    CHECK_EQ_INT(p.get_hmac_sz(ctx, 7), 0);
    CHECK_EQ_INT(p.fips_status(ctx), 0);
    unsigned char a[32] = {0}, b[32] = {0};
    CHECK_EQ_INT(p.random(ctx, a, 32), SQLITE_OK);
    CHECK_EQ_INT(p.random(ctx, b, 32), SQLITE_OK);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_EQ_INT(p.add_random(ctx, a, 32), SQLITE_OK);
    CHECK_EQ_INT(p.ctx_free(&ctx), SQLITE_OK);
}

/* The DB worker and the loop thread both reach the provider; it keeps no shared state. */
typedef struct {
    pal_job_t job;
    char path[256];
    int count;
} db_job_t;

static void db_job_run(pal_job_t *job)
{
    db_job_t *j = (db_job_t *)job;
    j->count = db_create(j->path, "worker key", 200) == SQLITE_OK ? db_count(j->path, "worker key") : -1;
}

UNIT_TEST(two_threads)
{
    sqlcipher_provider p;
    sqlcipher_mbedtls_setup(&p);
    pal_wakeup_t *wake = NULL;
    pal_worker_t *w = NULL;
    CHECK_EQ_INT(pal_wakeup_open(&wake), PAL_OK);
    if (pal_worker_start(wake, &w) != PAL_OK) {
        pal_wakeup_close(wake);
        CHECK(!"pal_worker_start");
    }
    db_job_t j = {.job = {.run = db_job_run}, .count = 0};
    db_path(j.path, sizeof j.path);
    pal_worker_submit(w, &j.job);
    char path[256];
    db_path(path, sizeof path);
    int mine = db_create(path, "loop key", 200) == SQLITE_OK ? db_count(path, "loop key") : -1;
    const char *failed = NULL;
    for (int i = 0; i < 200 && !failed; i++) failed = kat(&p);
    pal_worker_stop(w);
    pal_wakeup_close(wake);
    db_remove(path);
    db_remove(j.path);
    CHECK_EQ_STR(failed ? failed : "ok", "ok");
    CHECK_EQ_INT(mine, 200);
    CHECK_EQ_INT(j.count, 200);
}

UNIT_SUITE(suite_sqlcipher, UNIT_CASE(provider_and_version), UNIT_CASE(roundtrip_right_and_wrong_key),
           UNIT_CASE(rekey), UNIT_CASE(provider_known_answers), UNIT_CASE(provider_sizes_and_random),
           UNIT_CASE(two_threads));
