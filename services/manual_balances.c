/* manual_balances — see manual_balances.h. A change is three steps, as rotki's: a read of the
 * labels, ids and tags the checks need (rotki's messages and status codes), one write batch
 * in one transaction, then the full list read back, priced and answered. The request's
 * balances reach SQLite as one JSON parameter expanded by json_each, so a request of any size
 * is one statement per table. */
#include "manual_balances.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/decimal.h"
#include "../core/log.h"
#include "../db/query.h"
#include "api.h"
#include "asset_known.h"
#include "auth.h"
#include "../db/snapshots.h"
#include "../db/userdb.h"
#include "prices.h"
#include "userhub.h"

#define AMOUNT_MAX 130

/* ------------------------------------------------------------------ SQL */
/* rotki's DBHandler.get_manually_tracked_balances (GROUP BY label: label order), tags as a JSON
 * list, and the main currency the values are in */
static const char sql_list[] =
    "SELECT A.id, A.asset, A.label, A.amount, A.location, A.category, (SELECT json_group_array(tag_name) FROM "
    "(SELECT tag_name FROM tag_mappings WHERE object_reference = CAST(A.id AS TEXT) ORDER BY tag_name)), "
    "(SELECT value FROM settings WHERE name = 'main_currency') FROM manually_tracked_balances AS A ORDER BY A.label";
/* what the checks look at: the balances ('b', id, label) and the tags ('t', name) */
static const char sql_known[] =
    "SELECT 'b', id, label FROM manually_tracked_balances UNION ALL SELECT 't', name, NULL FROM tags";
#define ITEM(f) "json_extract(value, '$." f "')"
static const char sql_assets[] = "INSERT OR IGNORE INTO assets(identifier) SELECT " ITEM("a") " FROM json_each(?)";
static const char sql_add[] = "INSERT INTO manually_tracked_balances(asset, label, amount, location, category) SELECT " ITEM(
    "a") ", " ITEM("l") ", " ITEM("m") ", " ITEM("o") ", " ITEM("c") " FROM json_each(?) ORDER BY key";
static const char sql_add_tags[] =
    "INSERT OR IGNORE INTO tag_mappings(object_reference, tag_name) SELECT CAST(b.id AS TEXT), t.value FROM json_each(?) "
    "AS a JOIN manually_tracked_balances AS b ON b.label = json_extract(a.value, '$.l'), json_each(a.value, '$.t') AS t";
static const char sql_edit[] =
    "UPDATE manually_tracked_balances AS m SET asset = json_extract(j.value, '$.a'), amount = json_extract(j.value, "
    "'$.m'), location = json_extract(j.value, '$.o'), category = json_extract(j.value, '$.c'), label = "
    "json_extract(j.value, '$.l') FROM json_each(?) AS j WHERE m.id = json_extract(j.value, '$.i')";
static const char sql_tags_drop[] =
    "DELETE FROM tag_mappings WHERE object_reference IN (SELECT CAST(" ITEM("i") " AS TEXT) FROM json_each(?))";
static const char sql_edit_tags[] =
    "INSERT OR IGNORE INTO tag_mappings(object_reference, tag_name) SELECT CAST(json_extract(a.value, '$.i') AS TEXT), "
    "t.value FROM json_each(?) AS a, json_each(a.value, '$.t') AS t";
static const char sql_remove[] = "DELETE FROM manually_tracked_balances WHERE id IN (SELECT " ITEM("i") " FROM json_each(?))";

/* ------------------------------------------------------------------ requests */
enum { OP_GET, OP_PUT, OP_PATCH, OP_DELETE };

typedef struct {
    int64_t id;                  /* PATCH, DELETE */
    char asset[PRICES_ASSET_MAX];
    int label;                   /* token */
    char amount[AMOUNT_MAX];     /* normalized */
    char location, category;     /* DB codes */
    int tags;                    /* token of the non-empty list, -1 for none */
} mb_item_t;

