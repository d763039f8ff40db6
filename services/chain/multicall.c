/* multicall — see multicall.h. ABI words are 32 bytes, big-endian; dynamic values are placed
 * after the heads and referenced by offsets relative to the start of their enclosing tuple. */
#include "multicall.h"

#include <string.h>

#include "../../core/alloc.h"

static const uint8_t SEL_AGGREGATE3[4] = {0x82, 0xad, 0x56, 0xcb};   /* aggregate3((address,bool,bytes)[]) */
static const uint8_t SEL_GET_ETH_BALANCE[4] = {0x4d, 0x23, 0x01, 0xcc}; /* getEthBalance(address) */
static const uint8_t SEL_BALANCE_OF[4] = {0x70, 0xa0, 0x82, 0x31};   /* balanceOf(address) */

static void word_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

static void word_address(uint8_t w[32], const uint8_t a[20])
{
    memset(w, 0, 12);
    memcpy(w + 12, a, 20);
}

static void selector_and_address(const uint8_t sel[4], const uint8_t owner[20], uint8_t out[36])
{
    memcpy(out, sel, 4);
    word_address(out + 4, owner);
}

void erc20_balance_of(const uint8_t owner[20], uint8_t out[36]) { selector_and_address(SEL_BALANCE_OF, owner, out); }
void multicall_get_eth_balance(const uint8_t owner[20], uint8_t out[36])
{
    selector_and_address(SEL_GET_ETH_BALANCE, owner, out);
}

static size_t padded(size_t n) { return (n + 31) / 32 * 32; }

int multicall_encode(const multicall_call_t *calls, size_t n, uint8_t **out, size_t *outlen)
{
    /* selector | offset(0x20) | n | n tuple offsets | tuples: target, allowFailure, 0x60, len, data */
    size_t total = 4 + 32 + 32 + 32 * n;
    for (size_t i = 0; i < n; i++) total += 4 * 32 + padded(calls[i].len);
    uint8_t *b = alloc_zget(ALLOC_HTTP, total);
    if (!b) return -1;
    memcpy(b, SEL_AGGREGATE3, 4);
    uint8_t *p = b + 4;
    word_u64(p, 32);
    word_u64(p + 32, n);
    uint8_t *heads = p + 64, *tail = heads + 32 * n;
    size_t off = 32 * n; /* tuple offsets count from the first head */
    for (size_t i = 0; i < n; i++) {
        word_u64(heads + 32 * i, off);
        word_address(tail, calls[i].target);
        word_u64(tail + 32, calls[i].allow_failure ? 1 : 0);
        word_u64(tail + 64, 96);
        word_u64(tail + 96, calls[i].len);
        memcpy(tail + 128, calls[i].data, calls[i].len);
        size_t sz = 128 + padded(calls[i].len);
        tail += sz;
        off += sz;
    }
    *out = b;
    *outlen = total;
    return 0;
}

/* A word that must hold a small number (offsets, lengths, booleans); -1 otherwise. */
static int64_t small_word(const uint8_t *data, size_t len, size_t at)
{
    if (at > len || len - at < 32) return -1;
    for (int i = 0; i < 24; i++)
        if (data[at + (size_t)i]) return -1;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = (v << 8) | data[at + (size_t)i];
    return v > (uint64_t)len ? -1 : (int64_t)v;
}

int multicall_decode(const uint8_t *data, size_t len, multicall_result_t *results, size_t n)
{
    int64_t arr = small_word(data, len, 0);
    if (arr < 0) return -1;
    int64_t count = small_word(data, len, (size_t)arr);
    if (count < 0 || (size_t)count != n) return -1;
    size_t heads = (size_t)arr + 32;
    for (size_t i = 0; i < n; i++) {
        int64_t off = small_word(data, len, heads + 32 * i);
        if (off < 0) return -1;
        size_t tuple = heads + (size_t)off;
        int64_t ok = small_word(data, len, tuple), boff = small_word(data, len, tuple + 32);
        if (ok < 0 || ok > 1 || boff < 0) return -1;
        int64_t blen = small_word(data, len, tuple + (size_t)boff);
        size_t start = tuple + (size_t)boff + 32;
        if (blen < 0 || start > len || (size_t)blen > len - start) return -1;
        results[i].success = (int)ok;
        results[i].data = data + start;
        results[i].len = (size_t)blen;
    }
    return 0;
}

int abi_decode_uint256(const uint8_t *data, size_t len, uint8_t be[32])
{
    if (len != 32) return -1;
    memcpy(be, data, 32);
    return 0;
}

int abi_hex_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    if (n < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || (n & 1)) return -1;
    size_t len = (n - 2) / 2;
    uint8_t *b = alloc_get(ALLOC_CLIENT, len ? len : 1);
    if (!b) return -1;
    for (size_t i = 0; i < 2 * len; i++) {
        char c = s[2 + i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
            alloc_free(b);
            return -1;
        }
        b[i / 2] = (uint8_t)(i & 1 ? (b[i / 2] << 4) | d : d);
    }
    *out = b;
    *outlen = len;
    return 0;
}

char *abi_hex_encode(const uint8_t *data, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char *s = alloc_get(ALLOC_CLIENT, 2 + 2 * n + 1);
    if (!s) return NULL;
    s[0] = '0';
    s[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        s[2 + 2 * i] = hx[data[i] >> 4];
        s[3 + 2 * i] = hx[data[i] & 15];
    }
    s[2 + 2 * n] = 0;
    return s;
}

/* ------------------------------------------------------------------ ERC-20 metadata answers */
void utf8_copy(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    size_t n = srclen;
    if (n >= dstlen) {
        n = dstlen - 1;
        /* back to the start of the sequence src[n] is in: at most 3 bytes, as a UTF-8 sequence is
         * at most 4; a longer run of continuation bytes is no sequence and is cut where it is */
        size_t k = n;
        while (k > 0 && n - k < 3 && ((unsigned char)src[k] & 0xC0) == 0x80) k--;
        if (((unsigned char)src[k] & 0xC0) != 0x80) n = k;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

int erc20_decode_text(const uint8_t *data, size_t len, char *out, size_t outlen)
{
    const uint8_t *p;
    size_t n;
    int64_t off, sl;
    if (len == 32) { /* bytes32: the text, NUL padded */
        p = data;
        n = 32;
    } else if (len >= 64 && (off = small_word(data, len, 0)) >= 0 && (sl = small_word(data, len, (size_t)off)) >= 0 &&
               (size_t)sl <= len - (size_t)off - 32) { /* an ABI string: offset, length, bytes */
        p = data + off + 32;
        n = (size_t)sl;
    } else {
        return -1;
    }
    size_t k = 0;
    while (k < n && p[k]) k++; /* up to the first NUL: bytes32 padding, or a C string stored as bytes */
    utf8_copy(out, outlen, (const char *)p, k);
    return 0;
}

int erc20_decode_small_uint(const uint8_t *data, size_t len, int *out)
{
    if (len != 32) return -1;
    for (int i = 0; i < 31; i++)
        if (data[i]) return -1;
    *out = data[31];
    return 0;
}
