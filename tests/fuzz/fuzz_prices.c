/* libFuzzer target for the price oracle's answers (prices_answer_price, services/prices.c):
 * CoinGecko-shaped {"<id>": {"<vs>": price, …}, …} as the node asks for them. Checked for a few
 * ids and currencies: a price taken is a non-negative canonical decimal that fits its field,
 * the same as the JSON number or string normalized and fitted, and usable by the arithmetic
 * the balances do with it (prices_value, prices_ratio). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"
#include "core/json.h"
#include "services/prices.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_prices: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ids[] = {"bitcoin", "ethereum", "usd-coin", "", "x"};
    static const char *const vs[] = {"usd", "eur", "btc", "jpy"};
    char *js = malloc(size ? size : 1);
    MUST(js);
    memcpy(js, data, size);
    json_doc_t d;
    if (json_parse(&d, js, size, 1 << 14, NULL, 0) != JSON_OK) {
        free(js);
        return 0;
    }
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
            char price[PRICES_PRICE_MAX], again[PRICES_VALUE_MAX], v[PRICES_VALUE_MAX];
            memset(price, 'Z', sizeof price);
            if (prices_answer_price(&d, ids[i], vs[k], price) != 0) continue;
            size_t n = strnlen(price, sizeof price);
            MUST(n > 0 && n < sizeof price && price[0] != '-');
            MUST(dec_normalize(price, n, 0, again, sizeof again) == 0 && !strcmp(again, price));
            MUST(prices_fit(price, PRICES_PRICE_MAX - 1, again, sizeof again) == 0 && !strcmp(again, price));
            MUST(prices_value("1", price, v, sizeof v) == 0 && !strcmp(v, price));
            MUST(prices_value("2.5", price, v, sizeof v) == 0);
            if (!dec_is_zero(price)) MUST(prices_ratio(price, price, v, sizeof v) == 0 && !strcmp(v, "1"));
        }
    json_doc_free(&d);
    free(js);
    return 0;
}
