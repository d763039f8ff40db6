/* events — see events.h. This file: the storage API (the importers' insert job), the checks
 * and derived values rotki's event classes apply, and the route table. The endpoints live in
 * query.c (POST) and edit.c (PUT, PATCH, DELETE); filters in filter.c. */
#include "events.h"

#include <mbedtls/sha3.h>
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/snapshots.h"
#include "internal.h"

/* ------------------------------------------------------------------ checks */
#define TERMINATED(field) (memchr((field), 0, sizeof(field)) != NULL)

/* "0x" + 40 hex digits */
static int hex_address(const char *s)
{
    if (strlen(s) != 42 || s[0] != '0' || s[1] != 'x') return 0;
    for (int i = 2; i < 42; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'))) return 0;
    return 1;
}

int hist_event_check(const history_event_t *e, hist_row_t *r, char amount_buf[80], char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (e->entry_type != HIST_ENTRY_HISTORY && e->entry_type != HIST_ENTRY_EVM && e->entry_type != HIST_ENTRY_ASSET_MOVEMENT &&
        e->entry_type != HIST_ENTRY_SWAP) {
        snprintf(err, errlen, "entry_type %d is not one the storage takes (1 history event, 2 evm event, 6 asset movement "
                 "event, 7 swap event)", e->entry_type);
        return -1;
    }
    if (!TERMINATED(e->group_identifier) || !TERMINATED(e->location_label) || !TERMINATED(e->asset) ||
        !TERMINATED(e->amount) || !TERMINATED(e->notes) || !TERMINATED(e->type) || !TERMINATED(e->subtype) ||
        !TERMINATED(e->extra_data) || !TERMINATED(e->counterparty) || !TERMINATED(e->address)) {
        snprintf(err, errlen, "a text field is not NUL-terminated");
        return -1;
    }
    if (!e->group_identifier[0] || !e->asset[0]) {
        snprintf(err, errlen, "the %s is empty", !e->asset[0] ? "asset" : "group_identifier");
        return -1;
    }
    if (e->timestamp_ms < 0) {
        snprintf(err, errlen, "timestamp_ms %lld is negative", (long long)e->timestamp_ms);
        return -1;
    }
    if (!snapshot_location_name(e->location)) {
        snprintf(err, errlen, "location code 0x%02x is not a rotki location", (unsigned char)e->location);
        return -1;
    }
    if (json_normalize_amount(e->amount, strlen(e->amount), amount_buf, 80) != JSON_OK || amount_buf[0] == '-') {
        snprintf(err, errlen, "amount '%s' is not a non-negative decimal", e->amount);
        return -1;
    }
    r->type = hist_type_parse(e->type, strlen(e->type));
    r->subtype = hist_subtype_parse(e->subtype, strlen(e->subtype));
    if (r->type < 0 || r->subtype < 0 || !hist_pair_valid(r->type, r->subtype)) {
        snprintf(err, errlen, "'%s'/'%s' is not one of rotki's event type/subtype pairs", e->type, e->subtype);
        return -1;
    }
    /* what rotki's AssetMovement and SwapEvent read back (deserialize_from_db refuses the rest) */
    int spend_receive_fee = r->subtype == HS_SPEND || r->subtype == HS_RECEIVE || r->subtype == HS_FEE;
    if ((e->entry_type == HIST_ENTRY_ASSET_MOVEMENT && (r->type != HT_EXCHANGE_TRANSFER || !spend_receive_fee)) ||
        (e->entry_type == HIST_ENTRY_SWAP && (r->type != HT_TRADE || !spend_receive_fee))) {
        snprintf(err, errlen, "%s must be '%s' with subtype spend, receive or fee, not '%s'/'%s'",
                 hist_entry_type_name(e->entry_type), e->entry_type == HIST_ENTRY_SWAP ? "trade" : "exchange transfer",
                 e->type, e->subtype);
        return -1;
    }
    if (e->extra_data[0]) {
        json_doc_t doc;
        char why[120];
        int rc = json_parse(&doc, e->extra_data, strlen(e->extra_data), 0, why, sizeof why);
        json_doc_free(&doc);
        if (rc != JSON_OK) {
            snprintf(err, errlen, "extra_data is not JSON: %s", rc == JSON_ENOMEM ? "out of memory" : why);
            return -1;
        }
    }
    if (e->entry_type == HIST_ENTRY_EVM && e->address[0] && !hex_address(e->address)) {
        snprintf(err, errlen, "address '%s' is not an EVM address", e->address);
        return -1;
    }
    if (e->entry_type == HIST_ENTRY_EVM) {
        r->tx_ref = e->tx_ref;
        r->counterparty = e->counterparty[0] ? e->counterparty : NULL;
        r->address = e->address[0] ? e->address : NULL;
    }
    r->entry_type = e->entry_type;
    r->group_identifier = e->group_identifier;
    r->sequence_index = e->sequence_index;
    r->timestamp_ms = e->timestamp_ms;
    r->location = e->location;
    r->location_label = e->location_label[0] ? e->location_label : NULL;
    r->asset = e->asset;
    r->amount = amount_buf;
    r->notes = e->notes[0] ? e->notes : NULL;
    r->extra_data = e->extra_data[0] ? e->extra_data : NULL;
    return 0;
}

/* ------------------------------------------------------------------ the insert job */
static int insert_step(db_job_t *job, sqlite3 **slot)
{
    history_insert_t *h = (history_insert_t *)job;
    sqlite3 *conn = *slot;
    int rc = DB_JOB_DONE;
    while (h->next < h->n) {
        if (db_job_yield_due(job)) return DB_JOB_MORE; /* the statements stay for the next slice */
        const history_event_t *e = &h->events[h->next];
        hist_row_t r;
        char amount[80], why[200];
        int64_t id;
        if (hist_event_check(e, &r, amount, why, sizeof why) != 0) {
            h->bad_index = (long)h->next;
            rc = db_job_fail(job, NULL, "history event %zu (group %.80s, sequence %d): %s", h->next,
                             TERMINATED(e->group_identifier) ? e->group_identifier : "?", e->sequence_index, why);
            break;
        }
        int k = hist_row_insert(job, conn, &h->st, &r, &id);
        if (k < 0) {
            rc = DB_JOB_EFAIL;
            break;
        }
        h->inserted += (size_t)k;
        h->next++;
    }
    if (rc == DB_JOB_DONE && h->after_sql) {
        hist_bind_t b = {.type = HIST_BIND_TEXT, .s = h->after_param};
        if (hist_exec(job, conn, h->after_sql, &b, 1, NULL) != 0) rc = DB_JOB_EFAIL;
    }
    if (rc == DB_JOB_DONE && hist_touch(job, conn) != 0) rc = DB_JOB_EFAIL;
    hist_stmts_finalize(&h->st);
    return rc;
}

/* a cancelled or failed job: its statements go on the connection's own thread */
static void insert_abort(db_job_t *job) { hist_stmts_finalize(&((history_insert_t *)job)->st); }

void history_insert_init(history_insert_t *h, const history_event_t *events, size_t n, void (*done)(db_job_t *), void *ud)
{
    memset(h, 0, sizeof *h);
    db_job_init(&h->job, DB_JOB_WRITE, insert_step, done, ud);
    h->job.abort = insert_abort;
    h->events = events;
    h->n = n;
    h->bad_index = -1;
}

size_t history_insert_count(const history_insert_t *h) { return h->inserted; }

void history_insert_clear(history_insert_t *h) { hist_stmts_finalize(&h->st); /* already done: idempotent */ }

/* ------------------------------------------------------------------ rotki's derived values */
void history_hash_id(const char *text, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[32];
    mbedtls_sha3(MBEDTLS_SHA3_256, (const unsigned char *)text, len, d, sizeof d);
    for (int i = 0; i < 32; i++) out[2 * i] = hex[d[i] >> 4], out[2 * i + 1] = hex[d[i] & 15];
    out[64] = 0;
}

/* hash_id(str(location) + unique_id) */
static int group_id_unique(char location, const char *unique_id, char out[65])
{
    const char *name = snapshot_location_name(location);
    size_t nl = strlen(name), nu = strlen(unique_id);
    char *s = alloc_get(ALLOC_HTTP, nl + nu + 1);
    if (!s) return -1;
    memcpy(s, name, nl);
    memcpy(s + nl, unique_id, nu + 1);
    history_hash_id(s, nl + nu, out);
    alloc_free(s);
    return 0;
}

/* _hash_group_key: hash_id(json.dumps(payload, sort_keys=True, separators=(',', ':'),
 * ensure_ascii=False)); keys come sorted, the last one is the timestamp */
static int group_id_payload(const char *const *keys, const char *const *values, size_t n, int64_t ts, char out[65])
{
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_object(&w);
    for (size_t i = 0; i < n; i++) {
        json_write_key(&w, keys[i]);
        json_write_str(&w, values[i]);
    }
    json_write_key(&w, "timestamp");
    json_write_int64(&w, ts);
    json_end_object(&w);
    const char *text;
    size_t len;
    int rc = json_writer_finish(&w, &text, &len);
    if (rc == JSON_OK) history_hash_id(text, len, out);
    json_writer_free(&w);
    return rc == JSON_OK ? 0 : -1;
}

int hist_group_id_movement(char location, int64_t ts, const char *asset, const char *amount, const char *unique_id,
                           char out[65])
{
    if (unique_id && unique_id[0]) return group_id_unique(location, unique_id, out);
    const char *const keys[] = {"amount", "asset", "location"};
    const char *const values[] = {amount, asset, snapshot_location_name(location)};
    return group_id_payload(keys, values, 3, ts, out);
}

int hist_group_id_swap(char location, int64_t ts, const char *spend_asset, const char *spend_amount,
                       const char *receive_asset, const char *receive_amount, const char *unique_id, char out[65])
{
    if (unique_id && unique_id[0]) return group_id_unique(location, unique_id, out);
    const char *const keys[] = {"location", "receive_amount", "receive_asset", "spend_amount", "spend_asset"};
    const char *const values[] = {snapshot_location_name(location), receive_amount, receive_asset, spend_amount,
                                  spend_asset};
    return group_id_payload(keys, values, 5, ts, out);
}

/* One code point of valid UTF-8 at s (the parser let only valid text through); its length. */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) return *cp = s[0], 1;
    if ((s[0] & 0xE0) == 0xC0) return *cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu), 2;
    if ((s[0] & 0xF0) == 0xE0) return *cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu), 3;
    *cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 4;
}

