/* tags — see tags.h. A change is one write job; the reply is a read job after it. */
#include "tags.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/query.h"
#include "api.h"
#include "auth.h"

typedef struct {
    api_req_t *req;
    int kind; /* API_PUT, API_PATCH, API_DELETE, or API_GET */
    char name[128], new_name[128], description[512], bg[8], fg[8];
    int has_new_name, has_desc, desc_null, has_bg, has_fg;
    char update_sql[256];
    db_batch_t batch;
    db_query_t query;
} tag_op_t;

static void op_free(tag_op_t *op)
{
    db_query_clear(&op->query);
    alloc_free(op);
}

static void read_done(db_job_t *j)
{
    tag_op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, db_job_status(j), "Could not read the tags: %s", j->errmsg);
        op_free(op);
        return;
    }
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    for (size_t r = 0; r < op->query.nrows; r++) {
        json_write_key(w, db_query_cell(&op->query, r, 0));
        json_begin_object(w);
        static const char *const cols[] = {"name", "description", "background_color", "foreground_color"};
        for (int c = 0; c < 4; c++) {
            json_write_key(w, cols[c]);
            json_write_str(w, db_query_cell(&op->query, r, c)); /* NULL writes null */
        }
        json_end_object(w);
    }
    json_end_object(w);
    api_reply_end(op->req, 200, "");
    op_free(op);
}

static void read_all(tag_op_t *op)
{
    db_query_init(&op->query, "SELECT name, description, background_color, foreground_color FROM tags ORDER BY name",
                  read_done, op);
    auth_submit(op->req, &op->query.job);
}

static void write_done(db_job_t *j)
{
    tag_op_t *op = j->ud;
    if (!auth_db()) {
        api_reply_error(op->req, 409, "The user logged out");
        op_free(op);
        return;
    }
    if (j->rc != DB_JOB_DONE) {
        if (op->batch.constraint && op->kind == API_PUT)
            api_reply_error(op->req, 409, "Tag with name %s already exists.", op->name);
        else if (op->batch.constraint)
            api_reply_error(op->req, 409, "Tag with name %s already exists.", op->new_name);
        else
            api_reply_error(op->req, db_job_status(j), "Could not change the tags: %s", j->errmsg);
        op_free(op);
        return;
    }
    /* edits and deletes of a missing tag change no row */
    const db_stmt_t *main = &op->batch.stmts[op->batch.n - 1];
    if (op->kind != API_PUT && main->changes == 0) {
        api_reply_error(op->req, 409, "Tried to %s tag with name %s which does not exist.",
                        op->kind == API_PATCH ? "edit" : "delete", op->name);
        op_free(op);
        return;
    }
    read_all(op);
}

/* ------------------------------------------------------------------ arguments */
static int color_ok(const char *s)
{
    if (strlen(s) != 6) return 0;
    for (int i = 0; i < 6; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'))) return 0;
    return 1;
}

/* Reads an optional string field into buf; -1 (400 sent) when it is present but bad. */
static int field(api_req_t *req, int obj, const char *key, char *buf, size_t len, int *present, int null_ok, int *is_null)
{
    int t = json_obj_get(&req->doc, obj, key);
    *present = t >= 0;
    if (is_null) *is_null = 0;
    if (t < 0) return 0;
    if (null_ok && json_is_null(&req->doc, t)) {
        *is_null = 1;
        return 0;
    }
    if (json_get_str(&req->doc, t, buf, len, NULL) != JSON_OK) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string.\"]}", key);
        return -1;
    }
    return 0;
}

static tag_op_t *parse(api_req_t *req, int kind)
{
    static const char *const allowed[] = {"name", "new_name", "description", "background_color", "foreground_color", NULL};
    if (auth_require_user(req) != 0) return NULL;
    tag_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return NULL;
    }
    op->req = req;
    op->kind = kind;
    if (kind == API_GET) return op;
    int obj, has_name;
    if (api_body_object(req, &obj) != 0) goto bad;
    if (obj < 0) {
        api_reply_error(req, 400, "{\"name\": [\"Missing data for required field.\"]}");
        goto bad;
    }
    if (api_body_only(req, obj, allowed) != 0 ||
        field(req, obj, "name", op->name, sizeof op->name, &has_name, 0, NULL) != 0 ||
        field(req, obj, "new_name", op->new_name, sizeof op->new_name, &op->has_new_name, 0, NULL) != 0 ||
        field(req, obj, "description", op->description, sizeof op->description, &op->has_desc, 1, &op->desc_null) != 0 ||
        field(req, obj, "background_color", op->bg, sizeof op->bg, &op->has_bg, 0, NULL) != 0 ||
        field(req, obj, "foreground_color", op->fg, sizeof op->fg, &op->has_fg, 0, NULL) != 0)
        goto bad;
    if (!has_name || !op->name[0]) {
        api_reply_error(req, 400, "{\"name\": [\"%s\"]}", has_name ? "Must be a non-empty string." : "Missing data for required field.");
        goto bad;
    }
    if (kind == API_PUT && (!op->has_bg || !op->has_fg)) {
        api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", op->has_bg ? "foreground_color" : "background_color");
        goto bad;
    }
    if ((op->has_bg && !color_ok(op->bg)) || (op->has_fg && !color_ok(op->fg))) {
        api_reply_error(req, 400, "{\"%s\": [\"Must be a 6-digit hexadecimal color such as fafafa.\"]}",
                        op->has_bg && !color_ok(op->bg) ? "background_color" : "foreground_color");
        goto bad;
    }
    if (op->has_new_name && !op->new_name[0]) {
        api_reply_error(req, 400, "{\"new_name\": [\"Must be a non-empty string.\"]}");
        goto bad;
    }
    if (kind != API_PATCH && op->has_new_name) {
        api_reply_error(req, 400, "{\"new_name\": [\"Unknown field.\"]}");
        goto bad;
    }
    if (kind == API_DELETE && (op->has_desc || op->has_bg || op->has_fg)) {
        api_reply_error(req, 400, "Deleting a tag takes only its name");
        goto bad;
    }
    if (kind == API_PATCH && !op->has_new_name && !op->has_desc && !op->has_bg && !op->has_fg) {
        api_reply_error(req, 400, "No field was given to edit for tag \"%s\"", op->name);
        goto bad;
    }
    return op;
