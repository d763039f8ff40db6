/* store — see store.h. */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/u256.h"

/* ------------------------------------------------------------------ the set */
void evmtx_tx_clear(evmtx_ftx_t *t)
{
    alloc_free(t->input);
    for (size_t i = 0; i < t->nlogs; i++) alloc_free(t->logs[i].data);
    alloc_free(t->logs);
    alloc_free(t->itxs);
    t->input = NULL;
    t->logs = NULL;
    t->itxs = NULL;
    t->nlogs = t->nitxs = t->input_len = 0;
}

void evmtx_set_free(evmtx_set_t *s)
{
    for (size_t i = 0; i < s->n; i++) evmtx_tx_clear(&s->txs[i]);
    alloc_free(s->txs);
    alloc_free(s->index);
    alloc_free(s->ranges);
    s->txs = NULL;
    s->index = NULL;
    s->ranges = NULL;
    s->n = s->cap = s->index_cap = s->nranges = s->bytes = 0;
}

static size_t hash_slot(const uint8_t h[32], size_t cap)
{
    uint64_t v;
    memcpy(&v, h, 8); /* a tx hash is uniformly random already */
    return (size_t)(v & (cap - 1));
}

static int reindex(evmtx_set_t *s, size_t cap)
{
    uint32_t *ix = alloc_zget(ALLOC_CLIENT, cap * sizeof *ix);
    if (!ix) return -1;
    for (size_t i = 0; i < s->n; i++) {
        size_t k = hash_slot(s->txs[i].hash, cap);
        while (ix[k]) k = (k + 1) & (cap - 1);
        ix[k] = (uint32_t)(i + 1);
    }
    alloc_free(s->index);
    s->index = ix;
    s->index_cap = cap;
    return 0;
}

evmtx_ftx_t *evmtx_set_get(evmtx_set_t *s, const uint8_t hash[32], int create)
{
    if (s->index_cap) {
        for (size_t k = hash_slot(hash, s->index_cap); s->index[k]; k = (k + 1) & (s->index_cap - 1))
            if (!memcmp(s->txs[s->index[k] - 1].hash, hash, 32)) return &s->txs[s->index[k] - 1];
    }
    if (!create) return NULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        evmtx_ftx_t *t = alloc_reget(ALLOC_CLIENT, s->txs, cap * sizeof *t);
        if (!t) return NULL;
        s->txs = t;
        s->cap = cap;
    }
    if ((s->n + 1) * 2 > s->index_cap && reindex(s, s->index_cap ? 2 * s->index_cap : 128)) return NULL;
    evmtx_ftx_t *t = &s->txs[s->n];
    memset(t, 0, sizeof *t);
    memcpy(t->hash, hash, 32);
    t->ts = -1;
    size_t k = hash_slot(hash, s->index_cap);
    while (s->index[k]) k = (k + 1) & (s->index_cap - 1);
    s->index[k] = (uint32_t)(++s->n);
    return t;
}

int evmtx_set_tracked(const evmtx_set_t *s, const uint8_t addr[20])
{
    size_t lo = 0, hi = s->ntracked;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(s->tracked[mid], addr, 20);
        if (!c) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

int evmtx_set_add_range(evmtx_set_t *s, const char *name, int64_t start, int64_t end)
{
    evmtx_range_t *r = alloc_reget(ALLOC_CLIENT, s->ranges, (s->nranges + 1) * sizeof *r);
    if (!r) return -1;
    s->ranges = r;
    snprintf(r[s->nranges].name, sizeof r[s->nranges].name, "%s", name);
    r[s->nranges].start = start;
    r[s->nranges].end = end;
    s->nranges++;
    return 0;
}

/* ------------------------------------------------------------------ parsers */
static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int evmtx_hex_u64(const char *s, size_t n, uint64_t *out)
{
    if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return -1;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0) return -1;
        v = v << 4 | (uint64_t)h;
    }
    *out = v;
    return 0;
}

