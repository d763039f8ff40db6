/* settings — see settings.h. The defs (names, types, defaults, ranges) are db/schema.c's. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/schema.h"
#include "auth.h"
#include "prices.h"
#include "userhub.h"

static const char select_sql[] =
    "SELECT name, value FROM settings UNION ALL "
    "SELECT name, value FROM key_value_cache WHERE name IN ('last_balance_save', 'last_data_upload_ts')";

void settings_query_job(db_query_t *q, void (*done)(db_job_t *), void *ud) { db_query_init(q, select_sql, done, ud); }

static const char *stored_value(const db_query_t *rows, const char *name, int *found)
{
    for (size_t r = 0; r < rows->nrows; r++)
        if (strcmp(db_query_cell(rows, r, 0), name) == 0) {
            *found = 1;
            return db_query_cell(rows, r, 1);
        }
    *found = 0;
    return NULL;
}

static void write_value(json_writer_t *w, const db_setting_def_t *d, const char *v)
{
    if (!v) {
        json_write_null(w);
        return;
    }
    switch (d->type) {
    case DB_SETTING_BOOL:
        json_write_bool(w, strcmp(v, "True") == 0);
        return;
    case DB_SETTING_INT:
    case DB_SETTING_INT_OR_NULL: {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*v && !*end) json_write_int64(w, n);
        else json_write_null(w); /* not a number in the DB: show it as unset */
        return;
    }
    case DB_SETTING_STR_LIST:
    case DB_SETTING_JSON: {
        char err[8];
        json_doc_t d2;
        if (json_parse(&d2, v, strlen(v), 10000, err, sizeof err) == JSON_OK) json_write_raw(w, v, strlen(v));
        else json_write_null(w);
        json_doc_free(&d2);
        return;
    }
    default:
        json_write_str(w, v);
    }
}

void settings_write_json(json_writer_t *w, const db_query_t *rows)
{
    json_begin_object(w);
    for (size_t i = 0; i < db_settings_defs_count; i++) {
        const db_setting_def_t *d = &db_settings_defs[i];
        int found;
        const char *v = stored_value(rows, d->name, &found);
        json_write_key(w, d->name);
        if (d->store == DB_SETTING_COMPUTED) json_write_bool(w, 0); /* have_premium: pipit has no premium */
        else write_value(w, d, found ? v : d->default_value);
    }
    json_end_object(w);
}

/* ------------------------------------------------------------------ validation */
static int in_choices(const char *choices, const char *s, size_t n)
{
    for (const char *p = choices; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && strncmp(p, s, n) == 0) return 1;
        p = bar ? bar + 1 : p + l;
    }
    return 0;
}

/* ---- the shapes of the JSON settings, as rotki's schema checks them */
static int str_is(const json_doc_t *doc, int t, const char *choices)
{
    char v[40];
    return json_type(doc, t) == JSON_STRING && json_get_str(doc, t, v, sizeof v, NULL) == JSON_OK &&
           in_choices(choices, v, strlen(v));
}

/* Same JSON text (strings are compared as sent: rotki's clients do not escape needlessly). */
static int raw_eq(const json_doc_t *doc, int a, int b)
{
    const char *x, *y;
    size_t xn, yn;
    return json_get_raw(doc, a, &x, &xn) == JSON_OK && json_get_raw(doc, b, &y, &yn) == JSON_OK && xn == yn &&
           memcmp(x, y, xn) == 0;
}

/* A list of unique strings, each one of choices (NULL: any); nonempty when asked. */
static int unique_str_list(const json_doc_t *doc, int t, const char *choices, int nonempty)
{
    if (json_type(doc, t) != JSON_ARRAY) return 0;
    int n = 0;
    for (int e = json_first(doc, t); e >= 0; e = json_sibling(doc, e), n++) {
        if (json_type(doc, e) != JSON_STRING || (choices && !str_is(doc, e, choices))) return 0;
        for (int f = json_first(doc, t); f < e; f = json_sibling(doc, f))
            if (raw_eq(doc, f, e)) return 0;
    }
    return n > 0 || !nonempty;
}

#define EVM_TX_CHAINS "ethereum|optimism|polygon_pos|arbitrum_one|base|hyperliquid|gnosis|scroll|binance_sc|monad"
#define SUPPORTED_CHAINS                                                                                     \
    "eth|eth2|btc|bch|ksm|avax|dot|optimism|polygon_pos|arbitrum_one|base|hyperliquid|gnosis|scroll|"      \
    "binance_sc|monad|zksync_lite|solana"

