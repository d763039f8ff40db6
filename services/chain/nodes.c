/* nodes — see nodes.h. PATCH and DELETE first read whether the node is there (rotki's 409
 * before anything is written), then write: the change and the rebalancing of the other
 * public nodes in one transaction (rotki's DBHandler.rebalance_rpc_nodes_weights, done in SQL:
 * each weight scaled by share / sum, 0 when the others sum to 0). */
#include "nodes.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/userdb.h"
#include "../auth.h"
#include "accounts.h"
#include "untracked.h"

#define MAX_ENDPOINT 255 /* what the RPC client keeps of one */

/* ------------------------------------------------------------------ SQL */
static const char sql_list[] = "SELECT identifier, name, endpoint, weight, owned, active FROM rpc_nodes "
                               "WHERE blockchain = ? ORDER BY name, identifier";
static const char sql_use[] = "SELECT name, endpoint, owned, weight FROM rpc_nodes "
                              "WHERE blockchain = ? AND active = 1 AND (CAST(weight AS REAL) != 0 OR owned = 1) "
                              "ORDER BY owned DESC, CAST(weight AS REAL) DESC, identifier";
static const char sql_exists[] = "SELECT identifier FROM rpc_nodes WHERE identifier = ? AND blockchain = ?";
static const char sql_insert[] =
    "INSERT INTO rpc_nodes(name, endpoint, owned, active, weight, blockchain) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_update[] = "UPDATE rpc_nodes SET name = ?, endpoint = ?, owned = ?, active = ?, weight = ? "
                                 "WHERE identifier = ? AND blockchain = ?";
static const char sql_delete[] = "DELETE FROM rpc_nodes WHERE identifier = ? AND blockchain = ?";
/* A fraction as rotki's str(FVal) writes it: no exponent, no trailing zeros ("0.25", "1", "0").
 * ?1 the chain, ?2 the node left out (NULL: the one just inserted), ?3 its weight: the others
 * share 1 - ?3 in proportion to their weights. The sum is an uncorrelated subquery, so SQLite
 * takes it once, before any row changes. */
#define OTHERS "owned = 0 AND blockchain = ?1 AND identifier != coalesce(?2, last_insert_rowid())"
static const char sql_rebalance[] =
    "UPDATE rpc_nodes SET weight = rtrim(rtrim(printf('%.12f', CAST(weight AS REAL) * (1 - CAST(?3 AS REAL)) / "
    "(SELECT SUM(CAST(weight AS REAL)) FROM rpc_nodes WHERE " OTHERS ")), '0'), '.') WHERE " OTHERS;

int chain_nodes_query_init(db_query_t *q, const char *chain, void (*done)(db_job_t *), void *ud)
{
    const char *db = chain_db_name(chain);
    if (!db) return -1;
    db_query_init(q, sql_use, done, ud);
    db_query_param(q, db);
    return 0;
}

/* ------------------------------------------------------------------ weights */
/* Splits a canonical decimal (json_normalize_amount's form, not negative) into its integer and
 * fraction digits. */
static void split_decimal(const char *s, const char **ip, size_t *il, const char **fp, size_t *fl)
{
    const char *dot = strchr(s, '.');
    *ip = s;
    *il = dot ? (size_t)(dot - s) : strlen(s);
    *fp = dot ? dot + 1 : "";
    *fl = strlen(*fp);
}

/* percentage / 100 as rotki stores it: "40.3" → "0.403", "100" → "1", "5" → "0.05". */
static void percent_to_fraction(const char *pct, char *out, size_t outlen)
{
    const char *ip, *fp;
    size_t il, fl;
    split_decimal(pct, &ip, &il, &fp, &fl);
    char d[160], moved[200];
    int pad = il < 3 ? 3 - (int)il : 0; /* at least three integer digits, so the point can move two */
    int n = snprintf(d, sizeof d, "%.*s%.*s", pad, "00", (int)il, ip);
    snprintf(moved, sizeof moved, "%.*s.%s%.*s", n - 2, d, d + n - 2, (int)fl, fp);
    json_normalize_amount(moved, strlen(moved), out, outlen); /* drops the zeros at either end */
}

/* A stored fraction as rotki's API shows it: f'{weight * 100:.2f}' with Decimal's half-even
 * rounding. The stored text as it is when it is not a number. */
