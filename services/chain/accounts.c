/* accounts — see accounts.h. A change is three steps: a read of what is tracked (the checks
 * that need the DB, with rotki's messages naming the accounts or tags at fault), one write
 * batch, then the answer (PATCH reads the list back). The request's accounts reach SQLite as
 * one JSON parameter, [{"a": address, "l": label, "t": [tags]}, ...], expanded by json_each,
 * so a request of any size is one statement per table and one transaction. The write keeps
 * its own guards (the primary key, the tags foreign key): a change that slipped in between
 * the read and the write fails whole. */
#include "accounts.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../db/userdb.h"
#include "../auth.h"
#include "balances.h"
#include "untracked.h"

/* ------------------------------------------------------------------ shared */
/* The chains pipit serves: API name, rotki's DB name (SupportedBlockchain value), the name
 * rotki's messages use (str() of the enum), the chain id, the address-book group. */
typedef struct {
    const char *api, *db, *pretty, *chain_id, *book_group;
} chain_def_t;
static const chain_def_t chain_defs[] = {{"eth", "ETH", "ethereum", "1", "TYPE_EVMLIKE"}};

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a), y = (char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b);
        if (x != y) return 0;
    }
    return *a == *b;
}

static const chain_def_t *chain_find(const char *name, int by_db)
{
    for (size_t i = 0; name && i < sizeof chain_defs / sizeof chain_defs[0]; i++)
        if (ascii_ieq(name, by_db ? chain_defs[i].db : chain_defs[i].api)) return &chain_defs[i];
    return NULL;
}

const char *chain_db_name(const char *chain)
{
    const chain_def_t *c = chain_find(chain, 0);
    return c ? c->db : NULL;
}

const char *chain_api_name(const char *db_chain)
{
    const chain_def_t *c = chain_find(db_chain, 1);
    return c ? c->api : NULL;
}

const char *chain_message_name(const char *db_chain)
{
    const chain_def_t *c = chain_find(db_chain, 1);
    return c ? c->pretty : NULL;
}

const char *chain_json_escape(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    for (; *s; s++) {
        char one[8];
        unsigned char c = (unsigned char)*s;
        size_t n = c == '"' || c == '\\' ? (size_t)snprintf(one, sizeof one, "\\%c", c)
                 : c < 0x20             ? (size_t)snprintf(one, sizeof one, "\\u%04x", c)
                                        : (size_t)snprintf(one, sizeof one, "%c", c);
        if (o + n + 4 > outlen) { /* keep room for "..." and the NUL */
            o += (size_t)snprintf(out + o, outlen - o, "...");
            break;
        }
        memcpy(out + o, one, n);
        o += n;
    }
    out[o] = 0;
    return out;
}

const char *chain_path_db_name(api_req_t *req)
{
    const char *p = api_path_param(req, "chain");
    const char *db = chain_db_name(p);
    if (!db) {
        char esc[160];
        api_reply_error(req, 400, "{\"blockchain\": [\"unsupported blockchain %s: pipit serves eth only for now\"]}",
                        chain_json_escape(p ? p : "", esc, sizeof esc));
    }
    return db;
}

int chain_address_checksummed(const char *s, size_t len, char out[43])
{
    uint8_t raw[20];
    int rc = evm_address_parse(s, len, 1, raw);
    if (rc == 0) evm_address_checksum(raw, out);
    return rc;
}

void chain_reply_oom(api_req_t *req)
{
    api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
}

void *chain_op_new(api_req_t *req, size_t size)
{
    void *op = alloc_zget(ALLOC_HTTP, size);
    if (!op) chain_reply_oom(req);
    return op;
}

int chain_accounts_query_init(db_query_t *q, const char *chain, void (*done)(db_job_t *), void *ud)
{
    const char *db = chain_db_name(chain);
    if (!db) return -1;
    db_query_init(q, "SELECT account AS address FROM blockchain_accounts WHERE blockchain = ? ORDER BY account", done, ud);
    db_query_param(q, db);
    return 0;
}

/* ------------------------------------------------------------------ SQL */
#define ITEMS "json_each(?)"
#define ITEM_ADDR "json_extract(value, '$.a')"
#define ITEM_LABEL "json_extract(value, '$.l')"
#define ITEM_ADDRS "(SELECT " ITEM_ADDR " FROM " ITEMS ")"

