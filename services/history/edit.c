/* edit — PUT (add), PATCH (edit) and DELETE of /api/1/history/events, as rotki's
 * CreateHistoryEventSchema / EditHistoryEventSchema / HistoryEventsDeletionSchema read them and
 * rotki's HistoryEventsService writes them. Each request is checked whole first (400, nothing
 * written), then one write job does all of it in one transaction: a conflict found there (a
 * duplicate, a missing identifier) rolls everything back with rotki's 409 and message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../auth.h"
#include "internal.h"

enum { OP_ADD, OP_EDIT, OP_DELETE };

/* One event of the request, with the buffers its row points into. */
typedef struct {
    hist_row_t r;
    char amount[130];
    char group[65];
} ev_t;

typedef struct {
    db_job_t job; /* first: the job is the op */
    api_req_t *req;
    int kind, entry_type;
    ev_t *ev;
    size_t nev;
    int64_t *ids; /* swap edit: the group's identifiers as given */
    size_t nids;
    char **owned; /* strings the rows point into */
    size_t nowned, capowned;
    char *ids_json; /* scratch for the job */
    hist_stmts_t st;
    hist_filter_t f;
    /* results */
    int64_t first_id;
    int conflict; /* a 409 of rotki's with message */
    char message[400];
} edit_op_t;

/* ------------------------------------------------------------------ ownership */
static void op_free(edit_op_t *op)
{
    for (size_t i = 0; i < op->nowned; i++) alloc_free(op->owned[i]);
    alloc_free(op->owned);
    alloc_free(op->ev);
    alloc_free(op->ids);
    alloc_free(op->ids_json);
    hist_filter_free(&op->f);
    alloc_free(op);
}

/* Takes s over (freed with the op); s NULL passes. -1 (s freed) when the list cannot grow. */
static int own_quiet(edit_op_t *op, char *s)
{
    if (!s) return 0;
    if (op->nowned == op->capowned) {
        size_t cap = op->capowned ? op->capowned * 2 : 16;
        char **o = alloc_reget(ALLOC_HTTP, op->owned, cap * sizeof *o);
        if (!o) {
            alloc_free(s);
            return -1;
        }
        op->owned = o;
        op->capowned = cap;
    }
    op->owned[op->nowned++] = s;
    return 0;
}

/* The same while reading the request: the 503 is sent. */
static int own(edit_op_t *op, char *s)
{
    if (own_quiet(op, s) == 0) return 0;
    hist_reply_oom(op->req);
    return -1;
}

static ev_t *events_new(edit_op_t *op, size_t n)
{
    op->ev = alloc_zget(ALLOC_HTTP, n * sizeof *op->ev);
    if (!op->ev) hist_reply_oom(op->req);
    op->nev = op->ev ? n : 0;
    return op->ev;
}

/* ------------------------------------------------------------------ reading fields */
static int missing(api_req_t *req, const char *field)
{
    return hist_field_error(req, field, "Missing data for required field.");
}

/* A required field's token; -1 with the 400 sent when it is absent. */
static int required(api_req_t *req, int obj, const char *key)
{
    int t = hist_get(req, obj, key, 0);
    if (t < 0) missing(req, key);
    return t;
}

/* An optional EmptyAsNoneStringField, owned by op ("" and null are NULL). */
static int opt_str(edit_op_t *op, int obj, const char *key, const char **out)
{
    char *s = NULL;
    int t = hist_get(op->req, obj, key, 1);
    *out = NULL;
    if (t >= 0 && (hist_read_str(op->req, t, key, 1, &s) != 0 || own(op, s) != 0)) return -1;
    *out = s;
    return 0;
}

static int req_timestamp(edit_op_t *op, int obj, int64_t *ts)
{
    int t = required(op->req, obj, "timestamp");
    return t < 0 ? -1 : hist_read_timestamp(op->req, t, "timestamp", ts);
}

static int req_location(edit_op_t *op, int obj, char *loc)
{
    int t = required(op->req, obj, "location");
    return t < 0 ? -1 : hist_read_location(op->req, t, "location", loc);
}

static int req_asset(edit_op_t *op, int obj, const char *key, const char **out)
{
    char *s = NULL;
    int t = required(op->req, obj, key);
    if (t < 0 || hist_read_asset(op->req, t, key, &s) != 0 || own(op, s) != 0) return -1;
    *out = s;
    return 0;
}

/* An amount; positive: rotki's validate.Range(min=0, min_inclusive=False). pipit refuses a
 * negative amount everywhere (rotki's plain events would take one). */
static int amount_at(edit_op_t *op, int tok, const char *key, int positive, char *out, size_t len)
{
    if (hist_read_amount(op->req, tok, key, out, len) != 0) return -1;
    if (positive && (out[0] == '-' || strcmp(out, "0") == 0)) return hist_field_error(op->req, key, "Must be greater than 0.");
    if (out[0] == '-') return hist_field_error(op->req, key, "Must be greater than or equal to 0.");
    return 0;
}

static int req_amount(edit_op_t *op, int obj, const char *key, int positive, char *out, size_t len)
{
    int t = required(op->req, obj, key);
    return t < 0 ? -1 : amount_at(op, t, key, positive, out, len);
}

