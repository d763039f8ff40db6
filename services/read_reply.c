/* read_reply — see read_reply.h. */
#include "read_reply.h"

#include <string.h>

#include "../core/alloc.h"
#include "auth.h"

typedef struct {
    api_req_t *req;
    read_reply_t rr;
    char *param[READ_REPLY_PARAMS];
    db_query_t q;
} op_t;

static void op_free(op_t *op)
{
    db_query_clear(&op->q);
    for (int i = 0; i < READ_REPLY_PARAMS; i++) alloc_free(op->param[i]);
    alloc_free(op);
}

static void read_done(db_job_t *j)
{
    op_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(op->req, op->rr.fail_status ? op->rr.fail_status : 409, "%s%s",
                        op->rr.fail_prefix ? op->rr.fail_prefix : "Could not read the user database: ", j->errmsg);
    } else {
        op->rr.write(api_reply_begin(op->req), &op->q, &op->rr);
        api_reply_end(op->req, 200, "");
    }
    op_free(op);
}

void *read_reply_state_new(api_req_t *req, size_t size)
{
    void *p = alloc_zget(ALLOC_HTTP, size);
    if (!p) api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    return p;
}

int read_reply_start(api_req_t *req, const read_reply_t *rr)
{
    if (auth_require_user(req) != 0) return API_DONE;
    op_t *op = read_reply_state_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    op->rr = *rr;
    db_query_init(&op->q, rr->sql, read_done, op);
    for (int i = 0; i < rr->nparams && i < READ_REPLY_PARAMS; i++) {
        size_t n = rr->params[i] ? strlen(rr->params[i]) + 1 : 0;
        if (n && !(op->param[i] = alloc_get(ALLOC_HTTP, n))) {
            op_free(op);
            api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
            return API_DONE;
        }
        if (n) memcpy(op->param[i], rr->params[i], n);
        db_query_param(&op->q, op->param[i]);
    }
    auth_submit(req, &op->q.job);
    return API_PENDING;
}

void read_reply_empty_collection(json_writer_t *w, unsigned fields)
{
    json_begin_object(w);
    json_write_key(w, "entries");
    json_begin_array(w);
    json_end_array(w);
    json_write_key(w, "entries_found");
    json_write_int64(w, 0);
    if (fields & READ_REPLY_TOTAL) {
        json_write_key(w, "entries_total");
        json_write_int64(w, 0);
    }
    if (fields & READ_REPLY_LIMIT) {
        json_write_key(w, "entries_limit");
        json_write_int64(w, -1);
    }
    json_end_object(w);
}

void read_reply_empty_list(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_array(w);
    json_end_array(w);
    api_reply_end(req, 200, "");
}
