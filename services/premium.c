/* premium — see premium.h. */
#include "premium.h"

#include <string.h>

#include "api.h"
#include "auth.h"

/* rotki's free-tier limits (accounting/constants.py, constants/limits.py) */
#define FREE_PNL_EVENTS_LIMIT 1000
#define FREE_HISTORY_EVENTS_LIMIT 1000
#define FREE_REPORTS_LOOKUP_LIMIT 20

static void write_feature(json_writer_t *w, const char *name)
{
    json_write_key(w, name);
    json_begin_object(w);
    json_write_key(w, "enabled");
    json_write_bool(w, 0);
    json_write_key(w, "minimum_tier");
    json_write_null(w);
    json_end_object(w);
}

static int api_capabilities(api_req_t *req)
{
    static const char *const features[] = {"eth_staking_view", "graphs_view", "event_analysis_view",
                                           "asset_movement_matching", "gnosispay", "monerium", "mcp"};
    if (auth_require_user(req) != 0) return API_DONE;
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "current_tier");
    json_write_str(w, "Free");
    json_write_key(w, "limit_of_devices");
    json_write_int64(w, 0);
    json_write_key(w, "pnl_events_limit");
    json_write_int64(w, FREE_PNL_EVENTS_LIMIT);
    json_write_key(w, "max_backup_size_mb");
    json_write_int64(w, 0);
    json_write_key(w, "history_events_limit");
    json_write_int64(w, FREE_HISTORY_EVENTS_LIMIT);
    json_write_key(w, "reports_lookup_limit");
    json_write_int64(w, FREE_REPORTS_LOOKUP_LIMIT);
    json_write_key(w, "eth_staked_limit");
    json_write_int64(w, 0);
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) write_feature(w, features[i]);
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* @require_premium_user */
static int api_premium_only(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    api_reply_error(req, 403, "Currently logged in user %s does not have a premium subscription", auth_user());
    return API_DONE;
}

/* @require_premium_capability: the feature's name as rotki's pretty_name, from the path */
static int api_capability_only(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    api_reply_error(req, 403, "%s is not available for your current subscription tier",
                    strstr(req->route->pattern, "gnosispay") ? "Gnosis Pay" : "Monerium");
    return API_DONE;
}

/* rotki's sync_data without premium: an upload is refused (200, false), a download is a 502 */
static int api_sync(api_req_t *req)
{
    static const char *const allowed[] = {"action", "async_query", NULL};
    int obj;
    if (auth_require_user(req) != 0 || api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0)
        return API_DONE;
    int act = obj >= 0 ? json_obj_get(&req->doc, obj, "action") : -1;
    if (act < 0) {
        api_reply_error(req, 400, "{\"action\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    if (!json_str_eq(&req->doc, act, "upload") && !json_str_eq(&req->doc, act, "download")) {
        api_reply_error(req, 400, "{\"action\": [\"Must be one of: upload, download.\"]}");
        return API_DONE;
    }
    if (json_str_eq(&req->doc, act, "download")) {
        api_reply_error(req, 502, "Pulling failed. User does not have active premium.");
        return API_DONE;
    }
    json_write_bool(api_reply_begin(req), 0);
    api_reply_end(req, 200, "Upload failed.");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/premium/capabilities", api_capabilities, NULL, 0},
    {API_PUT, "/api/1/premium/sync", api_sync, NULL, API_ASYNC},
    {API_DELETE, "/api/1/premium", api_premium_only, NULL, 0},
    {API_GET | API_PATCH | API_DELETE, "/api/1/premium/devices", api_premium_only, NULL, 0},
    {API_PUT, "/api/1/blockchains/eth2/stake/performance", api_premium_only, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/liquity/staking", api_premium_only, NULL, API_ASYNC},
    {API_GET, "/api/1/blockchains/eth/modules/liquity/pool", api_premium_only, NULL, API_ASYNC},
    {API_GET | API_PUT | API_PATCH | API_DELETE, "/api/1/watchers", api_premium_only, NULL, 0},
    {API_POST, "/api/1/balances/historical", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/current", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/asset", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/asset/series", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/netvalue", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/onchain", api_premium_only, NULL, API_ASYNC},
    {API_POST, "/api/1/balances/historical/onchain/divergence", api_premium_only, NULL, API_ASYNC},
    {API_PUT | API_POST | API_DELETE, "/api/1/history/events/match/asset_movements", api_premium_only, NULL, API_ASYNC},
    {API_PUT | API_POST | API_DELETE, "/api/1/history/events/match/bridges", api_premium_only, NULL, API_ASYNC},
    {API_GET, "/api/1/services/gnosispay/nonce", api_capability_only, NULL, API_ASYNC},
    {API_POST, "/api/1/services/gnosispay/token", api_capability_only, NULL, API_ASYNC},
    {API_GET, "/api/1/services/gnosispay/admins", api_capability_only, NULL, API_ASYNC},
    {API_GET, "/api/1/services/gnosispay/migration", api_capability_only, NULL, API_ASYNC},
    {API_GET | API_PUT | API_DELETE, "/api/1/services/monerium", api_capability_only, NULL, 0},
};

int premium_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
