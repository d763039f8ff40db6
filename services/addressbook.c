/* addressbook — see addressbook.h. The filters go into SQL as one JSON parameter. */
#include "addressbook.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "chain/accounts.h"
#include "read_reply.h"

/* ?1: {"addresses": [{"address", "blockchain"?}] | null, "name": substring | null, "chain": DB name | null}
 * ?2 limit (-1 none), ?3 offset; columns address, name, blockchain, then a last row of NULLs with
 * the counts found and total */
static const char sql_book[] =
    "WITH f AS (SELECT json_extract(?1, '$.addresses') AS a, json_extract(?1, '$.name') AS n, json_extract(?1, '$.chain') AS c), "
    "m AS (SELECT b.* FROM address_book b, f WHERE (f.n IS NULL OR instr(lower(b.name), lower(f.n)) > 0) AND "
    "(f.c IS NULL OR b.blockchain = f.c OR b.blockchain = 'TYPE_EVMLIKE') AND (f.a IS NULL OR EXISTS (SELECT 1 FROM "
    "json_each(f.a) x WHERE lower(json_extract(x.value, '$.address')) = lower(b.address) AND "
    "(json_extract(x.value, '$.blockchain') IS NULL OR upper(json_extract(x.value, '$.blockchain')) = b.blockchain "
    "OR b.blockchain = 'TYPE_EVMLIKE')))) "
    "SELECT * FROM (SELECT address, name, blockchain, NULL, NULL FROM m ORDER BY address, blockchain "
    "LIMIT CAST(?2 AS INTEGER) OFFSET CAST(?3 AS INTEGER)) "
    "UNION ALL SELECT NULL, NULL, NULL, (SELECT COUNT(*) FROM m), (SELECT COUNT(*) FROM address_book)";

static void write_chain(json_writer_t *w, const char *db_chain)
{
    const char *api = db_chain ? chain_api_name(db_chain) : NULL;
    if (api) json_write_str(w, api);
    else json_write_null(w); /* TYPE_EVMLIKE: every EVM chain */
}

static void write_book(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_object(w);
    json_write_key(w, "entries");
    json_begin_array(w);
    size_t n = q->nrows ? q->nrows - 1 : 0; /* the last row has the counts */
    for (size_t r = 0; r < n; r++) {
        json_begin_object(w);
        json_write_key(w, "address");
        json_write_str(w, db_query_cell(q, r, 0));
        json_write_key(w, "name");
        json_write_str(w, db_query_cell(q, r, 1));
        json_write_key(w, "blockchain");
        write_chain(w, db_query_cell(q, r, 2));
        json_end_object(w);
    }
    json_end_array(w);
    static const char *const counts[] = {"entries_found", "entries_total"};
    for (int c = 0; c < 2; c++) {
        const char *v = q->nrows ? db_query_cell(q, n, 3 + c) : "0";
        json_write_key(w, counts[c]);
        json_write_raw(w, v, strlen(v));
    }
    json_end_object(w);
}

static void write_names(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_object(w);
    for (size_t r = 0; r + 1 < q->nrows; r++) {
        /* one name per address: the chain's own entry (ETH) sorts before the every-EVM-chain one */
        if (r && !strcmp(db_query_cell(q, r, 0), db_query_cell(q, r - 1, 0))) continue;
        json_write_key(w, db_query_cell(q, r, 0));
        json_write_str(w, db_query_cell(q, r, 1));
    }
    json_end_object(w);
}

/* The filter parameter from the body: the addresses list as given, the name substring, the
 * chain's DB name. -1 with a 400 sent. */
static int filters(api_req_t *req, int obj, json_writer_t *f)
{
    const json_doc_t *d = &req->doc;
    int a = obj >= 0 ? json_obj_get(d, obj, "addresses") : -1, n = obj >= 0 ? json_obj_get(d, obj, "name_substring") : -1;
    int c = obj >= 0 ? json_obj_get(d, obj, "blockchain") : -1;
    json_begin_object(f);
    if (a >= 0 && !json_is_null(d, a)) {
        if (json_type(d, a) != JSON_ARRAY) {
            api_reply_error(req, 400, "{\"addresses\": [\"Not a valid list.\"]}");
            return -1;
        }
        const char *raw;
        size_t len;
        json_write_key(f, "addresses");
        if (json_get_raw(d, a, &raw, &len) == JSON_OK) json_write_raw(f, raw, len);
        else json_write_null(f);
    }
    char buf[256];
    if (n >= 0 && !json_is_null(d, n) && json_get_str(d, n, buf, sizeof buf, NULL) == JSON_OK) {
        json_write_key(f, "name");
        json_write_str(f, buf);
    }
    if (c >= 0 && !json_is_null(d, c)) {
        const char *db = json_get_str(d, c, buf, sizeof buf, NULL) == JSON_OK ? chain_db_name(buf) : NULL;
        if (!db) {
            api_reply_error(req, 400, "{\"blockchain\": [\"Failed to deserialize SupportedBlockchain value\"]}");
            return -1;
        }
        json_write_key(f, "chain");
        json_write_str(f, db);
    }
    json_end_object(f);
    return 0;
}

static int run(api_req_t *req, const char *const *allowed, read_reply_write_fn write, int paged)
{
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    char limit[24] = "-1", offset[24] = "0";
    if (paged && obj >= 0) {
        int64_t v;
        int l = json_obj_get(&req->doc, obj, "limit"), o = json_obj_get(&req->doc, obj, "offset");
        if (l >= 0 && json_get_int64(&req->doc, l, &v) == JSON_OK && v >= 0) snprintf(limit, sizeof limit, "%lld", (long long)v);
        if (o >= 0 && json_get_int64(&req->doc, o, &v) == JSON_OK && v >= 0) snprintf(offset, sizeof offset, "%lld", (long long)v);
    }
    json_writer_t f;
    json_writer_init(&f, 0);
    const char *text;
    size_t len;
    if (filters(req, obj, &f) != 0) {
        json_writer_free(&f);
        return API_DONE;
    }
    if (json_writer_finish(&f, &text, &len) != JSON_OK) {
        json_writer_free(&f);
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    read_reply_t rr = {.sql = sql_book, .params = {text, limit, offset}, .nparams = 3, .write = write};
    int rc = read_reply_start(req, &rr);
    json_writer_free(&f);
    return rc;
}

static int api_book(api_req_t *req)
{
    static const char *const allowed[] = {"addresses", "name_substring", "blockchain", "strict_blockchain", "limit", "offset",
                                          "order_by_attributes", "ascending", NULL};
    const char *book = api_path_param(req, "book");
    if (strcmp(book, "private") && strcmp(book, "global")) {
        api_reply_error(req, 400, "{\"book_type\": [\"Must be one of: global, private.\"]}");
        return API_DONE;
    }
    if (!strcmp(book, "global")) { /* rotki's global DB: pipit has none */
        read_reply_empty_collection(api_reply_begin(req), READ_REPLY_TOTAL);
        api_reply_end(req, 200, "");
        return API_DONE;
    }
    return run(req, allowed, write_book, 1);
}

static int api_names(api_req_t *req)
{
    static const char *const allowed[] = {"addresses", NULL};
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    if (obj < 0 || json_obj_get(&req->doc, obj, "addresses") < 0) {
        api_reply_error(req, 400, "{\"addresses\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    return run(req, allowed, write_names, 0);
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/names/addressbook/<book>", api_book, NULL, 0},
    {API_POST, "/api/1/names", api_names, NULL, 0},
};

int addressbook_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
