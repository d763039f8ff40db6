/* historical_prices — see historical_prices.h. */
#include "historical_prices.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../platform/pal.h"
#include "api.h"
#include "prices.h"
#include "read_reply.h"

#define DEFAULT_WINDOW_S 3600
#define MAX_PAIRS 512

/* per requested pair: its index, asset, timestamp and the nearest snapshot row's amount and
 * usd_value (NULL when none is close enough) */
static const char sql_nearest[] =
    "WITH pairs AS (SELECT key AS k, json_extract(value, '$[0]') AS asset, json_extract(value, '$[1]') AS ts FROM json_each(?1)) "
    "SELECT k, asset, ts, b.amount || ' ' || b.usd_value, MIN(abs(b.timestamp - ts)) FROM pairs LEFT JOIN timed_balances b "
    "ON b.category = 'A' AND b.currency = pairs.asset AND abs(b.timestamp - pairs.ts) <= CAST(?2 AS INTEGER) "
    "GROUP BY k ORDER BY asset, ts"; /* SQLite: the bare columns come from the MIN row */

typedef struct {
    char target[PRICES_ASSET_MAX];
} hist_ctx_t;

static void write_prices(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    const hist_ctx_t *ctx = rr->ctx;
    int usd = !strcmp(ctx->target, "USD");
    const char *open_asset = NULL;
    json_begin_object(w);
    json_write_key(w, "assets");
    json_begin_object(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *asset = db_query_cell(q, r, 1), *ts = db_query_cell(q, r, 2), *row = db_query_cell(q, r, 3);
        char price[PRICES_VALUE_MAX];
        if (!asset || !ts) continue;
        if (!strcmp(asset, ctx->target)) {
            snprintf(price, sizeof price, "1");
        } else {
            char amount[128];
            const char *sp = row ? strchr(row, ' ') : NULL;
            if (!usd || !sp || (size_t)(sp - row) >= sizeof amount) continue;
            memcpy(amount, row, (size_t)(sp - row));
            amount[sp - row] = 0;
            if (prices_ratio(sp + 1, amount, price, sizeof price) != 0) continue; /* amount 0 */
        }
        if (!open_asset || strcmp(open_asset, asset)) {
            if (open_asset) json_end_object(w);
            json_write_key(w, asset);
            json_begin_object(w);
            open_asset = asset;
        }
        json_write_key(w, ts);
        json_write_str(w, price);
    }
    if (open_asset) json_end_object(w);
    json_end_object(w);
    json_write_key(w, "target_asset");
    json_write_str(w, ctx->target);
    json_end_object(w);
    alloc_free(rr->ctx);
}

static int bad(api_req_t *req, const char *field, const char *msg)
{
    api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", field, msg);
    return API_DONE;
}