typedef struct {
    api_req_t *req;
    int kind;
    mb_item_t *items;
    size_t n;
    char *param;
    db_query_t query;
    db_batch_t batch;
    int has_threshold;
    char threshold[PRICES_VALUE_MAX];
    prices_query_t pq;
    const char **assets; /* distinct known assets of the list, then the main currency */
    size_t nassets;
    char main[PRICES_ASSET_MAX];
} mb_op_t;

static void op_free(mb_op_t *op)
{
    db_query_clear(&op->query);
    prices_query_clear(&op->pq);
    alloc_free(op->assets);
    alloc_free(op->items);
    alloc_free(op->param);
    alloc_free(op);
}

static void reply_oom(api_req_t *req)
{
    api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
}

PIPIT_PRINTF(3, 4) static void reply_fail(mb_op_t *op, int status, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    api_reply_error(op->req, status, "%s", msg);
    op_free(op);
}

static void op_submit(mb_op_t *op, db_job_t *job)
{
    if (!auth_db()) {
        reply_fail(op, 409, "The user logged out");
        return;
    }
    auth_submit(op->req, job);
}

/* ------------------------------------------------------------------ body */
/* {"balances": {"<i>": {"<field>": ["text"]}}} as marshmallow nests a list item's errors */
static int entry_error(api_req_t *req, int i, const char *field, const char *text)
{
    api_reply_error(req, 400, "{\"balances\": {\"%d\": {\"%s\": [\"%s\"]}}}", i, field, text);
    return -1;
}

/* A token's text for a message (the messages hold JSON): a string as the client escaped it,
 * without its quotes; anything else as sent, its quotes made ' (as Python's repr shows them). */
static void token_text(const json_doc_t *d, int tok, char *out, size_t outlen)
{
    const char *raw;
    size_t n;
    int str = json_type(d, tok) == JSON_STRING;
    if (json_get_raw(d, tok, &raw, &n) != JSON_OK) n = 0;
    if (str && n >= 2) raw++, n -= 2;
    if (n > outlen - 1) n = outlen - 1;
    memcpy(out, raw, n);
    out[n] = 0;
    for (char *p = out; !str && *p; p++)
        if (*p == '"' || *p == '\\') *p = '\'';
}

/* 1 for a non-empty string, 0 for "", -1 for anything else. */
static int string_kind(const json_doc_t *d, int tok)
{
    if (json_type(d, tok) != JSON_STRING) return -1;
    const char *raw;
    size_t n;
    return json_get_raw(d, tok, &raw, &n) == JSON_OK && n > 2 ? 1 : 0;
}

/* rotki's AmountField then PositiveAmountField: a decimal string or number above 0, normalized
 * as str(FVal) writes it. */
static int parse_amount(api_req_t *req, int tok, char *out, size_t outlen, const char **why)
{
    char text[AMOUNT_MAX];
    int t = json_type(&req->doc, tok);
    *why = "Failed to deserialize value entry: Expected string, int, float, or Decimal to initialize an FVal.";
    if (t != JSON_STRING && t != JSON_NUMBER) return -1;
    if (t == JSON_STRING ? json_get_str(&req->doc, tok, text, sizeof text, NULL) != JSON_OK
                         : (token_text(&req->doc, tok, text, sizeof text), 0))
        return -1;
    if (prices_value(text, "1", out, outlen) != 0) return -1;
    return 0;
}

