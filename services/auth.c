/* auth — see auth.h. One operation (create, login, logout, password change) at a time, run
 * as a protothread that strings DB jobs together. */
#include "auth.h"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../db/query.h"
#include "../db/schema.h"
#include "../db/userdb.h"
#include "messages.h"
#include "notifier.h"
#include "settings.h"
#include "tasks.h"
#include "userhub.h"

#define THROTTLE_SLOTS 64
#define THROTTLE_BASE_MS 250
#define THROTTLE_MAX_MS 30000
#define THROTTLE_FORGET_MS (15 * 60 * 1000)
#define SESSION_IDLE_S 86400
#define SESSION_ABS_S (7 * 86400)

enum { OP_CREATE, OP_LOGIN, OP_LOGOUT, OP_PASSWORD, OP_AUTHENTICATE };

typedef struct {
    loop_task_t task;
    api_req_t *req;
    int kind;
    char name[USERDB_NAME_MAX + 1];
    char path[600];
    char *password, *new_password;
    db_t *db;
    int job_done;
    int status;
    char msg[400];
    int version;
    int reply_empty; /* authenticate: answer {} (rotki's), not the user's settings */
    size_t mig;
    char backup[640];
    unsigned char key[DB_KEY_SIZE], salt[DB_SALT_SIZE];
    userdb_kdf_job_t kdf;
    userdb_open_job_t open;
    userdb_copy_job_t copy;
    userdb_migrate_job_t migrate;
    userdb_rekey_job_t rekey;
    db_batch_t batch;
    db_query_t parts[USERHUB_MAX]; /* the login answer's parts (userhub) */
    size_t ipart;
    settings_update_t initial; /* create: initial_settings, validated up front */
} op_t;

static struct {
    const config_t *cfg;
    loop_t *loop;
    db_driver_t driver;
    /* the session */
    char user[USERDB_NAME_MAX + 1];
    db_t *db;
    unsigned char key[DB_KEY_SIZE];
    op_t *op;
    /* session cookies (non-loopback only) */
    int gate;
    unsigned char session_key[32];
    char sid[33];
    int64_t sid_abs;
    struct {
        char addr[64];
        uint32_t fails;
        uint64_t last_ms;
    } throttle[THROTTLE_SLOTS];
    void (*shutdown_done)(void *);
    void *shutdown_ud;
} auth;

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

static void free_secret(char **s)
{
    if (*s) {
        wipe(*s, strlen(*s));
        alloc_free(*s);
        *s = NULL;
    }
}

db_t *auth_db(void) { return auth.user[0] ? auth.db : NULL; }
const char *auth_user(void) { return auth.user[0] ? auth.user : NULL; }
const char *auth_session_id(void) { return auth.user[0] ? auth.sid : NULL; }

int auth_require_user(api_req_t *req)
{
    if (auth.user[0] && auth.db) return 0;
    api_reply_error(req, 401, "No user is currently logged in");
    return -1;
}

void auth_submit(api_req_t *req, db_job_t *job)
{
    job->cancel_flag = &req->cancelled;
    db_job_submit(auth.db, job);
}

/* ------------------------------------------------------------------ throttling */
static int throttle_slot(const char *addr, int create)
{
    uint64_t now = pal_mono_ms();
    int free_slot = -1, oldest = 0;
    for (int i = 0; i < THROTTLE_SLOTS; i++) {
        if (auth.throttle[i].fails && now - auth.throttle[i].last_ms > THROTTLE_FORGET_MS) auth.throttle[i].fails = 0;
        if (auth.throttle[i].fails && strcmp(auth.throttle[i].addr, addr) == 0) return i;
        if (!auth.throttle[i].fails && free_slot < 0) free_slot = i;
        if (auth.throttle[i].last_ms < auth.throttle[oldest].last_ms) oldest = i;
    }
    if (!create) return -1;
    int i = free_slot >= 0 ? free_slot : oldest;
    snprintf(auth.throttle[i].addr, sizeof auth.throttle[i].addr, "%s", addr);
    auth.throttle[i].fails = 0;
    return i;
}

static uint32_t throttle_delay_ms(const char *addr)
{
    int i = throttle_slot(addr, 0);
    if (i < 0) return 0;
    uint32_t f = auth.throttle[i].fails;
    uint64_t d = f > 8 ? THROTTLE_MAX_MS : (uint64_t)THROTTLE_BASE_MS << (f - 1);
    return d > THROTTLE_MAX_MS ? THROTTLE_MAX_MS : (uint32_t)d;
}

static void throttle_record(const char *addr, int failed)
{
    int i = throttle_slot(addr, failed);
    if (i < 0) return;
    if (failed) {
        auth.throttle[i].fails++;
        auth.throttle[i].last_ms = pal_mono_ms();
    } else {
        auth.throttle[i].fails = 0;
    }
}

/* ------------------------------------------------------------------ session cookies */
static size_t b64url(const unsigned char *in, size_t n, char *out, size_t outlen)
{
    size_t olen = 0;
    if (mbedtls_base64_encode((unsigned char *)out, outlen, &olen, in, n) != 0) return 0;
    while (olen && out[olen - 1] == '=') olen--;
    for (size_t i = 0; i < olen; i++) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    out[olen] = 0;
    return olen;
}

