/* read_reply — the shape of many small endpoints: one SELECT on the logged-in user's DB (a read
 * job, tied to the request's cancellation), then the reply's result written from its rows.
 * Needs a logged-in user (401 without one); a failed read is a 409 naming the error (or, with
 * fail_status/fail_prefix set, that status and prefix, for services whose errors rotki words
 * differently). */
#ifndef PIPIT_READ_REPLY_H
#define PIPIT_READ_REPLY_H

#include "../db/query.h"
#include "api.h"

#define READ_REPLY_PARAMS 8

typedef struct read_reply read_reply_t;
/* Writes the result value from q's rows (ctx as given). */
typedef void (*read_reply_write_fn)(json_writer_t *w, const db_query_t *q, const read_reply_t *rr);

struct read_reply {
    const char *sql;              /* static */
    const char *params[READ_REPLY_PARAMS]; /* copied (any length); NULL = SQL NULL */
    int nparams;
    read_reply_write_fn write;
    void *ctx;                    /* for write; must outlive the read */
    int fail_status;              /* 0: 409 */
    const char *fail_prefix;      /* NULL: "Could not read the user database: " */
};

/* rotki's collection answer without entries: {"entries": [], "entries_found": 0} and, as
 * fields asks, "entries_total": 0 and "entries_limit": -1 (pipit limits nothing). */
enum { READ_REPLY_TOTAL = 1, READ_REPLY_LIMIT = 2 };
void read_reply_empty_collection(json_writer_t *w, unsigned fields);

/* Answers an empty list, [] (200): rotki's answer where pipit has none of the data. */
void read_reply_empty_list(api_req_t *req);

/* A zeroed allocation for a request's state; NULL with the 503 sent when the node has no memory. */
void *read_reply_state_new(api_req_t *req, size_t size);

/* Starts the read; returns API_PENDING, or API_DONE when it answered at once (401, 503). */
int read_reply_start(api_req_t *req, const read_reply_t *rr);

#endif