static void write_percent(json_writer_t *w, const char *stored)
{
    char canon[160];
    if (!stored || json_normalize_amount(stored, strlen(stored), canon, sizeof canon) != JSON_OK || canon[0] == '-') {
        json_write_str(w, stored);
        return;
    }
    const char *ip, *fp;
    size_t il, fl;
    split_decimal(canon, &ip, &il, &fp, &fl);
    /* the digits of weight * 100 up to its second decimal; then the ones rounded away */
    char d[200];
    int n = snprintf(d, sizeof d, "%.*s%c%c%c%c", (int)il, ip, fl > 0 ? fp[0] : '0', fl > 1 ? fp[1] : '0',
                     fl > 2 ? fp[2] : '0', fl > 3 ? fp[3] : '0');
    const char *drop = fl > 4 ? fp + 4 : ""; /* canonical: its last digit is not 0 */
    int up = drop[0] > '5' || (drop[0] == '5' && (drop[1] || ((d[n - 1] - '0') & 1)));
    for (int i = n - 1; up && i >= 0; i--) {
        if (d[i] == '9') d[i] = '0';
        else d[i]++, up = 0;
    }
    int lead = 0;
    while (!up && lead < n - 3 && d[lead] == '0') lead++;
    char out[220];
    snprintf(out, sizeof out, "%s%.*s.%s", up ? "1" : "", n - 2 - lead, d + lead, d + n - 2);
    json_write_str(w, out);
}

/* ------------------------------------------------------------------ requests */
typedef struct {
    api_req_t *req;
    unsigned method;
    const char *chain; /* DB name */
    char *name, *endpoint;
    char identifier[24], weight[160];
    int owned, active;
    db_query_t query;
    db_batch_t batch;
} node_op_t;

static void op_free(node_op_t *op)
{
    db_query_clear(&op->query);
    alloc_free(op->name);
    alloc_free(op->endpoint);
    alloc_free(op);
}

static void list_done(db_job_t *j)
{
    node_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, db_job_status(j), "Could not read the nodes: %s", j->errmsg);
        op_free(op);
        return;
    }
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_array(w);
    for (size_t r = 0; r < op->query.nrows; r++) {
        const char *id = db_query_cell(&op->query, r, 0), *owned = db_query_cell(&op->query, r, 4),
                   *active = db_query_cell(&op->query, r, 5);
        json_begin_object(w); /* WeightedNode.serialize */
        json_write_key(w, "identifier");
        json_write_raw(w, id, strlen(id));
        json_write_key(w, "name");
        json_write_str(w, db_query_cell(&op->query, r, 1));
        json_write_key(w, "endpoint");
        json_write_str(w, db_query_cell(&op->query, r, 2));
        json_write_key(w, "weight");
        write_percent(w, db_query_cell(&op->query, r, 3));
        json_write_key(w, "owned");
        json_write_bool(w, owned && strcmp(owned, "0") != 0);
        json_write_key(w, "active");
        json_write_bool(w, active && strcmp(active, "0") != 0);
        json_write_key(w, "blockchain");
        json_write_str(w, chain_api_name(op->chain));
        json_end_object(w);
    }
    json_end_array(w);
    api_reply_end(op->req, 200, "");
    op_free(op);
}

static void write_done(db_job_t *j)
{
    node_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE && op->batch.constraint && op->method != API_DELETE)
        api_reply_error(op->req, 409, "Node for %s with endpoint %s already exists in db", chain_message_name(op->chain),
                        op->endpoint);
    else if (j->rc != DB_JOB_DONE)
        api_reply_error(op->req, db_job_status(j), "Could not change the nodes: %s", j->errmsg);
    else if (op->method != API_PUT && op->batch.stmts[0].changes == 0) /* it went away meanwhile */
        api_reply_error(op->req, 409, "Node with identifier %s doesn't exist", op->identifier);
    else
        api_reply_true(op->req);
    op_free(op);
}

static void write_changes(node_op_t *op)
{
    db_stmt_t *s;
    db_batch_init(&op->batch, write_done, op);
    if (op->method == API_DELETE) {
        s = db_batch_add(&op->batch, sql_delete);
    } else {
        s = db_batch_add(&op->batch, op->method == API_PUT ? sql_insert : sql_update);
        db_stmt_param(s, op->name);
        db_stmt_param(s, op->endpoint);
        db_stmt_param(s, op->owned ? "1" : "0");
        db_stmt_param(s, op->active ? "1" : "0");
        db_stmt_param(s, op->weight);
    }
    if (op->method == API_PUT) db_stmt_param(s, op->chain);
    else db_stmt_param(s, op->identifier), db_stmt_param(s, op->chain);
    s = db_batch_add(&op->batch, sql_rebalance);
    db_stmt_param(s, op->chain);
    db_stmt_param(s, op->method == API_PUT ? NULL : op->method == API_DELETE ? "-1" : op->identifier);
    db_stmt_param(s, op->weight);
    db_batch_add(&op->batch, userdb_sql_touch);
    if (!auth_db()) {
        api_reply_error(op->req, 409, "The user logged out");
        op_free(op);
        return;
    }
    auth_submit(op->req, &op->batch.job);
}