static int hmac_sha256(const unsigned char key[32], const char *msg, size_t n, unsigned char out[32])
{
    return mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, 32, (const unsigned char *)msg, n, out);
}

static void session_issue(api_req_t *req)
{
    int64_t now = pal_wall_ms() / 1000;
    char payload[256], p64[360], s64[64];
    _Static_assert(sizeof(((api_req_t *)0)->set_cookie) >= 360 + 64 + 80, "cookie fits");
    unsigned char mac[32];
    snprintf(payload, sizeof payload, "{\"u\":\"%s\",\"iat\":%lld,\"exp\":%lld,\"sid\":\"%s\"}", auth.user,
             (long long)now, (long long)(now + SESSION_IDLE_S), auth.sid);
    size_t pl = b64url((const unsigned char *)payload, strlen(payload), p64, sizeof p64);
    if (!pl || hmac_sha256(auth.session_key, p64, pl, mac) != 0 || !b64url(mac, sizeof mac, s64, sizeof s64)) return;
    int n = snprintf(req->set_cookie, sizeof req->set_cookie, "rotki_session=%.*s.%.*s; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800",
                     (int)pl, p64, 43, s64);
    if (n < 0 || (size_t)n >= sizeof req->set_cookie) req->set_cookie[0] = 0;
}

int auth_session_verify(const char *cookie, const unsigned char key[32], const char *user, const char *sid, int64_t now)
{
    if (!cookie) return -1;
    /* the cookie by its name, not a name that ends in it ("xrotki_session=") */
    const char *c = cookie;
    while ((c = strstr(c, "rotki_session=")) != NULL && c != cookie && c[-1] != ' ' && c[-1] != ';') c++;
    if (!c) return -1;
    c += 14;
    size_t n = strcspn(c, "; ");
    const char *dot = memchr(c, '.', n);
    if (!dot || n > 600) return -1;
    size_t pl = (size_t)(dot - c);
    unsigned char mac[32];
    char expect[64], payload_b64[600], payload[450];
    if (hmac_sha256(key, c, pl, mac) != 0 || !b64url(mac, sizeof mac, expect, sizeof expect)) return -1;
    size_t sl = n - pl - 1, el = strlen(expect);
    unsigned diff = sl != el;
    for (size_t i = 0; i < el && i < sl; i++) diff |= (unsigned)(expect[i] ^ dot[1 + i]);
    if (diff) return -1;
    /* the payload: back to standard base64 with padding, then JSON */
    memcpy(payload_b64, c, pl);
    for (size_t i = 0; i < pl; i++) payload_b64[i] = payload_b64[i] == '-' ? '+' : payload_b64[i] == '_' ? '/' : payload_b64[i];
    while (pl % 4) payload_b64[pl++] = '=';
    size_t olen = 0;
    if (mbedtls_base64_decode((unsigned char *)payload, sizeof payload - 1, &olen, (unsigned char *)payload_b64, pl) != 0)
        return -1;
    json_doc_t d;
    char err[64];
    if (json_parse(&d, payload, olen, 16, err, sizeof err) != JSON_OK) return -1;
    int64_t exp = 0;
    int ok = json_type(&d, 0) == JSON_OBJECT && json_str_eq(&d, json_obj_get(&d, 0, "u"), user) &&
             json_str_eq(&d, json_obj_get(&d, 0, "sid"), sid) &&
             json_get_int64(&d, json_obj_get(&d, 0, "exp"), &exp) == JSON_OK;
    json_doc_free(&d);
    return ok && now < exp ? 0 : -1;
}

/* 0 when cookie carries a valid token of the active session. */
static int session_check(const char *cookie)
{
    int64_t now = pal_wall_ms() / 1000;
    if (!auth.user[0] || now >= auth.sid_abs) return -1;
    return auth_session_verify(cookie, auth.session_key, auth.user, auth.sid, now);
}

static int api_gate(api_req_t *req)
{
    if (session_check(req->cookie) == 0) return 0;
    api_reply_error(req, 401, "Authentication required");
    return -1;
}

static int ws_gate(const char *cookie) { return session_check(cookie); }

static void session_start(void)
{
    unsigned char r[16];
    static const char hex[] = "0123456789abcdef";
    pal_entropy(r, sizeof r);
    for (int i = 0; i < 16; i++) {
        auth.sid[2 * i] = hex[r[i] >> 4];
        auth.sid[2 * i + 1] = hex[r[i] & 15];
    }
    auth.sid[32] = 0;
    auth.sid_abs = pal_wall_ms() / 1000 + SESSION_ABS_S;
    /* a new login replaces every earlier session: sockets opened under it go (rotki: 1008) */
    if (auth.gate) notifier_close_all(1008, "session replaced");
}

/* ------------------------------------------------------------------ operations */
static void op_job_done(db_job_t *j)
{
    op_t *op = j->ud;
    op->job_done = 1;
}

