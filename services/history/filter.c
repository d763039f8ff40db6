/* filter — rotki's HistoryEventFilterSchema (and what the query and delete schemas add) read from
 * the body, and the same filters as SQL conditions on history_events (rotki's
 * HistoryBaseEntryFilterQuery.make). Lists go to SQLite as one JSON parameter each, read with
 * json_each, so a filter of any length is a fixed statement that can use rotki's indexes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../platform/pal.h"
#include "../chain/accounts.h"
#include "internal.h"

/* ------------------------------------------------------------------ lists */
/* One element of a list: a JSON array element (tok >= 0) or a piece of a comma-separated
 * string (rotki's DelimitedOrNormalList takes both). */
typedef struct {
    int tok;
    const char *s;
    size_t n;
} item_t;

typedef int (*item_fn)(api_req_t *req, const char *field, int index, const item_t *it, void *ctx);

/* {"field": {"index": ["message"]}} */
static int item_error(api_req_t *req, const char *field, int index, const char *fmt, ...) PIPIT_PRINTF(4, 5);
static int item_error(api_req_t *req, const char *field, int index, const char *fmt, ...)
{
    char msg[300], esc[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    api_reply_error(req, 400, "{\"%s\": {\"%d\": [\"%s\"]}}", field, index, chain_json_escape(msg, esc, sizeof esc));
    return -1;
}

static int list_each(api_req_t *req, int tok, const char *field, item_fn fn, void *ctx)
{
    const json_doc_t *d = &req->doc;
    int type = json_type(d, tok), i = 0;
    if (type == JSON_ARRAY) {
        if (json_child_count(d, tok) == 0) return hist_field_error(req, field, "List cant be empty");
        for (int e = json_first(d, tok); e >= 0; e = json_sibling(d, e), i++) {
            item_t it = {e, NULL, 0};
            if (fn(req, field, i, &it, ctx) != 0) return -1;
        }
        return 0;
    }
    if (type != JSON_STRING) return hist_field_error(req, field, "Not a valid list.");
    char *s;
    if (json_get_strdup(d, tok, ALLOC_HTTP, &s, NULL) != JSON_OK) return hist_field_error(req, field, "Not a valid list.");
    int rc = 0;
    if (!s[0]) rc = hist_field_error(req, field, "List cant be empty");
    for (const char *p = s; rc == 0; i++) {
        const char *comma = strchr(p, ',');
        item_t it = {-1, p, comma ? (size_t)(comma - p) : strlen(p)};
        rc = fn(req, field, i, &it, ctx);
        if (!comma) break;
        p = comma + 1;
    }
    alloc_free(s);
    return rc;
}

/* The element's text into buf: 1 a string, 0 something else (its JSON text), -1 too long. */
static int item_text(api_req_t *req, const item_t *it, char *buf, size_t len)
{
    if (it->tok < 0) {
        if (it->n >= len) return -1;
        memcpy(buf, it->s, it->n);
        buf[it->n] = 0;
        return 1;
    }
    if (json_type(&req->doc, it->tok) == JSON_STRING)
        return json_get_str(&req->doc, it->tok, buf, len, NULL) == JSON_OK ? 1 : -1;
    const char *raw;
    size_t n;
    if (json_get_raw(&req->doc, it->tok, &raw, &n) != JSON_OK || n >= len) return -1;
    memcpy(buf, raw, n);
    buf[n] = 0;
    return 0;
}

/* A list read into a JSON array for json_each. */
typedef struct {
    json_writer_t w;
    int (*parse)(const char *s, size_t n); /* enums */
    const char *(*name)(int v);            /* enums stored as text; NULL: stored as the int */
    const char *enum_name;                 /* rotki's class, for the message */
} list_out_t;

static int enum_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    list_out_t *o = ctx;
    char buf[64];
    int k = item_text(req, it, buf, sizeof buf);
    if (k == 0)
        return item_error(req, field, index, "Failed to deserialize %s value from non string value: %s", o->enum_name, buf);
    int v = k > 0 ? o->parse(buf, strlen(buf)) : -1;
    if (v < 0 || (v == 0 && !o->name)) /* entry types and states start at 1 */
        return item_error(req, field, index, "Failed to deserialize %s value %s", o->enum_name, k > 0 ? buf : "(too long)");
    if (o->name) json_write_str(&o->w, o->name(v));
    else json_write_int64(&o->w, v);
    return 0;
}

