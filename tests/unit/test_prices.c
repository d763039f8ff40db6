/* The price layer's exact decimal arithmetic against Python's Decimal in rotki's context (prec
 * 78, half even; the expected strings were made with it), the rounding of prices to their
 * 47 characters, and the oracle table covering every built-in token. */
#include "../../services/chain/tokens.h"
#include "../../services/prices.h"
#include "unit.h"

static const struct {
    const char *a, *b, *want;
} products[] = {
    {"1.5", "2", "3"},
    {"0.1", "3", "0.3"},
    {"12.340", "1.000", "12.34"},
    {"1e-5", "2", "0.00002"},
    {"-2.5", "4", "-10"},
    {"115792089237316195423570985008687907853269984665640564039457.584007913129639935", "3456.78", "400267778233769878016291709558332186109026617592492988960316187.246873948276735"},
    {"115792089237316195423570985008687907853269984665640564039457.584007913129639935", "0.000000000000000001234567890123456789012345", "142953195302700484177175657033722699222169.684585617074323950866858304691149253"},
    {"0.000000000000000001", "0.00000001", "0.00000000000000000000000001"},
    {"1000000000000000000000000000000000000000000000000000000000000000000000000000005", "1", "1000000000000000000000000000000000000000000000000000000000000000000000000000000"},
    {"1000000000000000000000000000000000000000000000000000000000000000000000000000015", "1", "1000000000000000000000000000000000000000000000000000000000000000000000000000020"},
    {"1000000000000000000000000000000000000000000000000000000000000000000000000000025", "1", "1000000000000000000000000000000000000000000000000000000000000000000000000000020"},
    {"10000000000000000000000000000000000000000000000000000000000000000000000000000251", "1", "10000000000000000000000000000000000000000000000000000000000000000000000000000300"},
    {"0.00000000000000000000000000000000000000000000000000000000000000000000000000001", "0.000000000000000000000000000000000000000000001", "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"},
    {"99999999999999999999999999999999999999999999999999999999999999999999999999999", "99999999999999999999999999999999999999999999999", "9999999999999999999999999999999999999999999999899999999999999999999999999999900000000000000000000000000000000000000000000000"},
}, quotients[] = {
    {"1", "3", "0.333333333333333333333333333333333333333333333333333333333333333333333333333333"},
    {"2", "3", "0.666666666666666666666666666666666666666666666666666666666666666666666666666667"},
    {"65000.12", "60000.34", "1.0833291944678980152445802807117426334584104023410534006973960480890608286553"},
    {"10", "4", "2.5"},
    {"0.000001", "7", "0.000000142857142857142857142857142857142857142857142857142857142857142857142857142857"},
    {"123456789", "0.001", "123456789000"},
    {"1e-45", "1e45", "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"},
};

UNIT_TEST(value_is_the_exact_product_rounded_as_rotki)
{
    char out[PRICES_VALUE_MAX];
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++) {
        CHECK_EQ_INT(prices_value(products[i].a, products[i].b, out, sizeof out), 0);
        CHECK_EQ_STR(out, products[i].want);
        CHECK_EQ_INT(prices_value(products[i].b, products[i].a, out, sizeof out), 0); /* commutes */
        CHECK_EQ_STR(out, products[i].want);
    }
}

