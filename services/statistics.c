/* statistics — see statistics.h. The net value is one read job that writes the reply as it
 * reads the snapshots: "times" straight into the reply, "data" into a writer beside it, joined
 * at the end (both lists come from one statement, so they always line up). */
#include "statistics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../platform/pal.h"
#include "api.h"
#include "auth.h"
#include "prices.h"

/* rotki's window for a user without premium: from the start of the UTC day, 14 days back */
#define NETVALUE_FREE_DAYS 14

/* What rotki subtracts from a snapshot's total: the ignored assets' values, and with
 * include_nfts=false the NFTs' (?2) — per category, as the total is assets minus liabilities.
 * 'H' is rotki's Location.TOTAL, 'A'/'B' its BalanceType.ASSET/LIABILITY. */
#define EXCLUDED_SUM(category)                                                                   \
    "(SELECT SUM(b.usd_value) FROM timed_balances b WHERE b.timestamp = l.timestamp AND "       \
    "b.category = '" category "' AND (b.currency IN "                                           \
    "(SELECT value FROM multisettings WHERE name = 'ignored_asset') OR (?2 AND b.currency GLOB '_nft_*')))"

static const char netvalue_sql[] = "SELECT l.timestamp, l.usd_value, " EXCLUDED_SUM("A") ", " EXCLUDED_SUM("B")
                                   " FROM timed_location_data l WHERE l.location = 'H' AND l.timestamp >= ?1 "
                                   "ORDER BY l.timestamp";

typedef struct {
    db_job_t job; /* first */
    api_req_t *req;
    json_writer_t *out;  /* the reply's */
    json_writer_t data;  /* the "data" list until it is appended */
    int64_t from_ts;
    int exclude_nfts;
    sqlite3_stmt *st;
    uint64_t rows, unreadable;
    int nomem;
} netvalue_op_t;

/* SUM() over TEXT as Python reads it from SQLite: an int when every value was an integer,
 * else a float, which FVal takes through str(float): the shortest digits that read back the
 * same. 0 when there were no rows (NULL). */
static int sum_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL) return 0;
    if (type == SQLITE_INTEGER) {
        snprintf(out, len, "%lld", (long long)sqlite3_column_int64(st, col));
        return 1;
    }
    double v = sqlite3_column_double(st, col);
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(out, len, "%.*e", digits - 1, v);
        if (strtod(out, NULL) == v) break;
    }
    return 1;
}

/* One snapshot's value: the stored total as it is, or with the excluded values taken out
 * (str(FVal(total) - excluded), excluded = assets - liabilities). */
static void write_value(netvalue_op_t *op)
{
    sqlite3_stmt *st = op->st;
    const char *total = (const char *)sqlite3_column_text(st, 1);
    char assets[40], liabilities[40], excluded[PRICES_VALUE_MAX], value[PRICES_VALUE_MAX];
    int has_assets = sum_text(st, 2, assets, sizeof assets);
    int has_liabilities = sum_text(st, 3, liabilities, sizeof liabilities);
    if (!has_assets && !has_liabilities) {
        json_write_strn(&op->data, total, total ? (size_t)sqlite3_column_bytes(st, 1) : 0); /* NULL: null */
        return;
    }
    if (!total ||
        prices_diff(has_assets ? assets : "0", has_liabilities ? liabilities : "0", excluded, sizeof excluded) ||
        prices_diff(total, excluded, value, sizeof value)) {
        op->unreadable++; /* left as stored */
        json_write_str(&op->data, total);
        return;
    }
    json_write_str(&op->data, value);
}

static int netvalue_nomem(netvalue_op_t *op)
{
    op->nomem = 1;
    return db_job_fail(&op->job, NULL, "out of memory writing the net value (heap budget reached)");
}

static void netvalue_finalize(netvalue_op_t *op)
{
    if (op->st) sqlite3_finalize(op->st);
    op->st = NULL;
}

