/* notes — see notes.h. */
#include "notes.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/query.h"
#include "../platform/pal.h"
#include "api.h"
#include "auth.h"
#include "read_reply.h"

/* ?1 title substring, ?2 location, ?3 from, ?4 to (NULL: any), ?5 limit, ?6 offset; the last row
 * carries the counts found and total */
static const char sql_query[] =
    "WITH m AS (SELECT * FROM user_notes WHERE (?1 IS NULL OR instr(lower(title), lower(?1)) > 0) AND "
    "(?2 IS NULL OR location = ?2) AND (?3 IS NULL OR last_update_timestamp >= CAST(?3 AS INTEGER)) AND "
    "(?4 IS NULL OR last_update_timestamp <= CAST(?4 AS INTEGER))) "
    "SELECT * FROM (SELECT identifier, title, content, location, last_update_timestamp, is_pinned, NULL, NULL FROM m "
    "ORDER BY last_update_timestamp DESC, identifier DESC LIMIT CAST(?5 AS INTEGER) OFFSET CAST(?6 AS INTEGER)) "
    "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, (SELECT COUNT(*) FROM m), (SELECT COUNT(*) FROM user_notes)";

static void write_raw(json_writer_t *w, const char *v) { json_write_raw(w, v ? v : "0", strlen(v ? v : "0")); }

static void write_notes(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    size_t n = q->nrows ? q->nrows - 1 : 0;
    json_begin_object(w);
    json_write_key(w, "entries");
    json_begin_array(w);
    for (size_t r = 0; r < n; r++) {
        static const char *const text[] = {"title", "content", "location"};
        json_begin_object(w);
        json_write_key(w, "identifier");
        write_raw(w, db_query_cell(q, r, 0));
        for (int c = 0; c < 3; c++) {
            json_write_key(w, text[c]);
            json_write_str(w, db_query_cell(q, r, 1 + c));
        }
        json_write_key(w, "last_update_timestamp");
        write_raw(w, db_query_cell(q, r, 4));
        json_write_key(w, "is_pinned");
        json_write_bool(w, !strcmp(db_query_cell(q, r, 5), "1"));
        json_end_object(w);
    }
    json_end_array(w);
    json_write_key(w, "entries_found");
    write_raw(w, q->nrows ? db_query_cell(q, n, 6) : NULL);
    json_write_key(w, "entries_total");
    write_raw(w, q->nrows ? db_query_cell(q, n, 7) : NULL);
    json_write_key(w, "entries_limit");
    json_write_int64(w, -1);
    json_end_object(w);
}

/* An optional string (NULL when absent, null or "") into buf; -1 with a 400 when not a string. */
static int opt_str(api_req_t *req, int obj, const char *key, char *buf, size_t len, const char **out)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    *out = NULL;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_get_str(&req->doc, t, buf, len, NULL) != JSON_OK) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string.\"]}", key);
        return -1;
    }
    if (buf[0]) *out = buf;
    return 0;
}

static int opt_int(api_req_t *req, int obj, const char *key, char *buf, size_t len, const char **out)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    int64_t v;
    *out = NULL;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_get_int64(&req->doc, t, &v) != JSON_OK || v < 0) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid integer.\"]}", key);
        return -1;
    }
    snprintf(buf, len, "%lld", (long long)v);
    *out = buf;
    return 0;
}

static int api_query(api_req_t *req)
{
    int obj;
    char title[256], location[64], from[24], to[24], limit[24], offset[24];
    const char *p[6];
    if (api_body_object(req, &obj) != 0 || opt_str(req, obj, "title_substring", title, sizeof title, &p[0]) ||
        opt_str(req, obj, "location", location, sizeof location, &p[1]) || opt_int(req, obj, "from_timestamp", from, sizeof from, &p[2]) ||
        opt_int(req, obj, "to_timestamp", to, sizeof to, &p[3]) || opt_int(req, obj, "limit", limit, sizeof limit, &p[4]) ||
        opt_int(req, obj, "offset", offset, sizeof offset, &p[5]))
        return API_DONE;
    if (!p[4]) p[4] = "-1";
    if (!p[5]) p[5] = "0";
    read_reply_t rr = {.sql = sql_query, .params = {p[0], p[1], p[2], p[3], p[4], p[5]}, .nparams = 6, .write = write_notes};
    return read_reply_start(req, &rr);
}

/* ------------------------------------------------------------------ changes */
typedef struct {
    api_req_t *req;
    unsigned method;
    char *title, *content;
    char location[64], pinned[2], now[24], id[24];
    db_batch_t batch;
} change_t;

static void change_free(change_t *c)
{
    alloc_free(c->title);
    alloc_free(c->content);
    alloc_free(c);
}

