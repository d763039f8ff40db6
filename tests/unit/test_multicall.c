/* Multicall3 / ERC-20 ABI: selectors equal keccak of their signatures, aggregate3's encoding
 * has the ABI layout, and decoding takes what a node returns and refuses anything malformed. */
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../services/chain/multicall.h"
#include "unit.h"

static void selector(const char *sig, uint8_t out[4])
{
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(out, h, 4);
}

UNIT_TEST(selectors_are_keccak_of_signatures)
{
    uint8_t a[20], call[36], sel[4];
    memset(a, 0x22, 20);
    erc20_balance_of(a, call);
    selector("balanceOf(address)", sel);
    CHECK(memcmp(call, sel, 4) == 0);
    multicall_get_eth_balance(a, call);
    selector("getEthBalance(address)", sel);
    CHECK(memcmp(call, sel, 4) == 0);
    multicall_call_t c = {{0}, 1, call, 36};
    uint8_t *enc;
    size_t n;
    CHECK_EQ_INT(multicall_encode(&c, 1, &enc, &n), 0);
    selector("aggregate3((address,bool,bytes)[])", sel);
    int same = memcmp(enc, sel, 4) == 0;
    alloc_free(enc);
    CHECK(same);
}

static uint64_t word_at(const uint8_t *p) /* low 8 bytes of a word */
{
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = (v << 8) | p[i];
    return v;
}

UNIT_TEST(aggregate3_encoding_layout)
{
    uint8_t owner[20], call[36];
    memset(owner, 0x22, 20);
    erc20_balance_of(owner, call);
    multicall_call_t calls[2];
    for (int i = 0; i < 2; i++) {
        memset(calls[i].target, 0x11 * (i + 1), 20);
        calls[i].allow_failure = i == 0;
        calls[i].data = call;
        calls[i].len = 36;
    }
    uint8_t *e;
    size_t n;
    CHECK_EQ_INT(multicall_encode(calls, 2, &e, &n), 0);
    const uint8_t *p = e + 4;
    int ok = n == 4 + 32 * 4 + 2 * (4 * 32 + 64) && word_at(p) == 32 && word_at(p + 32) == 2 &&
             word_at(p + 64) == 64 && word_at(p + 96) == 64 + 192;
    const uint8_t *t = p + 64 + 64; /* first tuple */
    ok = ok && t[12] == 0x11 && t[31] == 0x11 && word_at(t + 32) == 1 && word_at(t + 64) == 96 && word_at(t + 96) == 36 &&
         memcmp(t + 128, call, 36) == 0 && t[128 + 36] == 0;
    const uint8_t *t2 = t + 192;
    ok = ok && t2[31] == 0x22 && word_at(t2 + 32) == 0;
    alloc_free(e);
    CHECK(ok);
}

/* the return value as Multicall3 encodes it, written independently of the decoder */
static size_t encode_results(uint8_t *buf, const int *ok, const uint8_t (*vals)[32], int n)
{
    memset(buf, 0, 4096);
    buf[31] = 32;
    buf[63] = (uint8_t)n;
    size_t heads = 64, off = 32u * (size_t)n;
    for (int i = 0; i < n; i++) {
        buf[heads + 32 * (size_t)i + 31] = (uint8_t)off;
        buf[heads + 32 * (size_t)i + 30] = (uint8_t)(off >> 8);
        uint8_t *t = buf + heads + off;
        t[31] = (uint8_t)ok[i];
        t[63] = 64;
        t[95] = 32;
        memcpy(t + 96, vals[i], 32);
        off += 128;
    }
    return heads + off;
}

UNIT_TEST(decode_takes_results_and_refuses_malformed_data)
{
    static uint8_t buf[4096];
    uint8_t vals[3][32];
    memset(vals, 0, sizeof vals);
    vals[0][31] = 7;
    vals[2][0] = 0xff;
    int ok[3] = {1, 0, 1};
    size_t len = encode_results(buf, ok, (const uint8_t(*)[32])vals, 3);
    multicall_result_t r[3];
    CHECK_EQ_INT(multicall_decode(buf, len, r, 3), 0);
    CHECK(r[0].success && !r[1].success && r[2].success);
    uint8_t v[32];
    CHECK_EQ_INT(abi_decode_uint256(r[0].data, r[0].len, v), 0);
    CHECK_EQ_INT(v[31], 7);
    CHECK_EQ_INT(r[2].data[0], 0xff);
    CHECK_EQ_INT(multicall_decode(buf, len, r, 2), -1); /* not the count asked for */
    for (size_t cut = 0; cut < len; cut++) CHECK_EQ_INT(multicall_decode(buf, cut, r, 3), -1);
    static uint8_t junk[4096];
    srand(3);
    for (int round = 0; round < 2000; round++) { /* flipped bytes: anything but a crash */
        memcpy(junk, buf, len);
        junk[rand() % len] ^= (uint8_t)(1 + rand() % 255);
        multicall_decode(junk, len, r, 3);
        for (int k = 0; k < 3 && multicall_decode(junk, len, r, 3) == 0; k++)
            CHECK(r[k].data >= junk && r[k].data + r[k].len <= junk + len);
    }
}

UNIT_SUITE(suite_multicall, UNIT_CASE(selectors_are_keccak_of_signatures), UNIT_CASE(aggregate3_encoding_layout),
           UNIT_CASE(decode_takes_results_and_refuses_malformed_data));