static int api_historical(api_req_t *req)
{
    static const char *const allowed[] = {"assets_timestamp", "target_asset", "only_cache_period", "async_query", NULL};
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    const json_doc_t *d = &req->doc;
    int list = obj >= 0 ? json_obj_get(d, obj, "assets_timestamp") : -1, tgt = obj >= 0 ? json_obj_get(d, obj, "target_asset") : -1;
    int per = obj >= 0 ? json_obj_get(d, obj, "only_cache_period") : -1;
    if (list < 0) return bad(req, "assets_timestamp", "Missing data for required field.");
    if (json_type(d, list) != JSON_ARRAY) return bad(req, "assets_timestamp", "Not a valid list.");
    int n = json_child_count(d, list);
    if (n < 1 || n > MAX_PAIRS) return bad(req, "assets_timestamp", n ? "At most 512 pairs at once." : "Shorter than minimum length 1.");
    if (tgt < 0) return bad(req, "target_asset", "Missing data for required field.");
    int64_t window = DEFAULT_WINDOW_S, now = pal_wall_ms() / 1000;
    if (per >= 0 && !json_is_null(d, per) && (json_get_int64(d, per, &window) != JSON_OK || window < 1))
        return bad(req, "only_cache_period", "Cache period must be a positive integer");
    hist_ctx_t *ctx = alloc_zget(ALLOC_HTTP, sizeof *ctx);
    json_writer_t pairs;
    json_writer_init(&pairs, 0);
    if (!ctx || json_get_str(d, tgt, ctx->target, sizeof ctx->target, NULL) != JSON_OK || !ctx->target[0]) {
        alloc_free(ctx);
        json_writer_free(&pairs);
        return bad(req, "target_asset", "Not a valid asset identifier.");
    }
    /* the pairs as one JSON parameter: [["BTC", 1579543935], …] */
    json_begin_array(&pairs);
    int i = 0;
    for (int e = json_first(d, list); e >= 0; e = json_sibling(d, e), i++) {
        char asset[PRICES_ASSET_MAX], ts_text[32];
        int64_t ts;
        int a = json_arr_get(d, e, 0), t = json_arr_get(d, e, 1);
        int ok = json_type(d, e) == JSON_ARRAY && json_child_count(d, e) == 2 && json_type(d, a) == JSON_STRING &&
                 json_get_str(d, a, asset, sizeof asset, NULL) == JSON_OK && asset[0];
        /* TimestampUntilNowField: an integer, or its string, not in the future */
        if (ok && json_type(d, t) == JSON_STRING)
            ok = json_get_str(d, t, ts_text, sizeof ts_text, NULL) == JSON_OK && sscanf(ts_text, "%lld", (long long *)&ts) == 1;
        else if (ok)
            ok = json_get_int64(d, t, &ts) == JSON_OK;
        if (!ok || ts < 0 || ts > now) {
            alloc_free(ctx);
            json_writer_free(&pairs);
            api_reply_error(req, 400, "{\"assets_timestamp\": {\"%d\": [\"%s\"]}}", i,
                            ok ? "Given date cannot be in the future" : "Expected an [asset, timestamp] pair.");
            return API_DONE;
        }
        json_begin_array(&pairs);
        json_write_str(&pairs, asset);
        json_write_int64(&pairs, ts);
        json_end_array(&pairs);
    }
    json_end_array(&pairs);
    const char *text;
    size_t len;
    char win[24];
    snprintf(win, sizeof win, "%lld", (long long)window);
    if (json_writer_finish(&pairs, &text, &len) != JSON_OK) {
        alloc_free(ctx);
        json_writer_free(&pairs);
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    read_reply_t rr = {.sql = sql_nearest, .params = {text, win}, .nparams = 2, .write = write_prices, .ctx = ctx};
    int rc = read_reply_start(req, &rr); /* copies the parameters */
    json_writer_free(&pairs);
    if (rc == API_DONE) alloc_free(ctx);
    return rc;
}

/* rotki's manual historical prices live in its global DB */
static int api_manual(api_req_t *req)
{
    if (req->method == API_GET) {
        read_reply_empty_list(req);
        return API_DONE;
    }
    api_reply_error(req, 409, "pipit keeps no manual historical prices (rotki keeps them in its global DB, which pipit does not have); "
                              "set a latest price instead");
    return API_DONE;
}

/* rotki's historical price caches per oracle (GET lists the cached pairs): pipit keeps none */
static int api_oracle_cache(api_req_t *req)
{
    if (req->method == API_GET) {
        read_reply_empty_list(req);
    } else {
        api_reply_error(req, 409, "pipit keeps no historical price cache of an oracle to create or purge");
    }
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET | API_POST | API_DELETE, "/api/1/oracles/<oracle>/cache", api_oracle_cache, NULL, API_ASYNC},
    {API_POST, "/api/1/assets/prices/historical", api_historical, NULL, API_ASYNC},
    {API_GET | API_PUT | API_PATCH | API_DELETE, "/api/1/assets/prices/historical", api_manual, NULL, 0},
};

int historical_prices_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