/* What a change is checked against: the chain's accounts ('a') and the tags ('t'). */
static const char sql_tracked[] =
    "SELECT 'a', account FROM blockchain_accounts WHERE blockchain = ? UNION ALL SELECT 't', name FROM tags";
/* rotki's DBHandler.get_blockchain_account_data, tags as a JSON list */
static const char sql_list[] =
    "SELECT A.account, COALESCE(C1.name, C2.name), (SELECT json_group_array(tag_name) FROM "
    "(SELECT tag_name FROM tag_mappings WHERE object_reference = A.account ORDER BY tag_name)) "
    "FROM blockchain_accounts AS A "
    "LEFT OUTER JOIN address_book AS C1 ON C1.address = A.account AND C1.blockchain = A.blockchain "
    "LEFT OUTER JOIN address_book AS C2 ON C2.address = A.account AND C2.blockchain = ? "
    "WHERE A.blockchain = ? ORDER BY A.account";
static const char sql_add[] = "INSERT INTO blockchain_accounts(blockchain, account) SELECT ?, " ITEM_ADDR " FROM " ITEMS;
static const char sql_label_set[] = "INSERT OR REPLACE INTO address_book(address, blockchain, name) SELECT " ITEM_ADDR
                                    ", ?, " ITEM_LABEL " FROM " ITEMS " WHERE " ITEM_LABEL " IS NOT NULL";
static const char sql_label_unset[] = "DELETE FROM address_book WHERE blockchain = ? AND address IN (SELECT " ITEM_ADDR
                                      " FROM " ITEMS " WHERE " ITEM_LABEL " IS NULL)";
/* a label for the whole chain type replaces the per-chain ones (rotki's addressbook) */
static const char sql_label_others[] = "DELETE FROM address_book WHERE blockchain IS NOT ? AND address IN (SELECT " ITEM_ADDR
                                       " FROM " ITEMS " WHERE " ITEM_LABEL " IS NOT NULL)";
static const char sql_tags_drop[] = "DELETE FROM tag_mappings WHERE object_reference IN " ITEM_ADDRS;
static const char sql_tags_add[] =
    "INSERT OR IGNORE INTO tag_mappings(object_reference, tag_name) SELECT json_extract(a.value, '$.a'), t.value "
    "FROM json_each(?) AS a, json_each(a.value, '$.t') AS t WHERE t.type = 'text'";
/* rotki's delete_data_for_evm_address, the parts pipit's DB can hold so far (the mainnet-only
 * ones too: eth is the only chain served); the tables keyed to blockchain_accounts cascade */
static const char *const sql_forget[] = {
    "DELETE FROM evm_accounts_details WHERE chain_id = ? AND account IN " ITEM_ADDRS,
    "DELETE FROM evm_account_proxies WHERE chain_id = ? AND account IN " ITEM_ADDRS,
};
static const char sql_forget_modules[] =
    "DELETE FROM multisettings WHERE name LIKE 'queried\\_address\\_%' ESCAPE '\\' AND value IN " ITEM_ADDRS;
static const char sql_forget_aave[] = "DELETE FROM used_query_ranges WHERE name IN (SELECT 'aave_events_' || " ITEM_ADDR
                                      " FROM " ITEMS ")";
static const char sql_remove[] = "DELETE FROM blockchain_accounts WHERE blockchain = ? AND account IN " ITEM_ADDRS;
/* an address' tags go with its last chain */
static const char sql_tags_orphans[] =
    "DELETE FROM tag_mappings WHERE object_reference IN " ITEM_ADDRS
    " AND NOT EXISTS (SELECT 1 FROM blockchain_accounts WHERE account = tag_mappings.object_reference)";

/* ------------------------------------------------------------------ requests */
enum { OP_GET, OP_PUT, OP_PATCH, OP_DELETE, OP_TYPE_PATCH, OP_TYPE_DELETE, OP_EVM_PUT };

typedef struct {
    char address[43];
    int label; /* token of a non-empty label, -1 for none */
    int tags;  /* token of the (non-empty) tags list, -1 for none */
} acct_item_t;

typedef struct {
    api_req_t *req;
    int kind;
    int evm;              /* PUT /blockchains/evm/accounts: rotki's per-chain result shape */
    const chain_def_t *chain;
    acct_item_t *items;
    size_t n;
    char *param; /* the items as JSON, for json_each */
    db_query_t query;
    db_batch_t batch;
} acct_op_t;

