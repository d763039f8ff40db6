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

/* GET /history/events/counterparties: rotki lists every exchange it supports plus its decoders'
 * counterparties; pipit's are the exchanges it talks to and the one counterparty its decoder
 * gives (gas, as rotki labels it), so the app can show the gas fee rows with rotki's icon. */
static int api_counterparties(api_req_t *req)
{
    static const struct {
        const char *identifier, *label, *key, *value;
    } known[] = {
        {"kraken", "Kraken", "image", "kraken.svg"},
        {"binance", "Binance", "image", "binance.svg"},
        {"gas", "gas", "icon", "lu-flame"},
    };
    json_writer_t *w = api_reply_begin(req);
    json_begin_array(w);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        json_begin_object(w);
        json_write_key(w, "identifier");
        json_write_str(w, known[i].identifier);
        json_write_key(w, "label");
        json_write_str(w, known[i].label);
        json_write_key(w, known[i].key);
        json_write_str(w, known[i].value);
        json_end_object(w);
    }
    json_end_array(w);
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

/* GET /history/events/match/asset_movements: rotki's unmatched asset movements (entry type 6, not
 * their fee rows) that no link (type 1, ASSET_MOVEMENT_MATCH) joins to a chain event and that are
 * not marked as having none; only_ignored: the marked ones. Their group ids, newest first. */
static const char sql_unmatched[] =
    "SELECT h.group_identifier FROM history_events h WHERE h.entry_type = 6 AND h.subtype != 'fee' AND NOT EXISTS "
    "(SELECT 1 FROM history_event_links l WHERE l.link_type = 1 AND (l.left_event_id = h.identifier OR "
    "l.right_event_id = h.identifier)) AND NOT EXISTS (SELECT 1 FROM history_event_link_ignores i WHERE "
    "i.event_id = h.identifier AND i.link_type = 1) GROUP BY h.group_identifier ORDER BY MAX(h.timestamp) DESC, "
    "MIN(h.sequence_index)";
static const char sql_ignored[] =
    "SELECT h.group_identifier FROM history_events h JOIN history_event_link_ignores i ON h.identifier = i.event_id "
    "WHERE i.link_type = 1 GROUP BY h.group_identifier ORDER BY MIN(h.timestamp), MIN(h.sequence_index)";

static void write_groups(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) json_write_str(w, db_query_cell(q, r, 0));
    json_end_array(w);
}

static int api_unmatched_movements(api_req_t *req)
{
    int only_ignored;
    if (api_arg_bool(req, "only_ignored", 0, &only_ignored) != 0) return API_DONE;
    read_reply_t rr = {.sql = only_ignored ? sql_ignored : sql_unmatched, .write = write_groups};
    return read_reply_start(req, &rr);
}

/* GET /history/events/match/bridges: the bridge legs of chain events, of which pipit stores none */
static int api_unmatched_bridges(api_req_t *req)
{
    int only_ignored;
    if (auth_require_user(req) != 0 || api_arg_bool(req, "only_ignored", 0, &only_ignored) != 0) return API_DONE;
    read_reply_empty_list(req);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/history/events/match/asset_movements", api_unmatched_movements, NULL, 0},
    {API_GET, "/api/1/history/events/match/bridges", api_unmatched_bridges, NULL, 0},
    {API_GET, "/api/1/history/events/counterparties", api_counterparties, NULL, 0},
    {API_GET, "/api/1/blockchains/transactions/internal/conflicts", api_internal_conflicts, NULL, API_ASYNC},
    {API_GET, "/api/1/history/events/duplicates/customized", api_customized_duplicates, NULL, API_ASYNC},
};

int history_transactions_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