/* Python's json.dumps string (ensure_ascii): printable ASCII as is, the rest escaped. */
static size_t py_json_string(char *out, const char *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp;
        p += utf8_decode(p, &cp);
        const char *short_esc = cp == '"' ? "\\\"" : cp == '\\' ? "\\\\" : cp == '\n' ? "\\n" : cp == '\r' ? "\\r"
                              : cp == '\t' ? "\\t" : cp == '\b' ? "\\b" : cp == '\f' ? "\\f" : NULL;
        if (short_esc) o += (size_t)sprintf(out + o, "%s", short_esc);
        else if (cp >= 0x20 && cp < 0x7F) out[o++] = (char)cp;
        else if (cp < 0x10000) o += (size_t)sprintf(out + o, "\\u%04x", cp);
        else o += (size_t)sprintf(out + o, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
                                  0xDC00 + ((cp - 0x10000) & 0x3FF)); /* a surrogate pair */
    }
    out[o++] = '"';
    out[o] = 0;
    return o;
}

char *hist_py_json_object(const char *const *keys, const char *const *values, size_t n, int *nomem)
{
    size_t need = 3;
    for (size_t i = 0; i < n; i++)
        if (values[i]) need += 4 + 6 * (strlen(keys[i]) + 2) + 6 * (strlen(values[i]) + 2); /* worst case: all escaped */
    if (need == 3) return NULL;
    char *out = alloc_get(ALLOC_HTTP, need);
    if (!out) {
        *nomem = 1;
        return NULL;
    }
    size_t o = 0;
    out[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) continue;
        if (o > 1) out[o++] = ',', out[o++] = ' ';
        o += py_json_string(out + o, keys[i]);
        out[o++] = ':', out[o++] = ' ';
        o += py_json_string(out + o, values[i]);
    }
    out[o++] = '}';
    out[o] = 0;
    return out;
}

/* ------------------------------------------------------------------ routes */
/* rotki's TypesMappingsResource asks for no user: static tables */
static int api_type_mappings(api_req_t *req)
{
    hist_write_type_mappings(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/history/events", hist_api_query, NULL, 0},
    {API_PUT, "/api/1/history/events", hist_api_add, NULL, 0},
    {API_PATCH, "/api/1/history/events", hist_api_edit, NULL, 0},
    {API_DELETE, "/api/1/history/events", hist_api_delete, NULL, 0},
    {API_GET, "/api/1/history/events/type_mappings", api_type_mappings, NULL, 0},
};

int history_events_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