static void op_free(acct_op_t *op)
{
    db_query_clear(&op->query);
    alloc_free(op->items);
    alloc_free(op->param);
    alloc_free(op);
}

static void reply_fail(acct_op_t *op, int status, const char *msg)
{
    json_write_null(api_reply_begin(op->req));
    api_reply_end(op->req, status, msg);
    op_free(op);
}

static void op_submit(acct_op_t *op, db_job_t *job)
{
    if (!auth_db()) {
        reply_fail(op, 409, "The user logged out");
        return;
    }
    auth_submit(op->req, job);
}

/* A list for a message: "a,b" (rotki's ",".join) or "a, b"; cut short when it grows long. */
typedef struct {
    char buf[1536];
    size_t len;
    int count;
} msg_list_t;

static void list_add(msg_list_t *m, const char *sep, const char *s)
{
    size_t need = strlen(sep) + strlen(s);
    if (m->len + need + 8 >= sizeof m->buf) {
        if (!strstr(m->buf, "...")) m->len += (size_t)snprintf(m->buf + m->len, sizeof m->buf - m->len, "%s...", sep);
        return;
    }
    m->len += (size_t)snprintf(m->buf + m->len, sizeof m->buf - m->len, "%s%s", m->count ? sep : "", s);
    m->count++;
}

/* ------------------------------------------------------------------ body */
/* 1 for a non-empty string, 0 for "", -1 for anything else (or one holding U+0000), JSON_ENOMEM. */
static int string_kind(const json_doc_t *d, int tok)
{
    char *s;
    int rc = json_type(d, tok) == JSON_STRING ? json_get_strdup(d, tok, ALLOC_HTTP, &s, NULL) : JSON_ETYPE;
    if (rc != JSON_OK) return rc == JSON_ENOMEM ? rc : -1;
    int k = s[0] != 0;
    alloc_free(s);
    return k;
}

/* {"accounts": {"<i>": {"<field>": [text]}}}, or {"accounts": {"<i>": [text]}} without a field. */
static int entry_error(api_req_t *req, int i, const char *field, const char *text)
{
    char esc[96];
    if (field)
        api_reply_error(req, 400, "{\"accounts\": {\"%d\": {\"%s\": [\"%s\"]}}}", i, chain_json_escape(field, esc, sizeof esc), text);
    else
        api_reply_error(req, 400, "{\"accounts\": {\"%d\": [\"%s\"]}}", i, text);
    return -1;
}

/* The error for a string_kind that is not 1. */
static int string_error(api_req_t *req, int i, const char *field, int kind)
{
    if (kind == JSON_ENOMEM) {
        chain_reply_oom(req);
        return -1;
    }
    return entry_error(req, i, field, kind ? "Not a valid string." : "Field cannot be an empty string");
}

/* One account object of PUT/PATCH (rotki's BlockchainAccountDataSchema). */
static int parse_entry(api_req_t *req, int i, int tok, acct_item_t *it)
{
    const json_doc_t *d = &req->doc;
    if (json_type(d, tok) != JSON_OBJECT) return entry_error(req, i, "_schema", "Invalid input type.");
    for (int k = json_first(d, tok); k >= 0; k = json_sibling(d, k))
        if (!json_str_eq(d, k, "address") && !json_str_eq(d, k, "label") && !json_str_eq(d, k, "tags")) {
            char key[64];
            if (json_get_str(d, k, key, sizeof key, NULL) != JSON_OK) snprintf(key, sizeof key, "?");
            return entry_error(req, i, key, "Unknown field.");
        }
    int a = json_obj_get(d, tok, "address"), l = json_obj_get(d, tok, "label"), t = json_obj_get(d, tok, "tags");
    if (a < 0) return entry_error(req, i, "address", "Missing data for required field.");
    int ak = string_kind(d, a);
    if (ak <= 0) return string_error(req, i, "address", ak);
    it->label = it->tags = -1;
    if (l >= 0 && !json_is_null(d, l)) {
        int lk = string_kind(d, l);
        if (lk < 0) return string_error(req, i, "label", lk);
        if (lk) it->label = l; /* "" means no label, as null */
    }
    if (t >= 0 && !json_is_null(d, t)) {
        if (json_type(d, t) != JSON_ARRAY) return entry_error(req, i, "tags", "Not a valid list.");
        if (json_child_count(d, t) == 0) return entry_error(req, i, "tags", "Provided empty list for tags. Use null.");
        for (int e = json_first(d, t); e >= 0; e = json_sibling(d, e)) {
            int ek = string_kind(d, e);
            if (ek <= 0) return string_error(req, i, "tags", ek);
        }
        it->tags = t;
    }
    return 0;
}

