/* external_services — see external_services.h. */
#include "external_services.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../db/query.h"
#include "api.h"
#include "auth.h"
#include "read_reply.h"

/* rotki's ExternalService names (lower case, as stored) */
static const char *const names[] = {"etherscan", "cryptocompare", "beaconchain", "opensea", "blockscout", "thegraph",
                                    "gnosis_pay", "monerium", "defillama", "coingecko", "alchemy", "moralis",
                                    "helius", "routescan", "jupiter"};
#define MAX_CHANGES 15

static void write_services(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_object(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *name = db_query_cell(q, r, 0);
        int monerium = !strcmp(name, "monerium");
        json_write_key(w, name);
        json_begin_object(w);
        json_write_key(w, monerium ? "username" : "api_key");
        json_write_str(w, db_query_cell(q, r, 1));
        if (monerium) {
            json_write_key(w, "password");
            json_write_str(w, db_query_cell(q, r, 2));
        }
        json_end_object(w);
    }
    json_end_object(w);
}

static const read_reply_t list = {.sql = "SELECT name, api_key, api_secret FROM external_service_credentials ORDER BY name",
                                  .write = write_services};

typedef struct {
    api_req_t *req;
    db_batch_t batch;
    char name[MAX_CHANGES][24];
    char *key[MAX_CHANGES], *secret[MAX_CHANGES];
    size_t n;
} change_t;

static void change_free(change_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        alloc_free(c->key[i]);
        alloc_free(c->secret[i]);
    }
    alloc_free(c);
}

static void change_done(db_job_t *j)
{
    change_t *c = j->ud;
    if (j->rc != DB_JOB_DONE) api_reply_error(c->req, 409, "Could not change the external services: %s", j->errmsg);
    else read_reply_start(c->req, &list); /* the whole map after the change, as rotki */
    change_free(c);
}

static int known(const char *s)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], s)) return 1;
    return 0;
}

static int api_services(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    if (req->method == API_GET) return read_reply_start(req, &list);
    static const char *const allowed[] = {"services", NULL};
    int obj;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    const json_doc_t *d = &req->doc;
    int arr = obj >= 0 ? json_obj_get(d, obj, "services") : -1;
    if (arr < 0 || json_type(d, arr) != JSON_ARRAY || json_child_count(d, arr) < 1 || json_child_count(d, arr) > MAX_CHANGES) {
        api_reply_error(req, 400, "{\"services\": [\"%s\"]}", arr < 0 ? "Missing data for required field." : "A list of 1 to 15 services.");
        return API_DONE;
    }
    change_t *c = read_reply_state_new(req, sizeof *c);
    if (!c) return API_DONE;
    c->req = req;
    db_batch_init(&c->batch, change_done, c);
    int put = req->method == API_PUT, i = 0;
    for (int e = json_first(d, arr); e >= 0; e = json_sibling(d, e), i++) {
        int nt = put ? json_obj_get(d, e, "name") : e, kt = put ? json_obj_get(d, e, "api_key") : -1;
        int st = put ? json_obj_get(d, e, "api_secret") : -1;
        char *name = c->name[c->n];
        if (nt < 0 || json_get_str(d, nt, name, sizeof c->name[0], NULL) != JSON_OK || !known(name)) {
            api_reply_error(req, 400, "{\"services\": {\"%d\": {\"name\": [\"Failed to deserialize ExternalService value\"]}}}", i);
            change_free(c);
            return API_DONE;
        }
        if (put && (kt < 0 || json_get_strdup(d, kt, ALLOC_HTTP, &c->key[c->n], NULL) != JSON_OK || !c->key[c->n][0] ||
                    (st >= 0 && !json_is_null(d, st) && json_get_strdup(d, st, ALLOC_HTTP, &c->secret[c->n], NULL) != JSON_OK))) {
            c->n++;
            api_reply_error(req, 400, "{\"services\": {\"%d\": {\"api_key\": [\"Must be a non-empty string.\"]}}}", i);
            change_free(c);
            return API_DONE;
        }
        db_stmt_t *s = db_batch_add(&c->batch, put ? "INSERT OR REPLACE INTO external_service_credentials(name, api_key, api_secret) VALUES(?, ?, ?)"
                                                   : "DELETE FROM external_service_credentials WHERE name = ?");
        db_stmt_param(s, name);
        if (put) {
            db_stmt_param(s, c->key[c->n]);
            db_stmt_param(s, c->secret[c->n]);
        }
        c->n++;
    }
    auth_submit(req, &c->batch.job);
    return API_PENDING;
}

static const api_route_t routes[] = {
    {API_GET | API_PUT | API_DELETE, "/api/1/external_services", api_services, NULL, 0},
};

int external_services_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