/* EmptyAsNoneStringField elements: "" is None, which matches nothing in SQL's IN */
static int string_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    list_out_t *o = ctx;
    if (it->tok < 0) {
        if (it->n) json_write_strn(&o->w, it->s, it->n);
        else json_write_null(&o->w);
        return 0;
    }
    if (json_type(&req->doc, it->tok) != JSON_STRING) return item_error(req, field, index, "Not a valid string.");
    char *s;
    if (json_get_strdup(&req->doc, it->tok, ALLOC_HTTP, &s, NULL) != JSON_OK)
        return item_error(req, field, index, "Not a valid string.");
    if (s[0]) json_write_str(&o->w, s);
    else json_write_null(&o->w);
    alloc_free(s);
    return 0;
}

static int identifier_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    list_out_t *o = ctx;
    char buf[40];
    int64_t v;
    int k = item_text(req, it, buf, sizeof buf);
    int type = it->tok >= 0 ? json_type(&req->doc, it->tok) : JSON_STRING;
    if (k < 0 || (type != JSON_NUMBER && type != JSON_STRING) ||
        hist_parse_int(buf, &v) != 0)
        return item_error(req, field, index, "Not a valid integer.");
    if (v < 0) return item_error(req, field, index, "Identifier must be an integer >= 0");
    json_write_int64(&o->w, v);
    return 0;
}

/* EVMTransactionHashField: "0x" (optional) + 64 hex digits, kept as lowercase hex for unhex() */
static int tx_ref_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    (void)index;
    list_out_t *o = ctx;
    char buf[80], hex[65];
    int k = item_text(req, it, buf, sizeof buf);
    const char *p = k > 0 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? buf + 2 : buf;
    int ok = k > 0 && strlen(p) == 64;
    for (int i = 0; ok && i < 64; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'F') c = (char)(c + 32);
        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        hex[i] = c;
    }
    if (!ok) return hist_field_error(req, field, "Invalid transaction reference %s", k > 0 ? buf : "(not a string)");
    hex[64] = 0;
    json_write_str(&o->w, hex);
    return 0;
}

/* Addresses (EVM, EIP-55 as rotki's is_checksum_address takes them); labels note whether every
 * one is such an address (rotki then queries the EVM events) */
typedef struct {
    list_out_t o; /* first */
    int all_evm;
} label_out_t;

static int is_checksum_address(const char *s)
{
    char out[43];
    return strlen(s) == 42 && chain_address_checksummed(s, 42, out) == 0 && strcmp(out, s) == 0;
}

static int address_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    (void)index;
    list_out_t *o = ctx;
    char buf[64];
    if (item_text(req, it, buf, sizeof buf) <= 0 || !is_checksum_address(buf))
        return hist_field_error(req, field, "some addresses are not valid EVM, Solana, BTC, or BCH addresses");
    json_write_str(&o->w, buf);
    return 0;
}

static int label_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    label_out_t *l = ctx;
    char buf[64];
    if (item_text(req, it, buf, sizeof buf) <= 0 || !is_checksum_address(buf)) l->all_evm = 0;
    return string_item(req, field, index, it, &l->o);
}

/* Reads the list at key into a JSON array (*out), or leaves *out NULL when absent or null. */
static int read_list(api_req_t *req, int obj, const char *key, item_fn fn, list_out_t *o, char **out)
{
    int tok = hist_get(req, obj, key, 1);
    *out = NULL;
    if (tok < 0) return 0;
    json_writer_init(&o->w, 0);
    json_begin_array(&o->w);
    if (list_each(req, tok, key, fn, o) != 0) {
        json_writer_free(&o->w);
        return -1;
    }
    json_end_array(&o->w);
    size_t len;
    *out = json_writer_take(&o->w, &len);
    if (!*out) {
        hist_reply_oom(req);
        return -1;
    }
    return 0;
}

static int read_enum_list(api_req_t *req, int obj, const char *key, const char *enum_name,
                          int (*parse)(const char *, size_t), const char *(*name)(int), char **out)
{
    list_out_t o = {.parse = parse, .name = name, .enum_name = enum_name};
    return read_list(req, obj, key, enum_item, &o, out);
}

/* ------------------------------------------------------------------ order */
typedef struct {
    int n;
    int is_none[8], ascending[8];
    char attr[8][48];
} order_t;

