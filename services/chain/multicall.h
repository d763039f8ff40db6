/* multicall — the ABI of Multicall3's aggregate3 and getEthBalance and of ERC-20 balanceOf,
 * so N addresses × M tokens become a handful of eth_calls. Decoding treats the node's answer
 * as hostile: every offset and length is checked against the data before it is used. */
#ifndef PIPIT_MULTICALL_H
#define PIPIT_MULTICALL_H

#include <stddef.h>
#include <stdint.h>

/* Multicall3's canonical address on every chain it is deployed to. */
#define MULTICALL3_ADDRESS "0xcA11bde05977b3631167028862bE2a173976CA11"

typedef struct {
    uint8_t target[20];
    int allow_failure;
    const uint8_t *data; /* call data, e.g. from erc20_balance_of() */
    size_t len;
} multicall_call_t;

typedef struct {
    int success;
    const uint8_t *data; /* points into the decoded buffer */
    size_t len;
} multicall_result_t;

/* balanceOf(owner) / getEthBalance(owner): 36 bytes of call data into out. */
void erc20_balance_of(const uint8_t owner[20], uint8_t out[36]);
void multicall_get_eth_balance(const uint8_t owner[20], uint8_t out[36]);

/* aggregate3(calls): the call data into a new allocation (alloc_free it); -1 out of memory. */
int multicall_encode(const multicall_call_t *calls, size_t n, uint8_t **out, size_t *outlen);
/* The (bool, bytes)[] aggregate3 returns: exactly n results, or -1 for anything malformed. */
int multicall_decode(const uint8_t *data, size_t len, multicall_result_t *results, size_t n);
/* "0x…" hex (even length, any case) into a new allocation (alloc_free it; ALLOC_CLIENT);
 * -1 malformed or out of memory. */
int abi_hex_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/* data as "0x…" lower-case hex, NUL-terminated, in a new allocation; NULL out of memory. */
char *abi_hex_encode(const uint8_t *data, size_t n);
/* A uint256 return value (32 bytes); -1 when the data is not exactly one word. */
int abi_decode_uint256(const uint8_t *data, size_t len, uint8_t be[32]);

/* ERC-20 name()/symbol()/decimals() answers: a string or bytes32 return value into out (NUL-terminated,
 * cut to outlen on a UTF-8 boundary); 0, or -1 when data is neither. A uint256 that fits
 * 0..255 into *out; 0 or -1. */
int erc20_decode_text(const uint8_t *data, size_t len, char *out, size_t outlen);
int erc20_decode_small_uint(const uint8_t *data, size_t len, int *out);
/* src[0..srclen) into dst, NUL-terminated, cut to dstlen - 1 bytes without splitting a UTF-8
 * sequence (so at most 3 bytes short of that; bytes that are no sequence are cut anywhere). */
void utf8_copy(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
