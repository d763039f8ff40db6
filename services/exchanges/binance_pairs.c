/* binance_pairs — GET /api/1/exchanges/binance/pairs/<name>?location=binance: the markets the
 * user selected for a Binance account (rotki's get_binance_pairs: the JSON list kept in
 * user_credentials_mappings as binance_selected_trade_pairs), [] when none. pipit serves
 * binance, not binanceus. */
#include "exchanges.h"

#include <string.h>

#include "../api.h"
#include "../read_reply.h"

static void write_pairs(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    const char *v = q->nrows ? db_query_cell(q, 0, 0) : NULL;
    if (v && v[0] == '[') json_write_raw(w, v, strlen(v)); /* a malformed one makes the writer fail: 500 */
    else {
        json_begin_array(w);
        json_end_array(w);
    }
}

static int api_pairs(api_req_t *req)
{
    char location[16] = "binance";
    api_query_arg(req, "location", location, sizeof location);
    if (strcmp(location, "binance")) {
        api_reply_error(req, 400, "{\"location\": [\"pipit serves binance accounts only\"]}");
        return API_DONE;
    }
    read_reply_t rr = {.sql = "SELECT setting_value FROM user_credentials_mappings WHERE credential_name = ? AND "
                              "credential_location = 'E' AND setting_name = 'binance_selected_trade_pairs'",
                       .params = {api_path_param(req, "name")}, .nparams = 1, .write = write_pairs};
    return read_reply_start(req, &rr);
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/exchanges/binance/pairs/<name>", api_pairs, NULL, 0},
};

int exchanges_binance_pairs_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
