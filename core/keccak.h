/* keccak — Ethereum's Keccak-256 (the original Keccak padding 0x01, not SHA3-256's 0x06, which
 * is why mbedtls' SHA-3 cannot serve) and EIP-55 checksummed addresses. Debian 12 has no C
 * Keccak library, so this is a small one of our own, checked against published vectors. */
#ifndef PIPIT_KECCAK_H
#define PIPIT_KECCAK_H

#include <stddef.h>
#include <stdint.h>

void keccak256(const void *data, size_t len, uint8_t out[32]);

/* Parses "0x" + 40 hex digits (any case) into 20 bytes. With strict set, a mixed-case address
 * must carry a valid EIP-55 checksum (all-lower or all-upper is accepted as unchecksummed).
 * Returns 0, or -1 for a malformed address, -2 for a wrong checksum. */
int evm_address_parse(const char *s, size_t len, int strict, uint8_t out[20]);
/* The EIP-55 form: "0x" + 40 mixed-case hex digits + NUL into out[43]. */
void evm_address_checksum(const uint8_t addr[20], char out[43]);

#endif