/* One balance object of PUT/PATCH (rotki's ManuallyTrackedBalanceAddSchema / EditSchema). */
static int parse_entry(mb_op_t *op, int i, int tok, mb_item_t *it)
{
    api_req_t *req = op->req;
    const json_doc_t *d = &req->doc;
    char text[PRICES_ASSET_MAX + 64], msg[PRICES_ASSET_MAX + 160];
    if (json_type(d, tok) != JSON_OBJECT) return entry_error(req, i, "_schema", "Invalid input type.");
    for (int k = json_first(d, tok); k >= 0; k = json_sibling(d, k)) {
        static const char *const fields[] = {"asset", "label", "amount", "location", "tags", "balance_type", "identifier", NULL};
        int ok = 0;
        for (int f = 0; fields[f]; f++) ok |= json_str_eq(d, k, fields[f]) && (f < 6 || op->kind == OP_PATCH);
        if (!ok) {
            char key[64];
            if (json_get_str(d, k, key, sizeof key, NULL) != JSON_OK || strchr(key, '"') || strchr(key, '\\'))
                snprintf(key, sizeof key, "?");
            return entry_error(req, i, key, "Unknown field.");
        }
    }
    int id = json_obj_get(d, tok, "identifier"), a = json_obj_get(d, tok, "asset"), l = json_obj_get(d, tok, "label"),
        m = json_obj_get(d, tok, "amount"), o = json_obj_get(d, tok, "location"), t = json_obj_get(d, tok, "tags"),
        b = json_obj_get(d, tok, "balance_type");
    if (op->kind == OP_PATCH) {
        if (id < 0) return entry_error(req, i, "identifier", "Missing data for required field.");
        if (json_get_int64(d, id, &it->id) != JSON_OK) return entry_error(req, i, "identifier", "Not a valid integer.");
    }
    if (a < 0) return entry_error(req, i, "asset", "Missing data for required field.");
    if (json_type(d, a) != JSON_STRING) {
        token_text(d, a, text, sizeof text);
        snprintf(msg, sizeof msg, "Tried to initialize an asset out of a non-string identifier %s", text);
        return entry_error(req, i, "asset", msg);
    }
    if (json_get_str(d, a, it->asset, sizeof it->asset, NULL) != JSON_OK || !asset_known(it->asset)) {
        token_text(d, a, text, sizeof text);
        snprintf(msg, sizeof msg, "Unknown asset %s provided.", text);
        return entry_error(req, i, "asset", msg);
    }
    if (l < 0) return entry_error(req, i, "label", "Missing data for required field.");
    int lk = string_kind(d, l);
    if (lk <= 0) return entry_error(req, i, "label", lk ? "Not a valid string." : "Field cannot be an empty string");
    it->label = l;
    if (m < 0) return entry_error(req, i, "amount", "Missing data for required field.");
    const char *why;
    if (parse_amount(req, m, it->amount, sizeof it->amount, &why) != 0) return entry_error(req, i, "amount", why);
    if (dec_is_negative(it->amount) || dec_is_zero(it->amount)) {
        token_text(d, m, text, sizeof text);
        snprintf(msg, sizeof msg, "Non-positive amount %s given. Amount should be > 0", text);
        return entry_error(req, i, "amount", msg);
    }
    if (o < 0) return entry_error(req, i, "location", "Missing data for required field.");
    if (json_type(d, o) != JSON_STRING || json_get_str(d, o, text, sizeof text, NULL) != JSON_OK ||
        !(it->location = snapshot_location_code(text, strlen(text)))) {
        char shown[PRICES_ASSET_MAX + 64];
        token_text(d, o, shown, sizeof shown);
        snprintf(msg, sizeof msg, "Failed to deserialize Location value %s", shown);
        return entry_error(req, i, "location", msg);
    }
    it->tags = -1;
    if (t >= 0 && !json_is_null(d, t)) {
        if (json_type(d, t) != JSON_ARRAY) return entry_error(req, i, "tags", "Not a valid list.");
        if (json_child_count(d, t) == 0) return entry_error(req, i, "tags", "Provided empty list for tags. Use null.");
        for (int e = json_first(d, t); e >= 0; e = json_sibling(d, e)) {
            int ek = string_kind(d, e);
            if (ek <= 0) return entry_error(req, i, "tags", ek ? "Not a valid string." : "Field cannot be an empty string");
        }
        it->tags = t;
    }
    it->category = 'A';
    if (b >= 0) {
        char bt[16] = "";
        if (json_type(d, b) == JSON_STRING && json_get_str(d, b, bt, sizeof bt, NULL) == JSON_OK) {
            for (char *p = bt; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            it->category = !strcmp(bt, "asset") ? 'A' : !strcmp(bt, "liability") ? 'B' : 0;
        } else {
            it->category = 0;
        }
        if (!it->category) {
            token_text(d, b, text, sizeof text);
            snprintf(msg, sizeof msg, "Failed to deserialize BalanceType value %s", text);
            return entry_error(req, i, "balance_type", msg);
        }
    }
    return 0;
}

/* PUT/PATCH: "balances" (objects); DELETE: "ids" (integers). */
static int parse_body(mb_op_t *op)
{
    static const char *const put_keys[] = {"balances", "async_query", NULL}, *const del_keys[] = {"ids", "async_query", NULL};
    api_req_t *req = op->req;
    const char *key = op->kind == OP_DELETE ? "ids" : "balances";
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, op->kind == OP_DELETE ? del_keys : put_keys) != 0) return -1;
    int list = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    if (list < 0 || json_type(&req->doc, list) != JSON_ARRAY) {
        api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", key, list < 0 ? "Missing data for required field." : "Not a valid list.");
        return -1;
    }
    op->n = (size_t)json_child_count(&req->doc, list);
    op->items = alloc_zget(ALLOC_HTTP, (op->n ? op->n : 1) * sizeof *op->items);
    if (!op->items) {
        reply_oom(req);
        return -1;
    }
    int i = 0;
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), i++) {
        if (op->kind != OP_DELETE) {
            if (parse_entry(op, i, e, &op->items[i]) != 0) return -1;
        } else if (json_get_int64(&req->doc, e, &op->items[i].id) != JSON_OK) {
            api_reply_error(req, 400, "{\"ids\": {\"%d\": [\"Not a valid integer.\"]}}", i);
            return -1;
        }
    }
    if (op->n == 0 && op->kind != OP_DELETE) {
        api_reply_error(req, 400, "Empty list of manually tracked balances to %s was given", op->kind == OP_PUT ? "add" : "edit");
        return -1;
    }
    return 0;
}