/* Submits a job of the op and parks the protothread until it finished. */
#define OP_RUN(t, op, jobp)                                                                            \
    do {                                                                                               \
        (op)->job_done = 0;                                                                            \
        (jobp)->waiter = (t);                                                                          \
        db_job_submit((op)->db, (jobp));                                                               \
        PT_WAIT_UNTIL(&(t)->pt, (op)->job_done);                                                       \
    } while (0)

static void op_fail(op_t *op, int status, const char *fmt, const char *detail)
{
    op->status = status;
    snprintf(op->msg, sizeof op->msg, fmt, detail ? detail : "");
}

static void db_closed(void *ud)
{
    op_t *op = ud;
    op->job_done = 1;
    loop_task_wake(&op->task, LOOP_WAKE_DONE);
}

#define OP_CLOSE_DB(t, op)                                                                             \
    do {                                                                                               \
        (op)->job_done = 0;                                                                            \
        db_destroy((op)->db, db_closed, (op));                                                         \
        PT_WAIT_UNTIL(&(t)->pt, (op)->job_done);                                                       \
        (op)->db = NULL;                                                                               \
    } while (0)

static const userdb_migration_t *migration_from(int version)
{
    for (size_t i = 0; i < userdb_migration_count; i++)
        if (userdb_migrations[i].from == version) return &userdb_migrations[i];
    return NULL;
}

static void reply_empty_object(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_end_object(w);
    api_reply_end(req, 200, "");
}

static void reply_user_result(op_t *op)
{
    if (op->reply_empty) {
        reply_empty_object(op->req);
        return;
    }
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    for (size_t i = 0; i < userhub_login_part_count(); i++) {
        json_write_key(w, userhub_login_part(i)->key);
        userhub_login_part(i)->write(w, &op->parts[i]);
    }
    json_end_object(w);
    api_reply_end(op->req, 200, "");
}

static int remove_wal_files(const char *path)
{
    char p[620];
    snprintf(p, sizeof p, "%s-wal", path);
    pal_file_remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    pal_file_remove(p);
    return 0;
}