static int netvalue_run(netvalue_op_t *op, sqlite3 *conn)
{
    db_job_t *job = &op->job;
    json_writer_t *w = op->out;
    int rc;
    if (job->state == 0) {
        rc = sqlite3_prepare_v2(conn, netvalue_sql, -1, &op->st, NULL);
        if (rc != SQLITE_OK) {
            op->st = NULL;
            return (rc & 0xff) == SQLITE_NOMEM ? netvalue_nomem(op) : db_job_fail(job, conn, NULL);
        }
        sqlite3_bind_int64(op->st, 1, op->from_ts);
        sqlite3_bind_int(op->st, 2, op->exclude_nfts);
        json_begin_object(w);
        json_write_key(w, "times");
        json_begin_array(w);
        json_begin_array(&op->data);
        job->state = 1;
    }
    for (;;) {
        if (db_job_yield_due(job)) return DB_JOB_MORE; /* the statement stays for the next slice */
        rc = db_job_step(job, op->st);
        if (rc != SQLITE_ROW) break;
        json_write_int64(w, sqlite3_column_int64(op->st, 0));
        write_value(op);
        if (json_writer_error(w) != JSON_OK || json_writer_error(&op->data) != JSON_OK) return netvalue_nomem(op);
        op->rows++;
    }
    if (rc != SQLITE_DONE) return (rc & 0xff) == SQLITE_NOMEM ? netvalue_nomem(op) : db_job_fail(job, conn, NULL);
    netvalue_finalize(op);
    json_end_array(w);
    json_write_key(w, "data");
    json_end_array(&op->data);
    const char *data;
    size_t len;
    if (json_writer_finish(&op->data, &data, &len) != JSON_OK) return netvalue_nomem(op);
    json_write_raw(w, data, len);
    json_writer_free(&op->data); /* before the reply grows further */
    json_end_object(w);
    return json_writer_error(w) == JSON_OK ? DB_JOB_DONE : netvalue_nomem(op);
}

static int netvalue_step(db_job_t *job, sqlite3 **slot)
{
    netvalue_op_t *op = (netvalue_op_t *)job;
    int rc = netvalue_run(op, *slot);
    if (rc != DB_JOB_MORE) netvalue_finalize(op);
    return rc;
}

static void netvalue_abort(db_job_t *job) { netvalue_finalize((netvalue_op_t *)job); }

static void netvalue_done(db_job_t *job)
{
    netvalue_op_t *op = (netvalue_op_t *)job;
    json_writer_free(&op->data);
    if (op->unreadable)
        log_warn("statistics: %llu snapshot total(s) or ignored values are not numbers; "
                 "their totals are answered as stored", (unsigned long long)op->unreadable);
    if (job->rc != DB_JOB_DONE) /* api_reply_error starts the reply over */
        api_reply_error(op->req, op->nomem ? 503 : 409, "Could not read the net value data: %s", job->errmsg);
    else
        api_reply_end(op->req, 200, "");
    alloc_free(op);
}

static int api_netvalue_get(api_req_t *req)
{
    static const char *const allowed[] = {"include_nfts", NULL};
    if (auth_require_user(req) != 0) return API_DONE;
    int obj, include_nfts;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0 ||
        api_arg_bool(req, "include_nfts", 1, &include_nfts) != 0)
        return API_DONE;
    netvalue_op_t *op = alloc_zget(ALLOC_HTTP, sizeof *op);
    if (!op) {
        api_reply_error(req, 503,
                        "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    int64_t now = pal_wall_ms() / 1000;
    op->req = req;
    op->from_ts = now - now % 86400 - (int64_t)NETVALUE_FREE_DAYS * 86400;
    op->exclude_nfts = !include_nfts;
    json_writer_init(&op->data, 0);
    db_job_init(&op->job, 0, netvalue_step, netvalue_done, op);
    op->job.abort = netvalue_abort;
    op->out = api_reply_begin(req); /* the job writes the result straight into the reply */
    auth_submit(req, &op->job);
    return API_PENDING;
}

/* rotki's require_premium_user: a logged-in user without premium gets a 403 before the
 * arguments are looked at. */
static int api_premium_only(api_req_t *req)
{
    if (auth_require_user(req) != 0) return API_DONE;
    api_reply_error(req, 403, "Currently logged in user %s does not have a premium subscription", auth_user());
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/statistics/netvalue", api_netvalue_get, NULL, 0},
    {API_POST, "/api/1/statistics/balance", api_premium_only, NULL, 0},
    {API_GET, "/api/1/statistics/value_distribution", api_premium_only, NULL, 0},
    {API_GET, "/api/1/statistics/renderer", api_premium_only, NULL, 0},
};

int statistics_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
