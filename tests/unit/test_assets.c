/* The asset registry's pieces: ERC-20 metadata decoding (ABI strings, bytes32, garbage), UTF-8
 * safe cutting, hex, the search distance, and lookups of built-in assets. */
#include <string.h>

#include "../../core/alloc.h"
#include "../../services/assets/registry.h"
#include "../../services/assets/routes.h"
#include "../../services/chain/erc20meta.h"
#include "../../services/chain/multicall.h"
#include "unit.h"

static size_t abi_string(const char *s, uint8_t *out) /* offset, length, padded bytes */
{
    size_t n = strlen(s);
    memset(out, 0, 64 + (n + 31) / 32 * 32);
    out[31] = 32;
    out[63] = (uint8_t)n;
    memcpy(out + 64, s, n);
    return 64 + (n + 31) / 32 * 32;
}

UNIT_TEST(decodes_strings_and_bytes32)
{
    uint8_t buf[256];
    char out[128];
    size_t n = abi_string("  \xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 T\xc3\xb8ken \xe2\x80\x94 spaced  ", buf);
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, sizeof out), 0);
    CHECK_EQ_STR(out, "  \xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 T\xc3\xb8ken \xe2\x80\x94 spaced  ");
    uint8_t b32[32] = {'M', 'K', 'R'};
    CHECK_EQ_INT(erc20_decode_text(b32, 32, out, sizeof out), 0);
    CHECK_EQ_STR(out, "MKR");
    n = abi_string("", buf);
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, sizeof out), 0);
    CHECK_EQ_STR(out, "");
    /* a length past the data, an offset past it, too short, not 32 */
    n = abi_string("abc", buf);
    buf[63] = 200;
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, sizeof out), -1);
    buf[63] = 3;
    buf[31] = 0xf0;
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, sizeof out), -1);
    CHECK_EQ_INT(erc20_decode_text(buf, 31, out, sizeof out), -1);
    CHECK_EQ_INT(erc20_decode_text(buf, 0, out, sizeof out), -1);
    buf[0] = 1; /* a huge offset word */
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, sizeof out), -1);
    /* a long name is cut on a character boundary */
    char big[100];
    memset(big, 'a', sizeof big);
    memcpy(big + 4, "\xc3\xa9", 2);
    big[6] = 0;
    n = abi_string(big, buf);
    CHECK_EQ_INT(erc20_decode_text(buf, n, out, 6), 0);
    CHECK_EQ_STR(out, "aaaa");
}

UNIT_TEST(decimals_and_hex)
{
    uint8_t w[32] = {0};
    int d = -1;
    w[31] = 7;
    CHECK_EQ_INT(erc20_decode_small_uint(w, 32, &d), 0);
    CHECK_EQ_INT(d, 7);
    w[30] = 1; /* 263 */
    CHECK_EQ_INT(erc20_decode_small_uint(w, 32, &d), -1);
    CHECK_EQ_INT(erc20_decode_small_uint(w, 31, &d), -1);
    uint8_t *b;
    size_t n;
    CHECK_EQ_INT(abi_hex_decode("0x00Ff1a", 8, &b, &n), 0);
    CHECK(n == 3 && b[0] == 0 && b[1] == 0xff && b[2] == 0x1a);
    char *s = abi_hex_encode(b, n);
    alloc_free(b);
    CHECK(s != NULL);
    int same = s && !strcmp(s, "0x00ff1a");
    alloc_free(s);
    CHECK(same);
    CHECK_EQ_INT(abi_hex_decode("0x0", 3, &b, &n), -1);
    CHECK_EQ_INT(abi_hex_decode("0xzz", 4, &b, &n), -1);
    CHECK_EQ_INT(abi_hex_decode("00", 2, &b, &n), -1);
}

UNIT_TEST(utf8_copy_never_splits_a_character)
{
    char out[4];
    utf8_copy(out, sizeof out, "ab\xe2\x80\x94", 5); /* the dash would not fit whole */
    CHECK_EQ_STR(out, "ab");
    utf8_copy(out, sizeof out, "abc", 3);
    CHECK_EQ_STR(out, "abc");
    utf8_copy(out, sizeof out, "\xc3\x96" "D", 3);
    CHECK_EQ_STR(out, "\xc3\x96" "D");
}

UNIT_TEST(levenshtein_counts_characters)
{
    CHECK_EQ_INT(asset_levenshtein("kitten", "sitting"), 3);
    CHECK_EQ_INT(asset_levenshtein("", "abc"), 3);
    CHECK_EQ_INT(asset_levenshtein("usd", "usd"), 0);
    CHECK_EQ_INT(asset_levenshtein("\xc3\xb6" "dd", "odd"), 1); /* one code point, two bytes */
}

UNIT_TEST(built_in_lookups)
{
    CHECK_EQ_INT(assets_init(), 0);
    asset_info_t a;
    CHECK(asset_registry_find("BTC", &a));
    CHECK_EQ_STR(a.asset_type, "own chain");
    CHECK(asset_registry_find("USD", &a) && !strcmp(a.asset_type, "fiat") && a.coingecko == NULL);
    /* an address in any case names the same token; the answer is the canonical identifier */
    CHECK(asset_registry_find("eip155:1/erc20:0x6b175474e89094c44da98b954eedeac495271d0f", &a));
    CHECK_EQ_STR(a.identifier, "eip155:1/erc20:0x6B175474E89094C44Da98b954EedeAC495271d0F");
    CHECK(a.decimals == 18 && a.chain_id == 1 && !strcmp(a.evm_chain, "ethereum") && !strcmp(a.symbol, "DAI"));
    CHECK(!asset_registry_find("eip155:1/erc20:0x6b175474e89094c44da98b954eedeac495271d0e", &a));
    CHECK(!asset_registry_find("NOT_AN_ASSET", &a));
    CHECK(asset_registry_find("eur", &a) && !strcmp(a.identifier, "EUR")); /* rotki's identifiers are NOCASE */
    CHECK(asset_registry_count() > 80);
    CHECK_EQ_STR(asset_evm_chain_name(42161), "arbitrum_one");
    CHECK(asset_evm_chain_name(1337) == NULL && asset_evm_chain_id("gnosis") == 100);
}

UNIT_SUITE(suite_assets, UNIT_CASE(decodes_strings_and_bytes32), UNIT_CASE(decimals_and_hex),
           UNIT_CASE(utf8_copy_never_splits_a_character), UNIT_CASE(levenshtein_counts_characters),
           UNIT_CASE(built_in_lookups));