/* create and login share everything from the key derivation on */
static int open_pt(loop_task_t *t)
{
    op_t *op = t->ud;
    PT_BEGIN(&t->pt);
    if (op->kind == OP_LOGIN) {
        /* a throttled attempt waits before it takes the one operation slot: nobody else waits */
        uint32_t delay = throttle_delay_ms(op->req->peer);
        if (delay) LOOP_SLEEP(t, delay);
        if (auth.op) {
            op_fail(op, 409, "Another login, logout or password change is in progress; try again shortly", NULL);
            PT_EXIT(&t->pt);
        }
        if (auth.user[0]) {
            snprintf(op->msg, sizeof op->msg, "User %s is already logged in. Log out first.", auth.user);
            op->status = 409;
            PT_EXIT(&t->pt);
        }
        auth.op = op;
    }
    if (db_create(auth.loop, auth.driver, auth.cfg->db_slice_steps, &op->db) != 0) {
        op_fail(op, 503, "The node is out of memory for this request (heap budget reached); try again shortly", NULL);
        PT_EXIT(&t->pt);
    }
    if (userdb_kdf_job(&op->kdf, op->path, op->password, op->kind == OP_CREATE, op_job_done, op) != 0) {
        op_fail(op, 503, "The node is out of memory for this request (heap budget reached); try again shortly", NULL);
        PT_EXIT(&t->pt);
    }
    OP_RUN(t, op, &op->kdf.job);
    memcpy(op->key, op->kdf.key, sizeof op->key);
    memcpy(op->salt, op->kdf.salt, sizeof op->salt);
    userdb_kdf_job_clear(&op->kdf);
    if (op->kdf.job.rc != DB_JOB_DONE) {
        if (op->kdf.exists || op->kdf.missing)
            snprintf(op->msg, sizeof op->msg, "User %s %s", op->name, op->kdf.exists ? "already exists" : "does not exist");
        else
            snprintf(op->msg, sizeof op->msg, "Could not read the user database: %s", op->kdf.job.errmsg);
        op->status = 409;
        PT_EXIT(&t->pt);
    }

    userdb_open_job(&op->open, op->path, op->key, op->salt, op->kind == OP_CREATE, 0,
                    (int)(auth.cfg->db_cache / 1024), op_job_done, op);
    OP_RUN(t, op, &op->open.job);
    wipe(op->open.keyspec, sizeof op->open.keyspec);
    if (op->open.wrong_password) {
        throttle_record(op->req->peer, 1);
        op_fail(op, 401, "Wrong password or invalid/corrupt database for user", NULL);
        PT_EXIT(&t->pt);
    }
    if (op->open.job.rc != DB_JOB_DONE) {
        op_fail(op, 409, "Could not open the user database: %s", op->open.job.errmsg);
        PT_EXIT(&t->pt);
    }
    op->version = op->open.version;
    if (op->version > DB_SCHEMA_VERSION) {
        snprintf(op->msg, sizeof op->msg,
                 "Your database version %d is newer than the version %d this pipit supports. Please update pipit",
                 op->version, DB_SCHEMA_VERSION);
        op->status = 409;
        PT_EXIT(&t->pt);
    }
    if (op->version < DB_SCHEMA_VERSION) {
        if (op->version < userdb_oldest_upgradable()) {
            snprintf(op->msg, sizeof op->msg,
                     "Your database version %d is too old for pipit, which upgrades from version %d on. "
                     "Open it once with rotki to upgrade it",
                     op->version, userdb_oldest_upgradable());
            op->status = 409;
            PT_EXIT(&t->pt);
        }
        /* a complete main file first, then rotki's backup name, then the steps */
        db_batch_init(&op->batch, op_job_done, op);
        op->batch.job.flags |= DB_JOB_NO_TXN;
        db_batch_add(&op->batch, "PRAGMA wal_checkpoint(TRUNCATE);");
        OP_RUN(t, op, &op->batch.job);
        userdb_backup_path(op->path, op->version, pal_wall_ms() / 1000, op->backup, sizeof op->backup);
        userdb_copy_job(&op->copy, op->path, op->backup, op_job_done, op);
        OP_RUN(t, op, &op->copy.job);
        if (op->copy.job.rc != DB_JOB_DONE) {
            op_fail(op, 507, "Could not back up the database before upgrading it: %s", op->copy.job.errmsg);
            PT_EXIT(&t->pt);
        }
        for (op->mig = 0; op->version < DB_SCHEMA_VERSION; op->mig++) {
            messages_db_upgrade_status(op->open.version, DB_SCHEMA_VERSION, op->version + 1, (int)op->mig + 1,
                                DB_SCHEMA_VERSION - op->open.version, migration_from(op->version)->description);
            userdb_migrate_job(&op->migrate, migration_from(op->version), op_job_done, op);
            OP_RUN(t, op, &op->migrate.job);
            if (op->migrate.job.rc != DB_JOB_DONE) break;
            op->version = op->migrate.m->to;
        }
        if (op->version < DB_SCHEMA_VERSION) { /* put the original back */
            snprintf(op->msg, sizeof op->msg, "Failed to upgrade the database from version %d: %s. ", op->version,
                     op->migrate.job.errmsg);
            OP_CLOSE_DB(t, op);
            remove_wal_files(op->path);
            if (db_create(auth.loop, auth.driver, auth.cfg->db_slice_steps, &op->db) != 0) PT_EXIT(&t->pt);
            userdb_copy_job(&op->copy, op->backup, op->path, op_job_done, op);
            OP_RUN(t, op, &op->copy.job);
            size_t l = strlen(op->msg);
            snprintf(op->msg + l, sizeof op->msg - l,
                     op->copy.job.rc == DB_JOB_DONE ? "The original database was restored from %s"
                                                    : "Restoring it from %s failed too: the backup is kept there",
                     op->backup);
            op->status = 409;
            PT_EXIT(&t->pt);
        }
    }
    if (op->kind == OP_CREATE && op->initial.n) {
        settings_update_job(&op->batch, &op->initial, op_job_done, op);
        OP_RUN(t, op, &op->batch.job);
        if (op->batch.job.rc != DB_JOB_DONE) {
            op_fail(op, 409, "Could not store the initial settings: %s", op->batch.job.errmsg);
            PT_EXIT(&t->pt);
        }
    }
    userdb_open_job(&op->open, op->path, op->key, NULL, 0, 1, (int)(auth.cfg->db_cache / 1024), op_job_done, op);
    OP_RUN(t, op, &op->open.job);
    wipe(op->open.keyspec, sizeof op->open.keyspec);
    if (op->open.job.rc != DB_JOB_DONE) {
        op_fail(op, 409, "Could not open the user database for reading: %s", op->open.job.errmsg);
        PT_EXIT(&t->pt);
    }
    for (op->ipart = 0; op->ipart < userhub_login_part_count(); op->ipart++) {
        userhub_login_part(op->ipart)->query_init(&op->parts[op->ipart], op_job_done, op);
        OP_RUN(t, op, &op->parts[op->ipart].job);
        if (op->parts[op->ipart].job.rc != DB_JOB_DONE) {
            snprintf(op->msg, sizeof op->msg, "Could not read the %s: %s", userhub_login_part(op->ipart)->what,
                     op->parts[op->ipart].job.errmsg);
            op->status = 409;
            PT_EXIT(&t->pt);
        }
    }
    op->status = 200;
    PT_END(&t->pt);
}

static void op_free(op_t *op)
{
    free_secret(&op->password);
    free_secret(&op->new_password);
    userdb_kdf_job_clear(&op->kdf);
    for (size_t i = 0; i < USERHUB_MAX; i++) db_query_clear(&op->parts[i]);
    settings_update_clear(&op->initial);
    wipe(op->key, sizeof op->key);
    if (auth.op == op) auth.op = NULL;
    alloc_free(op);
}

static void finish_reply(op_t *op)
{
    if (op->status == 200) return;
    /* authenticate says no more than rotki's check_password: an unknown user is a wrong password */
    if (op->reply_empty && (op->status == 401 || (op->status == 409 && op->kdf.missing)))
        api_reply_error(op->req, 401, "Wrong username/password combination");
    else
        api_reply_error(op->req, op->status, "%s", op->msg);
}