/* The address of token tok into it->address, checksummed; then rotki's duplicate check. */
static int parse_address(api_req_t *req, int tok, acct_item_t *items, size_t i)
{
    char *s, esc[160];
    size_t len;
    if (json_get_strdup(&req->doc, tok, ALLOC_HTTP, &s, &len) != JSON_OK) { /* a string by now */
        chain_reply_oom(req);
        return -1;
    }
    int rc = chain_address_checksummed(s, len, items[i].address);
    if (rc != 0) {
        api_reply_error(req, 400, "{\"address\": [\"Given value %s %s\"]}", chain_json_escape(s, esc, sizeof esc),
                        rc == -2 ? "has a wrong EIP-55 checksum (use the checksummed form or all lower case)"
                                 : "is not an evm address");
        alloc_free(s);
        return -1;
    }
    alloc_free(s);
    for (size_t j = 0; j < i; j++)
        if (strcmp(items[j].address, items[i].address) == 0) {
            api_reply_error(req, 400, "{\"address\": [\"Address %s appears multiple times in the request data\"]}",
                            items[i].address);
            return -1;
        }
    return 0;
}

/* The body's "accounts": objects for PUT/PATCH, address strings for DELETE. */
static int parse_accounts(acct_op_t *op)
{
    static const char *const allowed[] = {"accounts", "async_query", NULL};
    api_req_t *req = op->req;
    int obj, objects = op->kind == OP_PUT || op->kind == OP_PATCH || op->kind == OP_TYPE_PATCH;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return -1;
    int list = obj >= 0 ? json_obj_get(&req->doc, obj, "accounts") : -1;
    if (list < 0 || json_type(&req->doc, list) != JSON_ARRAY) {
        api_reply_error(req, 400, "{\"accounts\": [\"%s\"]}", list < 0 ? "Missing data for required field." : "Not a valid list.");
        return -1;
    }
    op->n = (size_t)json_child_count(&req->doc, list);
    if (op->n == 0 && !objects) {
        api_reply_error(req, 400, "{\"accounts\": [\"List cant be empty\"]}");
        return -1;
    }
    op->items = alloc_zget(ALLOC_HTTP, (op->n ? op->n : 1) * sizeof *op->items);
    if (!op->items) {
        chain_reply_oom(req);
        return -1;
    }
    int i = 0;
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), i++) {
        int k = objects ? 1 : string_kind(&req->doc, e);
        if (objects && parse_entry(req, i, e, &op->items[i]) != 0) return -1;
        if (k <= 0) return string_error(req, i, NULL, k);
        if (!objects) op->items[i].label = op->items[i].tags = -1;
    }
    /* rotki validates the addresses once every field has passed */
    i = 0;
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e), i++)
        if (parse_address(req, objects ? json_obj_get(&req->doc, e, "address") : e, op->items, (size_t)i) != 0) return -1;
    if (op->n == 0) {
        if (op->kind == OP_PUT) api_reply_error(req, 400, "Empty list of blockchain accounts to add was given");
        if (op->kind == OP_PATCH) api_reply_error(req, 400, "Empty list of blockchain account data to edit was given");
        if (op->kind != OP_TYPE_PATCH) return -1;
    }
    return 0;
}