/* The items as [{"i", "a", "l", "m", "o", "c", "t"}] for json_each. */
static int build_param(mb_op_t *op)
{
    const json_doc_t *d = &op->req->doc;
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < op->n; i++) {
        const mb_item_t *it = &op->items[i];
        char code[2] = {0, 0};
        json_begin_object(&w);
        json_write_key(&w, "i");
        json_write_int64(&w, it->id);
        if (op->kind != OP_DELETE) {
            json_write_key(&w, "a");
            json_write_str(&w, it->asset);
            json_write_key(&w, "l");
            json_write_token(&w, d, it->label);
            json_write_key(&w, "m");
            json_write_str(&w, it->amount);
            json_write_key(&w, "o");
            code[0] = it->location;
            json_write_str(&w, code);
            json_write_key(&w, "c");
            code[0] = it->category;
            json_write_str(&w, code);
            json_write_key(&w, "t");
            json_begin_array(&w);
            for (int e = it->tags >= 0 ? json_first(d, it->tags) : -1; e >= 0; e = json_sibling(d, e)) json_write_token(&w, d, e);
            json_end_array(&w);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    size_t len;
    op->param = json_writer_take(&w, &len);
    return op->param ? 0 : -1;
}

/* ------------------------------------------------------------------ the list */
static const char *price_of(const mb_op_t *op, const char *asset) { return prices_usd_of(&op->pq, asset); }

/* amount × the asset's USD price, in the main currency */
static void value_of(const mb_op_t *op, const char *asset, const char *amount, char *out, size_t outlen)
{
    char usd[PRICES_VALUE_MAX];
    if (prices_value(amount, price_of(op, asset), usd, sizeof usd)) snprintf(usd, sizeof usd, "0");
    if (!strcmp(op->main, "USD")) {
        snprintf(out, outlen, "%s", usd);
        return;
    }
    const char *main_usd = price_of(op, op->main);
    if (!*main_usd || prices_ratio(usd, main_usd, out, outlen)) snprintf(out, outlen, "0");
}

/* value > threshold (a threshold below zero lets everything through) */
static int above_threshold(const mb_op_t *op, const char *value)
{
    char diff[PRICES_VALUE_MAX];
    if (!op->has_threshold || dec_is_negative(op->threshold)) return 1;
    return dec_sub(value, op->threshold, diff, sizeof diff) == 0 && !dec_is_negative(diff) && !dec_is_zero(diff);
}

static void reply_list(mb_op_t *op)
{
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    json_write_key(w, "balances");
    json_begin_array(w);
    for (size_t r = 0; r < op->query.nrows; r++) {
        const char *asset = db_query_cell(&op->query, r, 1), *stored = db_query_cell(&op->query, r, 3),
                   *loc = db_query_cell(&op->query, r, 4), *cat = db_query_cell(&op->query, r, 5),
                   *tags = db_query_cell(&op->query, r, 6);
        char amount[PRICES_VALUE_MAX], value[PRICES_VALUE_MAX];
        const char *location = loc ? snapshot_location_name(loc[0]) : NULL;
        if (!asset || !location) {
            log_warn("manual balances: entry %s has an unknown location; left out", db_query_cell(&op->query, r, 0));
            continue;
        }
        if (!stored || prices_value(stored, "1", amount, sizeof amount)) snprintf(amount, sizeof amount, "%s", stored ? stored : "0");
        int missing = !asset_known(asset);
        if (missing) snprintf(value, sizeof value, "0");
        else value_of(op, asset, amount, value, sizeof value);
        if (!above_threshold(op, value)) continue;
        json_begin_object(w);
        json_write_key(w, "identifier");
        json_write_int64(w, strtoll(db_query_cell(&op->query, r, 0), NULL, 10));
        json_write_key(w, "asset");
        json_write_str(w, asset);
        json_write_key(w, "label");
        json_write_str(w, db_query_cell(&op->query, r, 2));
        json_write_key(w, "location");
        json_write_str(w, location);
        json_write_key(w, "tags");
        if (tags && strcmp(tags, "[]") != 0) json_write_raw(w, tags, strlen(tags));
        else json_write_null(w);
        json_write_key(w, "balance_type");
        json_write_str(w, cat && cat[0] == 'B' ? "liability" : "asset");
        json_write_key(w, "asset_is_missing");
        json_write_bool(w, missing);
        json_write_key(w, "amount");
        json_write_str(w, amount);
        json_write_key(w, "value");
        json_write_str(w, value);
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
    api_reply_end(op->req, 200, "");
    op_free(op);
}

static void prices_done(prices_query_t *pq) { reply_list(pq->ud); }

/* The distinct known assets of the rows, and the main currency when it is not USD. */
static int collect_assets(mb_op_t *op)
{
    op->assets = alloc_get(ALLOC_HTTP, (op->query.nrows + 1) * sizeof *op->assets);
    if (!op->assets) return -1;
    const char *main = op->query.nrows ? db_query_cell(&op->query, 0, 7) : NULL;
    snprintf(op->main, sizeof op->main, "%s", main && *main ? main : "USD");
    for (size_t r = 0; r < op->query.nrows; r++) {
        const char *a = db_query_cell(&op->query, r, 1);
        size_t j = 0;
        if (!a || !asset_known(a)) continue;
        while (j < op->nassets && strcmp(op->assets[j], a)) j++;
        if (j == op->nassets) op->assets[op->nassets++] = a;
    }
    if (strcmp(op->main, "USD")) op->assets[op->nassets++] = op->main;
    return 0;
}

static void list_done(db_job_t *j)
{
    mb_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        reply_fail(op, 409, "Could not read the manually tracked balances: %s", j->errmsg);
        return;
    }
    if (collect_assets(op)) {
        reply_oom(op->req);
        op_free(op);
        return;
    }
    if (!op->nassets) {
        reply_list(op);
        return;
    }
    op->pq.assets = op->assets;
    op->pq.n = op->nassets;
    op->pq.done = prices_done;
    op->pq.ud = op;
    prices_query_start(&op->pq);
}

static void read_list(mb_op_t *op)
{
    db_query_clear(&op->query);
    db_query_init(&op->query, sql_list, list_done, op);
    op_submit(op, &op->query.job);
}

/* ------------------------------------------------------------------ changes */
static void write_done(db_job_t *j)
{
    mb_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        reply_fail(op, 409, "%s: %s",
                   op->batch.constraint ? "The manually tracked balances or tags changed meanwhile; nothing was written"
                                        : "Could not change the manually tracked balances",
                   j->errmsg);
        return;
    }
    read_list(op);
}