/* A create that failed leaves no half-made user behind (its DB is closed by now). */
static void cleanup_db_closed(void *ud)
{
    op_t *op = ud;
    if (op->kind == OP_CREATE && op->kdf.claimed) {
        remove_wal_files(op->path);
        pal_file_remove(op->path);
    }
    op_free(op);
}

static void open_end(loop_task_t *t)
{
    op_t *op = t->ud;
    if (op->status == 200) {
        snprintf(auth.user, sizeof auth.user, "%s", op->name);
        auth.db = op->db;
        op->db = NULL;
        memcpy(auth.key, op->key, sizeof auth.key);
        if (op->kind == OP_LOGIN) throttle_record(op->req->peer, 0);
        session_start();
        if (auth.gate) session_issue(op->req);
        log_info("user '%s' %s", auth.user, op->kind == OP_CREATE ? "created and logged in" : "logged in");
        reply_user_result(op);
        userhub_logged_in(auth.user);
        op_free(op);
        return;
    }
    finish_reply(op);
    if (auth.op == op) auth.op = NULL;
    if (op->db) {
        db_t *db = op->db;
        op->db = NULL;
        db_destroy(db, cleanup_db_closed, op);
        return;
    }
    cleanup_db_closed(op);
}

/* Starts an operation for req, or replies why it cannot. A login claims the operation slot
 * itself, after its throttling delay. */
static op_t *op_new(api_req_t *req, int kind, const char *name)
{
    if (auth.op && kind != OP_LOGIN) {
        api_reply_error(req, 409, "Another login, logout or password change is in progress; try again shortly");
        return NULL;
    }
    op_t *op = alloc_zget(ALLOC_TASK, sizeof *op);
    if (!op) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return NULL;
    }
    op->req = req;
    op->kind = kind;
    snprintf(op->name, sizeof op->name, "%s", name);
    userdb_path(auth.cfg->data_dir, name, op->path, sizeof op->path);
    if (kind != OP_LOGIN) auth.op = op;
    return op;
}

/* ------------------------------------------------------------------ argument helpers */
/* A required non-empty string field of the body object into an allocated copy. */
static int body_str(api_req_t *req, int obj, const char *key, char **out, int required)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    if (t < 0) {
        if (!required) return 0;
        api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", key);
        return -1;
    }
    size_t n;
    if (json_type(&req->doc, t) != JSON_STRING || json_get_strdup(&req->doc, t, ALLOC_HTTP, out, &n) != JSON_OK ||
        (required && n == 0) || memchr(*out, 0, n)) {
        free_secret(out);
        api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", key, required ? "Must be a non-empty string." : "Not a valid string.");
        return -1;
    }
    return 0;
}
/* ------------------------------------------------------------------ endpoints */
typedef struct {
    loop_job_t job;
    api_req_t *req;
    char dir[600];
    json_writer_t w;
    int failed;
    char err[200];
} list_job_t;

static int list_one(const char *name, int is_dir, void *ud)
{
    list_job_t *lj = ud;
    char db[700];
    uint64_t size;
    if (!is_dir) return 0;
    snprintf(db, sizeof db, "%s/%s/rotkehlchen.db", lj->dir, name);
    if (pal_file_size(db, &size) != PAL_OK) return 0; /* a user exists iff its DB does */
    json_write_key(&lj->w, name);
    json_write_str(&lj->w, auth.user[0] && strcmp(auth.user, name) == 0 ? "loggedin" : "loggedout");
    return 0;
}

static void list_run(pal_job_t *pj) /* on a worker, or inline without threads */
{
    list_job_t *lj = (list_job_t *)pj;
    json_begin_object(&lj->w);
    int st = pal_dir_list(lj->dir, list_one, lj);
    if (st != PAL_OK && st != PAL_ENOENT) {
        lj->failed = 1;
        snprintf(lj->err, sizeof lj->err, "%s", pal_last_error());
    }
    json_end_object(&lj->w);
}

