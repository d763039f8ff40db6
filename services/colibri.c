/* colibri — see colibri.h. */
#include "colibri.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "read_reply.h"

/* The login whose DB colibri was told to let go of, and the one it was explicitly told to open
 * (auth_session_id), "" when none: from a login on colibri holds its DB, the first unlock
 * call of that login succeeds (as a freshly started colibri's), a second one is refused. */
static char locked_session[40], unlocked_session[40];

static int unlocked(void)
{
    const char *sid = auth_session_id();
    return sid && strcmp(sid, locked_session) != 0;
}

/* colibri's Json<…> extractor: both fields required strings */
static int user_fields(api_req_t *req, char *name, size_t len)
{
    static const char *const allowed[] = {"username", "password", NULL};
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return -1;
    static const char *const keys[] = {"username", "password"};
    for (int i = 0; i < 2; i++) {
        int t = obj >= 0 ? json_obj_get(&req->doc, obj, keys[i]) : -1;
        if (t < 0 || json_type(&req->doc, t) != JSON_STRING) {
            api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", keys[i], t < 0 ? "Missing data for required field." : "Not a valid string.");
            return -1;
        }
    }
    if (json_get_str(&req->doc, json_obj_get(&req->doc, obj, "username"), name, len, NULL) != JSON_OK) {
        api_reply_error(req, 400, "{\"username\": [\"Not a valid user name.\"]}");
        return -1;
    }
    return 0;
}

static int api_user_unlock(api_req_t *req)
{
    char name[128];
    if (user_fields(req, name, sizeof name) != 0) return API_DONE;
    const char *user = auth_user(), *sid = auth_session_id();
    if (unlocked() && !strcmp(sid, unlocked_session)) {
        api_reply_error(req, 400, "The DB is already unlocked");
        return API_DONE;
    }
    if (!user || strcmp(user, name) != 0) {
        api_reply_error(req, 400, "Database error Failed to open database of user %s: colibri serves the DB of the user logged in to pipit (%s)",
                        name, user ? user : "nobody");
        return API_DONE;
    }
    locked_session[0] = 0;
    snprintf(unlocked_session, sizeof unlocked_session, "%s", sid);
    api_reply_true(req);
    return API_DONE;
}

static int api_user_logout(api_req_t *req)
{
    if (!unlocked()) {
        api_reply_error(req, 400, "DB not unlocked");
        return API_DONE;
    }
    snprintf(locked_session, sizeof locked_session, "%s", auth_session_id());
    unlocked_session[0] = 0;
    api_reply_true(req);
    return API_DONE;
}

static int api_health(api_req_t *req)
{
    api_reply_text(req, 200, "text/plain; charset=utf-8", "healthy", 7);
    return API_DONE;
}

/* ------------------------------------------------------------------ ignored assets */
static void write_ignored(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) json_write_str(w, db_query_cell(q, r, 0));
    json_end_array(w);
}

static int api_ignored(api_req_t *req)
{
    static const read_reply_t rr = {
        .sql = "SELECT value FROM multisettings WHERE name = 'ignored_asset' ORDER BY value",
        .write = write_ignored,
        .fail_status = 400,
        .fail_prefix = "Failed to query ignored assets due to Database error ",
    };
    if (!unlocked()) {
        api_reply_error(req, 400, "Failed to query ignored assets due to Database error No client found");
        return API_DONE;
    }
    return read_reply_start(req, &rr);
}

/* ------------------------------------------------------------------ what pipit has none of */
static int api_collections(api_req_t *req)
{
    char id[16];
    if (!api_query_arg(req, "collection_id", id, sizeof id) || !id[0] || strspn(id, "0123456789") != strlen(id)) {
        api_reply_error(req, 400, "Failed to deserialize query string: collection_id must be a non-negative integer");
        return API_DONE;
    }
    read_reply_empty_list(req);
    return API_DONE;
}

static int api_oracle_prices(api_req_t *req)
{
    read_reply_empty_collection(api_reply_begin(req), READ_REPLY_TOTAL | READ_REPLY_LIMIT);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int api_oracle_existence(api_req_t *req)
{
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    int list = obj >= 0 ? json_obj_get(&req->doc, obj, "identifiers") : -1;
    if (list < 0 || json_type(&req->doc, list) != JSON_ARRAY) {
        api_reply_error(req, 400, "{\"identifiers\": [\"%s\"]}", list < 0 ? "Missing data for required field." : "Not a valid list.");
        return API_DONE;
    }
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    for (int e = json_first(&req->doc, list); e >= 0; e = json_sibling(&req->doc, e)) {
        char id[256];
        if (json_get_str(&req->doc, e, id, sizeof id, NULL) != JSON_OK) continue;
        json_write_key(w, id);
        json_write_bool(w, 0);
    }
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* ------------------------------------------------------------------ core's routes */
static int api_core_route(api_req_t *req)
{
    char path[256];
    snprintf(path, sizeof path, "/api/1%s", req->path + strlen("/colibri"));
    return api_forward(req, path);
}

static const api_route_t routes[] = {
    {API_GET, "/colibri/health", api_health, NULL, API_PUBLIC},
    {API_POST, "/colibri/user", api_user_unlock, NULL, 0},
    {API_POST, "/colibri/user/logout", api_user_logout, NULL, 0},
    {API_GET, "/colibri/assets/ignored", api_ignored, NULL, 0},
    {API_GET, "/colibri/assets/collections", api_collections, NULL, 0},
    {API_GET, "/colibri/prices/oracle", api_oracle_prices, NULL, 0},
    {API_POST, "/colibri/prices/oracle/existence", api_oracle_existence, NULL, 0},
    {API_POST, "/colibri/assets/mappings", api_core_route, NULL, 0},
    {API_POST, "/colibri/assets/search/levenshtein", api_core_route, NULL, 0},
};

int colibri_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