int evmtx_hex_decimal(const char *s, size_t n, char *out, size_t outlen)
{
    uint8_t be[32];
    if (n < 3 || s[0] != '0' || s[1] != 'x' || u256_from_hex(s, n, be)) return -1;
    return u256_to_decimal(be, 0, out, outlen) < 0 ? -1 : 0;
}

int evmtx_hex_bytes(const char *s, size_t n, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || (n & 1)) return -1;
    size_t bytes = (n - 2) / 2;
    if (!bytes) return 0;
    uint8_t *b = alloc_get(ALLOC_CLIENT, bytes);
    if (!b) return -2;
    for (size_t i = 0; i < bytes; i++) {
        int h = hexval(s[2 + 2 * i]), l = hexval(s[3 + 2 * i]);
        if (h < 0 || l < 0) {
            alloc_free(b);
            return -1;
        }
        b[i] = (uint8_t)(h << 4 | l);
    }
    *out = b;
    *len = bytes;
    return 0;
}

int evmtx_hex32(const char *s, size_t n, uint8_t out[32])
{
    if (n != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return -1;
    for (int i = 0; i < 32; i++) {
        int h = hexval(s[2 + 2 * i]), l = hexval(s[3 + 2 * i]);
        if (h < 0 || l < 0) return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

int evmtx_json_str(const json_doc_t *d, int obj, const char *key, const char **s, size_t *n)
{
    int t = json_obj_get(d, obj, key);
    if (t < 0 || json_type(d, t) != JSON_STRING || json_get_raw(d, t, s, n) != JSON_OK || *n < 2) return -1;
    (*s)++;
    *n -= 2;
    return memchr(*s, '\\', *n) ? -1 : 0; /* hex and digits never need escapes */
}

int evmtx_decimal_copy(const char *s, size_t n, char *out, size_t outlen)
{
    if (!n) return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return -1;
    while (n > 1 && s[0] == '0') s++, n--;
    if (n + 1 > outlen) return -1;
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

#define FIELD(key) (evmtx_json_str(d, obj, key, &s, &n) == 0)
#define BAD(what)                                                                                      \
    do {                                                                                               \
        snprintf(why, whylen, "%s", what);                                                             \
        return -1;                                                                                     \
    } while (0)

int evmtx_parse_node_tx(const json_doc_t *d, int obj, evmtx_ftx_t *t, char *why, size_t whylen)
{
    const char *s;
    size_t n;
    if (json_type(d, obj) != JSON_OBJECT) BAD("a transaction is not an object");
    if (!FIELD("hash") || evmtx_hex32(s, n, t->hash)) BAD("a transaction without a valid hash");
    if (!FIELD("from") || evm_address_parse(s, n, 0, t->from)) BAD("a transaction without a valid from");
    int to = json_obj_get(d, obj, "to");
    t->has_to = 0;
    if (to >= 0 && !json_is_null(d, to)) {
        if (!FIELD("to") || evm_address_parse(s, n, 0, t->to)) BAD("a transaction with an invalid to");
        t->has_to = 1;
    }
    if (!FIELD("value") || evmtx_hex_decimal(s, n, t->value, sizeof t->value)) BAD("a transaction without a valid value");
    if (!FIELD("gas") || evmtx_hex_decimal(s, n, t->gas, sizeof t->gas)) BAD("a transaction without a valid gas");
    if (!FIELD("gasPrice") || evmtx_hex_decimal(s, n, t->gas_price, sizeof t->gas_price))
        BAD("a transaction without a valid gasPrice");
    if (!FIELD("nonce") || evmtx_hex_u64(s, n, &t->nonce)) BAD("a transaction without a valid nonce");
    if (!FIELD("blockNumber") || evmtx_hex_u64(s, n, &t->block)) BAD("a transaction without a block number");
    if (!FIELD("input")) BAD("a transaction without input");
    uint8_t *in;
    size_t inlen;
    int rc = evmtx_hex_bytes(s, n, &in, &inlen);
    if (rc == -2) return -2;
    if (rc) BAD("a transaction with malformed input");
    alloc_free(t->input);
    t->input = in;
    t->input_len = inlen;
    t->has_details = 1;
    return 0;
}

static int parse_log(const json_doc_t *d, int obj, evmtx_flog_t *l, char *why, size_t whylen)
{
    const char *s;
    size_t n;
    uint64_t v;
    if (json_type(d, obj) != JSON_OBJECT) BAD("a log is not an object");
    if (!FIELD("address") || evm_address_parse(s, n, 0, l->address)) BAD("a log without a valid address");
    if (!FIELD("logIndex") || evmtx_hex_u64(s, n, &v) || v > UINT32_MAX) BAD("a log without a valid logIndex");
    l->log_index = (uint32_t)v;
    int tp = json_obj_get(d, obj, "topics");
    if (tp < 0 || json_type(d, tp) != JSON_ARRAY || json_child_count(d, tp) > 4) BAD("a log without valid topics");
    l->ntopics = 0;
    for (int e = json_first(d, tp); e >= 0; e = json_sibling(d, e)) {
        const char *ts;
        size_t tn;
        if (json_type(d, e) != JSON_STRING || json_get_raw(d, e, &ts, &tn) != JSON_OK || tn < 2 ||
            evmtx_hex32(ts + 1, tn - 2, l->topics[l->ntopics]))
            BAD("a log with a malformed topic");
        l->ntopics++;
    }
    if (!FIELD("data")) BAD("a log without data");
    int rc = evmtx_hex_bytes(s, n, &l->data, &l->data_len);
    if (rc == -2) return -2;
    if (rc) BAD("a log with malformed data");
    return 0;
}

int evmtx_parse_node_receipt(const json_doc_t *d, int obj, evmtx_ftx_t *t, char *why, size_t whylen)
{
    const char *s;
    size_t n;
    uint64_t v;
    if (json_type(d, obj) != JSON_OBJECT) BAD("a receipt is not an object");
    t->status = 1; /* rotki: a receipt without status (pre-Byzantium) succeeded */
    if (FIELD("status")) {
        if (evmtx_hex_u64(s, n, &v) || v > 1) BAD("a receipt with an invalid status");
        t->status = (uint8_t)v;
    }
    t->type = 0;
    if (FIELD("type")) {
        if (evmtx_hex_u64(s, n, &v) || v > 255) BAD("a receipt with an invalid type");
        t->type = (int)v;
    }
    t->has_contract = 0;
    int ca = json_obj_get(d, obj, "contractAddress");
    if (ca >= 0 && !json_is_null(d, ca)) {
        if (!FIELD("contractAddress") || evm_address_parse(s, n, 0, t->contract)) BAD("a receipt with an invalid contractAddress");
        t->has_contract = 1;
    }
    if (!FIELD("gasUsed") || evmtx_hex_decimal(s, n, t->gas_used, sizeof t->gas_used)) BAD("a receipt without a valid gasUsed");
    if (FIELD("effectiveGasPrice") && evmtx_hex_decimal(s, n, t->gas_price, sizeof t->gas_price))
        BAD("a receipt with an invalid effectiveGasPrice");
    int lg = json_obj_get(d, obj, "logs");
    if (lg < 0 || json_type(d, lg) != JSON_ARRAY) BAD("a receipt without logs");
    int nl = json_child_count(d, lg);
    for (size_t i = 0; i < t->nlogs; i++) alloc_free(t->logs[i].data);
    alloc_free(t->logs);
    t->logs = NULL;
    t->nlogs = 0;
    if (nl > 0) {
        t->logs = alloc_zget(ALLOC_CLIENT, (size_t)nl * sizeof *t->logs);
        if (!t->logs) return -2;
        for (int e = json_first(d, lg); e >= 0; e = json_sibling(d, e)) {
            int rc = parse_log(d, e, &t->logs[t->nlogs], why, whylen);
            if (rc) return rc;
            t->nlogs++;
        }
    }
    t->has_receipt = 1;
    return 0;
}

/* ------------------------------------------------------------------ the write job */
enum { S_TX, S_ID, S_RCPT, S_LOG, S_TOPIC, S_MAP, S_ITX, S_RANGE, S_COUNT };

static const char *const store_sql[S_COUNT] = {
    "INSERT OR IGNORE INTO evm_transactions(tx_hash, chain_id, timestamp, block_number, from_address, to_address, "
    "value, gas, gas_price, gas_used, input_data, nonce) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    "SELECT identifier FROM evm_transactions WHERE tx_hash=? AND chain_id=?",
    "INSERT OR IGNORE INTO evmtx_receipts(tx_id, contract_address, status, type) VALUES(?,?,?,?)",
    "INSERT INTO evmtx_receipt_logs(tx_id, log_index, data, address) VALUES(?,?,?,?)",
    "INSERT INTO evmtx_receipt_log_topics(log, topic, topic_index) VALUES(?,?,?)",
    "INSERT OR IGNORE INTO evmtx_address_mappings(tx_id, address) VALUES(?,?)",
    "INSERT OR IGNORE INTO evm_internal_transactions(parent_tx, trace_id, from_address, to_address, value, gas, "
    "gas_used, source) VALUES(?,?,?,?,?,?,?,1)",
    "INSERT OR REPLACE INTO used_query_ranges(name, start_ts, end_ts) VALUES(?,?,?)",
};

static void store_finalize(evmtx_store_t *w)
{
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(w->st[i]);
        w->st[i] = NULL;
    }
}

static void store_abort(db_job_t *j) { store_finalize((evmtx_store_t *)j); }

/* Runs statement k (bound already) to its end and resets it: 0 or -1. */
static int run(evmtx_store_t *w, int k)
{
    int rc = db_job_step(&w->job, w->st[k]);
    sqlite3_reset(w->st[k]);
    sqlite3_clear_bindings(w->st[k]);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_addr(sqlite3_stmt *st, int col, const uint8_t a[20])
{
    char cs[43];
    evm_address_checksum(a, cs);
    sqlite3_bind_text(st, col, cs, 42, SQLITE_TRANSIENT);
}

static int map_addr(evmtx_store_t *w, int64_t id, const uint8_t a[20])
{
    if (!evmtx_set_tracked(w->set, a)) return 0;
    sqlite3_bind_int64(w->st[S_MAP], 1, id);
    bind_addr(w->st[S_MAP], 2, a);
    return run(w, S_MAP);
}

/* A log topic that is a left-padded address (12 zero bytes). */
static int topic_addr(const uint8_t t[32], uint8_t out[20])
{
    static const uint8_t zero[12];
    if (memcmp(t, zero, 12)) return 0;
    memcpy(out, t + 12, 20);
    return 1;
}

static int store_tx(evmtx_store_t *w, sqlite3 *conn, const evmtx_ftx_t *t)
{
    sqlite3_stmt **st = w->st;
    int64_t chain = (int64_t)w->set->chain_id;
    sqlite3_bind_blob(st[S_TX], 1, t->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st[S_TX], 2, chain);
    sqlite3_bind_int64(st[S_TX], 3, t->ts);
    sqlite3_bind_int64(st[S_TX], 4, (int64_t)t->block);
    bind_addr(st[S_TX], 5, t->from);
    if (t->has_to) bind_addr(st[S_TX], 6, t->to);
    else sqlite3_bind_null(st[S_TX], 6);
    sqlite3_bind_text(st[S_TX], 7, t->value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[S_TX], 8, t->gas, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[S_TX], 9, t->gas_price, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[S_TX], 10, t->gas_used, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st[S_TX], 11, t->input_len ? (const void *)t->input : "", (int)t->input_len, SQLITE_STATIC);
    sqlite3_bind_int64(st[S_TX], 12, (int64_t)t->nonce);
    if (run(w, S_TX)) return db_job_fail(&w->job, conn, "storing a transaction");
    int fresh = sqlite3_changes(conn) == 1;
    w->inserted += (size_t)fresh;
    sqlite3_bind_blob(st[S_ID], 1, t->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st[S_ID], 2, chain);
    int64_t id = -1;
    if (db_job_step(&w->job, st[S_ID]) == SQLITE_ROW) id = sqlite3_column_int64(st[S_ID], 0);
    sqlite3_reset(st[S_ID]);
    sqlite3_clear_bindings(st[S_ID]);
    if (id < 0) return db_job_fail(&w->job, conn, "reading a stored transaction's id");

    if (map_addr(w, id, t->from) || (t->has_to && map_addr(w, id, t->to))) return db_job_fail(&w->job, conn, "mapping a transaction");
    for (size_t i = 0; i < t->nlogs; i++)
        for (int k = 1; k < t->logs[i].ntopics; k++) {
            uint8_t a[20];
            if (topic_addr(t->logs[i].topics[k], a) && map_addr(w, id, a)) return db_job_fail(&w->job, conn, "mapping a transaction");
        }
    for (size_t i = 0; i < t->nitxs; i++)
        if (map_addr(w, id, t->itxs[i].from) || (t->itxs[i].has_to && map_addr(w, id, t->itxs[i].to)))
            return db_job_fail(&w->job, conn, "mapping a transaction");

    sqlite3_bind_int64(st[S_RCPT], 1, id);
    if (t->has_contract) bind_addr(st[S_RCPT], 2, t->contract);
    else sqlite3_bind_null(st[S_RCPT], 2);
    sqlite3_bind_int(st[S_RCPT], 3, t->status);
    sqlite3_bind_int(st[S_RCPT], 4, t->type);
    if (run(w, S_RCPT)) return db_job_fail(&w->job, conn, "storing a receipt");
    if (sqlite3_changes(conn) == 1) { /* a new receipt: its logs */
        for (size_t i = 0; i < t->nlogs; i++) {
            const evmtx_flog_t *l = &t->logs[i];
            sqlite3_bind_int64(st[S_LOG], 1, id);
            sqlite3_bind_int64(st[S_LOG], 2, l->log_index);
            sqlite3_bind_blob(st[S_LOG], 3, l->data_len ? (const void *)l->data : "", (int)l->data_len, SQLITE_STATIC);
            bind_addr(st[S_LOG], 4, l->address);
            if (run(w, S_LOG)) return db_job_fail(&w->job, conn, "storing a receipt log");
            int64_t log_id = sqlite3_last_insert_rowid(conn);
            for (int k = 0; k < l->ntopics; k++) {
                sqlite3_bind_int64(st[S_TOPIC], 1, log_id);
                sqlite3_bind_blob(st[S_TOPIC], 2, l->topics[k], 32, SQLITE_STATIC);
                sqlite3_bind_int(st[S_TOPIC], 3, k);
                if (run(w, S_TOPIC)) return db_job_fail(&w->job, conn, "storing a log topic");
            }
        }
    }
    for (size_t i = 0; i < t->nitxs; i++) {
        const evmtx_fitx_t *x = &t->itxs[i];
        sqlite3_bind_int64(st[S_ITX], 1, id);
        sqlite3_bind_int64(st[S_ITX], 2, x->trace_id);
        bind_addr(st[S_ITX], 3, x->from);
        if (x->has_to) bind_addr(st[S_ITX], 4, x->to);
        else sqlite3_bind_null(st[S_ITX], 4);
        sqlite3_bind_text(st[S_ITX], 5, x->value, -1, SQLITE_STATIC);
        sqlite3_bind_text(st[S_ITX], 6, x->gas, -1, SQLITE_STATIC);
        sqlite3_bind_text(st[S_ITX], 7, x->gas_used, -1, SQLITE_STATIC);
        if (run(w, S_ITX)) return db_job_fail(&w->job, conn, "storing an internal transaction");
    }
    return 0;
}

static int store_step(db_job_t *j, sqlite3 **slot)
{
    evmtx_store_t *w = (evmtx_store_t *)j;
    sqlite3 *conn = *slot;
    for (int i = 0; i < S_COUNT; i++)
        if (!w->st[i] && sqlite3_prepare_v2(conn, store_sql[i], -1, &w->st[i], NULL) != SQLITE_OK) {
            int rc = db_job_fail(j, conn, "preparing the transaction storage");
            store_finalize(w);
            return rc;
        }
    while (w->next < w->set->n) {
        if (db_job_yield_due(j)) return DB_JOB_MORE; /* statements kept for the next slice */
        if (store_tx(w, conn, &w->set->txs[w->next])) {
            store_finalize(w);
            return DB_JOB_EFAIL;
        }
        w->next++;
    }
    for (size_t i = 0; i < w->set->nranges; i++) {
        const evmtx_range_t *r = &w->set->ranges[i];
        sqlite3_bind_text(w->st[S_RANGE], 1, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(w->st[S_RANGE], 2, r->start);
        sqlite3_bind_int64(w->st[S_RANGE], 3, r->end);
        if (run(w, S_RANGE)) {
            int rc = db_job_fail(j, conn, "storing the queried range");
            store_finalize(w);
            return rc;
        }
    }
    store_finalize(w);
    return DB_JOB_DONE;
}

void evmtx_store_init(evmtx_store_t *w, const evmtx_set_t *set, void (*done)(db_job_t *), void *ud)
{
    memset(w, 0, sizeof *w);
    db_job_init(&w->job, DB_JOB_WRITE, store_step, done, ud);
    w->job.abort = store_abort;
    w->set = set;
}

/* ------------------------------------------------------------------ delete */
static int delete_step(db_job_t *j, sqlite3 **slot)
{
    evmtx_delete_t *d = (evmtx_delete_t *)j;
    sqlite3 *conn = *slot;
    static const char *const one_sql[] = {
        "DELETE FROM history_events WHERE entry_type=2 AND identifier IN "
        "(SELECT identifier FROM chain_events_info WHERE tx_ref=?1)",
        "DELETE FROM evm_transactions WHERE tx_hash=?1",
    };
    static const char *const all_sql[] = {
        "DELETE FROM history_events WHERE entry_type=2 AND identifier IN (SELECT identifier FROM chain_events_info "
        "WHERE tx_ref IN (SELECT tx_hash FROM evm_transactions))",
        "DELETE FROM evm_transactions",
        "DELETE FROM used_query_ranges WHERE name LIKE 'ETHnodeblocks\\_%' ESCAPE '\\' OR "
        "name LIKE 'ETHindexerblocks\\_%' ESCAPE '\\' OR name LIKE 'ETHtxs\\_%' ESCAPE '\\' OR "
        "name LIKE 'ETHinternaltxs\\_%' ESCAPE '\\' OR name LIKE 'ETHtokentxs\\_%' ESCAPE '\\'",
    };
    const char *const *sql = d->one ? one_sql : all_sql;
    size_t n = d->one ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(conn, sql[i], -1, &st, NULL) != SQLITE_OK) return db_job_fail(j, conn, "deleting transactions");
        if (d->one) sqlite3_bind_blob(st, 1, d->hash, 32, SQLITE_STATIC);
        int rc;
        while ((rc = db_job_step(j, st)) == SQLITE_ROW) {}
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return db_job_fail(j, conn, "deleting transactions");
        if (i == 1) d->changes = sqlite3_changes(conn);
    }
    return DB_JOB_DONE;
}

void evmtx_delete_init(evmtx_delete_t *d, const uint8_t *hash_or_null, void (*done)(db_job_t *), void *ud)
{
    memset(d, 0, sizeof *d);
    db_job_init(&d->job, DB_JOB_WRITE, delete_step, done, ud);
    if (hash_or_null) {
        memcpy(d->hash, hash_or_null, 32);
        d->one = 1;
    }
}