static void list_done(loop_job_t *j)
{
    list_job_t *lj = (list_job_t *)j;
    if (lj->failed) {
        api_reply_error(lj->req, 409, "Cannot list the users: %s", lj->err);
    } else {
        const char *out;
        size_t n;
        if (json_writer_finish(&lj->w, &out, &n) != JSON_OK) {
            api_reply_error(lj->req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        } else {
            json_write_raw(api_reply_begin(lj->req), out, n);
            api_reply_end(lj->req, 200, "");
        }
    }
    json_writer_free(&lj->w);
    alloc_free(lj);
}

/* GET /api/1/users: {"name": "loggedin"|"loggedout"} */
static int api_users_list(api_req_t *req)
{
    list_job_t *lj = alloc_zget(ALLOC_TASK, sizeof *lj);
    if (!lj) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    lj->req = req;
    snprintf(lj->dir, sizeof lj->dir, "%s/users", auth.cfg->data_dir);
    json_writer_init(&lj->w, 0);
    if (loop_job_submit(auth.loop, &lj->job, list_run, list_done) != PAL_OK) { /* no threads: a short walk inline */
        list_run(&lj->job.pj);
        list_done(&lj->job);
        return API_DONE;
    }
    return API_PENDING;
}

static int start_open(op_t *op)
{
    loop_task_start(auth.loop, &op->task, open_pt, open_end, op);
    return API_PENDING;
}

/* PUT /api/1/users: create a user and log in */
static int api_users_create(api_req_t *req)
{
    static const char *const allowed[] = {"name", "password", "premium_api_key", "premium_api_secret", "sync_database",
                                          "initial_settings", "async_query", NULL};
    int obj;
    char *name = NULL, *password = NULL, *pk = NULL, *ps = NULL;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    if (body_str(req, obj, "name", &name, 1) != 0 || body_str(req, obj, "password", &password, 1) != 0 ||
        body_str(req, obj, "premium_api_key", &pk, 0) != 0 || body_str(req, obj, "premium_api_secret", &ps, 0) != 0)
        goto out;
    if ((pk && *pk) || (ps && *ps)) {
        api_reply_error(req, 400, "Premium credentials are not supported by pipit; leave premium_api_key and premium_api_secret empty");
        goto out;
    }
    if (!userdb_name_valid(name)) {
        api_reply_error(req, 400, "{\"name\": [\"User names are 1-64 letters, digits, '_', '-' or '.', not starting with '.'\"]}");
        goto out;
    }
    if (auth.user[0]) {
        api_reply_error(req, 409, "User %s is already logged in. Log out first.", auth.user);
        goto out;
    }
    op_t *op = op_new(req, OP_CREATE, name);
    if (!op) goto out;
    int is = obj >= 0 ? json_obj_get(&req->doc, obj, "initial_settings") : -1;
    if (is >= 0 && !json_is_null(&req->doc, is) && settings_parse_update(req, is, &op->initial) != 0) {
        op_free(op);
        goto out;
    }
    op->password = password;
    password = NULL;
    free_secret(&name);
    free_secret(&pk);
    free_secret(&ps);
    return start_open(op);
out:
    free_secret(&name);
    free_secret(&password);
    free_secret(&pk);
    free_secret(&ps);
    return API_DONE;
}

/* POST /api/1/users/<name>: login */
static int api_users_login(api_req_t *req)
{
    static const char *const allowed[] = {"password", "sync_approval", "resume_from_backup", "async_query", NULL};
    const char *name = api_path_param(req, "name");
    int obj;
    char *password = NULL;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    if (body_str(req, obj, "password", &password, 1) != 0) return API_DONE;
    int sa = obj >= 0 ? json_obj_get(&req->doc, obj, "sync_approval") : -1;
    if (sa >= 0 && !json_str_eq(&req->doc, sa, "unknown") && !json_str_eq(&req->doc, sa, "yes") &&
        !json_str_eq(&req->doc, sa, "no")) {
        free_secret(&password);
        api_reply_error(req, 400, "{\"sync_approval\": [\"Must be one of: unknown, yes, no.\"]}");
        return API_DONE;
    }
    if (auth.user[0]) {
        free_secret(&password);
        api_reply_error(req, 409, "User %s is already logged in. Log out first.", auth.user);
        return API_DONE;
    }
    if (!userdb_name_valid(name)) {
        free_secret(&password);
        api_reply_error(req, 409, "User %s does not exist", name);
        return API_DONE;
    }
    op_t *op = op_new(req, OP_LOGIN, name);
    if (!op) {
        free_secret(&password);
        return API_DONE;
    }
    op->password = password;
    return start_open(op);
}

/* logout: close the DB after its queued jobs, then answer */
static int logout_pt(loop_task_t *t)
{
    op_t *op = t->ud;
    PT_BEGIN(&t->pt);
    op->db = auth.db;
    auth.db = NULL;
    log_info("user '%s' logged out", auth.user);
    userhub_logging_out(auth.user);
    tasks_cancel_all(); /* rotki: logout cancels the pending tasks */
    auth.user[0] = 0;
    wipe(auth.key, sizeof auth.key);
    auth.sid[0] = 0;
    if (auth.gate) notifier_close_all(1008, "logged out");
    OP_CLOSE_DB(t, op);
    op->status = 200;
    PT_END(&t->pt);
}

static void logout_end(loop_task_t *t)
{
    op_t *op = t->ud;
    if (op->req) api_reply_true(op->req);
    if (!op->req && auth.shutdown_done) auth.shutdown_done(auth.shutdown_ud);
    op_free(op);
}

static int api_users_patch(api_req_t *req)
{
    static const char *const allowed[] = {"action", "premium_api_key", "premium_api_secret", NULL};
    const char *name = api_path_param(req, "name");
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    int act = obj >= 0 ? json_obj_get(&req->doc, obj, "action") : -1;
    if (act < 0) {
        api_reply_error(req, 400, "Premium credentials are not supported by pipit; the only action is \"logout\"");
        return API_DONE;
    }
    if (!json_str_eq(&req->doc, act, "logout")) {
        api_reply_error(req, 400, "{\"action\": [\"Must be one of: logout.\"]}");
        return API_DONE;
    }
    if (auth_require_user(req) != 0) return API_DONE;
    if (strcmp(name, auth.user) != 0) {
        api_reply_error(req, 409, "Provided user %s is not the logged in user", name);
        return API_DONE;
    }
    op_t *op = op_new(req, OP_LOGOUT, name);
    if (!op) return API_DONE;
    loop_task_start(auth.loop, &op->task, logout_pt, logout_end, op);
    return API_PENDING;
}

/* After op's key derivation of a password: 1 when it gave the session's key (a failure counts
 * towards the caller's throttling). Clears the derivation. */
static int kdf_matches_session(op_t *op)
{
    unsigned diff = op->kdf.job.rc != DB_JOB_DONE;
    for (int i = 0; i < DB_KEY_SIZE; i++) diff |= (unsigned)(op->kdf.key[i] ^ auth.key[i]);
    userdb_kdf_job_clear(&op->kdf);
    throttle_record(op->req->peer, diff != 0);
    return diff == 0;
}

/* Derives op->password's key and compares it with the session's; a mismatch fails the op with
 * `wrong` (401) and ends the protothread. A macro because it waits: it must expand inside it. */
#define OP_VERIFY_PASSWORD(t, op, wrong)                                                               \
    do {                                                                                               \
        if (userdb_kdf_job(&(op)->kdf, (op)->path, (op)->password, 0, op_job_done, (op)) != 0) {      \
            op_fail((op), 503, "The node is out of memory for this request (heap budget reached); try again shortly", NULL); \
            PT_EXIT(&(t)->pt);                                                                         \
        }                                                                                              \
        OP_RUN((t), (op), &(op)->kdf.job);                                                             \
        if (!kdf_matches_session(op)) {                                                                \
            op_fail((op), 401, (wrong), NULL);                                                         \
            PT_EXIT(&(t)->pt);                                                                         \
        }                                                                                              \
    } while (0)

/* password change: verify the current one (same KDF, compared with the session's key), derive
 * the new key with the same salt, rekey the writer, reopen the reader with it */
static int password_pt(loop_task_t *t)
{
    op_t *op = t->ud;
    PT_BEGIN(&t->pt);
    op->db = auth.db;
    OP_VERIFY_PASSWORD(t, op, "Provided current password is not correct");
    if (userdb_kdf_job(&op->kdf, op->path, op->new_password, 0, op_job_done, op) != 0) {
        op_fail(op, 503, "The node is out of memory for this request (heap budget reached); try again shortly", NULL);
        PT_EXIT(&t->pt);
    }
    OP_RUN(t, op, &op->kdf.job);
    memcpy(op->key, op->kdf.key, sizeof op->key);
    userdb_kdf_job_clear(&op->kdf);
    if (op->kdf.job.rc != DB_JOB_DONE) {
        op_fail(op, 409, "Could not derive the new key: %s", op->kdf.job.errmsg);
        PT_EXIT(&t->pt);
    }
    userdb_rekey_job(&op->rekey, op->key, op_job_done, op);
    OP_RUN(t, op, &op->rekey.job);
    if (op->rekey.job.rc != DB_JOB_DONE) {
        op_fail(op, 409, "Could not change the database key: %s", op->rekey.job.errmsg);
        PT_EXIT(&t->pt);
    }
    memcpy(auth.key, op->key, sizeof auth.key);
    /* the reader still holds the old key: replace it */
    userdb_open_job(&op->open, op->path, op->key, NULL, 0, 1, (int)(auth.cfg->db_cache / 1024), op_job_done, op);
    OP_RUN(t, op, &op->open.job);
    wipe(op->open.keyspec, sizeof op->open.keyspec);
    op->status = op->open.job.rc == DB_JOB_DONE ? 200 : 409;
    if (op->status != 200) op_fail(op, 409, "The key was changed but the reader could not reopen: %s", op->open.job.errmsg);
    PT_END(&t->pt);
}

static void password_end(loop_task_t *t)
{
    op_t *op = t->ud;
    op->db = NULL; /* the session's */
    if (op->status == 200) {
        log_info("user '%s' changed the password", auth.user);
        api_reply_true(op->req);
    } else {
        finish_reply(op);
    }
    op_free(op);
}

static int api_users_password(api_req_t *req)
{
    static const char *const allowed[] = {"current_password", "new_password", NULL};
    const char *name = api_path_param(req, "name");
    int obj;
    char *cur = NULL, *nw = NULL;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    if (body_str(req, obj, "current_password", &cur, 1) != 0 || body_str(req, obj, "new_password", &nw, 1) != 0) {
        free_secret(&cur);
        return API_DONE;
    }
    if (auth_require_user(req) != 0 || (strcmp(name, auth.user) != 0 &&
                                        (api_reply_error(req, 400, "Provided user %s is not the logged in user", name), 1))) {
        free_secret(&cur);
        free_secret(&nw);
        return API_DONE;
    }
    op_t *op = op_new(req, OP_PASSWORD, name);
    if (!op) {
        free_secret(&cur);
        free_secret(&nw);
        return API_DONE;
    }
    op->password = cur;
    op->new_password = nw;
    loop_task_start(auth.loop, &op->task, password_pt, password_end, op);
    return API_PENDING;
}

/* authenticate of the logged-in user without a valid cookie: the password against the session's
 * key, then a new session id (the earlier session's cookie stops working, as rotki's takeover) */
static int verify_pt(loop_task_t *t)
{
    op_t *op = t->ud;
    PT_BEGIN(&t->pt);
    uint32_t delay = throttle_delay_ms(op->req->peer);
    if (delay) LOOP_SLEEP(t, delay);
    op->db = auth.db;
    OP_VERIFY_PASSWORD(t, op, "Wrong username/password combination");
    op->status = 200;
    PT_END(&t->pt);
}

static void verify_end(loop_task_t *t)
{
    op_t *op = t->ud;
    op->db = NULL; /* the session's */
    if (op->status == 200 && auth.user[0] && !strcmp(op->name, auth.user)) {
        session_start();
        session_issue(op->req);
        reply_empty_object(op->req);
    } else if (op->status == 200) {
        api_reply_error(op->req, 409, "User %s logged out meanwhile", op->name);
    } else {
        finish_reply(op);
    }
    op_free(op);
}

/* POST /api/1/users/<name>/authenticate — rotki's authenticate-first for cookie sessions:
 * proves the password and sets the rotki_session cookie before the app opens /ws. Without
 * sessions (loopback) it is a no-op answering {}, as rotki's without a session key. Logged in
 * as <name>: a valid cookie is re-issued as it is, else the password is checked and a new
 * session replaces the old one. Nobody logged in: pipit's session exists only for a logged-in
 * user, so this is the login itself (rotki only checks the password here and logs in next; the
 * app then finds the user logged in and resumes that session). */
static int api_users_authenticate(api_req_t *req)
{
    static const char *const allowed[] = {"password", NULL};
    const char *name = api_path_param(req, "name");
    int obj;
    char *password = NULL;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0 ||
        body_str(req, obj, "password", &password, 1) != 0)
        return API_DONE;
    if (!auth.gate) {
        free_secret(&password);
        reply_empty_object(req);
        return API_DONE;
    }
    if (auth.user[0] && strcmp(name, auth.user) != 0) {
        free_secret(&password);
        api_reply_error(req, 409, "User %s is already logged in. Log out first.", auth.user);
        return API_DONE;
    }
    if (auth.user[0] && session_check(req->cookie) == 0) {
        free_secret(&password);
        session_issue(req);
        reply_empty_object(req);
        return API_DONE;
    }
    if (!userdb_name_valid(name)) {
        free_secret(&password);
        api_reply_error(req, 401, "Wrong username/password combination");
        return API_DONE;
    }
    op_t *op = op_new(req, auth.user[0] ? OP_AUTHENTICATE : OP_LOGIN, name);
    if (!op) {
        free_secret(&password);
        return API_DONE;
    }
    op->password = password;
    if (op->kind == OP_LOGIN) {
        op->reply_empty = 1;
        return start_open(op);
    }
    loop_task_start(auth.loop, &op->task, verify_pt, verify_end, op);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/users", api_users_list, NULL, API_PUBLIC},
    {API_POST, "/api/1/users/<name>/authenticate", api_users_authenticate, NULL, API_PUBLIC},
    {API_PUT, "/api/1/users", api_users_create, NULL, API_PUBLIC | API_ASYNC},
    {API_POST, "/api/1/users/<name>", api_users_login, NULL, API_PUBLIC | API_ASYNC},
    {API_PATCH, "/api/1/users/<name>", api_users_patch, NULL, 0},
    {API_PATCH, "/api/1/users/<name>/password", api_users_password, NULL, 0},
};