static int enum_field(edit_op_t *op, int obj, const char *key, const char *cls, int (*parse)(const char *, size_t), int *out)
{
    char buf[64];
    int t = required(op->req, obj, key);
    if (t < 0 || json_is_null(&op->req->doc, t) || json_type(&op->req->doc, t) != JSON_STRING) {
        if (t >= 0 && json_is_null(&op->req->doc, t)) return hist_field_error(op->req, key, "Field may not be null.");
        return t < 0 ? -1 : hist_field_error(op->req, key, "Failed to deserialize %s value from non string value", cls);
    }
    *out = json_get_str(&op->req->doc, t, buf, sizeof buf, NULL) == JSON_OK ? parse(buf, strlen(buf)) : -1;
    if (*out >= 0) return 0;
    return hist_field_error(op->req, key, "Failed to deserialize %s value %s", cls, buf);
}

static int req_identifier(edit_op_t *op, int obj, int64_t *id)
{
    int t = required(op->req, obj, "identifier");
    return t < 0 ? -1 : hist_read_int(op->req, t, "identifier", id);
}

/* user_notes of movements and swaps: a list of EmptyAsNone strings (NULL entries for ""). */
static int notes_list(edit_op_t *op, int obj, size_t min, size_t max, const char **notes, size_t *n)
{
    api_req_t *req = op->req;
    int t = hist_get(req, obj, "user_notes", 1);
    *n = 0;
    if (t < 0) return 0;
    if (json_type(&req->doc, t) != JSON_ARRAY) return hist_field_error(req, "user_notes", "Not a valid list.");
    size_t count = (size_t)json_child_count(&req->doc, t);
    if (count < min || count > max) {
        if (max == (size_t)-1) return hist_field_error(req, "user_notes", "Shorter than minimum length %zu.", min);
        return hist_field_error(req, "user_notes", "Length must be between %zu and %zu.", min, max);
    }
    for (int e = json_first(&req->doc, t); e >= 0; e = json_sibling(&req->doc, e)) {
        char *s;
        if (json_is_null(&req->doc, e)) return hist_field_error(req, "user_notes", "Field may not be null.");
        if (hist_read_str(req, e, "user_notes", 1, &s) != 0 || own(op, s) != 0) return -1;
        if (*n < 64) notes[(*n)++] = s;
    }
    return 0;
}

/* The keys the entry type's schema knows (rotki's nested schemas refuse others). */
static int only(edit_op_t *op, int obj, const char *const *keys)
{
    const char *allowed[24];
    size_t n = 0;
    allowed[n++] = "entry_type";
    for (; *keys; keys++) {
        if (!strcmp(*keys, "identifier") && op->kind != OP_EDIT) continue;
        if (!strcmp(*keys, "identifiers") && op->kind != OP_EDIT) continue;
        allowed[n++] = *keys;
    }
    allowed[n] = NULL;
    return api_body_only(op->req, obj, allowed);
}

/* ------------------------------------------------------------------ the three shapes */
/* "history event": CreateBaseHistoryEventSchema */
static int parse_history_event(edit_op_t *op, int obj)
{
    static const char *const keys[] = {"identifier", "timestamp", "amount", "event_type", "event_subtype", "asset",
                                       "user_notes", "sequence_index", "location_label", "group_identifier", "location",
                                       NULL};
    if (only(op, obj, keys) != 0 || !events_new(op, 1)) return -1;
    ev_t *e = &op->ev[0];
    hist_row_t *r = &e->r;
    int t;
    char *group = NULL;
    r->entry_type = HIST_ENTRY_HISTORY;
    if ((op->kind == OP_EDIT && req_identifier(op, obj, &r->identifier) != 0) ||
        req_timestamp(op, obj, &r->timestamp_ms) != 0 ||
        req_amount(op, obj, "amount", 0, e->amount, sizeof e->amount) != 0 ||
        enum_field(op, obj, "event_type", "HistoryEventType", hist_type_parse, &r->type) != 0 ||
        enum_field(op, obj, "event_subtype", "HistoryEventSubType", hist_subtype_parse, &r->subtype) != 0 ||
        req_asset(op, obj, "asset", &r->asset) != 0 || opt_str(op, obj, "user_notes", &r->notes) != 0 ||
        (t = required(op->req, obj, "sequence_index")) < 0 ||
        hist_read_int(op->req, t, "sequence_index", &r->sequence_index) != 0 ||
        opt_str(op, obj, "location_label", &r->location_label) != 0 || (t = required(op->req, obj, "group_identifier")) < 0 ||
        hist_read_str(op->req, t, "group_identifier", 0, &group) != 0 || own(op, group) != 0)
        return -1;
    if (!group[0]) return hist_field_error(op->req, "group_identifier", "Field cannot be an empty string");
    r->group_identifier = group;
    r->amount = e->amount;
    if (req_location(op, obj, &r->location) != 0) return -1;
    if ((r->location == 'q' && strcmp(r->asset, "BTC") != 0) || (r->location == 'r' && strcmp(r->asset, "BCH") != 0))
        return hist_field_error(op->req, "asset", "%s events must use %s as the asset",
                                r->location == 'q' ? "bitcoin" : "bitcoin_cash", r->location == 'q' ? "BTC" : "BCH");
    if (!hist_pair_valid(r->type, r->subtype)) /* rotki asserts this in HistoryBaseEntry */
        return hist_field_error(op->req, "event_subtype", "Unexpected event type and subtype pair provided: %s, %s",
                                hist_type_name(r->type), hist_subtype_name(r->subtype));
    return 0;
}