static void add_stmt(mb_op_t *op, const char *sql)
{
    db_stmt_param(db_batch_add(&op->batch, sql), op->param);
}

static void write_changes(mb_op_t *op)
{
    db_batch_init(&op->batch, write_done, op);
    switch (op->kind) {
    case OP_PUT: /* rotki's add_manually_tracked_balances */
        add_stmt(op, sql_assets);
        add_stmt(op, sql_add);
        add_stmt(op, sql_add_tags);
        break;
    case OP_PATCH: /* edit_manually_tracked_balances: the row rewritten, the tags replaced */
        add_stmt(op, sql_assets);
        add_stmt(op, sql_edit);
        add_stmt(op, sql_tags_drop);
        add_stmt(op, sql_edit_tags);
        break;
    default: /* remove_manually_tracked_balances */
        add_stmt(op, sql_tags_drop);
        add_stmt(op, sql_remove);
    }
    db_batch_add(&op->batch, userdb_sql_touch);
    op_submit(op, &op->batch.job);
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a), y = (char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b);
        if (x != y) return 0;
    }
    return *a == *b;
}

/* The row of kind ('b' or 't') whose column col equals value (tags case-insensitively), or -1. */
static long find_row(const db_query_t *q, const char *kind, int col, const char *value)
{
    for (size_t r = 0; r < q->nrows; r++) {
        const char *c = db_query_cell(q, r, col);
        if (strcmp(db_query_cell(q, r, 0), kind) || !c) continue;
        if (kind[0] == 't' ? ascii_ieq(c, value) : !strcmp(c, value)) return (long)r;
    }
    return -1;
}