int auth_init(const config_t *cfg, loop_t *loop)
{
    memset(&auth, 0, sizeof auth);
    auth.cfg = cfg;
    auth.loop = loop;
    auth.driver = strcmp(cfg->db_driver, "sliced") == 0 ? DB_DRIVER_SLICED : DB_DRIVER_THREADED;
    auth.gate = !pal_host_is_loopback(cfg->api_host);
    if (auth.gate) {
        const char *k = pal_env("PIPIT_SESSION_KEY");
        if (k && *k) mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)k, strlen(k), auth.session_key);
        else pal_entropy(auth.session_key, sizeof auth.session_key);
        api_set_gate(api_gate);
        notifier_set_gate(ws_gate);
        log_info("listening beyond loopback: every endpoint but login needs the session cookie");
    }
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void auth_shutdown(void (*done)(void *), void *ud)
{
    if (!auth.user[0] || !auth.db) {
        done(ud);
        return;
    }
    op_t *op = alloc_zget(ALLOC_TASK, sizeof *op);
    if (!op) { /* cannot even queue the close: the worker threads finish on their own */
        done(ud);
        return;
    }
    auth.shutdown_done = done;
    auth.shutdown_ud = ud;
    op->kind = OP_LOGOUT;
    loop_task_start(auth.loop, &op->task, logout_pt, logout_end, op);
}