/* "asset movement event": CreateAssetMovementEventSchema, then create_asset_movement_with_fee */
static int parse_asset_movement(edit_op_t *op, int obj)
{
    static const char *const keys[] = {"identifier", "timestamp", "amount", "event_subtype", "fee", "location",
                                       "location_label", "blockchain", "unique_id", "address", "transaction_id",
                                       "group_identifier", "asset", "fee_asset", "user_notes", NULL};
    api_req_t *req = op->req;
    hist_row_t m = {0};
    char amount[130], fee[130];
    const char *blockchain, *unique_id, *address, *tx, *group, *fee_asset = NULL, *notes[64];
    size_t nnotes;
    int64_t ts;
    int subtype, tf;
    if (only(op, obj, keys) != 0 || (op->kind == OP_EDIT && req_identifier(op, obj, &m.identifier) != 0) ||
        req_timestamp(op, obj, &ts) != 0 || req_amount(op, obj, "amount", 0, amount, sizeof amount) != 0 ||
        enum_field(op, obj, "event_subtype", "HistoryEventSubType", hist_subtype_parse, &subtype) != 0)
        return -1;
    if (subtype != HS_RECEIVE && subtype != HS_SPEND)
        return hist_field_error(req, "event_subtype", "%s is not one of the valid values for this endpoint",
                                hist_subtype_name(subtype));
    if (((tf = hist_get(req, obj, "fee", 1)) >= 0 && amount_at(op, tf, "fee", 1, fee, sizeof fee) != 0) ||
        req_location(op, obj, &m.location) != 0 || opt_str(op, obj, "location_label", &m.location_label) != 0 ||
        opt_str(op, obj, "blockchain", &blockchain) != 0 || opt_str(op, obj, "unique_id", &unique_id) != 0 ||
        opt_str(op, obj, "address", &address) != 0 || opt_str(op, obj, "transaction_id", &tx) != 0 ||
        opt_str(op, obj, "group_identifier", &group) != 0 || req_asset(op, obj, "asset", &m.asset) != 0 ||
        (hist_get(req, obj, "fee_asset", 1) >= 0 && req_asset(op, obj, "fee_asset", &fee_asset) != 0) ||
        notes_list(op, obj, 1, 2, notes, &nnotes) != 0)
        return -1;
    if ((tf >= 0) != (fee_asset != NULL)) return hist_field_error(req, "fee", "fee and fee_asset must be provided together");
    if (tf < 0 && nnotes == 2 && notes[1])
        return hist_field_error(req, "fee_notes", "fee_notes may only be provided when fee_amount is present");
    int nomem = 0;
    const char *const xkeys[] = {"address", "transaction_id", "blockchain", "reference"};
    const char *const xvalues[] = {address, tx, blockchain, unique_id};
    char *extra = hist_py_json_object(xkeys, xvalues, 4, &nomem);
    if (nomem || own(op, extra) != 0) {
        if (nomem) hist_reply_oom(req);
        return -1;
    }
    if (!events_new(op, tf >= 0 ? 2 : 1)) return -1;
    ev_t *e = &op->ev[0];
    snprintf(e->amount, sizeof e->amount, "%s", amount);
    if (!group) {
        if (hist_group_id_movement(m.location, ts, m.asset, e->amount, unique_id, e->group) != 0) {
            hist_reply_oom(req);
            return -1;
        }
        group = e->group;
    }
    m.entry_type = HIST_ENTRY_ASSET_MOVEMENT;
    m.group_identifier = group;
    m.timestamp_ms = ts;
    m.amount = e->amount;
    m.notes = nnotes ? notes[0] : NULL;
    m.type = HT_EXCHANGE_TRANSFER;
    m.subtype = subtype;
    m.extra_data = extra;
    e->r = m;
    if (tf >= 0) { /* the fee: sequence 1, same group, no extra data */
        ev_t *fe = &op->ev[1];
        fe->r = m;
        snprintf(fe->amount, sizeof fe->amount, "%s", fee);
        fe->r.amount = fe->amount;
        fe->r.asset = fee_asset;
        fe->r.subtype = HS_FEE;
        fe->r.sequence_index = 1;
        fe->r.notes = nnotes == 2 ? notes[1] : NULL;
        fe->r.extra_data = NULL;
        fe->r.identifier = 0; /* looked up by the edit job */
    }
    return 0;
}

/* One object of a swap's "fees": AssetAmountSchema */
static int parse_fee(edit_op_t *op, int tok, int index, ev_t *e)
{
    api_req_t *req = op->req;
    const json_doc_t *d = &req->doc;
    char *asset = NULL;
    if (json_type(d, tok) != JSON_OBJECT) {
        api_reply_error(req, 400, "{\"fees\": {\"%d\": {\"_schema\": [\"Invalid input type.\"]}}}", index);
        return -1;
    }
    for (int k = json_first(d, tok); k >= 0; k = json_sibling(d, k))
        if (!json_str_eq(d, k, "asset") && !json_str_eq(d, k, "amount")) {
            char key[64];
            if (json_get_str(d, k, key, sizeof key, NULL) != JSON_OK) snprintf(key, sizeof key, "?");
            api_reply_error(req, 400, "{\"fees\": {\"%d\": {\"%s\": [\"Unknown field.\"]}}}", index, key);
            return -1;
        }
    int ta = hist_get(req, tok, "asset", 0), tm = hist_get(req, tok, "amount", 0);
    if (ta < 0 || tm < 0) {
        api_reply_error(req, 400, "{\"fees\": {\"%d\": {\"%s\": [\"Missing data for required field.\"]}}}", index,
                        ta < 0 ? "asset" : "amount");
        return -1;
    }
    if (hist_read_asset(req, ta, "fees", &asset) != 0 || own(op, asset) != 0 ||
        amount_at(op, tm, "fees", 1, e->amount, sizeof e->amount) != 0)
        return -1;
    e->r.asset = asset;
    e->r.amount = e->amount;
    return 0;
}