/* rotki's ensure_tags_exist: 1 (and a 409 sent) when a tag is unknown, named in lower case. */
static int unknown_tags(mb_op_t *op, const char *action)
{
    const json_doc_t *d = &op->req->doc;
    char list[1024] = ", "; /* ", a, b, ": each name between separators, so a repeat is found */
    size_t len = 2;
    for (size_t i = 0; i < op->n; i++)
        for (int e = op->items[i].tags >= 0 ? json_first(d, op->items[i].tags) : -1; e >= 0; e = json_sibling(d, e)) {
            char tag[256], shown[262];
            if (json_get_str(d, e, tag, sizeof tag, NULL) != JSON_OK || find_row(&op->query, "t", 1, tag) >= 0) continue;
            for (char *p = tag; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            snprintf(shown, sizeof shown, ", %s, ", tag);
            if (strstr(list, shown) || len + strlen(shown) >= sizeof list) continue;
            len += (size_t)snprintf(list + len, sizeof list - len, "%s, ", tag);
        }
    if (len == 2) return 0;
    list[len - 2] = 0;
    reply_fail(op, 409, "When %s manually tracked balances, unknown tags %s were found", action, list + 2);
    return 1;
}

/* The label of item i as a C string (into out). */
static void item_label(const mb_op_t *op, size_t i, char *out, size_t outlen)
{
    if (json_get_str(&op->req->doc, op->items[i].label, out, outlen, NULL) != JSON_OK) out[0] = 0;
}

static void check_done(db_job_t *j)
{
    mb_op_t *op = j->ud;
    char label[512], other[512], id[24];
    if (j->rc != DB_JOB_DONE) {
        reply_fail(op, 409, "Could not read the manually tracked balances: %s", j->errmsg);
        return;
    }
    switch (op->kind) {
    case OP_PUT:
        if (unknown_tags(op, "adding")) return;
        for (size_t i = 0; i < op->n; i++) {
            item_label(op, i, label, sizeof label);
            int dup = find_row(&op->query, "b", 2, label) >= 0;
            for (size_t k = 0; k < i && !dup; k++) {
                item_label(op, k, other, sizeof other);
                dup = !strcmp(label, other);
            }
            if (dup) {
                reply_fail(op, 400, "One of the manually tracked balance entries already exists in the DB. "
                                    "UNIQUE constraint failed: manually_tracked_balances.label");
                return;
            }
        }
        break;
    case OP_PATCH:
        if (unknown_tags(op, "editing")) return;
        for (size_t i = 0; i < op->n; i++) {
            item_label(op, i, label, sizeof label);
            long r = find_row(&op->query, "b", 2, label);
            snprintf(id, sizeof id, "%lld", (long long)op->items[i].id);
            if (r >= 0 && strcmp(db_query_cell(&op->query, (size_t)r, 1), id)) {
                reply_fail(op, 400, "A manually tracked balance entry with label \"%s\" already exists", label);
                return;
            }
        }
        for (size_t i = 0; i < op->n; i++) {
            snprintf(id, sizeof id, "%lld", (long long)op->items[i].id);
            if (find_row(&op->query, "b", 1, id) < 0) {
                reply_fail(op, 400, "Tried to edit manually tracked balance entry that did not exist in the DB");
                return;
            }
        }
        break;
    default: {
        size_t missing = 0;
        for (size_t i = 0; i < op->n; i++) {
            int repeated = 0;
            for (size_t k = 0; k < i; k++) repeated |= op->items[k].id == op->items[i].id;
            snprintf(id, sizeof id, "%lld", (long long)op->items[i].id);
            missing += repeated || find_row(&op->query, "b", 1, id) < 0;
        }
        if (missing) {
            reply_fail(op, 400, "Tried to remove %zu manually tracked balance ids that do not exist", missing);
            return;
        }
    }
    }
    db_query_clear(&op->query);
    if (build_param(op) != 0) {
        reply_oom(op->req);
        op_free(op);
        return;
    }
    write_changes(op);
}

/* ------------------------------------------------------------------ endpoints */
/* value_threshold, from the body or the query string: 0, or -1 with a 400 sent */
static int parse_threshold(mb_op_t *op)
{
    api_req_t *req = op->req;
    char text[AMOUNT_MAX];
    const char *why;
    int obj, tok;
    static const char *const keys[] = {"value_threshold", "async_query", NULL};
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, keys) != 0) return -1;
    tok = obj >= 0 ? json_obj_get(&req->doc, obj, "value_threshold") : -1;
    if (tok >= 0 && !json_is_null(&req->doc, tok)) {
        if (parse_amount(req, tok, op->threshold, sizeof op->threshold, &why) != 0) goto bad;
        op->has_threshold = 1;
    } else if (api_query_arg(req, "value_threshold", text, sizeof text)) {
        if (prices_value(text, "1", op->threshold, sizeof op->threshold) != 0) {
            why = "Failed to deserialize value entry: Expected string, int, float, or Decimal to initialize an FVal.";
            goto bad;
        }
        op->has_threshold = 1;
    }
    return 0;