static int order_attr_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    order_t *o = ctx;
    if (o->n == 8) return hist_field_error(req, field, "pipit orders by at most 8 attributes");
    if (it->tok >= 0 && json_type(&req->doc, it->tok) != JSON_STRING)
        return item_error(req, field, index, "Not a valid string.");
    int k = item_text(req, it, o->attr[o->n], sizeof o->attr[0]);
    if (k < 0) return hist_field_error(req, field, "Unsupported value for order_by_attributes");
    o->is_none[o->n] = !o->attr[o->n][0];
    o->n++;
    return 0;
}

static int order_asc_item(api_req_t *req, const char *field, int index, const item_t *it, void *ctx)
{
    order_t *o = ctx;
    if (o->n == 8) return hist_field_error(req, field, "pipit orders by at most 8 attributes");
    int v;
    if (it->tok >= 0 && json_get_bool(&req->doc, it->tok, &v) == JSON_OK) {
        o->ascending[o->n++] = v;
        return 0;
    }
    char buf[8];
    if (item_text(req, it, buf, sizeof buf) >= 0 && hist_parse_bool_word(buf, &v) == 0) {
        o->ascending[o->n++] = v;
        return 0;
    }
    return item_error(req, field, index, "Not a valid boolean.");
}

static int column_like(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* rotki's DBOrderBySchema + HistoryEventSchema: "timestamp" only, both lists or neither */
static int read_order(api_req_t *req, int obj, hist_filter_t *f)
{
    int ta = hist_get(req, obj, "order_by_attributes", 1), tb = hist_get(req, obj, "ascending", 1);
    order_t attrs = {0}, asc = {0};
    if ((ta >= 0 && list_each(req, ta, "order_by_attributes", order_attr_item, &attrs) != 0) ||
        (tb >= 0 && list_each(req, tb, "ascending", order_asc_item, &asc) != 0))
        return -1;
    if ((ta < 0) != (tb < 0))
        return hist_field_error(req, "order_by_attributes",
                                "order_by_attributes and ascending have to be both null or have a value");
    if (ta < 0) {
        snprintf(f->order, sizeof f->order, "timestamp DESC, sequence_index ASC, identifier ASC");
        return 0;
    }
    if (attrs.n != asc.n)
        return hist_field_error(req, "order_by_attributes", "order_by_attributes and ascending don't have the same length");
    size_t o = 0;
    for (int i = 0; i < attrs.n; i++) {
        if (attrs.is_none[i] || !column_like(attrs.attr[i]))
            return hist_field_error(req, "order_by_attributes", "Unsupported value %s for order_by_attributes",
                                    attrs.is_none[i] ? "None" : attrs.attr[i]);
        if (strcmp(attrs.attr[i], "timestamp") != 0)
            return hist_field_error(req, "order_by_attributes", "order_by_attributes for history event data can not be %s",
                                    attrs.attr[i]);
        o += (size_t)snprintf(f->order + o, sizeof f->order - o, "timestamp %s, ", asc.ascending[i] ? "ASC" : "DESC");
    }
    /* a tie-break of pipit's own, so that pages never overlap */
    snprintf(f->order + o, sizeof f->order - o, "identifier ASC");
    return 0;
}

/* ------------------------------------------------------------------ parse */
static const char *const filter_keys[] = {
    "from_timestamp", "to_timestamp", "event_types", "event_subtypes", "counterparties", "exclude_ignored_assets",
    "group_identifiers", "location", "location_labels", "asset", "entry_types", "state_markers", "identifiers",
    "notes_substring", "min_amount", "max_amount", "tx_refs", "addresses", "validator_indices",
};

static int allowed_keys(api_req_t *req, int obj, int kind)
{
    const char *allowed[sizeof filter_keys / sizeof filter_keys[0] + 6];
    size_t n = 0;
    for (; n < sizeof filter_keys / sizeof filter_keys[0]; n++) allowed[n] = filter_keys[n];
    if (kind == HIST_FILTER_QUERY) {
        static const char *const more[] = {"limit", "offset", "order_by_attributes", "ascending", "aggregate_by_group_ids"};
        for (size_t i = 0; i < 5; i++) allowed[n++] = more[i];
    } else {
        allowed[n++] = "force_delete";
    }
    allowed[n] = NULL;
    return api_body_only(req, obj, allowed);
}

static int read_amount_bound(api_req_t *req, int obj, const char *key, int *has, double *out)
{
    char buf[130];
    int tok = hist_get(req, obj, key, 1);
    *has = 0;
    if (tok < 0) return 0;
    if (hist_read_amount(req, tok, key, buf, sizeof buf) != 0) return -1;
    *has = 1;
    *out = strtod(buf, NULL); /* rotki compares float(FVal) with CAST(amount AS REAL) */
    return 0;
}

/* rotki's entry_types: {"values": [...], "behaviour": "include" | "exclude"} */
static int read_entry_types(api_req_t *req, int obj, hist_filter_t *f)
{
    int tok = hist_get(req, obj, "entry_types", 1);
    if (tok < 0) return 0;
    if (json_type(&req->doc, tok) != JSON_OBJECT || json_obj_get(&req->doc, tok, "values") < 0)
        return hist_field_error(req, "entry_types", "'values' key is missing.");
    int b = json_obj_get(&req->doc, tok, "behaviour");
    if (b >= 0 && !json_str_eq(&req->doc, b, "include") && !json_str_eq(&req->doc, b, "exclude"))
        return hist_field_error(req, "entry_types", "Behaviour must be either 'include' or 'exclude'.");
    f->entry_types_exclude = b >= 0 && json_str_eq(&req->doc, b, "exclude");
    list_out_t o = {.parse = hist_entry_type_parse, .enum_name = "HistoryBaseEntryType"};
    json_writer_init(&o.w, 0);
    json_begin_array(&o.w);
    if (list_each(req, json_obj_get(&req->doc, tok, "values"), "entry_types", enum_item, &o) != 0) {
        json_writer_free(&o.w);
        return -1;
    }
    json_end_array(&o.w);
    size_t len;
    if (!(f->entry_types = json_writer_take(&o.w, &len))) {
        hist_reply_oom(req);
        return -1;
    }
    return 0;
}

static int read_states(api_req_t *req, int obj, hist_filter_t *f)
{
    if (read_enum_list(req, obj, "state_markers", "HistoryMappingState", hist_state_parse, NULL, &f->states) != 0) return -1;
    f->states_matched = f->states && strstr(f->states, "3") != NULL; /* values are 1..5: one digit each */
    return 0;
}

int hist_filter_parse(api_req_t *req, int obj, int kind, hist_filter_t *f)
{
    memset(f, 0, sizeof *f);
    if (allowed_keys(req, obj, kind) != 0) return -1;
    if (hist_get(req, obj, "validator_indices", 1) >= 0)
        return hist_field_error(req, "validator_indices", "pipit stores no ETH staking events, so it cannot filter by "
                                                          "validator_indices");
    int64_t from = 0, to = pal_wall_ms() / 1000;
    int tok;
    if ((tok = hist_get(req, obj, "from_timestamp", 0)) >= 0 && hist_read_timestamp(req, tok, "from_timestamp", &from) != 0)
        return -1;
    if ((tok = hist_get(req, obj, "to_timestamp", 0)) >= 0 && hist_read_timestamp(req, tok, "to_timestamp", &to) != 0)
        return -1;
    f->exclude_ignored = kind == HIST_FILTER_QUERY;
    if ((tok = hist_get(req, obj, "exclude_ignored_assets", 0)) >= 0 &&
        hist_read_bool(req, tok, "exclude_ignored_assets", &f->exclude_ignored) != 0)
        return -1;
    if ((tok = hist_get(req, obj, "location", 1)) >= 0 && hist_read_location(req, tok, "location", &f->location[0]) != 0)
        return -1;
    if ((tok = hist_get(req, obj, "asset", 1)) >= 0 && hist_read_asset(req, tok, "asset", &f->asset) != 0) return -1;
    if ((tok = hist_get(req, obj, "notes_substring", 1)) >= 0) {
        char *s;
        if (hist_read_str(req, tok, "notes_substring", 0, &s) != 0) return -1;
        size_t n = strlen(s);
        f->notes_like = alloc_get(ALLOC_HTTP, n + 3);
        if (f->notes_like) snprintf(f->notes_like, n + 3, "%%%s%%", s); /* rotki's DBSubStringFilter: no escaping */
        alloc_free(s);
        if (!f->notes_like) {
            hist_reply_oom(req);
            return -1;
        }
    }
    list_out_t strings = {0}, ids = {0};
    label_out_t labels = {.all_evm = 1};
    if (read_list(req, obj, "tx_refs", tx_ref_item, &strings, &f->tx_refs) != 0 ||
        read_list(req, obj, "counterparties", string_item, &strings, &f->counterparties) != 0 ||
        read_list(req, obj, "addresses", address_item, &strings, &f->addresses) != 0 ||
        read_list(req, obj, "location_labels", label_item, &labels.o, &f->location_labels) != 0)
        return -1;
    /* rotki's make_history_event_filter: EVM hashes, EVM addresses or only EVM labels select
     * EvmEventFilterQuery (evm events and evm swaps unless entry_types says otherwise; a label
     * matches location_label or address) */
    f->evm = f->tx_refs || f->addresses || (f->location_labels && labels.all_evm);
    if (read_enum_list(req, obj, "event_types", "HistoryEventType", hist_type_parse, hist_type_name, &f->event_types) != 0 ||
        read_enum_list(req, obj, "event_subtypes", "HistoryEventSubType", hist_subtype_parse, hist_subtype_name,
                       &f->event_subtypes) != 0 ||
        read_list(req, obj, "group_identifiers", string_item, &strings, &f->group_identifiers) != 0 ||
        read_list(req, obj, "identifiers", identifier_item, &ids, &f->identifiers) != 0 || read_entry_types(req, obj, f) != 0 ||
        read_states(req, obj, f) != 0 || read_amount_bound(req, obj, "min_amount", &f->has_min, &f->min_amount) != 0 ||
        read_amount_bound(req, obj, "max_amount", &f->has_max, &f->max_amount) != 0)
        return -1;
    if (kind == HIST_FILTER_QUERY) {
        int tl = hist_get(req, obj, "limit", 1), to_ = hist_get(req, obj, "offset", 1);
        if ((tl >= 0 && hist_read_int(req, tl, "limit", &f->limit) != 0) ||
            (to_ >= 0 && hist_read_int(req, to_, "offset", &f->offset) != 0) || read_order(req, obj, f) != 0)
            return -1;
        f->paginate = tl >= 0 && to_ >= 0; /* rotki pages only when both are given */
        if ((tok = hist_get(req, obj, "aggregate_by_group_ids", 0)) >= 0 &&
            hist_read_bool(req, tok, "aggregate_by_group_ids", &f->aggregate) != 0)
            return -1;
    } else {
        if ((tok = hist_get(req, obj, "force_delete", 0)) >= 0 &&
            hist_read_bool(req, tok, "force_delete", &f->force_delete) != 0)
            return -1;
        for (int k = obj >= 0 ? json_first(&req->doc, obj) : -1; k >= 0; k = json_sibling(&req->doc, k))
            f->filters_given +=
                !json_str_eq(&req->doc, k, "force_delete") && !json_str_eq(&req->doc, k, "exclude_ignored_assets");
    }
    /* the schema-wide checks come after the fields, as in rotki */
    if (from > to) return hist_field_error(req, "to_timestamp", "from_timestamp must be less than or equal to to_timestamp");
    if (f->has_min && f->has_max && f->min_amount > f->max_amount)
        return hist_field_error(req, "min_amount", "min_amount must be smaller than or equal to max_amount");
    if (kind == HIST_FILTER_DELETE && !f->filters_given)
        return hist_field_error(req, "identifiers", "Either identifiers or filter parameters must be provided");
    const int64_t ms_max = INT64_MAX / 1000;
    f->from_ms = (from > ms_max ? ms_max : from) * 1000;
    f->to_ms = (to > ms_max ? ms_max : to) * 1000;
    return 0;
}

void hist_filter_free(hist_filter_t *f)
{
    char **all[] = {&f->asset, &f->entry_types, &f->event_types, &f->event_subtypes, &f->group_identifiers,
                    &f->location_labels, &f->identifiers, &f->states, &f->notes_like, &f->tx_refs,
                    &f->counterparties, &f->addresses};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        alloc_free(*all[i]);
        *all[i] = NULL;
    }
}