static int build_param(acct_op_t *op)
{
    const json_doc_t *d = &op->req->doc;
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    for (size_t i = 0; i < op->n; i++) {
        const acct_item_t *it = &op->items[i];
        json_begin_object(&w);
        json_write_key(&w, "a");
        json_write_str(&w, it->address);
        if (it->label >= 0) {
            json_write_key(&w, "l");
            json_write_token(&w, d, it->label);
        }
        if (it->tags >= 0) {
            json_write_key(&w, "t");
            json_begin_array(&w);
            for (int e = json_first(d, it->tags); e >= 0; e = json_sibling(d, e)) json_write_token(&w, d, e);
            json_end_array(&w);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    size_t len;
    op->param = json_writer_take(&w, &len);
    return op->param ? 0 : -1;
}

/* ------------------------------------------------------------------ answers */
/* 1 (and a 409 sent, op freed) when a read failed. */
static int read_failed(acct_op_t *op, db_job_t *j)
{
    if (j->rc == DB_JOB_DONE) return 0;
    char msg[400];
    snprintf(msg, sizeof msg, "Could not read the accounts: %s", j->errmsg);
    reply_fail(op, 409, msg);
    return 1;
}

static void list_done(db_job_t *j)
{
    acct_op_t *op = j->ud;
    if (read_failed(op, j)) return;
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_array(w);
    for (size_t r = 0; r < op->query.nrows; r++) {
        const char *tags = db_query_cell(&op->query, r, 2);
        json_begin_object(w);
        json_write_key(w, "address");
        json_write_str(w, db_query_cell(&op->query, r, 0));
        json_write_key(w, "label");
        json_write_str(w, db_query_cell(&op->query, r, 1));
        json_write_key(w, "tags");
        if (tags && strcmp(tags, "[]") != 0) json_write_raw(w, tags, strlen(tags));
        else json_write_null(w);
        json_end_object(w);
    }
    json_end_array(w);
    api_reply_end(op->req, 200, "");
    op_free(op);
}

static void read_list(acct_op_t *op)
{
    db_query_clear(&op->query);
    db_query_init(&op->query, sql_list, list_done, op);
    db_query_param(&op->query, op->chain->book_group);
    db_query_param(&op->query, op->chain->db);
    op_submit(op, &op->query.job);
}

static void write_done(db_job_t *j)
{
    acct_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s: %s",
                 op->batch.constraint ? "The accounts or tags changed meanwhile; nothing was written"
                                      : "Could not change the accounts",
                 j->errmsg);
        reply_fail(op, 409, msg);
        return;
    }
    if (op->kind == OP_DELETE || op->kind == OP_TYPE_DELETE)
        for (size_t i = 0; i < op->n; i++) chain_balances_forget(op->chain->api, op->items[i].address);
    if (op->kind == OP_PUT) chain_balances_stale(op->chain->api); /* the new ones are not in it */
    json_writer_t *w;
    switch (op->kind) {
    case OP_PUT: /* the added addresses, checksummed */
        w = api_reply_begin(op->req);
        if (op->evm) { /* {"added": {addr: ["eth"]}, …}: eth is the EVM chain pipit tracks */
            json_begin_object(w);
            json_write_key(w, "added");
            json_begin_object(w);
            for (size_t i = 0; i < op->n; i++) {
                json_write_key(w, op->items[i].address);
                json_begin_array(w);
                json_write_str(w, op->chain->api);
                json_end_array(w);
            }
            json_end_object(w);
            static const char *const none[] = {"failed", "existed", "no_activity", "evm_contracts"};
            for (int k = 0; k < 4; k++) {
                json_write_key(w, none[k]);
                json_begin_object(w);
                json_end_object(w);
            }
            json_write_key(w, "eth_contracts");
            json_begin_array(w);
            json_end_array(w);
            json_end_object(w);
        } else {
            json_begin_array(w);
            for (size_t i = 0; i < op->n; i++) json_write_str(w, op->items[i].address);
            json_end_array(w);
        }
        api_reply_end(op->req, 200, "");
        break;
    case OP_PATCH:
        read_list(op);
        return;
    case OP_DELETE: /* the chain's balances as they are now */
        w = api_reply_begin(op->req);
        chain_balances_write_cached(w, op->chain->api);
        api_reply_end(op->req, 200, "");
        break;
    default:
        api_reply_true(op->req);
    }
    op_free(op);
}

/* Every statement takes the items; those that name the chain (or its id) do so first. */
static void add_stmt(acct_op_t *op, const char *sql, const char *chain_param)
{
    db_stmt_t *s = db_batch_add(&op->batch, sql);
    if (chain_param) db_stmt_param(s, chain_param);
    db_stmt_param(s, op->param);
}

