/* snapshots — see snapshots.h. Each request is one job (db/snapshots.h): the import and the
 * delete write jobs (one transaction each), the read a read job writing into the reply. */
#include "snapshots.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../db/snapshots.h"
#include "../platform/pal.h"
#include "api.h"
#include "auth.h"

typedef struct {
    api_req_t *req;
    uint64_t started_us;
    union {
        snapshot_import_job_t imp;
        snapshot_read_job_t rd;
        snapshot_delete_job_t del;
    } u;
} snap_op_t;

static const char paths_only[] =
    "pipit imports snapshots from files on the node's disk only: PUT /api/1/snapshots with a JSON body "
    "{\"balances_snapshot_file\": \"/path/balances_snapshot_import.csv\", "
    "\"location_data_snapshot_file\": \"/path/location_data_snapshot_import.csv\"}; multipart uploads are not "
    "supported";

static snap_op_t *op_new(api_req_t *req)
{
    snap_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return NULL;
    }
    op->req = req;
    op->started_us = pal_mono_us();
    return op;
}
/* ------------------------------------------------------------------ PUT: import */
/* rotki's FileField: a string naming an existing file that ends in .csv */
static int file_field(api_req_t *req, int obj, const char *key, char *buf, size_t len)
{
    int t = json_obj_get(&req->doc, obj, key);
    if (t < 0) {
        api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", key);
        return -1;
    }
    int rc = json_get_str(&req->doc, t, buf, len, NULL);
    if (rc == JSON_ERANGE) {
        api_reply_error(req, 400, "{\"%s\": [\"The path is longer than %zu bytes\"]}", key, len - 1);
        return -1;
    }
    if (rc != JSON_OK || !buf[0]) {
        api_reply_error(req, 400, "{\"%s\": [\"Provided non string or file type for file\"]}", key);
        return -1;
    }
    uint64_t size;
    if (pal_file_size(buf, &size) == PAL_ENOENT) {
        api_reply_error(req, 400, "{\"%s\": [\"Given path %s does not exist\"]}", key, buf);
        return -1;
    }
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    size_t bl = strlen(base);
    if (bl <= 4 || strcmp(base + bl - 4, ".csv") != 0) { /* Path.suffix: ".csv" alone is no suffix */
        api_reply_error(req, 400, "{\"%s\": [\"Given file %s does not end in any of .csv\"]}", key, buf);
        return -1;
    }
    return 0;
}

static void import_done(db_job_t *job)
{
    snap_op_t *op = job->ud;
    snapshot_import_job_t *j = &op->u.imp;
    snapshot_import_job_clear(j);
    if (job->rc == DB_JOB_DONE) {
        log_info("snapshots: imported %llu balances and %llu locations at timestamp %lld in %llu ms",
                 (unsigned long long)j->rows[SNAPSHOT_BALANCES], (unsigned long long)j->rows[SNAPSHOT_LOCATIONS],
                 (long long)j->timestamp, (unsigned long long)((pal_mono_us() - op->started_us) / 1000));
        api_reply_true(op->req);
    } else {
        api_reply_error(op->req, j->failure == SNAPSHOT_FAIL_NOMEM ? 503 : 409, "%s", snapshot_import_error(j));
    }
    alloc_free(op);
}

static int api_snapshots_put(api_req_t *req)
{
    static const char *const allowed[] = {"balances_snapshot_file", "location_data_snapshot_file", "async_query", NULL};
    if (auth_require_user(req) != 0) return API_DONE;
    if (req->doc.ntok == 0 || json_type(&req->doc, 0) != JSON_OBJECT) {
        api_reply_error(req, 400, "%s", paths_only);
        return API_DONE;
    }
    char paths[2][SNAPSHOT_PATH_MAX];
    if (api_body_only(req, 0, allowed) != 0 ||
        file_field(req, 0, "balances_snapshot_file", paths[SNAPSHOT_BALANCES], sizeof paths[0]) != 0 ||
        file_field(req, 0, "location_data_snapshot_file", paths[SNAPSHOT_LOCATIONS], sizeof paths[1]) != 0)
        return API_DONE;
    snap_op_t *op = op_new(req);
    if (!op) return API_DONE;
    snapshot_import_job(&op->u.imp, paths[SNAPSHOT_BALANCES], paths[SNAPSHOT_LOCATIONS], import_done, op);
    auth_submit(req, &op->u.imp.job);
    return API_PENDING;
}

