/* snapshots — see snapshots.h. */
#include "snapshots.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../platform/pal.h"

/* ------------------------------------------------------------------ rotki's names */
/* rotki's Location enum in value order (types.py; value n is stored as chr(64 + n)), each name
 * lowercased with '_' -> ' ' as SerializableEnumNameMixin.serialize() writes it. */
static const char *const location_names[] = {
    "external", "kraken", "poloniex", "bittrex", "binance", "bitmex", "coinbase", "total", "banks", "blockchain",
    "coinbasepro", "gemini", "equities", "realestate", "commodities", "cryptocom", "uniswap", "bitstamp",
    "binanceus", "bitfinex", "bitcoinde", "iconomi", "kucoin", "balancer", "loopring", "ftx", "nexo", "blockfi",
    "independentreserve", "gitcoin", "sushiswap", "shapeshift", "uphold", "bitpanda", "bisq", "ftxus", "okx",
    "ethereum", "optimism", "polygon pos", "arbitrum one", "base", "gnosis", "woo", "bybit", "scroll",
    "zksync lite", "htx", "bitcoin", "bitcoin cash", "polkadot", "kusama", "coinbaseprime", "binance sc", "solana",
    "avalanche", "hyperliquid", "monad", "gate", "bit2me", "coinex",
};
_Static_assert(sizeof location_names / sizeof location_names[0] == SNAPSHOT_LOCATION_COUNT,
               "one name per Location value, 'A' .. '}'");

static const char *const category_names[] = {"asset", "liability"}; /* BalanceType: 'A', 'B' */

int snapshot_name_eq(const char *canon, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        else if (c == '_') c = ' ';
        if (!canon[i] || canon[i] != c) return 0;
    }
    return canon[n] == 0;
}

char snapshot_location_code(const char *name, size_t n)
{
    for (int i = 0; i < SNAPSHOT_LOCATION_COUNT; i++)
        if (snapshot_name_eq(location_names[i], name, n)) return (char)('A' + i);
    return 0;
}

const char *snapshot_location_name(char code)
{
    int i = code - 'A';
    return i >= 0 && i < SNAPSHOT_LOCATION_COUNT ? location_names[i] : NULL;
}

char snapshot_category_code(const char *name, size_t n)
{
    for (int i = 0; i < 2; i++)
        if (snapshot_name_eq(category_names[i], name, n)) return (char)('A' + i);
    return 0;
}

