/* libFuzzer target for the ABI decoders the node's answers go through (services/chain/
 * multicall.c): aggregate3 results, ERC-20 string/bytes32 and small-integer answers, hex. Every
 * pointer handed back must lie inside the input, every text must be NUL-terminated within its
 * buffer and never end inside a UTF-8 sequence that was cut.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_abi.c services/chain/multicall.c core/alloc.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "services/chain/multicall.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_abi: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    multicall_result_t r[8];
    size_t n = len ? data[0] % 8 : 0;
    if (multicall_decode(data, len, r, n) == 0)
        for (size_t i = 0; i < n; i++) MUST(r[i].data >= data && r[i].data + r[i].len <= data + len);

    /* the same text into a small and a large buffer: the small one is a prefix of the large,
     * cut where no UTF-8 continuation byte follows */
    char out[16], *all = malloc(len + 1);
    MUST(all);
    int rs = erc20_decode_text(data, len, out, sizeof out), rl = erc20_decode_text(data, len, all, len + 1);
    MUST(rs == rl);
    if (rs == 0) {
        size_t k = strlen(out), K = strlen(all);
        MUST(k < sizeof out && k <= K && memcmp(out, all, k) == 0);
        /* cut only when it did not fit, at most 3 bytes early, and then before a sequence's
         * first byte (a run of 4 continuation bytes is no sequence: cut at the end of room) */
        if (k < K) MUST(K >= sizeof out - 1 && k >= sizeof out - 4 &&
                        (k == sizeof out - 1 || ((unsigned char)all[k] & 0xC0) != 0x80));
    }
    free(all);
    int d;
    if (erc20_decode_small_uint(data, len, &d) == 0) MUST(d >= 0 && d <= 255 && len == 32);

    uint8_t *b;
    size_t bl;
    if (abi_hex_decode((const char *)data, len, &b, &bl) == 0) {
        MUST(bl == (len - 2) / 2);
        char *s = abi_hex_encode(b, bl);
        MUST(s && strlen(s) == len);
        for (size_t i = 0; i < len; i++) {
            char c = (char)data[i];
            MUST(s[i] == (c >= 'A' && c <= 'F' ? c + 32 : c == 'X' ? 'x' : c));
        }
        alloc_free(s);
        alloc_free(b);
    }
    return 0;
}