bad:
    op_free(op);
    return NULL;
}

/* ------------------------------------------------------------------ endpoints */
static int api_tags_get(api_req_t *req)
{
    tag_op_t *op = parse(req, API_GET);
    if (!op) return API_DONE;
    read_all(op);
    return API_PENDING;
}

static int api_tags_put(api_req_t *req)
{
    tag_op_t *op = parse(req, API_PUT);
    if (!op) return API_DONE;
    db_batch_init(&op->batch, write_done, op);
    db_stmt_t *s = db_batch_add(&op->batch, "INSERT INTO tags(name, description, background_color, foreground_color) VALUES(?, ?, ?, ?)");
    db_stmt_param(s, op->name);
    db_stmt_param(s, op->has_desc && !op->desc_null ? op->description : NULL);
    db_stmt_param(s, op->bg);
    db_stmt_param(s, op->fg);
    auth_submit(op->req, &op->batch.job);
    return API_PENDING;
}

static int api_tags_patch(api_req_t *req)
{
    tag_op_t *op = parse(req, API_PATCH);
    if (!op) return API_DONE;
    db_batch_init(&op->batch, write_done, op);
    /* the mappings follow a rename; checked at commit, when both sides agree again */
    db_batch_add(&op->batch, "PRAGMA defer_foreign_keys = ON");
    if (op->has_new_name) {
        db_stmt_t *m = db_batch_add(&op->batch, "UPDATE tag_mappings SET tag_name = ? WHERE tag_name = ?");
        db_stmt_param(m, op->new_name);
        db_stmt_param(m, op->name);
    }
    char *p = op->update_sql, *end = op->update_sql + sizeof op->update_sql;
    p += snprintf(p, (size_t)(end - p), "UPDATE tags SET name = name");
    db_stmt_t *s = NULL;
    const char *params[4];
    int np = 0;
    if (op->has_new_name) p += snprintf(p, (size_t)(end - p), ", name = ?"), params[np++] = op->new_name;
    if (op->has_desc) p += snprintf(p, (size_t)(end - p), ", description = ?"), params[np++] = op->desc_null ? NULL : op->description;
    if (op->has_bg) p += snprintf(p, (size_t)(end - p), ", background_color = ?"), params[np++] = op->bg;
    if (op->has_fg) p += snprintf(p, (size_t)(end - p), ", foreground_color = ?"), params[np++] = op->fg;
    snprintf(p, (size_t)(end - p), " WHERE name = ?");
    s = db_batch_add(&op->batch, op->update_sql);
    for (int i = 0; i < np; i++) db_stmt_param(s, params[i]);
    db_stmt_param(s, op->name);
    auth_submit(op->req, &op->batch.job);
    return API_PENDING;
}

static int api_tags_delete(api_req_t *req)
{
    tag_op_t *op = parse(req, API_DELETE);
    if (!op) return API_DONE;
    db_batch_init(&op->batch, write_done, op);
    db_stmt_param(db_batch_add(&op->batch, "DELETE FROM tag_mappings WHERE tag_name = ?"), op->name);
    db_stmt_param(db_batch_add(&op->batch, "DELETE FROM tags WHERE name = ?"), op->name);
    auth_submit(op->req, &op->batch.job);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/tags", api_tags_get, NULL, 0},
    {API_PUT, "/api/1/tags", api_tags_put, NULL, 0},
    {API_PATCH, "/api/1/tags", api_tags_patch, NULL, 0},
    {API_DELETE, "/api/1/tags", api_tags_delete, NULL, 0},
};

int tags_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