const char *snapshot_category_name(char code)
{
    return code == 'A' || code == 'B' ? category_names[code - 'A'] : NULL;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

int snapshot_parse_timestamp(const char *s, size_t n, int64_t *out)
{
    char buf[48];
    trim(&s, &n);
    if (!n || json_normalize_amount(s, n, buf, sizeof buf) != JSON_OK) return -1;
    int64_t v = 0;
    for (const char *p = buf; *p; p++) { /* a fraction or a sign left means not an exact non-negative int */
        if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10) return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ helpers */
/* Statements may stay prepared between slices only where done() runs on the connection's own
 * thread: the sliced driver. */
static int keep_statements(const db_job_t *job) { return job->db && db_driver(job->db) == DB_DRIVER_SLICED; }

static void finalize(sqlite3_stmt **st)
{
    if (*st) sqlite3_finalize(*st);
    *st = NULL;
}

static const char *const file_label[2] = {"balances_snapshot_file", "location_data_snapshot_file"};

static int import_fail(snapshot_import_job_t *j, int which, uint64_t line, snapshot_failure_t kind, const char *fmt, ...)
    PIPIT_PRINTF(5, 6);

static int import_fail(snapshot_import_job_t *j, int which, uint64_t line, snapshot_failure_t kind, const char *fmt, ...)
{
    char problem[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (which < 0)
        snprintf(j->message, sizeof j->message, "%s", problem);
    else if (line)
        snprintf(j->message, sizeof j->message, "%s %s, line %llu: %s", file_label[which], j->path[which],
                 (unsigned long long)line, problem);
    else
        snprintf(j->message, sizeof j->message, "%s %s: %s", file_label[which], j->path[which], problem);
    j->failure = kind;
    return db_job_fail(&j->job, NULL, "%s", j->message);
}

static int nomem_fail(snapshot_import_job_t *j)
{
    return import_fail(j, -1, 0, SNAPSHOT_FAIL_NOMEM, "out of memory importing the snapshot (heap budget reached)");
}

/* err: what sqlite3_step/prepare returned; the message is the connection's */
static int sql_fail(snapshot_import_job_t *j, sqlite3 *conn, int err, int which, uint64_t line)
{
    if ((err & 0xff) == SQLITE_NOMEM) return nomem_fail(j);
    return import_fail(j, which, line, SNAPSHOT_FAIL_DB, "database error: %s", sqlite3_errmsg(conn));
}

static int prepare(snapshot_import_job_t *j, sqlite3 *conn, sqlite3_stmt **st, const char *sql)
{
    if (*st) return DB_JOB_DONE;
    int rc = sqlite3_prepare_v2(conn, sql, -1, st, NULL);
    if (rc == SQLITE_OK) return DB_JOB_DONE;
    *st = NULL;
    return sql_fail(j, conn, rc, -1, 0);
}

/* A field quoted for a message: at most 40 bytes of it. */
#define SHOW(f) (int)((f).n > 40 ? 40 : (f).n), (f).p, (f).n > 40 ? "…" : ""

/* ------------------------------------------------------------------ CSV */
/* Python's csv module (excel dialect), which rotki's export writes and its import reads:
 * ',' between fields, '"' quotes a field that holds ',', '"' or a line break, '""' inside it is
 * one '"'; a quote inside an unquoted field is just a character. */
enum { Q_START, Q_UNQUOTED, Q_QUOTED, Q_QUOTE };

typedef snapshot_field_t field_t;

static int rec_append(snapshot_import_job_t *j, int which, const char *s, size_t n)
{
    snapshot_csv_t *c = &j->csv[which];
    if (c->rec_len + n > SNAPSHOT_MAX_RECORD)
        return import_fail(j, which, c->rec_line, SNAPSHOT_FAIL_INPUT, "the line is longer than %d bytes",
                           SNAPSHOT_MAX_RECORD);
    if (c->rec_len + n > c->rec_cap) {
        size_t cap = c->rec_cap ? c->rec_cap : 256;
        while (cap < c->rec_len + n) cap *= 2;
        char *r = alloc_reget(ALLOC_DB, c->rec, cap);
        if (!r) return nomem_fail(j);
        c->rec = r;
        c->rec_cap = cap;
    }
    memcpy(c->rec + c->rec_len, s, n);
    c->rec_len += n;
    return DB_JOB_DONE;
}

/* The next record: 1 with *rec and *n set (writable, valid until the next call; no line break),
 * 0 at the end of the file, DB_JOB_EFAIL on failure. Reads a chunk when it needs one; each read
 * counts as one step of the slice. */
static int csv_next(snapshot_import_job_t *j, int which, char **rec, size_t *n)
{
    snapshot_csv_t *c = &j->csv[which];
    c->rec_len = 0;
    c->qstate = Q_START;
    c->rec_line = c->lines + 1;
    for (;;) {
        if (c->pos == c->len) {
            if (c->eof) {
                if (c->qstate == Q_QUOTED)
                    return import_fail(j, which, c->rec_line, SNAPSHOT_FAIL_INPUT,
                                       "a quoted field is still open at the end of the file");
                if (c->rec_len == 0) return 0;
                *rec = c->rec; /* the last line, without a line break */
                *n = c->rec_len;
                break;
            }
            long got = pal_file_read(c->file, c->chunk, c->chunk_size ? c->chunk_size : SNAPSHOT_CHUNK);
            j->job.budget--;
            if (got < 0)
                return import_fail(j, which, c->rec_line, SNAPSHOT_FAIL_INPUT, "cannot read the file: %s", pal_last_error());
            c->pos = 0;
            c->len = (size_t)got;
            if (got == 0) c->eof = 1;
            continue;
        }
        char *s = c->chunk;
        size_t i = c->pos, end = c->len;
        int st = c->qstate, found = 0;
        for (; i < end; i++) {
            char ch = s[i];
            if (ch == '\n') {
                c->lines++;
                if (st != Q_QUOTED) {
                    found = 1;
                    break;
                }
                continue;
            }
            switch (st) {
            case Q_START: st = ch == '"' ? Q_QUOTED : ch == ',' ? Q_START : Q_UNQUOTED; break;
            case Q_UNQUOTED: if (ch == ',') st = Q_START; break;
            case Q_QUOTED: if (ch == '"') st = Q_QUOTE; break;
            default: st = ch == '"' ? Q_QUOTED : ch == ',' ? Q_START : Q_UNQUOTED; break; /* after a quote */
            }
        }
        c->qstate = st;
        if (!found) { /* the record goes on in the next chunk */
            int rc = rec_append(j, which, s + c->pos, end - c->pos);
            c->pos = end;
            if (rc != DB_JOB_DONE) return rc;
            continue;
        }
        size_t piece = i - c->pos;
        char *start = s + c->pos;
        c->pos = i + 1;
        if (c->rec_len == 0) {
            if (piece > SNAPSHOT_MAX_RECORD)
                return import_fail(j, which, c->rec_line, SNAPSHOT_FAIL_INPUT, "the line is longer than %d bytes",
                                   SNAPSHOT_MAX_RECORD);
            *rec = start;
            *n = piece;
        } else {
            int rc = rec_append(j, which, start, piece);
            if (rc != DB_JOB_DONE) return rc;
            *rec = c->rec;
            *n = c->rec_len;
        }
        break;
    }
    if (*n && (*rec)[*n - 1] == '\r') (*n)--;
    /* a UTF-8 byte order mark (spreadsheets write one), looked for in the whole first record
     * rather than the first read, which may be shorter than it */
    if (!c->bom_checked) {
        c->bom_checked = 1;
        if (*n >= 3 && memcmp(*rec, "\xEF\xBB\xBF", 3) == 0) *rec += 3, *n -= 3;
    }
    return 1;
}

/* The next record that is not a blank line (Python's DictReader skips those). */
int snapshot_csv_next_row(snapshot_import_job_t *j, int which, char **rec, size_t *n)
{
    int r;
    while ((r = csv_next(j, which, rec, n)) == 1 && *n == 0) {}
    return r;
}

int snapshot_csv_split(char *s, size_t n, snapshot_field_t *f, int max)
{
    int nf = 0;
    size_t i = 0;
    for (;;) {
        char *out = s + i;
        size_t w = 0;
        if (i < n && s[i] == '"') {
            for (i++; i < n;) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        out[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                out[w++] = s[i++];
            }
        }
        while (i < n && s[i] != ',') out[w++] = s[i++];
        if (nf < max) {
            f[nf].p = out;
            f[nf].n = w;
        }
        nf++;
        if (i >= n) return nf;
        i++; /* the ',' */
    }
}

static const char *const balance_columns[] = {"timestamp", "category", "asset_identifier", "amount", "usd_value"};
static const char *const location_columns[] = {"timestamp", "location", "usd_value"};
static const char *const header_text[2] = {"timestamp,category,asset_identifier,amount,usd_value",
                                           "timestamp,location,usd_value"};

static int check_header(snapshot_import_job_t *j, int which, char *rec, size_t n)
{
    const char *const *cols = which == SNAPSHOT_BALANCES ? balance_columns : location_columns;
    int want = which == SNAPSHOT_BALANCES ? 5 : 3;
    field_t f[6];
    int nf = snapshot_csv_split(rec, n, f, 6);
    int ok = nf == want;
    for (int i = 0; ok && i < want; i++) ok = f[i].n == strlen(cols[i]) && memcmp(f[i].p, cols[i], f[i].n) == 0;
    if (ok) return DB_JOB_DONE;
    return import_fail(j, which, j->csv[which].rec_line, SNAPSHOT_FAIL_INPUT,
                       "csv file has invalid headers: expected %s", header_text[which]);
}

static int amount_field(snapshot_import_job_t *j, int which, const char *name, field_t f, char *buf, size_t len)
{
    const char *s = f.p;
    size_t n = f.n;
    trim(&s, &n);
    if (n && json_normalize_amount(s, n, buf, len) == JSON_OK) return DB_JOB_DONE;
    return import_fail(j, which, j->csv[which].rec_line, SNAPSHOT_FAIL_INPUT, "%s '%.*s%s' is not a decimal number",
                       name, SHOW(f));
}

/* The row's timestamp: valid, and the snapshot's (the first balance row sets it). */
static int row_timestamp(snapshot_import_job_t *j, int which, field_t f, int64_t *ts)
{
    uint64_t line = j->csv[which].rec_line;
    if (snapshot_parse_timestamp(f.p, f.n, ts) != 0)
        return import_fail(j, which, line, SNAPSHOT_FAIL_INPUT, "csv file contains invalid timestamp format: '%.*s%s'",
                           SHOW(f));
    if (j->timestamp_line && *ts != j->timestamp) {
        if (which == SNAPSHOT_BALANCES)
            return import_fail(j, which, line, SNAPSHOT_FAIL_INPUT,
                               "csv file has different timestamps: %lld here, %lld on line %llu", (long long)*ts,
                               (long long)j->timestamp, (unsigned long long)j->timestamp_line);
        return import_fail(j, which, line, SNAPSHOT_FAIL_INPUT,
                           "csv file has different timestamps: %lld here, %lld in the balances file", (long long)*ts,
                           (long long)j->timestamp);
    }
    return DB_JOB_DONE;
}

/* rotki adds rows with plain INSERTs and so fails on the primary key when a snapshot is
 * there; pipit checks first, to say so plainly. */
static int check_not_stored(snapshot_import_job_t *j, sqlite3 *conn)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn,
                                "SELECT 1 FROM timed_balances WHERE timestamp = ?1 "
                                "UNION ALL SELECT 1 FROM timed_location_data WHERE timestamp = ?1 LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return sql_fail(j, conn, rc, -1, 0);
    sqlite3_bind_int64(st, 1, j->timestamp);
    rc = db_job_step(&j->job, st);
    int out = rc == SQLITE_ROW ? import_fail(j, -1, 0, SNAPSHOT_FAIL_EXISTS,
                                             "A snapshot at timestamp %lld already exists; delete it first",
                                             (long long)j->timestamp)
              : rc == SQLITE_DONE ? DB_JOB_DONE
                                  : sql_fail(j, conn, rc, -1, 0);
    sqlite3_finalize(st);
    return out;
}

static int step_insert(snapshot_import_job_t *j, sqlite3 *conn, sqlite3_stmt *st, int *ext)
{
    int rc = db_job_step(&j->job, st);
    *ext = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(conn);
    if (rc != SQLITE_DONE) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(conn));
        sqlite3_reset(st);
        /* keep the step's message, not reset()'s */
        snprintf(j->job.errmsg, sizeof j->job.errmsg, "%s", msg);
        return rc;
    }
    sqlite3_reset(st);
    return rc;
}

