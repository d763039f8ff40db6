/* libFuzzer target for the number parsers amounts go through: hex quantities (u256_from_hex,
 * core/u256.c) and their decimal form, plain decimals (core/decimal.c), the price layer's
 * arithmetic on decimal strings (services/prices_decimal.c), snapshot timestamps
 * (db/snapshots.c) and sizes (config_parse_size). The input is "a\nb" (two numbers) and a
 * last byte for the decimals. Checked: every output is canonical (normalizing it again changes
 * nothing) and fits its buffer; hex -> bytes -> decimal -> bytes round-trips; addition
 * commutes and adding 0 is the identity; a - a = 0; rounding to d places has d places. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/decimal.h"
#include "core/json.h"
#include "core/u256.h"
#include "db/snapshots.h"
#include "services/prices.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_numbers: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void canonical(const char *s)
{
    char again[PRICES_VALUE_MAX + 8]; /* dec_normalize wants room for a sign it may not write */
    MUST(strlen(s) < PRICES_VALUE_MAX);
    MUST(dec_normalize(s, strlen(s), 0, again, sizeof again) == 0 && !strcmp(again, s));
}

/* decimal digits (no point) -> big-endian bytes, by hand: 0 or -1 on overflow */
static int digits_to_be(const char *s, uint8_t be[32])
{
    memset(be, 0, 32);
    for (; *s; s++) {
        unsigned carry = (unsigned)(*s - '0');
        for (int i = 31; i >= 0; i--) {
            unsigned v = be[i] * 10u + carry;
            be[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry) return -1;
    }
    return 0;
}

static void check_hex(const char *s, size_t n, unsigned decimals)
{
    uint8_t be[32], back[32];
    char dec[80], scaled[100];
    if (u256_from_hex(s, n, be) != 0) return;
    MUST(n >= 3 && n <= 66);
    int len = u256_to_decimal(be, 0, dec, sizeof dec);
    MUST(len > 0 && (size_t)len == strlen(dec) && len <= 78);
    canonical(dec);
    MUST(digits_to_be(dec, back) == 0 && !memcmp(be, back, 32));
    int sl = u256_to_decimal(be, decimals, scaled, sizeof scaled);
    MUST(sl > 0 && (size_t)sl == strlen(scaled));
    canonical(scaled);
    /* the same digits, the point moved: scaled without its point, padded, is dec */
    char joined[200];
    size_t j = 0;
    const char *dot = strchr(scaled, '.');
    size_t frac = dot ? strlen(dot + 1) : 0;
    MUST(frac <= decimals);
    for (const char *p = scaled; *p; p++)
        if (*p != '.') joined[j++] = *p;
    for (; frac < decimals; frac++) joined[j++] = '0';
    joined[j] = 0;
    char norm[200];
    MUST(dec_normalize(joined, j, 0, norm, sizeof norm) == 0 && !strcmp(norm, dec));
    char tiny[2];
    MUST(u256_to_decimal(be, decimals, tiny, sizeof tiny) == (sl < 2 ? sl : -1));
}

static void check_decimals(const char *a, size_t an, const char *b, size_t bn)
{
    char na[PRICES_VALUE_MAX], nb[PRICES_VALUE_MAX], s1[PRICES_VALUE_MAX], s2[PRICES_VALUE_MAX];
    if (dec_normalize(a, an, 0, na, sizeof na) != 0) return;
    canonical(na);
    MUST(dec_is_negative(na) == (na[0] == '-'));
    MUST(dec_is_zero(na) == !strcmp(na, "0"));
    char ab[PRICES_VALUE_MAX];
    MUST(dec_normalize(a, an, 1, ab, sizeof ab) == 0 && !strcmp(ab, na + (na[0] == '-')));
    if (strlen(ab) < 190) MUST(dec_add(ab, "0", s1, sizeof s1) == 0 && !strcmp(s1, ab)); /* its stated range */
    if (dec_normalize(b, bn, 1, nb, sizeof nb) != 0) return;
    int r1 = dec_add(ab, nb, s1, sizeof s1), r2 = dec_add(nb, ab, s2, sizeof s2);
    MUST(r1 == r2);
    if (r1 == 0) {
        MUST(!strcmp(s1, s2));
        canonical(s1);
    }
}

static void check_prices(const char *a, const char *b, int decimals)
{
    char out[PRICES_VALUE_MAX], out2[PRICES_VALUE_MAX];
    if (*b && prices_value(a, b, out, sizeof out) == 0) {
        canonical(out);
        MUST(prices_value(b, a, out2, sizeof out2) == 0 && !strcmp(out, out2));
    }
    if (prices_ratio(a, b, out, sizeof out) == 0) canonical(out);
    if (prices_diff(a, b, out, sizeof out) == 0) {
        canonical(out);
        MUST(prices_diff(a, a, out2, sizeof out2) == 0 && !strcmp(out2, "0"));
    }
    size_t maxlen = (size_t)decimals % 40 + 1;
    if (prices_fit(a, maxlen, out, sizeof out) == 0) {
        MUST(strlen(out) <= maxlen);
        canonical(out);
    }
    if (prices_round(a, decimals % 30, out, sizeof out) == 0) {
        const char *dot = strchr(out, '.');
        MUST(decimals % 30 ? dot && strlen(dot + 1) == (size_t)(decimals % 30) : !dot);
        char small[8];
        int rs = prices_round(a, decimals % 30, small, sizeof small);
        MUST(rs == (strlen(out) < sizeof small ? 0 : -1));
        if (rs == 0) MUST(!strcmp(small, out));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 400) return 0;
    unsigned decimals = data[size - 1] % 91; /* u256 takes up to 90 */
    char *in = malloc(size);
    MUST(in);
    memcpy(in, data, size - 1);
    in[size - 1] = 0;
    size_t n = size - 1;
    char *nl = memchr(in, '\n', n);
    size_t an = nl ? (size_t)(nl - in) : n;
    const char *b = nl ? nl + 1 : "";
    size_t bn = nl ? n - an - 1 : 0;

    check_hex(in, an, decimals);
    check_decimals(in, an, b, bn);
    if (!memchr(in, 0, n)) { /* the C-string parsers */
        if (nl) *nl = 0;
        check_prices(in, b, (int)decimals);
        int64_t ts;
        if (snapshot_parse_timestamp(in, an, &ts) == 0) MUST(ts >= 0);
        size_t sz;
        if (config_parse_size(in, &sz) == 0) {
            char again[32];
            snprintf(again, sizeof again, "%zu", sz);
            size_t sz2;
            MUST(config_parse_size(again, &sz2) == 0 && sz2 == sz);
        }
        char amt[64];
        if (json_normalize_amount(in, an, amt, sizeof amt) == JSON_OK) canonical(amt);
    }
    free(in);
    return 0;
}
