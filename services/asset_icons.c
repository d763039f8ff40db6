/* asset_icons — see asset_icons.h. */
#include "asset_icons.h"

#include "api.h"

static int api_icon(api_req_t *req)
{
    char id[8];
    if (!api_query_arg(req, "asset_id", id, sizeof id)) {
        api_reply_error(req, 400, "Failed to deserialize query string: missing field `asset_id`");
        return API_DONE;
    }
    api_reply_text(req, 404, "text/plain; charset=utf-8", "", 0);
    return API_DONE;
}

static int api_cache_clear(api_req_t *req)
{
    api_reply_true(req);
    return API_DONE;
}

static int api_modify(api_req_t *req)
{
    api_reply_error(req, 409, "pipit keeps no asset icons: the app shows the asset's initials instead");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET | API_HEAD, "/colibri/assets/icon", api_icon, NULL, 0},
    {API_POST, "/api/1/cache/icons/clear", api_cache_clear, NULL, 0},
    {API_POST, "/api/1/cache/avatars/clear", api_cache_clear, NULL, 0},
    {API_PUT | API_POST | API_PATCH, "/api/1/assets/icon/modify", api_modify, NULL, 0},
};

int asset_icons_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