static int balance_row(snapshot_import_job_t *j, sqlite3 *conn, char *rec, size_t n)
{
    const int B = SNAPSHOT_BALANCES;
    uint64_t line = j->csv[B].rec_line;
    field_t f[6];
    int nf = snapshot_csv_split(rec, n, f, 6), rc;
    if (nf != 5)
        return import_fail(j, B, line, SNAPSHOT_FAIL_INPUT, "expected 5 columns (%s), found %d", header_text[B], nf);
    int64_t ts;
    if ((rc = row_timestamp(j, B, f[0], &ts)) != DB_JOB_DONE) return rc;
    if (!j->timestamp_line) {
        j->timestamp = ts;
        j->timestamp_line = line;
        if ((rc = check_not_stored(j, conn)) != DB_JOB_DONE) return rc;
    }
    char category = snapshot_category_code(f[1].p, f[1].n);
    if (!category)
        return import_fail(j, B, line, SNAPSHOT_FAIL_INPUT, "unknown category '%.*s%s' (asset or liability)", SHOW(f[1]));
    if (f[2].n == 0) return import_fail(j, B, line, SNAPSHOT_FAIL_INPUT, "the asset_identifier is empty");
    char amount[128], value[128];
    if ((rc = amount_field(j, B, "amount", f[3], amount, sizeof amount)) != DB_JOB_DONE ||
        (rc = amount_field(j, B, "usd_value", f[4], value, sizeof value)) != DB_JOB_DONE)
        return rc;

    /* pipit has no global asset DB yet, so every identifier of the file goes into the user DB's
     * assets table (the FK target of timed_balances.currency) before its row, as rotki does for
     * the NFT ids it cannot know in advance (DBSnapshot.add_nft_asset_ids). */
    int ext;
    sqlite3_bind_text(j->st_asset, 1, f[2].p, (int)f[2].n, SQLITE_STATIC);
    if ((rc = step_insert(j, conn, j->st_asset, &ext)) != SQLITE_DONE) return sql_fail(j, conn, rc, B, line);
    sqlite3_bind_text(j->st_balance, 1, &category, 1, SQLITE_STATIC);
    sqlite3_bind_int64(j->st_balance, 2, ts);
    sqlite3_bind_text(j->st_balance, 3, f[2].p, (int)f[2].n, SQLITE_STATIC);
    sqlite3_bind_text(j->st_balance, 4, amount, -1, SQLITE_STATIC);
    sqlite3_bind_text(j->st_balance, 5, value, -1, SQLITE_STATIC);
    if ((rc = step_insert(j, conn, j->st_balance, &ext)) != SQLITE_DONE) {
        if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return import_fail(j, B, line, SNAPSHOT_FAIL_INPUT, "the %s %.*s%s appears more than once",
                               snapshot_category_name(category), SHOW(f[2]));
        return import_fail(j, B, line, (rc & 0xff) == SQLITE_NOMEM ? SNAPSHOT_FAIL_NOMEM : SNAPSHOT_FAIL_DB,
                           "the database refused the row: %s", j->job.errmsg);
    }
    j->rows[B]++;
    return DB_JOB_DONE;
}

