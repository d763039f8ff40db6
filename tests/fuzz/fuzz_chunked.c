/* libFuzzer target for the chunked request-body decoder (services/http_chunked.c): the input
 * is a raw chunked body. Fed whole and fed in pieces (sizes from the first byte) the decoder
 * must agree on the status, the bytes used and the body; the body never outgrows the input;
 * a decoded body re-encoded as chunks decodes back to itself; a sink that refuses stops it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/http_chunked.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_chunked: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

typedef struct {
    char *out;
    size_t n, cap, limit;
} body_t;

static int collect(void *ud, const char *data, size_t len)
{
    body_t *b = ud;
    MUST(len > 0);
    if (b->n + len > b->limit) return 1;
    MUST(b->n + len <= b->cap);
    memcpy(b->out + b->n, data, len);
    b->n += len;
    return 0;
}

/* Decodes in[0..len) in pieces of step bytes (0: whole); status, used and body out. */
static int decode(const char *in, size_t len, size_t step, body_t *b, size_t *used)
{
    http_chunked_t c;
    http_chunked_init(&c);
    size_t off = 0;
    int rc = HTTP_CHUNKED_MORE;
    do {
        size_t n = step && len - off > step ? step : len - off, u = 0;
        rc = http_chunked_feed(&c, in + off, n, &u, collect, b);
        MUST(u <= n);
        MUST(rc == HTTP_CHUNKED_MORE ? u == n : rc == HTTP_CHUNKED_DONE || rc == HTTP_CHUNKED_BAD || rc == HTTP_CHUNKED_SINK);
        off += u;
    } while (rc == HTTP_CHUNKED_MORE && off < len);
    if (rc == HTTP_CHUNKED_DONE) { /* done stays done, taking nothing more */
        size_t u = 1;
        MUST(http_chunked_feed(&c, "0\r\n\r\n", 5, &u, collect, b) == HTTP_CHUNKED_DONE && u == 0);
    }
    *used = off;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t step = data[0] % 17;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    char *whole = malloc(len + 1), *split = malloc(len + 1);
    MUST(whole && split);
    body_t a = {whole, 0, len, (size_t)-1}, b = {split, 0, len, (size_t)-1};
    size_t ua, ub;
    int ra = decode(in, len, 0, &a, &ua), rb = decode(in, len, step, &b, &ub);
    MUST(ra != HTTP_CHUNKED_SINK && ra == rb && ua == ub && a.n == b.n && !memcmp(whole, split, a.n));
    MUST(a.n <= ua);

    /* a sink that refuses past half the body: decoding stops there, never taking more */
    if (a.n >= 2) {
        body_t h = {split, 0, len, a.n / 2};
        size_t uh;
        int rh = decode(in, len, step, &h, &uh);
        MUST(rh == HTTP_CHUNKED_SINK && h.n <= a.n / 2 && uh <= ua && !memcmp(whole, split, h.n));
    }

    /* the body re-encoded in chunks of (step + 1) bytes, with an extension and a trailer */
    if (ra == HTTP_CHUNKED_DONE) {
        size_t cs = step + 1, cap = a.n * 2 + (a.n / cs + 1) * 24 + 64, e = 0;
        char *enc = malloc(cap), *back = malloc(a.n + 1);
        MUST(enc && back);
        for (size_t off = 0; off < a.n; off += cs) {
            size_t n = a.n - off < cs ? a.n - off : cs;
            e += (size_t)snprintf(enc + e, cap - e, "%zX;x=y\r\n", n);
            memcpy(enc + e, whole + off, n);
            e += n;
            memcpy(enc + e, "\r\n", 2);
            e += 2;
        }
        e += (size_t)snprintf(enc + e, cap - e, "0\r\nX-T: 1\r\n\r\n");
        body_t r = {back, 0, a.n, (size_t)-1};
        size_t ur;
        MUST(decode(enc, e, step, &r, &ur) == HTTP_CHUNKED_DONE && ur == e && r.n == a.n && !memcmp(back, whole, a.n));
        free(enc);
        free(back);
    }
    free(whole);
    free(split);
    return 0;
}