static int read_identifiers(edit_op_t *op, int obj)
{
    api_req_t *req = op->req;
    int t = required(req, obj, "identifiers");
    if (t < 0) return -1;
    if (json_type(&req->doc, t) != JSON_ARRAY) return hist_field_error(req, "identifiers", "Not a valid list.");
    op->nids = (size_t)json_child_count(&req->doc, t);
    if (!(op->ids = alloc_zget(ALLOC_HTTP, (op->nids ? op->nids : 1) * sizeof *op->ids))) {
        hist_reply_oom(req);
        return -1;
    }
    size_t i = 0;
    for (int e = json_first(&req->doc, t); e >= 0; e = json_sibling(&req->doc, e), i++)
        if (json_type(&req->doc, e) != JSON_NUMBER || json_get_int64(&req->doc, e, &op->ids[i]) != JSON_OK) {
            api_reply_error(req, 400, "{\"identifiers\": {\"%zu\": [\"Not a valid integer.\"]}}", i);
            return -1;
        }
    return 0;
}

/* "swap event": CreateSwapEventSchema, then create_swap_events_multi_fee */
static int parse_swap(edit_op_t *op, int obj)
{
    static const char *const keys[] = {"identifiers", "timestamp", "location", "spend_amount", "spend_asset",
                                       "receive_amount", "receive_asset", "fees", "location_label", "unique_id",
                                       "user_notes", "group_identifier", NULL};
    api_req_t *req = op->req;
    hist_row_t base = {0};
    char spend_amount[130], receive_amount[130];
    const char *spend_asset, *receive_asset, *unique_id, *group, *notes[64];
    size_t nnotes, nfees = 0;
    int tfees;
    if (only(op, obj, keys) != 0 || (op->kind == OP_EDIT && read_identifiers(op, obj) != 0) ||
        req_timestamp(op, obj, &base.timestamp_ms) != 0 || req_location(op, obj, &base.location) != 0 ||
        req_amount(op, obj, "spend_amount", 1, spend_amount, sizeof spend_amount) != 0 ||
        req_asset(op, obj, "spend_asset", &spend_asset) != 0 ||
        req_amount(op, obj, "receive_amount", 1, receive_amount, sizeof receive_amount) != 0 ||
        req_asset(op, obj, "receive_asset", &receive_asset) != 0)
        return -1;
    if ((tfees = hist_get(req, obj, "fees", 0)) >= 0) {
        if (json_type(&req->doc, tfees) != JSON_ARRAY) return hist_field_error(req, "fees", "Not a valid list.");
        nfees = (size_t)json_child_count(&req->doc, tfees);
    }
    if (opt_str(op, obj, "location_label", &base.location_label) != 0 || opt_str(op, obj, "unique_id", &unique_id) != 0 ||
        notes_list(op, obj, 2, (size_t)-1, notes, &nnotes) != 0 || opt_str(op, obj, "group_identifier", &group) != 0 ||
        !events_new(op, 2 + nfees))
        return -1;
    int i = 0;
    for (int e = tfees >= 0 ? json_first(&req->doc, tfees) : -1; e >= 0; e = json_sibling(&req->doc, e), i++)
        if (parse_fee(op, e, i, &op->ev[2 + i]) != 0) return -1;
    if (nnotes > 2 + nfees) return hist_field_error(req, "user_notes", "Too many user notes were provided");
    int nomem = 0;
    const char *const xkeys[] = {"reference"};
    char *extra = hist_py_json_object(xkeys, &unique_id, 1, &nomem);
    if (nomem || own(op, extra) != 0) {
        if (nomem) hist_reply_oom(req);
        return -1;
    }
    snprintf(op->ev[0].amount, sizeof op->ev[0].amount, "%s", spend_amount);
    snprintf(op->ev[1].amount, sizeof op->ev[1].amount, "%s", receive_amount);
    if (!group) {
        if (hist_group_id_swap(base.location, base.timestamp_ms, spend_asset, op->ev[0].amount, receive_asset,
                               op->ev[1].amount, unique_id, op->ev[0].group) != 0) {
            hist_reply_oom(req);
            return -1;
        }
        group = op->ev[0].group;
    }
    for (size_t k = 0; k < op->nev; k++) { /* spend 0, receive 1, fees 2, 3, … */
        hist_row_t *r = &op->ev[k].r;
        const char *asset = k == 0 ? spend_asset : k == 1 ? receive_asset : r->asset;
        *r = base;
        r->entry_type = HIST_ENTRY_SWAP;
        r->group_identifier = group;
        r->sequence_index = (int64_t)k;
        r->asset = asset;
        r->amount = op->ev[k].amount;
        r->type = HT_TRADE;
        r->subtype = k == 0 ? HS_SPEND : k == 1 ? HS_RECEIVE : HS_FEE;
        r->notes = k < nnotes ? notes[k] : NULL;
        r->extra_data = k == 0 ? extra : NULL;
        r->identifier = op->kind == OP_EDIT && k < op->nids ? op->ids[k] : 0;
    }
    return 0;
}

