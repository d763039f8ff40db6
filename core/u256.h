/* u256 — exact 256-bit unsigned amounts (EVM balances) as decimal strings with a token's
 * decimals, the way rotki shows them: "1.5", "0.000001", "0"; never through floating point. */
#ifndef PIPIT_U256_H
#define PIPIT_U256_H

#include <stddef.h>
#include <stdint.h>

/* Big-endian 32 bytes -> decimal with `decimals` fraction digits, trailing zeros dropped.
 * out needs 80 bytes at least (78 digits, a point, NUL); returns the length or -1. */
int u256_to_decimal(const uint8_t be[32], unsigned decimals, char *out, size_t outlen);
/* The same for a wider big-endian number (sums of many balances): up to 40 bytes. */
#define UINT_DECIMAL_MAX_BYTES 40
int uint_to_decimal(const uint8_t *be, size_t nbytes, unsigned decimals, char *out, size_t outlen);
/* "0x…" hex (up to 64 digits, as eth_getBalance answers) -> big-endian 32 bytes; 0 or -1. */
int u256_from_hex(const char *s, size_t len, uint8_t be[32]);

#endif
