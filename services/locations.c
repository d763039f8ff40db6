/* locations — see locations.h. The table is rotki's constants/location_details.py. */
#include "locations.h"

#include <string.h>

#include "../db/snapshots.h"
#include "api.h"
#include "read_reply.h"

enum { NOT_EXCHANGE, EXCHANGE_IMPORTED, EXCHANGE_WITH_KEY };

static const struct {
    const char *name;  /* snapshot_location_name()'s spelling */
    const char *image, *icon, *label;
    int exchange;
} details[] = {
    {"external", NULL, "lu-book-text", NULL, NOT_EXCHANGE},
    {"kraken", "kraken.svg", NULL, NULL, EXCHANGE_WITH_KEY},
    {"poloniex", "poloniex.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"bittrex", "bittrex.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"binance", "binance.svg", NULL, NULL, EXCHANGE_WITH_KEY},
    {"bitmex", "bitmex.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"coinbase", "coinbase.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"coinbaseprime", "coinbaseprime.svg", NULL, "Coinbase Prime", EXCHANGE_IMPORTED},
    {"banks", NULL, "lu-landmark", NULL, NOT_EXCHANGE},
    {"blockchain", NULL, "lu-link", NULL, NOT_EXCHANGE},
    {"coinbasepro", "coinbasepro.svg", NULL, "Coinbase Pro", EXCHANGE_IMPORTED},
    {"gemini", "gemini.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"equities", NULL, "lu-luggage", NULL, NOT_EXCHANGE},
    {"realestate", NULL, "lu-house", NULL, NOT_EXCHANGE},
    {"commodities", NULL, "lu-leaf", NULL, NOT_EXCHANGE},
    {"cryptocom", "crypto_com.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"uniswap", "uniswap.svg", NULL, NULL, NOT_EXCHANGE},
    {"bitstamp", "bitstamp.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"binanceus", "binance.svg", NULL, "Binance US", EXCHANGE_IMPORTED},
    {"bitfinex", "bitfinex.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"bit2me", "bit2me.png", NULL, "Bit2Me", EXCHANGE_IMPORTED},
    {"bitcoinde", "btcde.svg", NULL, "Bitcoin.de", EXCHANGE_IMPORTED},
    {"iconomi", "iconomi.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"kucoin", "kucoin.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"balancer", "balancer.svg", NULL, NULL, NOT_EXCHANGE},
    {"loopring", "loopring.svg", NULL, NULL, NOT_EXCHANGE},
    {"ftx", "ftx.svg", NULL, "FTX", EXCHANGE_IMPORTED},
    {"nexo", "nexo.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"blockfi", "blockfi.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"independentreserve", "independentreserve.svg", NULL, "Independent Reserve", EXCHANGE_IMPORTED},
    {"gitcoin", "gitcoin.svg", NULL, NULL, NOT_EXCHANGE},
    {"sushiswap", "sushiswap.svg", NULL, NULL, NOT_EXCHANGE},
    {"shapeshift", "shapeshift.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"uphold", "uphold.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"bitpanda", "bitpanda.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"bisq", "bisq.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"ftxus", "ftxus.svg", NULL, "FTX US", EXCHANGE_IMPORTED},
    {"okx", "okx.svg", NULL, "OKX", EXCHANGE_IMPORTED},
    {"ethereum", "ethereum.svg", NULL, NULL, NOT_EXCHANGE},
    {"optimism", "optimism.svg", NULL, NULL, NOT_EXCHANGE},
    {"polygon pos", "polygon_pos.svg", NULL, NULL, NOT_EXCHANGE},
    {"arbitrum one", "arbitrum_one.svg", NULL, NULL, NOT_EXCHANGE},
    {"base", "base.svg", NULL, NULL, NOT_EXCHANGE},
    {"hyperliquid", "hyperliquid.svg", NULL, NULL, NOT_EXCHANGE},
    {"gnosis", "gnosis.svg", NULL, NULL, NOT_EXCHANGE},
    {"scroll", "scroll.svg", NULL, NULL, NOT_EXCHANGE},
    {"binance sc", "binance_sc.svg", NULL, NULL, NOT_EXCHANGE},
    {"monad", "monad.svg", NULL, NULL, NOT_EXCHANGE},
    {"avalanche", "avalanche.svg", NULL, NULL, NOT_EXCHANGE},
    {"woo", "woo.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"bybit", "bybit.svg", NULL, NULL, EXCHANGE_IMPORTED},
    {"htx", "htx.svg", NULL, "HTX", EXCHANGE_IMPORTED},
    {"gate", "gate.svg", NULL, "Gate", EXCHANGE_IMPORTED},
    {"coinex", "coinex.svg", NULL, "CoinEx", EXCHANGE_IMPORTED},
    {"zksync lite", "zksync_lite.svg", NULL, NULL, NOT_EXCHANGE},
    {"bitcoin", "bitcoin.svg", NULL, NULL, NOT_EXCHANGE},
    {"bitcoin cash", "bitcoin-cash.svg", NULL, "Bitcoin Cash", NOT_EXCHANGE},
    {"polkadot", "polkadot.svg", NULL, NULL, NOT_EXCHANGE},
    {"kusama", "kusama.svg", NULL, NULL, NOT_EXCHANGE},
    {"solana", "solana.svg", NULL, NULL, NOT_EXCHANGE},
};

static int api_all(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "locations");
    json_begin_object(w);
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
        json_write_key(w, details[i].name);
        json_begin_object(w);
        json_write_key(w, details[i].image ? "image" : "icon");
        json_write_str(w, details[i].image ? details[i].image : details[i].icon);
        if (details[i].label) {
            json_write_key(w, "label");
            json_write_str(w, details[i].label);
        }
        if (details[i].exchange == EXCHANGE_WITH_KEY) {
            json_write_key(w, "exchange_details");
            json_begin_object(w);
            json_write_key(w, "is_exchange_with_key");
            json_write_bool(w, 1);
            json_end_object(w);
        } else if (details[i].exchange == EXCHANGE_IMPORTED) {
            json_write_key(w, "is_exchange");
            json_write_bool(w, 1);
        }
        json_end_object(w);
    }
    json_end_object(w);
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static void write_associated(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *code = db_query_cell(q, r, 0), *name = code ? snapshot_location_name(code[0]) : NULL;
        if (name) json_write_str(w, name);
    }
    json_end_array(w);
}

static int api_associated(api_req_t *req)
{
    static const read_reply_t rr = {
        .sql = "SELECT location FROM margin_positions UNION SELECT location FROM user_credentials "
               "UNION SELECT location FROM history_events",
        .write = write_associated,
    };
    return read_reply_start(req, &rr);
}

static void write_labels(json_writer_t *w, const db_query_t *q, const read_reply_t *rr)
{
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const char *code = db_query_cell(q, r, 1), *name = code ? snapshot_location_name(code[0]) : NULL;
        if (!name) continue;
        json_begin_object(w);
        json_write_key(w, "location_label");
        json_write_str(w, db_query_cell(q, r, 0));
        json_write_key(w, "location");
        json_write_str(w, name);
        json_end_object(w);
    }
    json_end_array(w);
}

/* rotki's SUPPORTED_EXCHANGES as DB codes: a label of theirs counts even once the account is gone */
static int api_labels(api_req_t *req)
{
    static const read_reply_t rr = {
        .sql = "SELECT location_label, MIN(location) AS location, COUNT(*) AS frequency FROM history_events "
               "WHERE location_label IS NOT NULL AND (location_label IN (SELECT account FROM blockchain_accounts) "
               "OR location IN ('W','e','u','b','E','S','|','U','T','F','R','G','P','L','V','B',']','C','l','m','p','{','}'))"
               " GROUP BY location_label ORDER BY frequency DESC",
        .write = write_labels,
    };
    return read_reply_start(req, &rr);
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/locations/all", api_all, NULL, 0},
    {API_GET, "/api/1/locations/associated", api_associated, NULL, 0},
    {API_GET, "/api/1/locations/labels", api_labels, NULL, 0},
};

int locations_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
