/* transactions — see transactions.h. */
#include "transactions.h"

#include "../api.h"
#include "../auth.h"
#include "../read_reply.h"

static void empty_list(json_writer_t *w)
{
    json_begin_array(w);
    json_end_array(w);
}

static int api_counterparties(api_req_t *req)
{
    empty_list(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int api_internal_conflicts(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    read_reply_empty_collection(api_reply_begin(req), READ_REPLY_TOTAL | READ_REPLY_LIMIT);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int api_customized_duplicates(api_req_t *req)
{
    static const char *const lists[] = {"auto_fix_group_ids", "manual_review_group_ids", "ignored_group_ids"};
    if (auth_require_user(req) != 0) return API_DONE;
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    for (int i = 0; i < 3; i++) {
        json_write_key(w, lists[i]);
        empty_list(w);
    }
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/history/events/counterparties", api_counterparties, NULL, 0},
    {API_GET, "/api/1/blockchains/transactions/internal/conflicts", api_internal_conflicts, NULL, API_ASYNC},
    {API_GET, "/api/1/history/events/duplicates/customized", api_customized_duplicates, NULL, API_ASYNC},
};

int history_transactions_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
