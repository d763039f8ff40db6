/* accounting_rules — see accounting_rules.h. */
#include "accounting_rules.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "read_reply.h"

static const char *const properties[] = {"taxable", "count_entire_amount_spend", "count_cost_basis_pnl"};
/* rotki's LINKABLE_ACCOUNTING_SETTINGS_NAME */
static const char *const linkable[] = {"include_gas_costs", "include_crypto2crypto"};

static const char sql_rules[] =
    "SELECT r.identifier, r.type, r.subtype, r.counterparty, r.taxable, r.count_entire_amount_spend, r.count_cost_basis_pnl, "
    "r.accounting_treatment, (SELECT json_group_object(property_name, setting_name) FROM linked_rules_properties l "
    "WHERE l.accounting_rule = r.identifier), (SELECT COUNT(*) FROM accounting_rules) FROM accounting_rules r "
    "ORDER BY r.identifier LIMIT CAST(?1 AS INTEGER) OFFSET CAST(?2 AS INTEGER)";

static void write_rules(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_object(w);
    json_write_key(w, "entries");
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *links = db_query_cell(q, r, 8), *cp = db_query_cell(q, r, 3);
        json_begin_object(w);
        json_write_key(w, "identifier");
        json_write_raw(w, db_query_cell(q, r, 0), strlen(db_query_cell(q, r, 0)));
        json_write_key(w, "event_type");
        json_write_str(w, db_query_cell(q, r, 1));
        json_write_key(w, "event_subtype");
        json_write_str(w, db_query_cell(q, r, 2));
        json_write_key(w, "counterparty");
        json_write_str(w, cp && strcmp(cp, "NONE") ? cp : NULL); /* rotki's NO_ACCOUNTING_COUNTERPARTY */
        for (int p = 0; p < 3; p++) {
            char key[40];
            json_write_key(w, properties[p]);
            json_begin_object(w);
            json_write_key(w, "value");
            json_write_bool(w, !strcmp(db_query_cell(q, r, 4 + p), "1"));
            snprintf(key, sizeof key, "\"%s\":\"", properties[p]);
            const char *l = links ? strstr(links, key) : NULL;
            if (l) {
                l += strlen(key);
                json_write_key(w, "linked_setting");
                json_write_strn(w, l, strcspn(l, "\""));
            }
            json_end_object(w);
        }
        json_write_key(w, "accounting_treatment");
        json_write_str(w, db_query_cell(q, r, 7));
        json_end_object(w);
    }
    json_end_array(w);
    const char *total = q->nrows ? db_query_cell(q, 0, 9) : "0";
    json_write_key(w, "entries_found");
    json_write_raw(w, total, strlen(total));
    json_write_key(w, "entries_total");
    json_write_raw(w, total, strlen(total));
    json_write_key(w, "entries_limit");
    json_write_int64(w, -1);
    json_end_object(w);
}

static int api_rules(api_req_t *req)
{
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    char limit[24] = "-1", offset[24] = "0";
    int64_t v;
    int l = obj >= 0 ? json_obj_get(&req->doc, obj, "limit") : -1, o = obj >= 0 ? json_obj_get(&req->doc, obj, "offset") : -1;
    if (l >= 0 && json_get_int64(&req->doc, l, &v) == JSON_OK && v >= 0) snprintf(limit, sizeof limit, "%lld", (long long)v);
    if (o >= 0 && json_get_int64(&req->doc, o, &v) == JSON_OK && v >= 0) snprintf(offset, sizeof offset, "%lld", (long long)v);
    read_reply_t rr = {.sql = sql_rules, .params = {limit, offset}, .nparams = 2, .write = write_rules};
    return read_reply_start(req, &rr);
}

static int api_info(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    for (int p = 0; p < 3; p++) {
        json_write_key(w, properties[p]);
        json_begin_array(w);
        for (int s = 0; s < 2; s++) json_write_str(w, linkable[s]);
        json_end_array(w);
    }
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* rotki's data issues belong to its accounting update, behind a feature flag that is off by
 * default: what rotki answers then, for every data issue route */
static int api_data_issues(api_req_t *req)
{
    api_reply_error(req, 404, "Data issues are disabled");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/data_issues", api_data_issues, NULL, 0},
    {API_GET, "/api/1/data_issues/<id>", api_data_issues, NULL, 0},
    {API_PATCH, "/api/1/data_issues/<id>/dismiss", api_data_issues, NULL, 0},
    {API_PATCH, "/api/1/data_issues/<id>/resolve_manually", api_data_issues, NULL, 0},
    {API_POST, "/api/1/data_issues/<id>/retry_auto_remediation", api_data_issues, NULL, 0},
    {API_POST, "/api/1/accounting/rules", api_rules, NULL, 0},
    {API_GET, "/api/1/accounting/rules/info", api_info, NULL, 0},
};

int accounting_rules_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
