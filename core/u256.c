/* u256 — see u256.h. Schoolbook division by 10 on the byte array: 32 bytes, 78 digits. */
#include "u256.h"

#include <string.h>

int u256_to_decimal(const uint8_t be[32], unsigned decimals, char *out, size_t outlen)
{
    return uint_to_decimal(be, 32, decimals, out, outlen);
}

int uint_to_decimal(const uint8_t *be, size_t nbytes, unsigned decimals, char *out, size_t outlen)
{
    uint8_t n[UINT_DECIMAL_MAX_BYTES];
    char digits[104];
    int nd = 0;
    if (nbytes > sizeof n || decimals > 90) return -1;
    memcpy(n, be, nbytes);
    for (;;) { /* least significant digit first */
        unsigned rem = 0, nonzero = 0;
        for (size_t i = 0; i < nbytes; i++) {
            unsigned cur = (rem << 8) | n[i];
            n[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            nonzero |= n[i];
        }
        digits[nd++] = (char)('0' + rem);
        if (!nonzero) break;
    }
    while (nd <= (int)decimals) digits[nd++] = '0'; /* at least one digit before the point */
    char tmp[112];
    int len = 0;
    for (int i = nd - 1; i >= (int)decimals; i--) tmp[len++] = digits[i];
    int frac_end = 0; /* trailing zeros of the fraction go */
    while (frac_end < (int)decimals && digits[frac_end] == '0') frac_end++;
    if (frac_end < (int)decimals) {
        tmp[len++] = '.';
        for (int i = (int)decimals - 1; i >= frac_end; i--) tmp[len++] = digits[i];
    }
    if ((size_t)len + 1 > outlen) return -1;
    memcpy(out, tmp, (size_t)len);
    out[len] = 0;
    return len;
}

int u256_from_hex(const char *s, size_t len, uint8_t be[32])
{
    if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || len - 2 > 64) return -1;
    memset(be, 0, 32);
    for (size_t i = 2; i < len; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) return -1;
        size_t pos = len - 1 - i; /* nibble index from the right */
        be[31 - pos / 2] |= (uint8_t)(pos % 2 ? v << 4 : v);
    }
    return 0;
}