/* ------------------------------------------------------------------ the write job */
/* A conflict rotki answers with 409: the job fails, the transaction rolls back. */
static int conflict(edit_op_t *op, const char *fmt, ...) PIPIT_PRINTF(2, 3);
static int conflict(edit_op_t *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->message, sizeof op->message, fmt, ap);
    va_end(ap);
    op->conflict = 1;
    return db_job_fail(&op->job, NULL, "%s", op->message);
}

static void id_text(int64_t id, char *buf, size_t len)
{
    if (id) snprintf(buf, len, "%lld", (long long)id);
    else snprintf(buf, len, "None");
}

/* SELECT of one value: 1 a row (*i or *text set), 0 none, -1 error. *text is allocated. */
static int select_one(edit_op_t *op, sqlite3 *conn, const char *sql, int64_t id, int64_t *i, char **text)
{
    sqlite3_stmt *st;
    hist_bind_t b = {HIST_BIND_INT, id, 0, NULL};
    hist_sql_t q = {.text = (char *)sql, .nbinds = 1};
    q.binds[0] = b;
    if (hist_sql_prepare(&op->job, conn, &q, &st) != 0) return -1;
    int rc = db_job_step(&op->job, st), out = 0;
    if (rc == SQLITE_ROW) {
        out = 1;
        if (i) *i = sqlite3_column_int64(st, 0);
        if (text) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            *text = t ? alloc_strndup(ALLOC_DB, t, strlen(t)) : NULL;
            if (t && !*text) {
                db_job_fail(&op->job, NULL, "out of memory");
                out = -1;
            }
        }
    } else if (rc != SQLITE_DONE) {
        db_job_fail(&op->job, conn, NULL);
        out = -1;
    }
    sqlite3_finalize(st);
    return out;
}

/* rotki's delete_events_and_track for a list of identifiers: the cached original positions and
 * duplicate markers of the events go, their backups, then the events (their mappings, chain
 * info and links cascade). {set} stands for the SELECT of the identifiers. */
static const char *const delete_cleanup[] = {
    "DELETE FROM key_value_cache WHERE name LIKE 'customized_event_original_%' AND value IN "
    "(SELECT CAST(identifier AS TEXT) FROM history_events WHERE identifier IN ({set}))",
    "DELETE FROM key_value_cache WHERE name LIKE 'ignored_ced_%' AND value IN "
    "(SELECT group_identifier FROM history_events WHERE identifier IN ({set}))",
    "DELETE FROM history_events_backup WHERE identifier IN ({set})",
    "DELETE FROM history_events WHERE identifier IN ({set})",
};

/* The part of tmpl before (part 0) or after (part 1) its "{set}". */
static void around_set(hist_sql_t *q, const char *tmpl, int part)
{
    const char *mark = strstr(tmpl, "{set}");
    if (part) {
        hist_sql_add(q, mark + 5);
        return;
    }
    char head[400];
    snprintf(head, sizeof head, "%.*s", (int)(mark - tmpl), tmpl);
    hist_sql_add(q, head);
}

static int delete_ids(edit_op_t *op, sqlite3 *conn, const int64_t *ids, size_t n)
{
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < n; i++) json_write_int64(&w, ids[i]);
    json_end_array(&w);
    size_t len;
    char *list = json_writer_take(&w, &len);
    if (!list) return db_job_fail(&op->job, NULL, "out of memory"), -1;
    int rc = 0;
    for (size_t i = 0; i < sizeof delete_cleanup / sizeof delete_cleanup[0] && rc == 0; i++) {
        hist_sql_t q = {0};
        around_set(&q, delete_cleanup[i], 0);
        hist_sql_add(&q, "SELECT value FROM json_each(?)");
        hist_sql_bind_text(&q, list);
        around_set(&q, delete_cleanup[i], 1);
        rc = hist_sql_ok(&q) ? hist_exec(&op->job, conn, q.text, q.binds, q.nbinds, NULL)
                             : (db_job_fail(&op->job, NULL, "out of memory"), -1);
        hist_sql_free(&q);
    }
    alloc_free(list);
    return rc;
}

/* The stored extra_data keys only rotki's unlink may remove (matched_asset_movement,
 * matched_bridge), carried over into new_extra as edit_history_event does: a new allocation
 * (owned by op) in *out, or new_extra itself. */
