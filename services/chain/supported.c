/* supported — see supported.h. The tables are rotki's (rotkehlchen/types.py). */
#include "supported.h"

#include <stddef.h>

#include "../api.h"

static const chain_supported_t chains[] = {
    {"eth", "ethereum", "evm", "ETH", "ethereum.svg", "ethereum"},
    {"eth2", "Ethereum Staking", "eth2", "ETH2", "ethereum.svg", NULL},
    {"btc", "bitcoin", "bitcoin", "BTC", "bitcoin.svg", NULL},
    {"bch", "bitcoin cash", "bitcoin", "BCH", "bitcoin-cash.svg", NULL},
    {"ksm", "kusama", "substrate", "KSM", "kusama.svg", NULL},
    {"avax", "avalanche", "evm", "AVAX", "avalanche.svg", "avalanche"},
    {"dot", "polkadot", "substrate", "DOT", "polkadot.svg", NULL},
    {"optimism", "optimism", "evm", "ETH", "optimism.svg", "optimism"},
    {"polygon_pos", "Polygon PoS", "evm", "eip155:137/erc20:0x0000000000000000000000000000000000001010", "polygon_pos.svg",
     "polygon_pos"},
    {"arbitrum_one", "Arbitrum One", "evm", "ETH", "arbitrum_one.svg", "arbitrum_one"},
    {"base", "base", "evm", "ETH", "base.svg", "base"},
    {"hyperliquid", "Hyperliquid", "evm", "HYPE", "hyperliquid.svg", "hyperliquid"},
    {"gnosis", "Gnosis", "evm", "XDAI", "gnosis.svg", "gnosis"},
    {"scroll", "scroll", "evm", "ETH", "scroll.svg", "scroll"},
    {"binance_sc", "Binance Smart Chain", "evm", "BNB", "binance_sc.svg", "binance_sc"},
    {"monad", "monad", "evm", "MON", "monad.svg", "monad"},
    {"zksync_lite", "ZKSync Lite", "evmlike", "ETH", "zksync_lite.svg", NULL},
    {"solana", "solana", "solana", "SOL", "solana.svg", NULL},
};

/* ChainID: id, name (lower-case enum name), label (name_and_label) */
static const struct {
    int id;
    const char *name, *label;
} evm_chains[] = {
    {1, "ethereum", "Ethereum"}, {10, "optimism", "Optimism"}, {56, "binance_sc", "Binance Smart Chain"},
    {100, "gnosis", "Gnosis"}, {137, "polygon_pos", "Polygon POS"}, {250, "fantom", "Fantom"},
    {999, "hyperliquid", "Hyperliquid"}, {8453, "base", "Base"}, {42161, "arbitrum_one", "Arbitrum One"},
    {43114, "avalanche", "Avalanche"}, {42220, "celo", "Celo"}, {42170, "arbitrum_nova", "Arbitrum Nova"},
    {25, "cronos", "Cronos"}, {288, "boba", "Boba"}, {9001, "evmos", "Evmos"},
    {1101, "polygon_zkevm", "Polygon zkEVM"}, {324, "zksync_era", "zkSync Era"}, {369, "pulsechain", "PulseChain"},
    {534352, "scroll", "Scroll"}, {146, "sonic", "Sonic"}, {59144, "linea", "Linea"}, {143, "monad", "Monad"},
    {57073, "ink", "Ink"}, {4326, "megaeth", "Megaeth"}, {4663, "robinhood", "Robinhood"},
};

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a, y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

const chain_supported_t *chain_supported_find(const char *id)
{
    for (size_t i = 0; id && i < sizeof chains / sizeof chains[0]; i++)
        if (ieq(chains[i].id, id)) return &chains[i];
    return NULL;
}

static int api_supported(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_array(w);
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
        const chain_supported_t *c = &chains[i];
        json_begin_object(w);
        static const char *const keys[] = {"id", "name", "type", "native_token", "image", "evm_chain_name"};
        const char *vals[] = {c->id, c->name, c->type, c->native_token, c->image, c->evm_chain_name};
        for (int k = 0; k < 6 && vals[k]; k++) {
            json_write_key(w, keys[k]);
            json_write_str(w, vals[k]);
        }
        json_end_object(w);
    }
    json_end_array(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int api_evm_all(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_array(w);
    for (size_t i = 0; i < sizeof evm_chains / sizeof evm_chains[0]; i++) {
        json_begin_object(w);
        json_write_key(w, "id");
        json_write_int64(w, evm_chains[i].id);
        json_write_key(w, "name");
        json_write_str(w, evm_chains[i].name);
        json_write_key(w, "label");
        json_write_str(w, evm_chains[i].label);
        json_end_object(w);
    }
    json_end_array(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/blockchains/supported", api_supported, NULL, 0},
    {API_GET, "/api/1/blockchains/evm/all", api_evm_all, NULL, 0},
};

int chain_supported_init(void) { return api_add_routes(routes, sizeof routes / sizeof routes[0]); }