/* ------------------------------------------------------------------ SQL */
static void in_list(hist_sql_t *q, const char *column, const char *json)
{
    if (!json) return;
    hist_sql_add(q, " AND ");
    hist_sql_add(q, column);
    hist_sql_add(q, " IN (SELECT value FROM json_each(?))");
    hist_sql_bind_text(q, json);
}

void hist_filter_where(const hist_filter_t *f, hist_sql_t *q)
{
    hist_sql_add(q, "timestamp >= ? AND timestamp <= ?");
    hist_sql_bind_int(q, f->from_ms);
    hist_sql_bind_int(q, f->to_ms);
    if (f->location[0]) {
        hist_sql_add(q, " AND location = ?");
        hist_sql_bind_text(q, f->location);
    }
    if (f->asset) {
        hist_sql_add(q, " AND asset = ?");
        hist_sql_bind_text(q, f->asset);
    }
    if (f->entry_types && f->entry_types_exclude) {
        hist_sql_add(q, " AND (entry_type NOT IN (SELECT value FROM json_each(?)) OR entry_type IS NULL)");
        hist_sql_bind_text(q, f->entry_types);
    } else if (f->entry_types) {
        in_list(q, "entry_type", f->entry_types);
    } else if (f->evm) {
        hist_sql_add(q, " AND entry_type IN (2, 8)");
    }
    in_list(q, "type", f->event_types);
    in_list(q, "subtype", f->event_subtypes);
    if (f->location_labels && f->evm) {
        hist_sql_add(q, " AND (location_label IN (SELECT value FROM json_each(?)) OR identifier IN (SELECT identifier FROM "
                        "chain_events_info WHERE address IN (SELECT value FROM json_each(?))))");
        hist_sql_bind_text(q, f->location_labels);
        hist_sql_bind_text(q, f->location_labels);
    } else {
        in_list(q, "location_label", f->location_labels);
    }
    if (f->tx_refs) {
        hist_sql_add(q, " AND identifier IN (SELECT identifier FROM chain_events_info WHERE tx_ref IN "
                        "(SELECT unhex(value) FROM json_each(?)))");
        hist_sql_bind_text(q, f->tx_refs);
    }
    if (f->counterparties) {
        hist_sql_add(q, " AND identifier IN (SELECT identifier FROM chain_events_info WHERE counterparty IN "
                        "(SELECT value FROM json_each(?)))");
        hist_sql_bind_text(q, f->counterparties);
    }
    if (f->addresses) {
        hist_sql_add(q, " AND identifier IN (SELECT identifier FROM chain_events_info WHERE address IN "
                        "(SELECT value FROM json_each(?)))");
        hist_sql_bind_text(q, f->addresses);
    }
    in_list(q, "group_identifier", f->group_identifiers);
    /* "+": not through idx_history_events_ignored, which would make SQLite sort every matching
     * row for a page instead of walking the timestamp index */
    if (f->exclude_ignored) hist_sql_add(q, " AND +ignored = 0");
    in_list(q, "identifier", f->identifiers);
    if (f->notes_like) {
        hist_sql_add(q, " AND notes LIKE ?");
        hist_sql_bind_text(q, f->notes_like);
    }
    if (f->has_min) {
        hist_sql_add(q, " AND CAST(amount AS REAL) >= ?");
        hist_sql_bind_real(q, f->min_amount);
    }
    if (f->has_max) {
        hist_sql_add(q, " AND CAST(amount AS REAL) <= ?");
        hist_sql_bind_real(q, f->max_amount);
    }
    if (f->states && !f->states_matched) { /* HistoryEventStateMarkersJoinsFilter */
        hist_sql_add(q, " AND identifier IN (SELECT parent_identifier FROM history_events_mappings WHERE name = 'state' "
                        "AND value IN (SELECT value FROM json_each(?)))");
        hist_sql_bind_text(q, f->states);
    } else if (f->states) { /* a matched pair shows on its movement's side (the link's left event) */
        hist_sql_add(q, " AND identifier IN (SELECT hem.parent_identifier FROM history_events_mappings hem "
                        "WHERE hem.name = 'state' AND hem.value IN (SELECT value FROM json_each(?)) AND NOT EXISTS "
                        "(SELECT 1 FROM history_event_links hel WHERE hel.right_event_id = hem.parent_identifier AND "
                        "hel.link_type = 1) UNION SELECT hel.left_event_id FROM history_event_links hel JOIN "
                        "history_events_mappings hem ON hem.parent_identifier = hel.right_event_id "
                        "WHERE hem.name = 'state' AND hem.value = 3)");
        hist_sql_bind_text(q, f->states);
    }
}