static void write_changes(acct_op_t *op)
{
    const chain_def_t *c = op->chain;
    db_batch_init(&op->batch, write_done, op);
    switch (op->kind) {
    case OP_PUT: /* rotki's DBHandler.add_blockchain_accounts */
        add_stmt(op, sql_add, c->db);
        add_stmt(op, sql_label_set, c->db);
        add_stmt(op, sql_tags_add, NULL);
        break;
    case OP_PATCH: /* edit_blockchain_accounts: the label set or dropped, the tags replaced */
    case OP_TYPE_PATCH: /* edit_chain_type_accounts_labels: only given labels, for the chain type */
        if (op->kind == OP_TYPE_PATCH) add_stmt(op, sql_label_others, c->book_group);
        add_stmt(op, sql_label_set, op->kind == OP_PATCH ? c->db : c->book_group);
        if (op->kind == OP_PATCH) add_stmt(op, sql_label_unset, c->db);
        add_stmt(op, sql_tags_drop, NULL);
        add_stmt(op, sql_tags_add, NULL);
        break;
    default: /* remove_single_blockchain_accounts; labels stay in the address book, as in rotki */
        for (size_t i = 0; i < sizeof sql_forget / sizeof sql_forget[0]; i++) add_stmt(op, sql_forget[i], c->chain_id);
        add_stmt(op, sql_forget_modules, NULL);
        add_stmt(op, sql_forget_aave, NULL);
        add_stmt(op, sql_remove, c->db);
        add_stmt(op, sql_tags_orphans, NULL);
    }
    db_batch_add(&op->batch, userdb_sql_touch);
    op_submit(op, &op->batch.job);
}

/* ------------------------------------------------------------------ checks */
static int is_row(const db_query_t *q, const char *kind, const char *value)
{
    for (size_t r = 0; r < q->nrows; r++)
        if (strcmp(db_query_cell(q, r, 0), kind) == 0 &&
            (kind[0] == 't' ? ascii_ieq(db_query_cell(q, r, 1), value) : strcmp(db_query_cell(q, r, 1), value) == 0))
            return 1;
    return 0;
}

/* 1 when the tag token e appears earlier in the request (case-insensitively). */
static int tag_repeated(const acct_op_t *op, size_t item, int e, const char *tag)
{
    const json_doc_t *d = &op->req->doc;
    for (size_t i = 0; i <= item; i++)
        for (int f = op->items[i].tags >= 0 ? json_first(d, op->items[i].tags) : -1; f >= 0 && (i < item || f < e);
             f = json_sibling(d, f)) {
            char other[256];
            if (json_get_str(d, f, other, sizeof other, NULL) == JSON_OK && ascii_ieq(other, tag)) return 1;
        }
    return 0;
}

/* rotki's ensure_tags_exist: 1 (and a 409 sent) when a tag is unknown, compared case-insensitively
 * and named in lower case. */
