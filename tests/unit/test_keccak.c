/* Keccak-256 against published vectors, and EIP-55 against the EIP's own examples. */
#include <string.h>

#include "../../core/keccak.h"
#include "../../core/u256.h"
#include "unit.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[b[i] >> 4];
        out[2 * i + 1] = h[b[i] & 15];
    }
    out[2 * n] = 0;
}

UNIT_TEST(keccak256_published_vectors)
{
    uint8_t d[32];
    char s[65];
    keccak256("", 0, d);
    hex(d, 32, s);
    CHECK_EQ_STR(s, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    keccak256("abc", 3, d);
    hex(d, 32, s);
    CHECK_EQ_STR(s, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    /* the ERC-20 transfer selector is the first 4 bytes of this one */
    keccak256("transfer(address,uint256)", 25, d);
    hex(d, 4, s);
    CHECK_EQ_STR(s, "a9059cbb");
    keccak256("balanceOf(address)", 18, d);
    hex(d, 4, s);
    CHECK_EQ_STR(s, "70a08231");
    /* longer than one 136-byte block, and exactly one block */
    char m[200];
    memset(m, 'a', sizeof m);
    keccak256(m, 136, d);
    uint8_t d2[32];
    keccak256(m, 137, d2);
    CHECK(memcmp(d, d2, 32) != 0);
}

UNIT_TEST(eip55_examples_round_trip)
{
    static const char *const examples[] = {
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    for (size_t i = 0; i < 4; i++) {
        uint8_t a[20];
        char out[43];
        CHECK_EQ_INT(evm_address_parse(examples[i], 42, 1, a), 0);
        evm_address_checksum(a, out);
        CHECK_EQ_STR(out, examples[i]);
        char lower[43];
        for (int k = 0; k < 43; k++) lower[k] = (char)(examples[i][k] >= 'A' && examples[i][k] <= 'F' ? examples[i][k] + 32 : examples[i][k]);
        CHECK_EQ_INT(evm_address_parse(lower, 42, 1, a), 0); /* unchecksummed is fine */
    }
    uint8_t a[20];
    CHECK_EQ_INT(evm_address_parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", 42, 1, a), -2); /* one case flipped */
    CHECK_EQ_INT(evm_address_parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", 41, 1, a), -1);
    CHECK_EQ_INT(evm_address_parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", 42, 1, a), -1);
    CHECK_EQ_INT(evm_address_parse("1x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 42, 1, a), -1);
}

UNIT_TEST(u256_amounts_are_exact_decimals)
{
    uint8_t v[32];
    char out[100];
    CHECK_EQ_INT(u256_from_hex("0x0", 3, v), 0);
    u256_to_decimal(v, 18, out, sizeof out);
    CHECK_EQ_STR(out, "0");
    CHECK_EQ_INT(u256_from_hex("0x14d1120d7b160000", 18, v), 0); /* 1.5 ETH in wei */
    u256_to_decimal(v, 18, out, sizeof out);
    CHECK_EQ_STR(out, "1.5");
    u256_to_decimal(v, 0, out, sizeof out);
    CHECK_EQ_STR(out, "1500000000000000000");
    CHECK_EQ_INT(u256_from_hex("0x1", 3, v), 0);
    u256_to_decimal(v, 6, out, sizeof out);
    CHECK_EQ_STR(out, "0.000001");
    /* 2^256 - 1: all 78 digits, exactly */
    char ff[67] = "0x";
    memset(ff + 2, 'f', 64);
    ff[66] = 0;
    CHECK_EQ_INT(u256_from_hex(ff, 66, v), 0);
    u256_to_decimal(v, 0, out, sizeof out);
    CHECK_EQ_STR(out, "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    u256_to_decimal(v, 18, out, sizeof out);
    CHECK_EQ_STR(out, "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    CHECK_EQ_INT(u256_from_hex("0x1g", 4, v), -1);
    CHECK_EQ_INT(u256_from_hex("12", 2, v), -1);
    char big[70] = "0x1";
    memset(big + 3, '0', 64);
    big[67] = 0;
    CHECK_EQ_INT(u256_from_hex(big, 67, v), -1); /* 2^256 does not fit */
    CHECK_EQ_INT(u256_from_hex(ff, 66, v), 0);
    CHECK_EQ_INT(u256_to_decimal(v, 0, out, 5), -1); /* too small a buffer is an error, not a cut */
}

UNIT_TEST(wide_sums_are_exact_decimals)
{
    /* 2^256 and 2^320 - 1 (a sum of balances is wider than one balance) */
    uint8_t w[40] = {0};
    char out[128];
    w[7] = 1;
    CHECK(uint_to_decimal(w, 40, 0, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "115792089237316195423570985008687907853269984665640564039457584007913129639936");
    memset(w, 0xff, sizeof w);
    CHECK(uint_to_decimal(w, 40, 77, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "21359870359209100823.95021706169552114602704522356652769947041607822219725780640550022962086936575");
    CHECK_EQ_INT(uint_to_decimal(w, 41, 0, out, sizeof out), -1);
}

UNIT_SUITE(suite_keccak, UNIT_CASE(keccak256_published_vectors), UNIT_CASE(eip55_examples_round_trip),
           UNIT_CASE(u256_amounts_are_exact_decimals), UNIT_CASE(wide_sums_are_exact_decimals));