/* evm_indexers_order: {EVM chain with transactions: [unique indexers, at least one]} */
static const char *check_indexers_order(const json_doc_t *doc, int t)
{
    if (json_type(doc, t) != JSON_OBJECT) return "EVM indexers order must be a mapping per chain";
    for (int k = json_first(doc, t); k >= 0; k = json_sibling(doc, k)) {
        if (!str_is(doc, k, EVM_TX_CHAINS)) return "Not a chain that uses indexers to query transactions";
        if (!unique_str_list(doc, k + 1, "etherscan|blockscout|routescan", 1))
            return "List of indexers has to contain unique elements and be non empty";
    }
    return NULL;
}

/* disabled_chain_queries: {supported chain: [address strings]} */
static const char *check_disabled_chains(const json_doc_t *doc, int t)
{
    if (json_type(doc, t) != JSON_OBJECT) return "disabled_chain_queries must be a mapping of chain name to address list";
    for (int k = json_first(doc, t); k >= 0; k = json_sibling(doc, k)) {
        if (!str_is(doc, k, SUPPORTED_CHAINS)) return "Unknown blockchain";
        if (json_type(doc, k + 1) != JSON_ARRAY) return "Addresses for a chain must be a list";
        for (int e = json_first(doc, k + 1); e >= 0; e = json_sibling(doc, e))
            if (json_type(doc, e) != JSON_STRING) return "Addresses for a chain must all be strings";
    }
    return NULL;
}

/* non_syncing_exchanges: unique [{"name": label, "location": exchange}] */
static const char *check_non_syncing(const json_doc_t *doc, int t)
{
    if (json_type(doc, t) != JSON_ARRAY) return "Not a valid list.";
    for (int e = json_first(doc, t); e >= 0; e = json_sibling(doc, e)) {
        int name = json_type(doc, e) == JSON_OBJECT ? json_obj_get(doc, e, "name") : -1;
        int loc = name >= 0 ? json_obj_get(doc, e, "location") : -1;
        if (loc < 0 || json_type(doc, name) != JSON_STRING || json_type(doc, loc) != JSON_STRING ||
            json_child_count(doc, e) != 2)
            return "Each entry must be an object with a name and a location";
        for (int f = json_first(doc, t); f < e; f = json_sibling(doc, f))
            if (raw_eq(doc, f, e)) return "Entries must be unique";
    }
    return NULL;
}

static const struct {
    const char *name;
    const char *(*check)(const json_doc_t *doc, int t);
} json_shapes[] = {
    {"evm_indexers_order", check_indexers_order},
    {"disabled_chain_queries", check_disabled_chains},
    {"non_syncing_exchanges", check_non_syncing},
};

static const char *check_json_shape(const json_doc_t *doc, int t, const db_setting_def_t *d)
{
    for (size_t i = 0; i < sizeof json_shapes / sizeof json_shapes[0]; i++)
        if (!strcmp(json_shapes[i].name, d->name)) return json_shapes[i].check(doc, t);
    return NULL;
}

/* Value of def d from token t into *out (allocated TEXT) or *is_null; an error text or NULL. */
static const char *convert(const json_doc_t *doc, int t, const db_setting_def_t *d, char **out, int *is_null, int *remove)
{
    char buf[160];
    *out = NULL;
    *is_null = *remove = 0;
    switch (d->type) {
    case DB_SETTING_BOOL: {
        int b;
        if (json_get_bool(doc, t, &b) != JSON_OK) return "Not a valid boolean.";
        *out = alloc_strndup(ALLOC_HTTP, b ? "True" : "False", b ? 4 : 5);
        break;
    }
    case DB_SETTING_INT:
    case DB_SETTING_INT_OR_NULL: {
        int64_t v;
        if (d->type == DB_SETTING_INT_OR_NULL && json_is_null(doc, t)) {
            *is_null = 1;
            return NULL;
        }
        if (json_get_int64(doc, t, &v) != JSON_OK) return "Not a valid integer.";
        if (d->type == DB_SETTING_INT_OR_NULL && v == -1) { /* rotki: -1 switches it off */
            *is_null = 1;
            return NULL;
        }
        if ((d->has_min && v < d->min) || (d->has_max && v > d->max)) return "Value out of range.";
        snprintf(buf, sizeof buf, "%lld", (long long)v);
        *out = alloc_strndup(ALLOC_HTTP, buf, strlen(buf));
        break;
    }
    case DB_SETTING_DECIMAL:
        if (json_get_amount(doc, t, buf, sizeof buf) != JSON_OK) return "Not a valid number.";
        *out = alloc_strndup(ALLOC_HTTP, buf, strlen(buf));
        break;
    case DB_SETTING_STR:
    case DB_SETTING_ASSET:
    case DB_SETTING_ENUM: {
        size_t n;
        if (json_type(doc, t) != JSON_STRING || json_get_strdup(doc, t, ALLOC_HTTP, out, &n) != JSON_OK)
            return "Not a valid string.";
        if (strlen(*out) != n) return "Must not contain a NUL character.";
        if (n == 0 && d->empty_unsets) {
            alloc_free(*out);
            *out = NULL;
            *remove = 1;
            return NULL;
        }
        if (d->type == DB_SETTING_ENUM && !in_choices(d->choices, *out, n)) return "Not one of the accepted values.";
        if (d->type == DB_SETTING_ASSET && !prices_asset_known(*out))
            return "Not an asset with price oracles (a fiat currency or a priced asset).";
        break;
    }
    case DB_SETTING_STR_LIST: {
        if (json_type(doc, t) != JSON_ARRAY) return "Not a valid list.";
        for (int e = json_first(doc, t); e >= 0; e = json_sibling(doc, e)) {
            char item[80];
            if (json_get_str(doc, e, item, sizeof item, NULL) != JSON_OK) return "List items must be strings.";
            if (d->choices && !in_choices(d->choices, item, strlen(item))) return "A list item is not one of the accepted values.";
            for (int f = json_first(doc, t); f >= 0 && f < e; f = json_sibling(doc, f))
                if (json_str_eq(doc, f, item)) return "List items must be unique.";
        }
        /* fall through: stored as its JSON text */
    }
    /* fallthrough */
    case DB_SETTING_JSON: {
        const char *raw, *bad;
        size_t n;
        if ((bad = check_json_shape(doc, t, d)) != NULL) return bad;
        if (json_get_raw(doc, t, &raw, &n) != JSON_OK) return "Not valid JSON.";
        *out = alloc_strndup(ALLOC_HTTP, raw, n);
        break;
    }
    }
    return *out || *is_null || *remove ? NULL : "out of memory";
}