bad:
    api_reply_error(req, 400, "{\"value_threshold\": [\"%s\"]}", why);
    return -1;
}

static int start(api_req_t *req, int kind)
{
    if (auth_require_user(req) != 0) return API_DONE;
    mb_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) {
        reply_oom(req);
        return API_DONE;
    }
    op->req = req;
    op->kind = kind;
    if (kind == OP_GET) {
        if (parse_threshold(op) != 0) {
            op_free(op);
            return API_DONE;
        }
        read_list(op);
        return API_PENDING;
    }
    if (parse_body(op) != 0) {
        op_free(op);
        return API_DONE;
    }
    db_query_init(&op->query, sql_known, check_done, op);
    auth_submit(req, &op->query.job);
    return API_PENDING;
}

static int api_manual_get(api_req_t *req) { return start(req, OP_GET); }
static int api_manual_put(api_req_t *req) { return start(req, OP_PUT); }
static int api_manual_patch(api_req_t *req) { return start(req, OP_PATCH); }
static int api_manual_delete(api_req_t *req) { return start(req, OP_DELETE); }

static const api_route_t routes[] = {
    {API_GET, "/api/1/balances/manual", api_manual_get, NULL, API_ASYNC},
    {API_PUT, "/api/1/balances/manual", api_manual_put, NULL, API_ASYNC},
    {API_PATCH, "/api/1/balances/manual", api_manual_patch, NULL, API_ASYNC},
    {API_DELETE, "/api/1/balances/manual", api_manual_delete, NULL, API_ASYNC},
};

