/* exchange_rates — see exchange_rates.h. */
#include "exchange_rates.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "api.h"
#include "prices.h"
#include "read_reply.h"

#define MAX_CURRENCIES 64

typedef struct {
    api_req_t *req;
    char names[MAX_CURRENCIES][PRICES_ASSET_MAX];
    const char *list[MAX_CURRENCIES];
    size_t n;
    prices_query_t q;
} rates_op_t;

/* One comma-separated run s[0..len) into op; -1 when there are too many or one is empty. */
static int add_names(rates_op_t *op, const char *s, size_t len)
{
    while (len) {
        size_t k = 0;
        while (k < len && s[k] != ',') k++;
        if (!k || k >= PRICES_ASSET_MAX || op->n == MAX_CURRENCIES) return -1;
        memcpy(op->names[op->n], s, k);
        op->names[op->n][k] = 0;
        op->list[op->n] = op->names[op->n];
        op->n++;
        s += k + (k < len);
        len -= k + (k < len);
    }
    return 0;
}

/* `currencies` from the body (a list or a string) or every currencies= of the query string */
static int read_currencies(api_req_t *req, rates_op_t *op)
{
    int obj, bad = 0;
    if (api_body_object(req, &obj) != 0) return -1;
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, "currencies") : -1;
    if (t >= 0) {
        char buf[PRICES_ASSET_MAX * 4];
        if (json_type(&req->doc, t) == JSON_STRING)
            bad = json_get_str(&req->doc, t, buf, sizeof buf, NULL) != JSON_OK || add_names(op, buf, strlen(buf));
        else if (json_type(&req->doc, t) == JSON_ARRAY)
            for (int e = json_first(&req->doc, t); e >= 0 && !bad; e = json_sibling(&req->doc, e))
                bad = json_get_str(&req->doc, e, buf, sizeof buf, NULL) != JSON_OK || add_names(op, buf, strlen(buf));
        else
            bad = 1;
    }
    for (const char *p = req->query; t < 0 && p && *p && !bad;) {
        size_t seg = strcspn(p, "&");
        if (seg > 11 && !strncmp(p, "currencies=", 11)) bad = add_names(op, p + 11, seg - 11);
        p += seg + (p[seg] == '&');
    }
    if (bad || !op->n) {
        api_reply_error(req, 400, "{\"currencies\": [\"%s\"]}",
                        bad ? "Not a valid list of at most 64 asset identifiers." : "Missing data for required field.");
        return -1;
    }
    return 0;
}

static void rates_done(prices_query_t *q)
{
    rates_op_t *op = q->ud;
    json_writer_t *w = api_reply_begin(op->req);
    json_begin_object(w);
    for (size_t i = 0; i < op->n; i++) {
        char rate[PRICES_VALUE_MAX];
        const char *usd = q->usd ? q->usd[i] : "";
        if (!usd[0] || prices_ratio("1", usd, rate, sizeof rate) != 0) snprintf(rate, sizeof rate, "0");
        json_write_key(w, op->names[i]);
        json_write_str(w, rate);
    }
    json_end_object(w);
    api_reply_end(op->req, 200, "");
    prices_query_clear(&op->q);
    alloc_free(op);
}

static int api_exchange_rates(api_req_t *req)
{
    static const char *const allowed[] = {"currencies", "async_query", NULL};
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    rates_op_t *op = read_reply_state_new(req, sizeof *op);
    if (!op) return API_DONE;
    op->req = req;
    if (read_currencies(req, op) != 0) {
        alloc_free(op);
        return API_DONE;
    }
    op->q.assets = op->list;
    op->q.n = op->n;
    op->q.done = rates_done;
    op->q.ud = op;
    prices_query_start(&op->q);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/exchange_rates", api_exchange_rates, NULL, API_ASYNC},
};

int exchange_rates_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