int settings_parse_update(api_req_t *req, int tok, settings_update_t *u)
{
    memset(u, 0, sizeof *u);
    if (json_type(&req->doc, tok) != JSON_OBJECT) {
        api_reply_error(req, 400, "{\"settings\": [\"Must be an object of setting names to values.\"]}");
        return -1;
    }
    for (int k = json_first(&req->doc, tok); k >= 0; k = json_sibling(&req->doc, k)) {
        char name[64];
        if (json_get_str(&req->doc, k, name, sizeof name, NULL) != JSON_OK) snprintf(name, sizeof name, "?");
        const db_setting_def_t *d = db_schema_setting_find(name);
        if (!d || d->read_only || d->store != DB_SETTING_IN_SETTINGS) {
            api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", name, d ? "This setting is read-only." : "Unknown field.");
            settings_update_clear(u);
            return -1;
        }
        char *val;
        int is_null, remove;
        const char *err = convert(&req->doc, k + 1, d, &val, &is_null, &remove);
        if (err || u->n == sizeof u->items / sizeof u->items[0]) {
            alloc_free(val);
            settings_update_clear(u);
            if (err && !strcmp(err, "out of memory"))
                api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
            else
                api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", name, err ? err : "Too many settings at once.");
            return -1;
        }
        u->items[u->n].name = d->name;
        u->items[u->n].value = val;
        u->items[u->n].remove = remove;
        u->n++;
    }
    return 0;
}

void settings_update_clear(settings_update_t *u)
{
    for (size_t i = 0; i < u->n; i++) alloc_free(u->items[i].value);
    u->n = 0;
}

void settings_update_job(db_batch_t *b, const settings_update_t *u, void (*done)(db_job_t *), void *ud)
{
    db_batch_init(b, done, ud);
    for (size_t i = 0; i < u->n; i++) {
        db_stmt_t *s = db_batch_add(b, u->items[i].remove ? "DELETE FROM settings WHERE name = ?"
                                                          : "INSERT OR REPLACE INTO settings(name, value) VALUES(?, ?)");
        db_stmt_param(s, u->items[i].name);
        if (!u->items[i].remove) db_stmt_param(s, u->items[i].value);
    }
    db_batch_add(b, "INSERT OR REPLACE INTO settings(name, value) VALUES('last_write_ts', CAST(strftime('%s','now') AS TEXT))");
}

/* ------------------------------------------------------------------ the answer's copy
 * GET /api/1/settings is answered from an in-memory copy of its answer, made from the DB
 * at login and again by the first read after any write to the user's DB (db_write_gen: every
 * write job, not only this file's, bumps it on the loop before its answer goes out, so the next
 * read after a write's answer never sees the copy from before it). The copy is the whole
 * serialized answer, envelope included: whatever settings_write_json() writes, new keys too. */
static struct {
    char *json;         /* {"result": {…}, "message": ""}, or NULL */
    size_t len;
    const db_t *db;     /* the DB and write generation of the read that made it */
    uint64_t gen;
    unsigned epoch;     /* bumped at each logout: reads begun before it fill nothing */
} cache;

static void cache_drop(void)
{
    alloc_free(cache.json);
    cache.json = NULL;
    cache.len = 0;
    cache.db = NULL;
}

