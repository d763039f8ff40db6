/* database_info — see database_info.h. */
#include "database_info.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/schema.h"
#include "../db/userdb.h"
#include "../platform/pal.h"
#include "api.h"
#include "auth.h"
#include "read_reply.h"

static const config_t *cfg;
static loop_t *loop;

typedef struct {
    loop_job_t job;
    api_req_t *req;
    char dir[600], db[700];
    json_writer_t w; /* the backups list, written on the worker */
    uint64_t size;
    int failed;
} info_job_t;

/* "<ts>_rotkehlchen_db_v<N>.backup" → its time and version */
static int backup_one(const char *name, int is_dir, void *ud)
{
    info_job_t *ij = ud;
    long long ts;
    int version, end = 0;
    char path[800];
    uint64_t size;
    if (is_dir || sscanf(name, "%lld_rotkehlchen_db_v%d.backup%n", &ts, &version, &end) != 2 || name[end]) return 0;
    snprintf(path, sizeof path, "%s/%s", ij->dir, name);
    if (pal_file_size(path, &size) != PAL_OK) return 0;
    json_begin_object(&ij->w);
    json_write_key(&ij->w, "size");
    json_write_uint64(&ij->w, size);
    json_write_key(&ij->w, "time");
    json_write_int64(&ij->w, ts);
    json_write_key(&ij->w, "version");
    json_write_int64(&ij->w, version);
    json_end_object(&ij->w);
    return 0;
}

static void info_run(pal_job_t *pj) /* on a worker */
{
    info_job_t *ij = (info_job_t *)pj;
    ij->failed = pal_file_size(ij->db, &ij->size) != PAL_OK;
    json_begin_array(&ij->w);
    pal_dir_list(ij->dir, backup_one, ij);
    json_end_array(&ij->w);
}

static void write_globaldb(json_writer_t *w)
{
    json_write_key(w, "globaldb");
    json_begin_object(w);
    json_write_key(w, "globaldb_assets_version");
    json_write_int64(w, 0);
    json_write_key(w, "globaldb_schema_version");
    json_write_int64(w, 0);
    json_end_object(w);
}

static void info_done(loop_job_t *j)
{
    info_job_t *ij = (info_job_t *)j;
    const char *backups;
    size_t n;
    if (ij->failed) {
        api_reply_error(ij->req, 409, "Cannot read the user database file %s: %s", ij->db, pal_last_error());
    } else if (json_writer_finish(&ij->w, &backups, &n) != JSON_OK) {
        api_reply_error(ij->req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    } else {
        json_writer_t *w = api_reply_begin(ij->req);
        json_begin_object(w);
        write_globaldb(w);
        json_write_key(w, "userdb");
        json_begin_object(w);
        json_write_key(w, "info");
        json_begin_object(w);
        json_write_key(w, "filepath");
        json_write_str(w, ij->db);
        json_write_key(w, "size");
        json_write_uint64(w, ij->size);
        json_write_key(w, "version");
        json_write_int64(w, DB_SCHEMA_VERSION);
        json_end_object(w);
        json_write_key(w, "backups");
        json_write_raw(w, backups, n);
        json_end_object(w);
        json_end_object(w);
        api_reply_end(ij->req, 200, "");
    }
    json_writer_free(&ij->w);
    alloc_free(ij);
}

static int api_info(api_req_t *req)
{
    const char *user = auth_user();
    if (!user) { /* rotki: the global DB's versions and an empty userdb */
        json_writer_t *w = api_reply_begin(req);
        json_begin_object(w);
        write_globaldb(w);
        json_write_key(w, "userdb");
        json_begin_object(w);
        json_end_object(w);
        json_end_object(w);
        api_reply_end(req, 200, "");
        return API_DONE;
    }
    info_job_t *ij = read_reply_state_new(req, sizeof *ij);
    if (!ij) return API_DONE;
    ij->req = req;
    userdb_dir(cfg->data_dir, user, ij->dir, sizeof ij->dir);
    userdb_path(cfg->data_dir, user, ij->db, sizeof ij->db);
    json_writer_init(&ij->w, 0);
    if (loop_job_submit(loop, &ij->job, info_run, info_done) != PAL_OK) { /* no threads: a short walk inline */
        info_run(&ij->job.pj);
        info_done(&ij->job);
        return API_DONE;
    }
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/database/info", api_info, NULL, 0},
};

int database_info_init(const config_t *c, loop_t *l)
{
    cfg = c;
    loop = l;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