static void write_id(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    write_raw(w, q->nrows ? db_query_cell(q, 0, 0) : NULL);
}

static void change_done(db_job_t *j)
{
    change_t *c = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(c->req, 409, "Could not change the user notes: %s", j->errmsg);
    } else if (c->method != API_PUT && c->batch.stmts[0].changes == 0) {
        api_reply_error(c->req, 409, c->method == API_PATCH ? "User note with identifier %s does not exist"
                                                            : "User note with identifier %s not found in database", c->id);
    } else if (c->method == API_PUT) { /* the new row's identifier */
        read_reply_t rr = {.sql = "SELECT MAX(identifier) FROM user_notes WHERE title = ? AND content = ? AND location = ?",
                           .params = {c->title, c->content, c->location}, .nparams = 3, .write = write_id};
        read_reply_start(c->req, &rr);
    } else {
        api_reply_true(c->req);
    }
    change_free(c);
}

static int need_str(api_req_t *req, int obj, const char *key, int nonempty, char **out)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    if (t < 0 || json_get_strdup(&req->doc, t, ALLOC_HTTP, out, NULL) != JSON_OK || (nonempty && !**out)) {
        api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", key, t < 0 ? "Missing data for required field." : "Must be a non-empty string.");
        return -1;
    }
    return 0;
}

static int api_change(api_req_t *req)
{
    static const char *const put_keys[] = {"title", "content", "location", "is_pinned", NULL};
    static const char *const patch_keys[] = {"identifier", "title", "content", "location", "is_pinned", "last_update_timestamp", NULL};
    static const char *const delete_keys[] = {"identifier", NULL};
    int obj;
    if (auth_require_user(req) != 0 || api_body_object(req, &obj) != 0 ||
        api_body_only(req, obj, req->method == API_PUT ? put_keys : req->method == API_PATCH ? patch_keys : delete_keys) != 0)
        return API_DONE;
    change_t *c = read_reply_state_new(req, sizeof *c);
    if (!c) return API_DONE;
    c->req = req;
    c->method = req->method;
    if (req->method != API_PUT) {
        const char *id;
        if (opt_int(req, obj, "identifier", c->id, sizeof c->id, &id) != 0) goto bad;
        if (!id) {
            api_reply_error(req, 400, "{\"identifier\": [\"Missing data for required field.\"]}");
            goto bad;
        }
    }
    if (req->method != API_DELETE) {
        char *location = NULL;
        int pin = 0, t = obj >= 0 ? json_obj_get(&req->doc, obj, "is_pinned") : -1;
        if (need_str(req, obj, "title", 1, &c->title) || need_str(req, obj, "content", 1, &c->content) ||
            need_str(req, obj, "location", 0, &location))
            goto bad;
        snprintf(c->location, sizeof c->location, "%s", location);
        alloc_free(location);
        if (t < 0 || json_get_bool(&req->doc, t, &pin) != JSON_OK) {
            api_reply_error(req, 400, "{\"is_pinned\": [\"%s\"]}", t < 0 ? "Missing data for required field." : "Not a valid boolean.");
            goto bad;
        }
        snprintf(c->pinned, sizeof c->pinned, "%d", pin);
        snprintf(c->now, sizeof c->now, "%lld", (long long)(pal_wall_ms() / 1000));
    }
    db_batch_init(&c->batch, change_done, c);
    db_stmt_t *s;
    if (req->method == API_PUT) {
        s = db_batch_add(&c->batch, "INSERT INTO user_notes(title, content, location, last_update_timestamp, is_pinned) VALUES(?, ?, ?, ?, ?)");
        db_stmt_param(s, c->title);
        db_stmt_param(s, c->content);
        db_stmt_param(s, c->location);
        db_stmt_param(s, c->now);
        db_stmt_param(s, c->pinned);
    } else if (req->method == API_PATCH) { /* rotki: the location stays, the time is the node's */
        s = db_batch_add(&c->batch, "UPDATE user_notes SET title = ?, content = ?, last_update_timestamp = ?, is_pinned = ? WHERE identifier = ?");
        db_stmt_param(s, c->title);
        db_stmt_param(s, c->content);
        db_stmt_param(s, c->now);
        db_stmt_param(s, c->pinned);
        db_stmt_param(s, c->id);
    } else {
        s = db_batch_add(&c->batch, "DELETE FROM user_notes WHERE identifier = ?");
        db_stmt_param(s, c->id);
    }
    auth_submit(req, &c->batch.job);
    return API_PENDING;
bad:
    change_free(c);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/notes", api_query, NULL, 0},
    {API_PUT | API_PATCH | API_DELETE, "/api/1/notes", api_change, NULL, 0},
};

int notes_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