static int keep_matched(edit_op_t *op, sqlite3 *conn, int64_t id, const char *new_extra, const char **out)
{
    char *kept = NULL;
    *out = new_extra;
    int k = select_one(op, conn,
                       "SELECT CASE WHEN json_valid(extra_data) THEN (SELECT group_concat(json_quote(key) || ': ' || "
                       "CASE WHEN type IN ('object', 'array') THEN value ELSE json_quote(value) END, ', ') FROM "
                       "json_each(extra_data) WHERE key IN ('matched_asset_movement', 'matched_bridge')) END "
                       "FROM history_events WHERE identifier = ?",
                       id, NULL, &kept);
    if (k < 0) return -1;
    if (!kept) return 0;
    size_t n = (new_extra ? strlen(new_extra) : 2) + strlen(kept) + 4;
    char *merged = alloc_get(ALLOC_DB, n);
    if (merged) {
        if (new_extra && strlen(new_extra) > 2)
            snprintf(merged, n, "%.*s, %s}", (int)strlen(new_extra) - 1, new_extra, kept);
        else
            snprintf(merged, n, "{%s}", kept);
    }
    alloc_free(kept);
    if (!merged || own_quiet(op, merged) != 0) return db_job_fail(&op->job, NULL, "out of memory"), -1;
    *out = merged;
    return 0;
}

/* edit_history_event for one row; 0 or -1 (a conflict or error). */
static int edit_row(edit_op_t *op, sqlite3 *conn, hist_row_t *r, int keep_extra)
{
    char idt[24];
    if (!keep_extra && keep_matched(op, conn, r->identifier, r->extra_data, &r->extra_data) != 0) return -1;
    int k = hist_row_update(&op->job, conn, &op->st, r, keep_extra);
    id_text(r->identifier, idt, sizeof idt);
    if (k == -2)
        return conflict(op, "Tried to edit event to have group_identifier %s and sequence_index %lld but it already exists",
                        r->group_identifier, (long long)r->sequence_index), -1;
    if (k == 0) return conflict(op, "Tried to edit event with id %s but could not find it in the DB", idt), -1;
    if (k < 0) return -1;
    return hist_row_mark_customized(&op->job, conn, &op->st, r->identifier);
}

static int add_row(edit_op_t *op, sqlite3 *conn, const hist_row_t *r, int64_t *id)
{
    int k = hist_row_insert(&op->job, conn, &op->st, r, id);
    if (k < 0) return -1;
    if (k == 0) return 1;
    return hist_row_mark_customized(&op->job, conn, &op->st, *id);
}

/* rotki's add_history_events: the first event's identifier is the answer. pipit refuses the
 * whole group when any event exists (rotki stores the others and answers 409 only for the
 * first). */
static int run_add(edit_op_t *op, sqlite3 *conn)
{
    for (size_t i = 0; i < op->nev; i++) {
        int64_t id = 0;
        int k = add_row(op, conn, &op->ev[i].r, &id);
        if (k < 0) return -1;
        if (k == 1) return conflict(op, "Failed to add event to the DB. It already exists"), -1;
        if (i == 0) op->first_id = id;
    }
    return 0;
}

static const char sql_group_of[] = "SELECT group_identifier FROM history_events WHERE identifier = ?";

/* edit_grouped_events_with_optional_fee for an asset movement */
static int run_edit_movement(edit_op_t *op, sqlite3 *conn)
{
    hist_row_t *main_row = &op->ev[0].r;
    char *old_group = NULL, idt[24];
    int64_t fee_id = 0, existing = 0;
    int k = select_one(op, conn, sql_group_of, main_row->identifier, NULL, &old_group);
    if (k <= 0) {
        id_text(main_row->identifier, idt, sizeof idt);
        return k < 0 ? -1 : (conflict(op, "Tried to edit event with id %s but could not find it in the DB", idt), -1);
    }
    if (own_quiet(op, old_group) != 0) return db_job_fail(&op->job, NULL, "out of memory"), -1;
    /* get_grouped_event_identifier: the fee right after the movement in its group */
    if (select_one(op, conn,
                   "SELECT h2.identifier FROM history_events h1 JOIN history_events h2 ON h2.group_identifier = "
                   "h1.group_identifier AND h2.sequence_index = h1.sequence_index + 1 AND h2.subtype = 'fee' "
                   "WHERE h1.identifier = ?",
                   main_row->identifier, &fee_id, NULL) < 0)
        return -1;
    hist_bind_t b = {HIST_BIND_TEXT, 0, 0, old_group};
    hist_sql_t q = {.text = (char *)"SELECT COUNT(*) FROM history_events WHERE group_identifier = ?", .nbinds = 1};
    q.binds[0] = b;
    sqlite3_stmt *st;
    if (hist_sql_prepare(&op->job, conn, &q, &st) != 0) return -1;
    int rc = db_job_step(&op->job, st);
    if (rc == SQLITE_ROW) existing = sqlite3_column_int64(st, 0);
    else db_job_fail(&op->job, conn, NULL);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return -1;
    size_t edit_n = op->nev;
    if (op->nev == 1 && existing == 2) { /* the fee was removed */
        int64_t gone = fee_id;
        if (gone && delete_ids(op, conn, &gone, 1) != 0) return -1;
    } else if (op->nev == 2 && existing == 1) { /* a fee was added */
        int64_t id;
        if (add_row(op, conn, &op->ev[1].r, &id) < 0) return -1;
        edit_n = 1;
    } else if ((int64_t)op->nev != existing) {
        id_text(main_row->identifier, idt, sizeof idt);
        return conflict(op, "The group of asset movement %s holds %lld events; pipit edits a movement with at most its "
                            "fee", idt, (long long)existing), -1;
    }
    if (op->nev == 2) op->ev[1].r.identifier = fee_id;
    for (size_t i = 0; i < edit_n; i++)
        if (edit_row(op, conn, &op->ev[i].r, 0) != 0) return -1;
    return 0;
}