/* ------------------------------------------------------------------ for /balances (userhub) */
/* The logged-in user's rows (location, asset, amount, category) as of the last refresh. */
static struct {
    db_query_t rows;
    char user[128];
} mc;

typedef struct {
    db_query_t q;
    char user[128]; /* whose DB was read */
    void (*finished)(void *ud, const char *error);
    void *ud;
} reader_t;

static void reader_done(db_job_t *j)
{
    reader_t *rd = j->ud;
    const char *u = auth_user();
    if (j->rc == DB_JOB_DONE && u && !strcmp(u, rd->user)) { /* the newest read replaces the rows */
        db_query_clear(&mc.rows);
        mc.rows = rd->q;
        memset(&rd->q, 0, sizeof rd->q);
        snprintf(mc.user, sizeof mc.user, "%s", u);
    }
    rd->finished(rd->ud, j->rc == DB_JOB_DONE ? NULL : j->errmsg);
    db_query_clear(&rd->q);
    alloc_free(rd);
}

/* Rows are read again on every refresh: one small indexed read, and never stale. */
static int balances_refresh(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud)
{
    (void)ignore_cache;
    if (!auth_db()) return -1;
    reader_t *rd = alloc_zget(ALLOC_CLIENT, sizeof *rd);
    if (!rd) return -1;
    rd->finished = finished;
    rd->ud = ud;
    snprintf(rd->user, sizeof rd->user, "%s", auth_user());
    db_query_init(&rd->q, "SELECT location, asset, amount, category FROM manually_tracked_balances ORDER BY label",
                  reader_done, rd);
    db_job_submit(auth_db(), &rd->q.job);
    return 0;
}

/* rotki leaves balances of unknown assets out of /balances */
static void balances_each(userhub_balance_fn fn, void *ud)
{
    const char *u = auth_user();
    if (!u || strcmp(u, mc.user)) return;
    for (size_t r = 0; r < mc.rows.nrows; r++) {
        const char *loc = db_query_cell(&mc.rows, r, 0), *asset = db_query_cell(&mc.rows, r, 1),
                   *stored = db_query_cell(&mc.rows, r, 2), *cat = db_query_cell(&mc.rows, r, 3);
        const char *location = loc ? snapshot_location_name(loc[0]) : NULL;
        char amount[PRICES_VALUE_MAX];
        if (!location || !asset || !asset_known(asset) || !stored || prices_value(stored, "1", amount, sizeof amount) ||
            dec_is_negative(amount))
            continue;
        fn(location, asset, amount, cat && cat[0] == 'B', ud);
    }
}

static void session_logging_out(const char *user)
{
    (void)user;
    db_query_clear(&mc.rows);
    mc.user[0] = 0;
}

static const userhub_session_t session = {NULL, session_logging_out};
static const userhub_balances_t balances = {"manually tracked", balances_refresh, balances_each};

int manual_balances_init(void)
{
    memset(&mc, 0, sizeof mc);
    return userhub_add_session(&session) || userhub_add_balances(&balances) ||
           api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void manual_balances_shutdown(void) { session_logging_out(NULL); }
