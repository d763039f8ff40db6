/* status — see status.h. */
#include "status.h"

#include <stdio.h>
#include <string.h>

#include "../../db/snapshots.h"
#include "../api.h"
#include "../read_reply.h"

/* rotki's EVM_CHAINS_WITH_TRANSACTIONS (blockchain_accounts values, range prefixes <VALUE>txs_)
 * and SUPPORTED_EXCHANGES (range names <location>_history_events_…, DB codes) */
#define EVM_CHAINS "'ETH','OPTIMISM','POLYGON_POS','ARBITRUM_ONE','BASE','HYPERLIQUID','GNOSIS','SCROLL','BINANCE_SC','MONAD'"
#define EXCHANGE_NAMES                                                                                                      \
    "'kucoin','okx','coinbaseprime','bitpanda','binance','binanceus','bit2me','bitcoinde','bitfinex','bitmex','bitstamp'," \
    "'coinbase','cryptocom','gemini','iconomi','kraken','independentreserve','poloniex','woo','bybit','htx','gate','coinex'"
#define EXCHANGE_CODES "'W','e','u','b','E','S','|','U','T','F','R','G','P','L','V','B',']','C','l','m','p','{','}'"

static const char sql_summary[] =
    "SELECT (SELECT COALESCE(MAX(end_ts), 0) FROM used_query_ranges WHERE instr(name, 'txs_') > 1 AND "
    "substr(name, 1, instr(name, 'txs_') - 1) IN (" EVM_CHAINS ")), "
    "(SELECT COALESCE(MAX(end_ts), 0) FROM used_query_ranges WHERE instr(name, '_history_events_') > 1 AND "
    "substr(name, 1, instr(name, '_history_events_') - 1) IN (" EXCHANGE_NAMES ")), "
    "(SELECT COUNT(*) FROM blockchain_accounts WHERE blockchain IN (" EVM_CHAINS ")), "
    "(SELECT COUNT(*) FROM user_credentials WHERE location IN (" EXCHANGE_CODES ") AND name != 'rotkehlchen')";

static void write_summary(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_object(w);
    static const char *const ts_keys[] = {"evm_last_queried_ts", "exchanges_last_queried_ts"};
    for (int c = 0; c < 2; c++) {
        json_write_key(w, ts_keys[c]);
        const char *v = q->nrows ? db_query_cell(q, 0, c) : NULL;
        json_write_raw(w, v ? v : "0", strlen(v ? v : "0")); /* SQLite's integer text */
    }
    json_write_key(w, "undecoded_tx_count");
    json_write_int64(w, 0);
    json_write_key(w, "has_evm_accounts");
    json_write_bool(w, q->nrows && strcmp(db_query_cell(q, 0, 2), "0") != 0);
    json_write_key(w, "has_exchanges_accounts");
    json_write_bool(w, q->nrows && strcmp(db_query_cell(q, 0, 3), "0") != 0);
    json_end_object(w);
}

static int api_summary(api_req_t *req)
{
    static const read_reply_t rr = {.sql = sql_summary, .write = write_summary};
    return read_reply_start(req, &rr);
}

/* GET /history/skipped_external_events: the events an import skipped, counted per location */
static void write_skipped(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    int64_t total = 0;
    json_begin_object(w);
    json_write_key(w, "locations");
    json_begin_object(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *code = db_query_cell(q, r, 0), *name = code ? snapshot_location_name(code[0]) : NULL;
        long long count = 0;
        sscanf(db_query_cell(q, r, 1), "%lld", &count);
        if (!name) continue;
        json_write_key(w, name);
        json_write_int64(w, count);
        total += count;
    }
    json_end_object(w);
    json_write_key(w, "total");
    json_write_int64(w, total);
    json_end_object(w);
}

static int api_skipped(api_req_t *req)
{
    static const read_reply_t rr = {.sql = "SELECT location, COUNT(*) FROM skipped_external_events GROUP BY location ORDER BY location",
                                    .write = write_skipped};
    return read_reply_start(req, &rr);
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/history/status/summary", api_summary, NULL, API_ASYNC},
    {API_GET, "/api/1/history/skipped_external_events", api_skipped, NULL, 0},
};

int history_status_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