/* edit_grouped_swap_events: the identifiers given and not kept go, the others are edited, the
 * fees without one are added */
static int run_edit_swap(edit_op_t *op, sqlite3 *conn)
{
    char *old_group = NULL, idt[24];
    int64_t first = op->nids ? op->ids[0] : 0;
    int k = first ? select_one(op, conn, sql_group_of, first, NULL, &old_group) : 0;
    if (k <= 0) {
        id_text(first, idt, sizeof idt);
        return k < 0 ? -1 : (conflict(op, "Tried to edit event with id %s but could not find it in the DB", idt), -1);
    }
    alloc_free(old_group);
    for (size_t i = 0; i < op->nids; i++) { /* deletions first: the edits may take their sequence indices */
        int kept = 0;
        for (size_t e = 0; e < op->nev && !kept; e++) kept = op->ev[e].r.identifier == op->ids[i];
        if (!kept && delete_ids(op, conn, &op->ids[i], 1) != 0) return -1;
    }
    for (size_t e = 0; e < op->nev; e++)
        if (op->ev[e].r.identifier && edit_row(op, conn, &op->ev[e].r, 0) != 0) return -1;
    for (size_t e = 0; e < op->nev; e++) {
        int64_t id;
        hist_row_t *r = &op->ev[e].r;
        if (r->identifier) continue;
        if ((k = add_row(op, conn, r, &id)) < 0) return -1;
        if (k == 1)
            return conflict(op, "Tried to insert an event with group_identifier %s and sequence_index %lld, but an event "
                                "already exists at that sequence_index.",
                            r->group_identifier, (long long)r->sequence_index), -1;
    }
    return 0;
}

static int edit_step(db_job_t *job, sqlite3 **slot)
{
    edit_op_t *op = (edit_op_t *)job;
    sqlite3 *conn = *slot;
    int rc;
    if (op->kind == OP_ADD) rc = run_add(op, conn);
    else if (op->entry_type == HIST_ENTRY_ASSET_MOVEMENT) rc = run_edit_movement(op, conn);
    else if (op->entry_type == HIST_ENTRY_SWAP) rc = run_edit_swap(op, conn);
    else rc = edit_row(op, conn, &op->ev[0].r, 1); /* a plain event keeps its extra_data */
    if (rc == 0) rc = hist_touch(job, conn);
    hist_stmts_finalize(&op->st);
    return rc == 0 ? DB_JOB_DONE : DB_JOB_EFAIL;
}

static void edit_abort(db_job_t *job) { hist_stmts_finalize(&((edit_op_t *)job)->st); }

static void edit_done(db_job_t *job)
{
    edit_op_t *op = (edit_op_t *)job;
    if (job->rc != DB_JOB_DONE) {
        if (op->conflict) api_reply_error(op->req, 409, "%s", op->message);
        else if (op->kind == OP_ADD)
            api_reply_error(op->req, db_job_status(job), "Failed to add event to the DB due to a DB error: %s", job->errmsg);
        else
            api_reply_error(op->req, 409, "Could not %s the history events: %s", op->kind == OP_EDIT ? "edit" : "delete",
                            job->errmsg);
    } else if (op->kind == OP_ADD) {
        json_writer_t *w = api_reply_begin(op->req);
        json_begin_object(w);
        json_write_key(w, "identifier");
        json_write_int64(w, op->first_id);
        json_end_object(w);
        api_reply_end(op->req, 200, "");
    } else {
        api_reply_true(op->req);
    }
    op_free(op);
}

/* ------------------------------------------------------------------ PUT / PATCH */
static int add_or_edit(api_req_t *req, int kind)
{
    int obj;
    edit_op_t *op = hist_op_new(req, sizeof *op, &obj);
    if (!op) return API_DONE;
    op->req = req;
    op->kind = kind;
    char name[48];
    int t = hist_get(req, obj, "entry_type", 0), rc = -1;
    if (t < 0) {
        missing(req, "entry_type");
    } else if (json_type(&req->doc, t) != JSON_STRING || json_get_str(&req->doc, t, name, sizeof name, NULL) != JSON_OK ||
               !(op->entry_type = hist_entry_type_parse(name, strlen(name)))) {
        hist_field_error(req, "entry_type", "Failed to deserialize HistoryBaseEntryType value %s",
                         json_type(&req->doc, t) == JSON_STRING ? name : "from non string value");
    } else if (op->entry_type == HIST_ENTRY_HISTORY) {
        rc = parse_history_event(op, obj);
    } else if (op->entry_type == HIST_ENTRY_ASSET_MOVEMENT) {
        rc = parse_asset_movement(op, obj);
    } else if (op->entry_type == HIST_ENTRY_SWAP) {
        rc = parse_swap(op, obj);
    } else {
        hist_field_error(req, "entry_type", "pipit does not take %ss here yet: it takes history event, swap event and "
                                            "asset movement event", hist_entry_type_name(op->entry_type));
    }
    if (rc != 0) {
        op_free(op);
        return API_DONE;
    }
    db_job_init(&op->job, DB_JOB_WRITE, edit_step, edit_done, op);
    op->job.abort = edit_abort;
    auth_submit(req, &op->job);
    return API_PENDING;
}

int hist_api_add(api_req_t *req) { return add_or_edit(req, OP_ADD); }
int hist_api_edit(api_req_t *req) { return add_or_edit(req, OP_EDIT); }