static int unknown_tags(acct_op_t *op, const char *action)
{
    const json_doc_t *d = &op->req->doc;
    msg_list_t m = {{0}, 0, 0};
    for (size_t i = 0; i < op->n; i++)
        for (int e = op->items[i].tags >= 0 ? json_first(d, op->items[i].tags) : -1; e >= 0; e = json_sibling(d, e)) {
            char tag[256];
            if (json_get_str(d, e, tag, sizeof tag, NULL) != JSON_OK || is_row(&op->query, "t", tag) ||
                tag_repeated(op, i, e, tag))
                continue;
            for (char *p = tag; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            list_add(&m, ", ", tag);
        }
    if (!m.count) return 0;
    char msg[1700];
    snprintf(msg, sizeof msg, "When %s blockchain accounts, unknown tags %s were found", action, m.buf);
    reply_fail(op, 409, msg);
    return 1;
}

/* The accounts that are (want = 1) or are not (want = 0) tracked, listed; their count. */
static int accounts_where(acct_op_t *op, int want, const char *sep, const char *quote, msg_list_t *m)
{
    for (size_t i = 0; i < op->n; i++)
        if (is_row(&op->query, "a", op->items[i].address) == want) {
            char q[64];
            snprintf(q, sizeof q, "%s%s%s", quote, op->items[i].address, quote);
            list_add(m, sep, q);
        }
    return m->count;
}

static void check_done(db_job_t *j)
{
    acct_op_t *op = j->ud;
    if (read_failed(op, j)) return;
    msg_list_t m = {{0}, 0, 0};
    char msg[1700];
    switch (op->kind) {
    case OP_PUT:
        if (unknown_tags(op, "adding")) return;
        if (accounts_where(op, 1, ",", "", &m)) {
            snprintf(msg, sizeof msg, "Blockchain account/s %s already exist", m.buf);
            reply_fail(op, 400, msg);
            return;
        }
        break;
    case OP_PATCH:
        if (accounts_where(op, 0, ",", "", &m)) {
            snprintf(msg, sizeof msg, "Tried to edit unknown %s accounts %s", op->chain->pretty, m.buf);
            reply_fail(op, 400, msg);
            return;
        }
        if (unknown_tags(op, "editing")) return;
        break;
    case OP_TYPE_PATCH:
        if (unknown_tags(op, "editing")) return;
        break;
    case OP_DELETE:
        if (accounts_where(op, 0, ",", "", &m)) {
            snprintf(msg, sizeof msg, "Blockchain account/s %s don't exist", m.buf);
            reply_fail(op, 400, msg);
            return;
        }
        break;
    case OP_TYPE_DELETE: /* rotki prints the Python set */
        if (accounts_where(op, 0, ", ", "'", &m)) {
            snprintf(msg, sizeof msg, "Tried to delete non tracked addresses {%s}", m.buf);
            reply_fail(op, 400, msg);
            return;
        }
        break;
    }
    db_query_clear(&op->query);
    if (build_param(op) != 0) {
        chain_reply_oom(op->req);
        op_free(op);
        return;
    }
    write_changes(op);
}

/* ------------------------------------------------------------------ endpoints */
static int start(api_req_t *req, int kind)
{
    const chain_def_t *chain = &chain_defs[0];
    int evm = kind == OP_EVM_PUT;
    if (evm) kind = OP_PUT; /* to eth, the EVM chain pipit tracks */
    if (auth_require_user(req) != 0) return API_DONE;
    if (kind == OP_TYPE_PATCH || kind == OP_TYPE_DELETE) {
        const char *type = api_path_param(req, "chain_type");
        if (!type || !ascii_ieq(type, "evm")) {
            char esc[160];
            api_reply_error(req, 400, "{\"chain_type\": [\"unsupported chain type %s: pipit serves evm (eth) only for now\"]}",
                            chain_json_escape(type ? type : "", esc, sizeof esc));
            return API_DONE;
        }
    } else if (!evm) {
        if (chain_untracked_answer(req, "accounts")) return API_DONE;
        const char *db = chain_path_db_name(req);
        if (!db) return API_DONE;
        chain = chain_find(db, 1);
    }
    acct_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    op->kind = kind;
    op->evm = evm;
    op->chain = chain;
    if (kind == OP_GET) {
        read_list(op);
        return API_PENDING;
    }
    if (parse_accounts(op) != 0) {
        op_free(op);
        return API_DONE;
    }
    db_query_init(&op->query, sql_tracked, check_done, op);
    db_query_param(&op->query, chain->db);
    auth_submit(req, &op->query.job);
    return API_PENDING;
}

static int api_accounts_get(api_req_t *req) { return start(req, OP_GET); }
static int api_accounts_put(api_req_t *req) { return start(req, OP_PUT); }
static int api_accounts_patch(api_req_t *req) { return start(req, OP_PATCH); }
static int api_accounts_delete(api_req_t *req) { return start(req, OP_DELETE); }
static int api_type_accounts_patch(api_req_t *req) { return start(req, OP_TYPE_PATCH); }
static int api_evm_accounts_put(api_req_t *req) { return start(req, OP_EVM_PUT); }
static int api_type_accounts_delete(api_req_t *req) { return start(req, OP_TYPE_DELETE); }

static const api_route_t routes[] = {
    {API_GET, "/api/1/blockchains/<chain>/accounts", api_accounts_get, NULL, 0},
    {API_PUT, "/api/1/blockchains/<chain>/accounts", api_accounts_put, NULL, API_ASYNC},
    {API_PATCH, "/api/1/blockchains/<chain>/accounts", api_accounts_patch, NULL, API_ASYNC},
    {API_DELETE, "/api/1/blockchains/<chain>/accounts", api_accounts_delete, NULL, API_ASYNC},
    {API_PATCH, "/api/1/blockchains/type/<chain_type>/accounts", api_type_accounts_patch, NULL, API_ASYNC},
    {API_PUT, "/api/1/blockchains/evm/accounts", api_evm_accounts_put, NULL, API_ASYNC},
    {API_DELETE, "/api/1/blockchains/type/<chain_type>/accounts", api_type_accounts_delete, NULL, API_ASYNC},
};

int chain_accounts_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