static int cache_current(const db_t *db) { return cache.json && db && cache.db == db && cache.gen == db_write_gen(db); }

typedef struct {
    api_req_t *req;     /* NULL for the read made at login */
    settings_update_t upd;
    db_batch_t batch;
    db_query_t query;
    const db_t *db;     /* where and when the read was submitted */
    uint64_t gen;
    unsigned epoch;
} settings_op_t;

static void op_free(settings_op_t *op)
{
    settings_update_clear(&op->upd);
    db_query_clear(&op->query);
    alloc_free(op);
}

static void read_done(db_job_t *j);

static void submit_read(settings_op_t *op)
{
    db_t *db = auth_db();
    op->db = db;
    op->gen = db_write_gen(db);
    op->epoch = cache.epoch;
    settings_query_job(&op->query, read_done, op);
    if (op->req) auth_submit(op->req, &op->query.job);
    else db_job_submit(db, &op->query.job);
}

static void read_done(db_job_t *j)
{
    settings_op_t *op = j->ud;
    json_writer_t w;
    char *json = NULL;
    size_t len = 0;
    if (j->rc == DB_JOB_DONE) {
        json_writer_init(&w, 0);
        json_begin_object(&w);
        json_write_key(&w, "result");
        settings_write_json(&w, &op->query);
        json_write_key(&w, "message");
        json_write_str(&w, "");
        json_end_object(&w);
        json = json_writer_take(&w, &len);
        json_writer_free(&w);
    }
    if (op->req) {
        if (j->rc != DB_JOB_DONE) api_reply_error(op->req, db_job_status(j), "Could not read the settings: %s", j->errmsg);
        else if (!json) api_reply_error(op->req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        else api_reply_raw(op->req, 200, json, len);
    }
    /* kept only if no write completed since the read began and the same login is on */
    if (json && op->epoch == cache.epoch && op->db == auth_db() && op->gen == db_write_gen(op->db)) {
        cache_drop();
        cache.json = json;
        cache.len = len;
        cache.db = op->db;
        cache.gen = op->gen;
    } else {
        alloc_free(json);
    }
    op_free(op);
}

static void write_done(db_job_t *j)
{
    settings_op_t *op = j->ud;
    db_t *db = auth_db();
    if (j->rc != DB_JOB_DONE || !db) {
        api_reply_error(op->req, 409, "Could not store the settings: %s", db ? j->errmsg : "the user logged out");
        op_free(op);
        return;
    }
    submit_read(op); /* the answer is the settings as stored, and the new copy */
}

static settings_op_t *op_new(api_req_t *req)
{
    if (req && auth_require_user(req) != 0) return NULL;
    settings_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op && req) api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    else if (op) op->req = req;
    return op;
}

static int api_settings_get(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    if (cache_current(auth_db())) {
        api_reply_raw(req, 200, cache.json, cache.len);
        return API_DONE;
    }
    settings_op_t *op = op_new(req);
    if (!op) return API_DONE;
    submit_read(op);
    return API_PENDING;
}

static int api_settings_put(api_req_t *req)
{
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    int st = obj >= 0 ? json_obj_get(&req->doc, obj, "settings") : -1;
    if (st < 0) {
        api_reply_error(req, 400, "{\"settings\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    static const char *const allowed[] = {"settings", "async_query", NULL};
    if (api_body_only(req, obj, allowed) != 0) return API_DONE;
    settings_op_t *op = op_new(req);
    if (!op) return API_DONE;
    if (settings_parse_update(req, st, &op->upd) != 0) {
        op_free(op);
        return API_DONE;
    }
    settings_update_job(&op->batch, &op->upd, write_done, op);
    auth_submit(op->req, &op->batch.job);
    return API_PENDING;
}

/* the copy is made at login and dropped at logout */
static void session_logged_in(const char *user)
{
    (void)user;
    /* the node's own read, not the login task's: counted to no task's account (which may be
     * gone before the read completes) */
    alloc_account_t *outer = alloc_set_account(NULL);
    settings_op_t *op = auth_db() ? op_new(NULL) : NULL;
    if (op) submit_read(op); /* out of memory: the first GET reads the DB instead */
    alloc_set_account(outer);
}

static void session_logging_out(const char *user)
{
    (void)user;
    cache_drop();
    cache.epoch++;
}

static const userhub_session_t session = {session_logged_in, session_logging_out};

static const api_route_t routes[] = {
    {API_GET, "/api/1/settings", api_settings_get, NULL, API_ASYNC},
    {API_PUT, "/api/1/settings", api_settings_put, NULL, 0},
};

/* the login answer's "settings" */
static const userhub_login_part_t login_part = {"settings", "settings", settings_query_job, settings_write_json};

int settings_init(void)
{
    return userhub_add_login_part(&login_part) || userhub_add_session(&session) ||
           api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