UNIT_TEST(value_without_a_price_is_zero_and_bad_input_fails)
{
    char out[PRICES_VALUE_MAX];
    CHECK_EQ_INT(prices_value("12.5", "", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(prices_value("12.5", NULL, out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(prices_value("0", "123.45", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(prices_value("-0.5", "0.2", out, sizeof out), 0);
    CHECK_EQ_STR(out, "-0.1");
    CHECK_EQ_INT(prices_value("abc", "1", out, sizeof out), -1);
    CHECK_EQ_INT(prices_value("1", "1.2.3", out, sizeof out), -1);
    CHECK_EQ_INT(prices_value("1", "NaN", out, sizeof out), -1);
    CHECK_EQ_INT(prices_value("1", " 1", out, sizeof out), -1);
    CHECK_EQ_INT(prices_value(NULL, "1", out, sizeof out), -1);
    CHECK_EQ_INT(prices_value("123456", "2", out, 6), -1); /* "246912" needs 7 bytes */
    CHECK_EQ_INT(prices_value("123456", "2", out, 7), 0);
    CHECK_EQ_STR(out, "246912");
}

UNIT_TEST(ratio_is_rounded_to_78_digits_half_even)
{
    char out[PRICES_VALUE_MAX];
    for (size_t i = 0; i < sizeof quotients / sizeof quotients[0]; i++) {
        CHECK_EQ_INT(prices_ratio(quotients[i].a, quotients[i].b, out, sizeof out), 0);
        CHECK_EQ_STR(out, quotients[i].want);
    }
    CHECK_EQ_INT(prices_ratio("1", "0", out, sizeof out), -1);
    CHECK_EQ_INT(prices_ratio("0", "7", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
}

UNIT_TEST(fit_rounds_a_price_to_its_room)
{
    char out[PRICES_PRICE_MAX];
    static const struct {
        const char *in;
        size_t max;
        const char *want;
    } fits[] = {
        {"1234.5678", 7, "1234.57"},  {"1234.5678", 9, "1234.5678"}, {"99.99", 4, "100"},    {"99.96", 4, "100"},
        {"0.5", 1, "0"},              {"1.5", 1, "2"},               {"2.5", 1, "2"},        {"0.000123", 5, "0"},
        {"0.000151", 6, "0.0002"},    {"1e3", 4, "1000"},            {"0.00001234", 47, "0.00001234"},
        {"0.333333333333333333333333333333333333333333333333333333333333333333333333333333", 47,
         "0.333333333333333333333333333333333333333333333"},
    };
    for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
        CHECK_EQ_INT(prices_fit(fits[i].in, fits[i].max, out, sizeof out), 0);
        CHECK_EQ_STR(out, fits[i].want);
    }
    CHECK_EQ_INT(prices_fit("123456", 5, out, sizeof out), -1);
    CHECK_EQ_INT(prices_fit("99.9", 2, out, sizeof out), -1); /* 100 */
    CHECK_EQ_INT(prices_fit("x", 5, out, sizeof out), -1);
}

UNIT_TEST(every_builtin_token_and_the_common_assets_have_an_oracle_id)
{
    const chain_token_t *t;
    size_t n = chain_tokens_builtin(&t);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        if (!prices_coingecko_id(t[i].identifier)) {
            unit_fail(__FILE__, __LINE__, t[i].identifier);
            return;
        }
    }
    CHECK_EQ_STR(prices_coingecko_id("BTC"), "bitcoin");
    CHECK_EQ_STR(prices_coingecko_id("ETH2"), "ethereum");
    CHECK_EQ_STR(prices_coingecko_id("eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"), "usd-coin");
    CHECK(prices_coingecko_id("USD") == NULL);
    CHECK(prices_coingecko_id("eip155:1/erc20:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == NULL); /* identifiers are exact */
}

UNIT_TEST(diff_is_exact_then_rounded_as_rotki)
{
    static const char *const cases[][3] = {
        {"1500.5", "100.25", "1400.25"}, {"100", "100.0", "0"}, {"0.1", "0.3", "-0.2"}, {"-2", "-5", "3"},
        {"-2", "5", "-7"}, {"1e-30", "1", "-0.999999999999999999999999999999"}, {"0", "-7.75", "7.75"},
        {"999999999999999999999999999999999999999999999999999999999999999999999999999999", "-1",
         "1000000000000000000000000000000000000000000000000000000000000000000000000000000"},
        {"1", "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000005", "1"},
        {"12345.678", "12345.678", "0"},
    };
    char out[PRICES_VALUE_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ_INT(prices_diff(cases[i][0], cases[i][1], out, sizeof out), 0);
        CHECK_EQ_STR(out, cases[i][2]);
    }
    CHECK_EQ_INT(prices_diff("1", "x", out, sizeof out), -1);
    CHECK_EQ_INT(prices_diff("1000", "1", out, 3), -1); /* "999" needs 4 bytes */
}

UNIT_TEST(round_to_fixed_decimals_half_even)
{
    char out[64];
    static const char *const cases[][2] = {
        {"12.345", "12.34"}, {"12.355", "12.36"}, {"3", "3.00"},       {"0.005", "0.00"},
        {"0.015", "0.02"},   {"99.995", "100.00"}, {"-1.005", "-1.00"}, {"25.0400", "25.04"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ_INT(prices_round(cases[i][0], 2, out, sizeof out), 0);
        CHECK_EQ_STR(out, cases[i][1]);
    }
    CHECK_EQ_INT(prices_round("7.5", 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "8");
    CHECK_EQ_INT(prices_round("123456", 2, out, 6), -1); /* no room: an error, not a cut */
    CHECK_EQ_INT(prices_round("x", 2, out, sizeof out), -1);
}

UNIT_SUITE(suite_prices, UNIT_CASE(round_to_fixed_decimals_half_even),
           UNIT_CASE(diff_is_exact_then_rounded_as_rotki), UNIT_CASE(value_is_the_exact_product_rounded_as_rotki),
           UNIT_CASE(value_without_a_price_is_zero_and_bad_input_fails), UNIT_CASE(ratio_is_rounded_to_78_digits_half_even),
           UNIT_CASE(fit_rounds_a_price_to_its_room), UNIT_CASE(every_builtin_token_and_the_common_assets_have_an_oracle_id));
