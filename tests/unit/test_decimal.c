/* decimal: normalizing amounts as exchanges send them, and exact addition of non-negative
 * amounts (balances of one asset summed over accounts). */
#include <string.h>

#include "../../core/decimal.h"
#include "../../services/exchanges/exchange.h"
#include "unit.h"

UNIT_TEST(normalize_plain_decimals)
{
    char out[64];
    CHECK_EQ_INT(dec_normalize("0012.5000", 9, 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "12.5");
    CHECK_EQ_INT(dec_normalize("-0.000", 6, 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(dec_normalize("-1.2500", 7, 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "-1.25");
    CHECK_EQ_INT(dec_normalize("-1.2500", 7, 1, out, sizeof out), 0);
    CHECK_EQ_STR(out, "1.25");
    CHECK_EQ_INT(dec_normalize(".5", 2, 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "0.5");
    CHECK_EQ_INT(dec_normalize("7.", 2, 0, out, sizeof out), 0);
    CHECK_EQ_STR(out, "7");
    CHECK_EQ_INT(dec_normalize("1e5", 3, 0, out, sizeof out), -1);
    CHECK_EQ_INT(dec_normalize("", 0, 0, out, sizeof out), -1);
    CHECK_EQ_INT(dec_normalize(".", 1, 0, out, sizeof out), -1);
    CHECK_EQ_INT(dec_normalize("1.2.3", 5, 0, out, sizeof out), -1);
    CHECK_EQ_INT(dec_normalize("123456", 6, 0, out, 4), -1); /* too small: an error, not a cut */
    CHECK(dec_is_zero("0.000") && dec_is_zero("-0") && !dec_is_zero("0.001"));
    CHECK(dec_is_negative("-0.1") && !dec_is_negative("-0.0") && !dec_is_negative("3"));
}

UNIT_TEST(add_is_exact)
{
    char out[256];
    CHECK_EQ_INT(dec_add("0.1", "0.2", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0.3");
    CHECK_EQ_INT(dec_add("999.999", "0.001", out, sizeof out), 0);
    CHECK_EQ_STR(out, "1000");
    CHECK_EQ_INT(dec_add("0", "0", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(dec_add("57896044618658097711785492504343953926634992332820282019728.792003956564819968",
                         "0.000000000000000001", out, sizeof out), 0);
    CHECK_EQ_STR(out, "57896044618658097711785492504343953926634992332820282019728.792003956564819969");
    CHECK_EQ_INT(dec_add("12", "0.000000001", out, sizeof out), 0);
    CHECK_EQ_STR(out, "12.000000001");
    CHECK_EQ_INT(dec_add("-1", "2", out, sizeof out), -1); /* non-negative only */
}

UNIT_TEST(sub_is_exact_and_signed)
{
    char out[256];
    CHECK_EQ_INT(dec_sub("1.5", "2", out, sizeof out), 0);
    CHECK_EQ_STR(out, "-0.5");
    CHECK_EQ_INT(dec_sub("1000", "0.001", out, sizeof out), 0);
    CHECK_EQ_STR(out, "999.999");
    CHECK_EQ_INT(dec_sub("2.50", "2.5", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(dec_sub("0", "12.000000001", out, sizeof out), 0);
    CHECK_EQ_STR(out, "-12.000000001");
    CHECK_EQ_INT(dec_sub("10.1", "9.95", out, sizeof out), 0);
    CHECK_EQ_STR(out, "0.15");
    CHECK_EQ_INT(dec_sub("-1", "2", out, sizeof out), -1); /* non-negative only */
}

UNIT_TEST(utc_times_of_binance)
{
    CHECK_EQ_INT(exch_parse_utc("1970-01-01 00:00:00"), 0);
    CHECK_EQ_INT(exch_parse_utc("2024-02-29 12:34:56"), 1709210096000LL);
    CHECK_EQ_INT(exch_parse_utc("2000-03-01 00:00:01"), 951868801000LL);
    CHECK_EQ_INT(exch_parse_utc("2024-13-01 00:00:00"), -1);
    CHECK_EQ_INT(exch_parse_utc("2024-01-01T00:00:00Z"), -1);
}

UNIT_SUITE(suite_decimal, UNIT_CASE(normalize_plain_decimals), UNIT_CASE(add_is_exact),
           UNIT_CASE(sub_is_exact_and_signed), UNIT_CASE(utc_times_of_binance));