/* rotki's POST takes the two files as a multipart upload */
static int api_snapshots_post(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    api_reply_error(req, 400, "%s", paths_only);
    return API_DONE;
}

/* ------------------------------------------------------------------ GET /snapshots/<ts> */
static void read_done(db_job_t *job)
{
    snap_op_t *op = job->ud;
    snapshot_read_job_t *j = &op->u.rd;
    snapshot_read_job_clear(j);
    if (job->rc != DB_JOB_DONE) /* api_reply_error starts the reply over */
        api_reply_error(op->req, j->nomem ? 503 : 409, "Could not read the snapshot: %s", job->errmsg);
    else if (!j->balances || !j->locations)
        api_reply_error(op->req, 404, "No snapshot data found for the given timestamp.");
    else
        api_reply_end(op->req, 200, "");
    alloc_free(op);
}

static int api_snapshot_get(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    const char *s = api_path_param(req, "timestamp");
    int64_t ts;
    if (!s || snapshot_parse_timestamp(s, strlen(s), &ts) != 0) {
        api_reply_error(req, 400, "{\"timestamp\": [\"Failed to deserialize a timestamp entry from string %s\"]}",
                        s ? s : "");
        return API_DONE;
    }
    if (req->query && (strncmp(req->query, "action=", 7) == 0 || strstr(req->query, "&action="))) {
        api_reply_error(req, 400, "pipit does not export or download snapshots as files yet; GET without 'action' "
                                  "returns the snapshot as JSON");
        return API_DONE;
    }
    snap_op_t *op = op_new(req);
    if (!op) return API_DONE;
    /* the job writes the result straight into the reply: {"result": … */
    snapshot_read_job(&op->u.rd, ts, api_reply_begin(req), read_done, op);
    auth_submit(req, &op->u.rd.job);
    return API_PENDING;
}

/* ------------------------------------------------------------------ DELETE */
static void delete_done(db_job_t *job)
{
    snap_op_t *op = job->ud;
    snapshot_delete_job_t *j = &op->u.del;
    snapshot_delete_job_clear(j);
    if (job->rc != DB_JOB_DONE)
        api_reply_error(op->req, db_job_status(job), "Could not delete the snapshot: %s", job->errmsg);
    else if (!j->deleted[SNAPSHOT_BALANCES] && !j->deleted[SNAPSHOT_LOCATIONS])
        api_reply_error(op->req, 409, "No snapshot found for the specified timestamp");
    else
        api_reply_true(op->req);
    alloc_free(op);
}

static int api_snapshots_delete(api_req_t *req)
{
    static const char *const allowed[] = {"timestamp", "async_query", NULL};
    if (auth_require_user(req) != 0) return API_DONE;
    int obj, t = -1;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    if (obj >= 0 && api_body_only(req, obj, allowed) != 0) return API_DONE;
    if (obj >= 0) t = json_obj_get(&req->doc, obj, "timestamp");
    if (t < 0) {
        api_reply_error(req, 400, "{\"timestamp\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    char text[64];
    const char *raw;
    size_t rawlen = 0;
    int64_t ts;
    int type = json_type(&req->doc, t), ok = 0;
    if (type == JSON_STRING) ok = json_get_str(&req->doc, t, text, sizeof text, &rawlen) == JSON_OK;
    else if (type == JSON_NUMBER && json_get_raw(&req->doc, t, &raw, &rawlen) == JSON_OK && rawlen < sizeof text)
        ok = (memcpy(text, raw, rawlen), text[rawlen] = 0, 1);
    if (!ok || snapshot_parse_timestamp(text, strlen(text), &ts) != 0) {
        api_reply_error(req, 400, "{\"timestamp\": [\"Failed to deserialize a timestamp entry\"]}");
        return API_DONE;
    }
    snap_op_t *op = op_new(req);
    if (!op) return API_DONE;
    snapshot_delete_job(&op->u.del, ts, delete_done, op);
    auth_submit(req, &op->u.del.job);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_PUT, "/api/1/snapshots", api_snapshots_put, NULL, API_ASYNC},
    {API_POST, "/api/1/snapshots", api_snapshots_post, NULL, 0},
    {API_DELETE, "/api/1/snapshots", api_snapshots_delete, NULL, 0},
    {API_GET, "/api/1/snapshots/<timestamp>", api_snapshot_get, NULL, 0},
};

int snapshots_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
