/* addressbook — see addressbook.h. The filters go into SQL as one JSON parameter. */
#include "addressbook.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "api.h"
#include "auth.h"
#include "chain/accounts.h"
#include "chain/supported.h"
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

/* rotki's DB value ("ETH", "POLYGON_POS") as the API name; TYPE_EVMLIKE (every EVM chain): null */
static void write_chain(json_writer_t *w, const char *db_chain)
{
    const chain_supported_t *c = db_chain ? chain_supported_find(db_chain) : NULL; /* any case */
    if (c) json_write_str(w, c->id);
    else json_write_null(w);
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

/* ------------------------------------------------------------------ changes (private book) */
#define MAX_CHANGES 64

typedef struct {
    api_req_t *req;
    unsigned method;
    size_t n;
    struct {
        char address[128], chain[24];
        char *name;
    } e[MAX_CHANGES];
    char *pairs;       /* [[address, chain|null], …] for the existence check */
    db_query_t check;
    db_batch_t batch;
} change_t;

static void change_free(change_t *c)
{
    for (size_t i = 0; i < c->n; i++) alloc_free(c->e[i].name);
    alloc_free(c->pairs);
    db_query_clear(&c->check);
    alloc_free(c);
}

static void write_done(db_job_t *j)
{
    change_t *c = j->ud;
    if (j->rc != DB_JOB_DONE)
        api_reply_error(c->req, 409, c->batch.constraint ? "One or more of the entries already exist in the address book"
                                                         : "Could not change the address book: %s", j->errmsg);
    else
        api_reply_true(c->req);
    change_free(c);
}

/* the existence check decides, so a bad request changes nothing */
static void check_done(db_job_t *j)
{
    change_t *c = j->ud;
    long long found = -1;
    if (j->rc == DB_JOB_DONE && c->check.nrows) sscanf(db_query_cell(&c->check, 0, 0), "%lld", &found);
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(c->req, 409, "Could not read the address book: %s", j->errmsg);
    } else if (c->method == API_PUT && found != 0) {
        api_reply_error(c->req, 409, "One or more of the entries already exist in the address book");
    } else if (c->method != API_PUT && found != (long long)c->n) {
        api_reply_error(c->req, 409, "One or more of the addresses with blockchains provided do not exist in the database");
    } else {
        db_batch_init(&c->batch, write_done, c);
        for (size_t i = 0; i < c->n; i++) {
            const char *chain = c->e[i].chain[0] ? c->e[i].chain : NULL;
            db_stmt_t *st = db_batch_add(&c->batch, c->method == API_PUT ? "INSERT INTO address_book(address, blockchain, name) VALUES(?, ?, ?)"
                                                  : c->method == API_PATCH ? "UPDATE address_book SET name = ?3 WHERE address = ?1 AND blockchain = ?2"
                                                                           : "DELETE FROM address_book WHERE address = ?1 AND (?2 IS NULL OR blockchain = ?2)");
            db_stmt_param(st, c->e[i].address);
            db_stmt_param(st, c->method == API_PUT || c->method == API_PATCH ? (chain ? chain : "TYPE_EVMLIKE") : chain);
            if (c->method != API_DELETE) db_stmt_param(st, c->e[i].name);
        }
        auth_submit(c->req, &c->batch.job);
        db_query_clear(&c->check);
        return;
    }
    change_free(c);
}

/* One entry: the address (an EVM one checksummed), the chain's DB value (rotki's SupportedBlockchain
 * value; none: every EVM chain, TYPE_EVMLIKE), the name. -1 with a 400 sent. */
