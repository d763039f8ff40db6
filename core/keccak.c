/* keccak — see keccak.h. Keccak-f[1600] on 25 64-bit lanes, rate 136 bytes for 256-bit output. */
#include "keccak.h"

#include <string.h>

static const uint64_t round_constants[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808Aull, 0x8000000080008000ull,
    0x000000000000808Bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008Aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000Aull,
    0x000000008000808Bull, 0x800000000000008Bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800Aull, 0x800000008000000Aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};
static const unsigned rotations[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};

static uint64_t rol(uint64_t x, unsigned n) { return n ? (x << n) | (x >> (64 - n)) : x; }

static void keccak_f(uint64_t a[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        /* rho and pi: lane (x, y) moves to (y, 2x + 3y) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(a[x + 5 * y], rotations[x + 5 * y]);
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= round_constants[round];
    }
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

void keccak256(const void *data, size_t len, uint8_t out[32])
{
    enum { RATE = 136 };
    uint64_t a[25] = {0};
    const uint8_t *p = data;
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++) a[i] ^= load64(p + 8 * i);
        keccak_f(a);
        p += RATE;
        len -= RATE;
    }
    uint8_t last[RATE] = {0};
    memcpy(last, p, len);
    last[len] ^= 0x01;      /* Keccak's padding, as Ethereum uses it */
    last[RATE - 1] ^= 0x80;
    for (int i = 0; i < RATE / 8; i++) a[i] ^= load64(last + 8 * i);
    keccak_f(a);
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void evm_address_checksum(const uint8_t addr[20], char out[43])
{
    static const char hex[] = "0123456789abcdef";
    char lower[40];
    uint8_t h[32];
    for (int i = 0; i < 20; i++) {
        lower[2 * i] = hex[addr[i] >> 4];
        lower[2 * i + 1] = hex[addr[i] & 15];
    }
    keccak256(lower, sizeof lower, h);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        int nibble = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        char c = lower[i];
        out[2 + i] = (c >= 'a' && nibble >= 8) ? (char)(c - 32) : c; /* uppercase where the hash nibble is >= 8 */
    }
    out[42] = 0;
}

int evm_address_parse(const char *s, size_t len, int strict, uint8_t out[20])
{
    if (len != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return -1;
    int upper = 0, lowercase = 0;
    for (int i = 0; i < 20; i++) {
        int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    for (int i = 2; i < 42; i++) {
        upper |= s[i] >= 'A' && s[i] <= 'F';
        lowercase |= s[i] >= 'a' && s[i] <= 'f';
    }
    if (strict && upper && lowercase) {
        char want[43];
        evm_address_checksum(out, want);
        if (memcmp(want + 2, s + 2, 40) != 0) return -2;
    }
    return 0;
}