static int location_row(snapshot_import_job_t *j, sqlite3 *conn, char *rec, size_t n)
{
    const int L = SNAPSHOT_LOCATIONS;
    uint64_t line = j->csv[L].rec_line;
    field_t f[4];
    int nf = snapshot_csv_split(rec, n, f, 4), rc, ext;
    if (nf != 3)
        return import_fail(j, L, line, SNAPSHOT_FAIL_INPUT, "expected 3 columns (%s), found %d", header_text[L], nf);
    int64_t ts;
    if ((rc = row_timestamp(j, L, f[0], &ts)) != DB_JOB_DONE) return rc;
    char location = snapshot_location_code(f[1].p, f[1].n);
    if (!location) return import_fail(j, L, line, SNAPSHOT_FAIL_INPUT, "unknown location '%.*s%s'", SHOW(f[1]));
    char value[128];
    if ((rc = amount_field(j, L, "usd_value", f[2], value, sizeof value)) != DB_JOB_DONE) return rc;
    sqlite3_bind_int64(j->st_location, 1, ts);
    sqlite3_bind_text(j->st_location, 2, &location, 1, SQLITE_STATIC);
    sqlite3_bind_text(j->st_location, 3, value, -1, SQLITE_STATIC);
    if ((rc = step_insert(j, conn, j->st_location, &ext)) != SQLITE_DONE) {
        if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return import_fail(j, L, line, SNAPSHOT_FAIL_INPUT, "the location %s appears more than once",
                               snapshot_location_name(location));
        return import_fail(j, L, line, (rc & 0xff) == SQLITE_NOMEM ? SNAPSHOT_FAIL_NOMEM : SNAPSHOT_FAIL_DB,
                           "the database refused the row: %s", j->job.errmsg);
    }
    j->rows[L]++;
    return DB_JOB_DONE;
}