static void exists_done(db_job_t *j)
{
    node_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE || op->query.nrows == 0) {
        if (j->rc != DB_JOB_DONE) api_reply_error(op->req, db_job_status(j), "Could not read the nodes: %s", j->errmsg);
        else if (op->method == API_PATCH) api_reply_error(op->req, 409, "Node with identifier %s doesn't exist", op->identifier);
        else
            api_reply_error(op->req, 409, "node with id %s and blockchain %s was not found in the database", op->identifier,
                            op->chain);
        op_free(op);
        return;
    }
    write_changes(op);
}

/* ------------------------------------------------------------------ body */
static int missing(api_req_t *req, const char *key)
{
    api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", key);
    return -1;
}

static int opt_bool(api_req_t *req, int obj, const char *key, int *out)
{
    int t = json_obj_get(&req->doc, obj, key);
    *out = 0; /* rotki's default for owned and active */
    if (t >= 0 && json_get_bool(&req->doc, t, out) != JSON_OK) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid boolean.\"]}", key);
        return -1;
    }
    return 0;
}

/* A required non-empty string into a new allocation. */
static int req_string(api_req_t *req, int obj, const char *key, const char *empty_msg, char **out)
{
    int t = json_obj_get(&req->doc, obj, key);
    if (t < 0) return missing(req, key);
    size_t n;
    int rc = json_type(&req->doc, t) == JSON_STRING ? json_get_strdup(&req->doc, t, ALLOC_HTTP, out, &n) : JSON_ETYPE;
    if (rc == JSON_ENOMEM) {
        chain_reply_oom(req);
        return -1;
    }
    if (rc != JSON_OK || memchr(*out, 0, n)) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string.\"]}", key);
        return -1;
    }
    if (n == 0) {
        api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", key, empty_msg);
        return -1;
    }
    return 0;
}

/* http:// or https://, a host, and nothing a URL cannot hold unescaped (blanks, controls). */
static int endpoint_ok(const char *s)
{
    size_t skip = 0;
    if (strncmp(s, "http://", 7) == 0) skip = 7;
    else if (strncmp(s, "https://", 8) == 0) skip = 8;
    if (!skip || !s[skip] || strchr("/?#:@", s[skip])) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\') return 0;
    return strlen(s) <= MAX_ENDPOINT;
}

/* rotki's FloatingPercentageField: a number or numeric string from 0 to 100. */
static int parse_weight(api_req_t *req, int obj, node_op_t *op)
{
    int t = json_obj_get(&req->doc, obj, "weight");
    char pct[160];
    if (t < 0) return missing(req, "weight");
    if (json_get_amount(&req->doc, t, pct, sizeof pct) != JSON_OK) {
        api_reply_error(req, 400, "{\"weight\": [\"Not a valid percentage: give a number from 0 to 100.\"]}");
        return -1;
    }
    const char *ip, *fp;
    size_t il, fl;
    split_decimal(pct, &ip, &il, &fp, &fl);
    if (pct[0] == '-' || il > 3 || (il == 3 && (strncmp(ip, "100", 3) > 0 || (strncmp(ip, "100", 3) == 0 && fl)))) {
        api_reply_error(req, 400, "{\"weight\": [\"Percentage field can not be %s\"]}",
                        pct[0] == '-' ? "negative" : "greater than 100");
        return -1;
    }
    percent_to_fraction(pct, op->weight, sizeof op->weight);
    return 0;
}