static int read_entry(api_req_t *req, change_t *c, int tok, int i, int need_name)
{
    const json_doc_t *d = &req->doc;
    int a = json_obj_get(d, tok, "address"), b = json_obj_get(d, tok, "blockchain"), nm = json_obj_get(d, tok, "name");
    char addr[128], chain[32];
    size_t len = 0;
    if (json_type(d, tok) != JSON_OBJECT || a < 0 || json_get_str(d, a, addr, sizeof addr, &len) != JSON_OK || !len) {
        api_reply_error(req, 400, "{\"entries\": {\"%d\": {\"address\": [\"Missing data for required field.\"]}}}", i);
        return -1;
    }
    c->e[i].chain[0] = 0;
    if (b >= 0 && !json_is_null(d, b)) {
        const chain_supported_t *cs = json_get_str(d, b, chain, sizeof chain, NULL) == JSON_OK ? chain_supported_find(chain) : NULL;
        if (!cs) {
            api_reply_error(req, 400, "{\"entries\": {\"%d\": {\"blockchain\": [\"Failed to deserialize SupportedBlockchain value\"]}}}", i);
            return -1;
        }
        size_t k = 0;
        for (; cs->id[k] && k + 1 < sizeof c->e[i].chain; k++)
            c->e[i].chain[k] = (char)(cs->id[k] >= 'a' && cs->id[k] <= 'z' ? cs->id[k] - 32 : cs->id[k]);
        c->e[i].chain[k] = 0;
    }
    int evm = addr[0] == '0' && (addr[1] == 'x' || addr[1] == 'X');
    if (evm && chain_address_checksummed(addr, len, c->e[i].address) != 0) {
        api_reply_error(req, 409, "Address %.100s is not a valid EVM address", addr);
        return -1;
    }
    if (!evm) {
        if (!c->e[i].chain[0] && need_name) {
            api_reply_error(req, 409, "Address %.100s is from a unknown ecosystem", addr);
            return -1;
        }
        memcpy(c->e[i].address, addr, len + 1);
    }
    if (need_name && (nm < 0 || json_get_strdup(d, nm, ALLOC_HTTP, &c->e[i].name, NULL) != JSON_OK || !c->e[i].name[0])) {
        api_reply_error(req, 400, "{\"entries\": {\"%d\": {\"name\": [\"Must be a non-empty string.\"]}}}", i);
        return -1;
    }
    return 0;
}

static int api_book_change(api_req_t *req)
{
    static const char *const entry_keys[] = {"entries", "update_existing", NULL};
    static const char *const delete_keys[] = {"addresses", NULL};
    const char *book = api_path_param(req, "book");
    int obj, del = req->method == API_DELETE;
    if (auth_require_user(req) != 0 || api_body_object(req, &obj) != 0 || api_body_only(req, obj, del ? delete_keys : entry_keys) != 0)
        return API_DONE;
    if (strcmp(book, "private")) {
        api_reply_error(req, strcmp(book, "global") ? 400 : 409, "%s", strcmp(book, "global")
                        ? "{\"book_type\": [\"Must be one of: global, private.\"]}"
                        : "pipit has no global address book (rotki keeps it in its global DB); use the private one");
        return API_DONE;
    }
    const char *key = del ? "addresses" : "entries";
    int list = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    int n = list >= 0 && json_type(&req->doc, list) == JSON_ARRAY ? json_child_count(&req->doc, list) : -1;
    if (n < 1 || n > MAX_CHANGES) {
        api_reply_error(req, 400, "{\"%s\": [\"A list of 1 to 64 entries.\"]}", key);
        return API_DONE;
    }
    change_t *c = read_reply_state_new(req, sizeof *c);
    if (!c) return API_DONE;
    c->req = req;
    c->method = req->method;
    json_writer_t pw;
    json_writer_init(&pw, 0);
    json_begin_array(&pw);
    int i = 0;
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), i++) {
        c->n = (size_t)i + 1;
        if (read_entry(req, c, e, i, !del) != 0) {
            json_writer_free(&pw);
            change_free(c);
            return API_DONE;
        }
        json_begin_array(&pw);
        json_write_str(&pw, c->e[i].address);
        /* a PUT or PATCH without chain means every EVM chain; a DELETE without one, any chain */
        json_write_str(&pw, c->e[i].chain[0] ? c->e[i].chain : del ? NULL : "TYPE_EVMLIKE");
        json_end_array(&pw);
    }
    json_end_array(&pw);
    size_t len;
    c->pairs = json_writer_take(&pw, &len);
    json_writer_free(&pw);
    if (!c->pairs) {
        change_free(c);
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    db_query_init(&c->check, "SELECT COUNT(*) FROM json_each(?) e WHERE EXISTS (SELECT 1 FROM address_book b WHERE "
                             "b.address = json_extract(e.value, '$[0]') AND (json_extract(e.value, '$[1]') IS NULL OR "
                             "b.blockchain = json_extract(e.value, '$[1]')))", check_done, c);
    db_query_param(&c->check, c->pairs);
    auth_submit(req, &c->check.job);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/names/addressbook/<book>", api_book, NULL, 0},
    {API_PUT | API_PATCH | API_DELETE, "/api/1/names/addressbook/<book>", api_book_change, NULL, 0},
    {API_POST, "/api/1/names", api_names, NULL, 0},
};

int addressbook_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