/* ------------------------------------------------------------------ import */
enum { I_OPEN, I_HEADERS, I_BALANCES, I_LOCATIONS };

static void csv_release(snapshot_csv_t *c)
{
    if (c->file) pal_file_close(c->file);
    alloc_free(c->chunk);
    alloc_free(c->rec);
    c->file = NULL;
    c->chunk = c->rec = NULL;
    c->len = c->pos = c->rec_len = c->rec_cap = 0;
}

static void import_finalize(snapshot_import_job_t *j)
{
    finalize(&j->st_asset);
    finalize(&j->st_balance);
    finalize(&j->st_location);
}

static int import_run(snapshot_import_job_t *j, sqlite3 *conn)
{
    db_job_t *job = &j->job;
    char *rec;
    size_t n;
    int r;
    switch (job->state) {
    case I_OPEN:
        for (int k = 0; k < 2; k++) {
            pal_file_t *f;
            if (pal_file_open(j->path[k], PAL_F_READ, &f) != PAL_OK)
                return import_fail(j, k, 0, SNAPSHOT_FAIL_INPUT, "cannot read the file: %s", pal_last_error());
            j->csv[k].file = f;
            if (!(j->csv[k].chunk = alloc_get(ALLOC_DB, SNAPSHOT_CHUNK))) return nomem_fail(j);
        }
        job->state = I_HEADERS;
        /* fall through */
    case I_HEADERS: /* both headers, before anything is written */
        for (int k = 0; k < 2; k++) {
            if ((r = snapshot_csv_next_row(j, k, &rec, &n)) < 0) return r;
            if (r == 0) return import_fail(j, k, 0, SNAPSHOT_FAIL_INPUT, "the file is empty: no header, no rows");
            if ((r = check_header(j, k, rec, n)) != DB_JOB_DONE) return r;
        }
        job->state = I_BALANCES;
        /* fall through */
    case I_BALANCES:
        if ((r = prepare(j, conn, &j->st_asset, "INSERT OR IGNORE INTO assets(identifier) VALUES(?)")) != DB_JOB_DONE ||
            (r = prepare(j, conn, &j->st_balance,
                         "INSERT INTO timed_balances(category, timestamp, currency, amount, usd_value) "
                         "VALUES(?, ?, ?, ?, ?)")) != DB_JOB_DONE)
            return r;
        for (;;) {
            if (db_job_yield_due(job)) return DB_JOB_MORE;
            if ((r = snapshot_csv_next_row(j, SNAPSHOT_BALANCES, &rec, &n)) < 0) return r;
            if (r == 0) break;
            if ((r = balance_row(j, conn, rec, n)) != DB_JOB_DONE) return r;
        }
        if (!j->rows[SNAPSHOT_BALANCES])
            return import_fail(j, SNAPSHOT_BALANCES, 0, SNAPSHOT_FAIL_INPUT, "the file has a header but no rows");
        csv_release(&j->csv[SNAPSHOT_BALANCES]);
        finalize(&j->st_asset);
        finalize(&j->st_balance);
        job->state = I_LOCATIONS;
        /* fall through */
    default: /* I_LOCATIONS */
        if ((r = prepare(j, conn, &j->st_location,
                         "INSERT INTO timed_location_data(timestamp, location, usd_value) VALUES(?, ?, ?)")) != DB_JOB_DONE)
            return r;
        for (;;) {
            if (db_job_yield_due(job)) return DB_JOB_MORE;
            if ((r = snapshot_csv_next_row(j, SNAPSHOT_LOCATIONS, &rec, &n)) < 0) return r;
            if (r == 0) break;
            if ((r = location_row(j, conn, rec, n)) != DB_JOB_DONE) return r;
        }
        if (!j->rows[SNAPSHOT_LOCATIONS])
            return import_fail(j, SNAPSHOT_LOCATIONS, 0, SNAPSHOT_FAIL_INPUT, "the file has a header but no rows");
        return DB_JOB_DONE;
    }
}