/* ------------------------------------------------------------------ DELETE */
#define DELETE_CHUNK 256 /* events per DELETE statement: a large delete stays sliceable */

/* The set of identifiers the filter selects, as SQL. */
static void filter_set(const hist_filter_t *f, hist_sql_t *q)
{
    hist_sql_add(q, "SELECT identifier FROM history_events WHERE ");
    hist_filter_where(f, q);
}

/* One statement over the filter's set, which stands for tmpl's {set}. -1 out of memory. */
static int filter_stmt(const hist_filter_t *f, const char *tmpl, hist_sql_t *q)
{
    around_set(q, tmpl, 0);
    filter_set(f, q);
    around_set(q, tmpl, 1);
    return hist_sql_ok(q) ? 0 : -1;
}

static int delete_run(edit_op_t *op, sqlite3 *conn)
{
    db_job_t *job = &op->job;
    const hist_filter_t *f = &op->f;
    hist_sql_t q = {0};
    sqlite3_stmt *st = NULL;
    int rc = -1, out = DB_JOB_EFAIL;
    switch (job->state) {
    case 0: { /* rotki's delete_history_events_by_filter: nothing matches, nothing to do */
        if (filter_stmt(f, "SELECT COUNT(*) FROM ({set})", &q) != 0 || hist_sql_prepare(job, conn, &q, &st) != 0) break;
        int64_t n = db_job_step(job, st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        hist_sql_free(&q);
        if (n < 0) {
            db_job_fail(job, conn, NULL);
            break;
        }
        if (n == 0) return DB_JOB_DONE;
        if (f->identifiers) { /* every identifier asked for must be among them */
            hist_sql_add(&q, "SELECT group_concat(value, ', ') FROM (SELECT value FROM json_each(?) WHERE value NOT IN (");
            hist_sql_bind_text(&q, f->identifiers);
            filter_set(f, &q);
            hist_sql_add(&q, ") ORDER BY value)");
            if (!hist_sql_ok(&q) || hist_sql_prepare(job, conn, &q, &st) != 0) break;
            const char *miss = db_job_step(job, st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
            if (miss) conflict(op, "Tried to remove history event(s) with id(s) {%s} which do not exist", miss);
            sqlite3_finalize(st);
            hist_sql_free(&q);
            if (op->conflict) break;
        }
        if (!f->force_delete) { /* the last event of a transaction stays, unless forced */
            if (filter_stmt(f, "SELECT MIN(last_id) FROM (SELECT MAX(h.identifier) AS last_id FROM history_events h "
                               "WHERE h.entry_type IN (2, 11) AND h.identifier IN ({set}) GROUP BY h.group_identifier "
                               "HAVING COUNT(*) = (SELECT COUNT(*) FROM history_events x WHERE x.group_identifier = "
                               "h.group_identifier))", &q) != 0 ||
                hist_sql_prepare(job, conn, &q, &st) != 0)
                break;
            if (db_job_step(job, st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
                conflict(op, "Tried to remove history event with id %lld which was the last event of a transaction",
                         (long long)sqlite3_column_int64(st, 0));
            sqlite3_finalize(st);
            hist_sql_free(&q);
            if (op->conflict) break;
        }
        for (size_t i = 0; i + 1 < sizeof delete_cleanup / sizeof delete_cleanup[0]; i++) { /* all but the events */
            if (filter_stmt(f, delete_cleanup[i], &q) != 0) break;
            rc = hist_exec(job, conn, q.text, q.binds, q.nbinds, NULL);
            hist_sql_free(&q);
            if (rc != 0) break;
        }
        if (rc != 0) break;
        job->state = 1;
    }
        /* fall through */
    case 1: /* the events, DELETE_CHUNK at a time */
        if (filter_stmt(f, "DELETE FROM history_events WHERE identifier IN ({set} LIMIT ?)", &q) != 0) break;
        hist_sql_bind_int(&q, DELETE_CHUNK);
        for (;;) {
            int changed = 0;
            if (db_job_yield_due(job)) {
                out = DB_JOB_MORE;
                break;
            }
            if (hist_exec(job, conn, q.text, q.binds, q.nbinds, &changed) != 0) break;
            if (changed > 1) job->budget -= changed - 1; /* the work is in the rows */
            if (changed < DELETE_CHUNK) {
                out = hist_touch(job, conn) == 0 ? DB_JOB_DONE : DB_JOB_EFAIL;
                break;
            }
        }
        hist_sql_free(&q);
        return out;
    }
    hist_sql_free(&q);
    if (!job->errmsg[0]) db_job_fail(job, NULL, "out of memory");
    return DB_JOB_EFAIL;
}

static int delete_step(db_job_t *job, sqlite3 **slot) { return delete_run((edit_op_t *)job, *slot); }

int hist_api_delete(api_req_t *req)
{
    int obj;
    edit_op_t *op = hist_op_new(req, sizeof *op, &obj);
    if (!op) return API_DONE;
    op->req = req;
    op->kind = OP_DELETE;
    if (hist_filter_parse(req, obj, HIST_FILTER_DELETE, &op->f) != 0) {
        op_free(op);
        return API_DONE;
    }
    db_job_init(&op->job, DB_JOB_WRITE, delete_step, edit_done, op);
    auth_submit(req, &op->job);
    return API_PENDING;
}
