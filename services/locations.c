/* locations — see locations.h. The order is rotki's enum values (1-based), so a name's code is
 * its index + 'A'. */
#include "locations.h"

#include <stddef.h>

static const char *const names[] = {
    "external", "kraken", "poloniex", "bittrex", "binance", "bitmex", "coinbase", "total", "banks", "blockchain",
    "coinbasepro", "gemini", "equities", "realestate", "commodities", "cryptocom", "uniswap", "bitstamp",
    "binanceus", "bitfinex", "bitcoinde", "iconomi", "kucoin", "balancer", "loopring", "ftx", "nexo", "blockfi",
    "independentreserve", "gitcoin", "sushiswap", "shapeshift", "uphold", "bitpanda", "bisq", "ftxus", "okx",
    "ethereum", "optimism", "polygon pos", "arbitrum one", "base", "gnosis", "woo", "bybit", "scroll",
    "zksync lite", "htx", "bitcoin", "bitcoin cash", "polkadot", "kusama", "coinbaseprime", "binance sc", "solana",
    "avalanche", "hyperliquid", "monad", "gate", "bit2me", "coinex",
};
#define N_LOCATIONS (sizeof names / sizeof names[0])

/* rotki's Location.deserialize: ' ' as '_', any case ("Polygon_POS" is polygon pos) */
static int same_name(const char *canonical, const char *given)
{
    for (; *canonical && *given; canonical++, given++) {
        char g = *given == '_' ? ' ' : *given >= 'A' && *given <= 'Z' ? (char)(*given + 32) : *given;
        if (g != *canonical) return 0;
    }
    return *canonical == *given;
}

char location_code(const char *name)
{
    for (size_t i = 0; name && i < N_LOCATIONS; i++)
        if (same_name(names[i], name)) return (char)('A' + i);
    return 0;
}

const char *location_name(char code)
{
    int i = code - 'A';
    return i >= 0 && (size_t)i < N_LOCATIONS ? names[i] : NULL;
}