static int import_step(db_job_t *job, sqlite3 **slot)
{
    snapshot_import_job_t *j = (snapshot_import_job_t *)job;
    int rc = import_run(j, *slot);
    if (rc == DB_JOB_MORE && keep_statements(job)) return rc;
    import_finalize(j); /* prepared again on the next call (threaded: once per 10,000 steps) */
    if (rc != DB_JOB_MORE) {
        csv_release(&j->csv[0]);
        csv_release(&j->csv[1]);
    }
    return rc;
}

void snapshot_import_job(snapshot_import_job_t *j, const char *balances_path, const char *locations_path,
                         void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_WRITE, import_step, done, ud);
    snprintf(j->path[SNAPSHOT_BALANCES], sizeof j->path[0], "%s", balances_path);
    snprintf(j->path[SNAPSHOT_LOCATIONS], sizeof j->path[1], "%s", locations_path);
}

void snapshot_import_job_clear(snapshot_import_job_t *j)
{
    import_finalize(j);
    csv_release(&j->csv[0]);
    csv_release(&j->csv[1]);
}

const char *snapshot_import_error(const snapshot_import_job_t *j)
{
    return j->failure != SNAPSHOT_FAIL_NONE && j->message[0] ? j->message : j->job.errmsg;
}

/* ------------------------------------------------------------------ delete */
static int delete_step(db_job_t *job, sqlite3 **slot)
{
    static const char *const sql[2] = {
        "DELETE FROM timed_balances WHERE rowid IN "
        "(SELECT rowid FROM timed_balances WHERE timestamp = ?1 LIMIT ?2)",
        "DELETE FROM timed_location_data WHERE rowid IN "
        "(SELECT rowid FROM timed_location_data WHERE timestamp = ?1 LIMIT ?2)",
    };
    snapshot_delete_job_t *j = (snapshot_delete_job_t *)job;
    sqlite3 *conn = *slot;
    int out = DB_JOB_DONE;
    while (job->state < 2) {
        if (db_job_yield_due(job)) {
            out = DB_JOB_MORE;
            break;
        }
        if (!j->st) {
            if (sqlite3_prepare_v2(conn, sql[job->state], -1, &j->st, NULL) != SQLITE_OK) {
                j->st = NULL;
                out = db_job_fail(job, conn, NULL);
                break;
            }
            sqlite3_bind_int64(j->st, 1, j->timestamp);
            sqlite3_bind_int(j->st, 2, SNAPSHOT_DELETE_CHUNK);
        }
        int rc = db_job_step(job, j->st);
        if (rc != SQLITE_DONE) {
            out = db_job_fail(job, conn, NULL);
            break;
        }
        sqlite3_reset(j->st);
        int n = sqlite3_changes(conn);
        j->deleted[job->state] += (uint64_t)n;
        if (n > 1) job->budget -= n - 1; /* the work is in the rows, not the statements */
        if (n < SNAPSHOT_DELETE_CHUNK) {
            finalize(&j->st);
            job->state++;
        }
    }
    if (out != DB_JOB_MORE || !keep_statements(job)) finalize(&j->st);
    return out;
}

