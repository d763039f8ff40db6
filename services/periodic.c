/* periodic — see periodic.h. */
#include "periodic.h"

#include <string.h>

#include "api.h"
#include "chain/balances.h"
#include "read_reply.h"

static void write_periodic(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    const char *last = q->nrows ? db_query_cell(q, 0, 0) : NULL;
    json_begin_object(w);
    json_write_key(w, "last_balance_save");
    json_write_raw(w, last ? last : "0", strlen(last ? last : "0"));
    json_write_key(w, "connected_nodes");
    json_begin_object(w);
    const char *node = chain_balances_last_node("eth");
    if (node) {
        json_write_key(w, "eth");
        json_begin_array(w);
        json_write_str(w, node);
        json_end_array(w);
    }
    json_end_object(w);
    json_write_key(w, "last_data_upload_ts");
    json_write_int64(w, 0);
    json_end_object(w);
}

static int api_periodic(api_req_t *req)
{
    static const read_reply_t rr = {.sql = "SELECT COALESCE(MAX(timestamp), 0) FROM timed_location_data",
                                    .write = write_periodic};
    return read_reply_start(req, &rr);
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/periodic", api_periodic, NULL, 0},
};

int periodic_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