static node_op_t *parse(api_req_t *req, unsigned method)
{
    static const char *const put_keys[] = {"name", "endpoint", "owned", "weight", "active", NULL};
    static const char *const patch_keys[] = {"identifier", "name", "endpoint", "owned", "weight", "active", NULL};
    static const char *const delete_keys[] = {"identifier", NULL};
    if (auth_require_user(req) != 0 || chain_untracked_answer(req, "nodes")) return NULL;
    const char *chain = chain_path_db_name(req);
    if (!chain) return NULL;
    node_op_t *op = chain_op_new(req, sizeof *op);
    if (!op) return NULL;
    op->req = req;
    op->method = method;
    op->chain = chain;
    if (method == API_GET) return op;
    int obj;
    if (api_body_object(req, &obj) != 0) goto bad;
    if (obj < 0) {
        missing(req, method == API_PUT ? "name" : "identifier");
        goto bad;
    }
    if (api_body_only(req, obj, method == API_PUT ? put_keys : method == API_PATCH ? patch_keys : delete_keys) != 0) goto bad;
    if (method != API_PUT) {
        int t = json_obj_get(&req->doc, obj, "identifier");
        int64_t id;
        if (t < 0) {
            missing(req, "identifier");
            goto bad;
        }
        if (json_get_int64(&req->doc, t, &id) != JSON_OK) {
            api_reply_error(req, 400, "{\"identifier\": [\"Not a valid integer.\"]}");
            goto bad;
        }
        snprintf(op->identifier, sizeof op->identifier, "%lld", (long long)id);
    }
    if (method == API_DELETE) {
        snprintf(op->weight, sizeof op->weight, "0"); /* the others share it all */
        return op;
    }
    if (req_string(req, obj, "name", "Name can't be empty", &op->name) != 0 ||
        req_string(req, obj, "endpoint", "Field cannot be an empty string", &op->endpoint) != 0)
        goto bad;
    if (!endpoint_ok(op->endpoint)) {
        char esc[320];
        api_reply_error(req, 400, "{\"endpoint\": [\"%s is not an http:// or https:// URL of at most %d bytes\"]}",
                        chain_json_escape(op->endpoint, esc, sizeof esc), MAX_ENDPOINT);
        goto bad;
    }
    if (opt_bool(req, obj, "owned", &op->owned) != 0 || opt_bool(req, obj, "active", &op->active) != 0 ||
        parse_weight(req, obj, op) != 0)
        goto bad;
    return op;
bad:
    op_free(op);
    return NULL;
}

/* ------------------------------------------------------------------ endpoints */
static int api_nodes_get(api_req_t *req)
{
    node_op_t *op = parse(req, API_GET);
    if (!op) return API_DONE;
    db_query_init(&op->query, sql_list, list_done, op);
    db_query_param(&op->query, op->chain);
    auth_submit(req, &op->query.job);
    return API_PENDING;
}

static int api_nodes_change(api_req_t *req)
{
    node_op_t *op = parse(req, req->method);
    if (!op) return API_DONE;
    if (op->method == API_PUT) {
        write_changes(op);
        return API_PENDING;
    }
    db_query_init(&op->query, sql_exists, exists_done, op);
    db_query_param(&op->query, op->identifier);
    db_query_param(&op->query, op->chain);
    auth_submit(req, &op->query.job);
    return API_PENDING;
}

/* rotki's POST (re)connects to the nodes, or one by identifier: pipit connects afresh for each
 * query (lws keeps a connection per node alive), so there is nothing to open ahead: true */
static int api_nodes_connect(api_req_t *req)
{
    static const char *const allowed[] = {"identifier", NULL};
    int obj;
    if (auth_require_user(req) != 0 || chain_untracked_answer(req, "nodes") || !chain_path_db_name(req) ||
        api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0)
        return API_DONE;
    int id = obj >= 0 ? json_obj_get(&req->doc, obj, "identifier") : -1;
    int64_t v;
    if (id >= 0 && !json_is_null(&req->doc, id) && json_get_int64(&req->doc, id, &v) != JSON_OK) {
        api_reply_error(req, 400, "{\"identifier\": [\"Not a valid integer.\"]}");
        return API_DONE;
    }
    api_reply_true(req);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/blockchains/<chain>/nodes", api_nodes_get, NULL, 0},
    {API_POST, "/api/1/blockchains/<chain>/nodes", api_nodes_connect, NULL, 0},
    {API_PUT | API_PATCH | API_DELETE, "/api/1/blockchains/<chain>/nodes", api_nodes_change, NULL, 0},
};

int chain_nodes_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }

int chain_nodes_from_query(const db_query_t *q, rpc_node_t *nodes, int max)
{
    int n = 0;
    for (size_t i = 0; i < q->nrows && n < max; i++) {
        const char *name = db_query_cell(q, i, 0), *ep = db_query_cell(q, i, 1), *owned = db_query_cell(q, i, 2);
        if (!ep || !*ep) continue;
        rpc_node_t *nd = &nodes[n++];
        snprintf(nd->name, sizeof nd->name, "%s", name ? name : ep);
        snprintf(nd->endpoint, sizeof nd->endpoint, "%s", ep);
        nd->owned = owned && owned[0] == '1';
    }
    return n;
}