void snapshot_delete_job(snapshot_delete_job_t *j, int64_t timestamp, void (*done)(db_job_t *), void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, DB_JOB_WRITE, delete_step, done, ud);
    j->timestamp = timestamp;
}

void snapshot_delete_job_clear(snapshot_delete_job_t *j) { finalize(&j->st); }

/* ------------------------------------------------------------------ read */
enum { R_BEGIN, R_BALANCES, R_LOCATIONS };

static int read_nomem(snapshot_read_job_t *j)
{
    j->nomem = 1;
    return db_job_fail(&j->job, NULL, "out of memory writing the snapshot (heap budget reached)");
}

static int read_prepare(snapshot_read_job_t *j, sqlite3 *conn)
{
    if (j->st) return DB_JOB_DONE;
    /* resumable by key, for when the statement could not be kept between calls */
    const char *sql = j->job.state == R_BALANCES
                          ? "SELECT category, currency, amount, usd_value FROM timed_balances WHERE timestamp = ?1 "
                            "AND (currency, category) > (?2, ?3) ORDER BY currency, category"
                          : "SELECT location, usd_value FROM timed_location_data WHERE timestamp = ?1 "
                            "AND location > ?2 ORDER BY location";
    int rc = sqlite3_prepare_v2(conn, sql, -1, &j->st, NULL);
    if (rc != SQLITE_OK) {
        j->st = NULL;
        return (rc & 0xff) == SQLITE_NOMEM ? read_nomem(j) : db_job_fail(&j->job, conn, NULL);
    }
    sqlite3_bind_int64(j->st, 1, j->timestamp);
    if (j->job.state == R_BALANCES) {
        sqlite3_bind_text(j->st, 2, j->after_currency ? j->after_currency : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(j->st, 3, &j->after_category, j->after_category ? 1 : 0, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(j->st, 2, &j->after_location, j->after_location ? 1 : 0, SQLITE_STATIC);
    }
    j->on_row = 0;
    return DB_JOB_DONE;
}

static int read_run(snapshot_read_job_t *j, sqlite3 *conn)
{
    db_job_t *job = &j->job;
    json_writer_t *w = j->out;
    int rc;
    switch (job->state) {
    case R_BEGIN:
        json_begin_object(w);
        json_write_key(w, "balances_snapshot");
        json_begin_array(w);
        job->state = R_BALANCES;
        /* fall through */
    case R_BALANCES:
        if ((rc = read_prepare(j, conn)) != DB_JOB_DONE) return rc;
        for (;;) {
            if (db_job_yield_due(job)) return DB_JOB_MORE;
            rc = db_job_step(job, j->st);
            if (rc != SQLITE_ROW) break;
            j->on_row = 1;
            const char *cat = (const char *)sqlite3_column_text(j->st, 0);
            const char *name = cat && cat[0] && !cat[1] ? snapshot_category_name(cat[0]) : NULL;
            if (!name) continue; /* rotki skips what it cannot read, too */
            json_begin_object(w);
            json_write_key(w, "timestamp");
            json_write_int64(w, j->timestamp);
            json_write_key(w, "category");
            json_write_str(w, name);
            json_write_key(w, "asset_identifier");
            json_write_strn(w, (const char *)sqlite3_column_text(j->st, 1), (size_t)sqlite3_column_bytes(j->st, 1));
            json_write_key(w, "amount");
            if (sqlite3_column_type(j->st, 2) == SQLITE_NULL) json_write_null(w);
            else json_write_strn(w, (const char *)sqlite3_column_text(j->st, 2), (size_t)sqlite3_column_bytes(j->st, 2));
            json_write_key(w, "usd_value");
            if (sqlite3_column_type(j->st, 3) == SQLITE_NULL) json_write_null(w);
            else json_write_strn(w, (const char *)sqlite3_column_text(j->st, 3), (size_t)sqlite3_column_bytes(j->st, 3));
            json_end_object(w);
            if (json_writer_error(w) != JSON_OK) return read_nomem(j);
            j->balances++;
        }
        if (rc != SQLITE_DONE) return (rc & 0xff) == SQLITE_NOMEM ? read_nomem(j) : db_job_fail(job, conn, NULL);
        finalize(&j->st);
        json_end_array(w);
        json_write_key(w, "location_data_snapshot");
        json_begin_array(w);
        job->state = R_LOCATIONS;
        /* fall through */
    default: /* R_LOCATIONS */
        if ((rc = read_prepare(j, conn)) != DB_JOB_DONE) return rc;
        for (;;) {
            if (db_job_yield_due(job)) return DB_JOB_MORE;
            rc = db_job_step(job, j->st);
            if (rc != SQLITE_ROW) break;
            j->on_row = 1;
            const char *loc = (const char *)sqlite3_column_text(j->st, 0);
            const char *name = loc && loc[0] && !loc[1] ? snapshot_location_name(loc[0]) : NULL;
            if (!name) continue;
            json_begin_object(w);
            json_write_key(w, "timestamp");
            json_write_int64(w, j->timestamp);
            json_write_key(w, "location");
            json_write_str(w, name);
            json_write_key(w, "usd_value");
            if (sqlite3_column_type(j->st, 1) == SQLITE_NULL) json_write_null(w);
            else json_write_strn(w, (const char *)sqlite3_column_text(j->st, 1), (size_t)sqlite3_column_bytes(j->st, 1));
            json_end_object(w);
            if (json_writer_error(w) != JSON_OK) return read_nomem(j);
            j->locations++;
        }
        if (rc != SQLITE_DONE) return (rc & 0xff) == SQLITE_NOMEM ? read_nomem(j) : db_job_fail(job, conn, NULL);
        finalize(&j->st);
        json_end_array(w);
        json_end_object(w);
        return json_writer_error(w) == JSON_OK ? DB_JOB_DONE : read_nomem(j);
    }
}

/* Before the statement goes: remember the row it stands on, to go on after it. */
static int read_save_key(snapshot_read_job_t *j)
{
    if (!j->st || !j->on_row) return DB_JOB_DONE;
    if (j->job.state == R_BALANCES) {
        const char *cat = (const char *)sqlite3_column_text(j->st, 0);
        const char *cur = (const char *)sqlite3_column_text(j->st, 1);
        char *copy = alloc_strndup(ALLOC_DB, cur ? cur : "", cur ? (size_t)sqlite3_column_bytes(j->st, 1) : 0);
        if (!copy) return read_nomem(j);
        alloc_free(j->after_currency);
        j->after_currency = copy;
        j->after_category = cat ? cat[0] : 0;
    } else {
        const char *loc = (const char *)sqlite3_column_text(j->st, 0);
        j->after_location = loc ? loc[0] : 0;
    }
    return DB_JOB_DONE;
}

static int read_step(db_job_t *job, sqlite3 **slot)
{
    snapshot_read_job_t *j = (snapshot_read_job_t *)job;
    int rc = read_run(j, *slot);
    if (rc == DB_JOB_MORE) {
        if (keep_statements(job)) return rc;
        rc = read_save_key(j) == DB_JOB_DONE ? DB_JOB_MORE : DB_JOB_EFAIL;
    }
    finalize(&j->st);
    return rc;
}

void snapshot_read_job(snapshot_read_job_t *j, int64_t timestamp, json_writer_t *out, void (*done)(db_job_t *),
                       void *ud)
{
    memset(j, 0, sizeof *j);
    db_job_init(&j->job, 0, read_step, done, ud);
    j->timestamp = timestamp;
    j->out = out;
}

void snapshot_read_job_clear(snapshot_read_job_t *j)
{
    finalize(&j->st);
    alloc_free(j->after_currency);
    j->after_currency = NULL;
}
