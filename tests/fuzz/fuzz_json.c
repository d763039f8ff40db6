/* libFuzzer target for core/json: parse arbitrary bytes, run every accessor over every token
 * and check the answers agree with each other, and round-trip strings, whole documents and
 * the raw input through the writer and back through the parser.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_json.c core/json.c core/alloc.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/json.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_json: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

/* Independent of json.c's decoder: 1 if s[0..n) is well-formed UTF-8. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i], cp;
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || i + k > n) return 0;
        cp = k == 1 ? c : c & (0x7F >> k);
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k;
    }
    return 1;
}

/* Re-emits the subtree at tok; numbers pass through raw. */
static void emit(json_writer_t *w, const json_doc_t *d, int tok)
{
    char *s;
    const char *raw;
    size_t n;
    int b, t = json_type(d, tok);
    switch (t) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (t == JSON_OBJECT) json_begin_object(w); else json_begin_array(w);
        for (int c = json_first(d, tok); c >= 0; c = json_sibling(d, c)) {
            if (t == JSON_OBJECT) {
                MUST(json_get_strdup(d, c, ALLOC_TEST, &s, &n) == JSON_OK);
                json_write_keyn(w, s, n);
                alloc_free(s);
                c++; /* the value */
            }
            emit(w, d, c);
        }
        if (t == JSON_OBJECT) json_end_object(w); else json_end_array(w);
        break;
    case JSON_STRING:
        MUST(json_get_strdup(d, tok, ALLOC_TEST, &s, &n) == JSON_OK);
        json_write_strn(w, s, n);
        alloc_free(s);
        break;
    case JSON_NUMBER:
        MUST(json_get_raw(d, tok, &raw, &n) == JSON_OK);
        json_write_raw(w, raw, n);
        break;
    case JSON_BOOL:
        MUST(json_get_bool(d, tok, &b) == JSON_OK);
        json_write_bool(w, b);
        break;
    default:
        MUST(t == JSON_NULL);
        json_write_null(w);
    }
}

/* Parse, which must succeed, and return a copy of the writer's output re-emitted. */
static char *reemit(const char *js, size_t len, size_t *outlen)
{
    json_doc_t d;
    json_writer_t w;
    char err[160];
    int r = json_parse(&d, js, len, 0, err, sizeof err);
    if (r) fprintf(stderr, "fuzz_json: writer output rejected: %s\n", err);
    MUST(r == JSON_OK);
    json_writer_init(&w, 3);
    emit(&w, &d, 0);
    json_doc_free(&d);
    char *buf = json_writer_take(&w, outlen);
    MUST(buf != NULL);
    return buf;
}

static void check_token(const json_doc_t *d, int tok)
{
    char small[8], big[256], amount[64];
    const char *raw;
    size_t n, n2;
    int64_t i64;
    double x;
    int b, t = json_type(d, tok), next = json_next(d, tok);
    MUST(t != JSON_INVALID && next > tok && next <= d->ntok);
    MUST(json_get_raw(d, tok, &raw, &n) == JSON_OK && raw >= d->js && raw + n <= d->js + d->len);

    /* Children: ordered, inside the subtree, counted right; object keys are strings. */
    int count = 0, last = tok;
    for (int c = json_first(d, tok); c >= 0; c = json_sibling(d, c), count++) {
        MUST(c > last && c < next);
        MUST(json_arr_get(d, tok, count) == (t == JSON_ARRAY ? c : -1));
        if (t == JSON_OBJECT) {
            MUST(json_type(d, c) == JSON_STRING && json_next(d, c) == json_next(d, c + 1));
            MUST(json_sibling(d, c + 1) == -1);
            char *key;
            MUST(json_get_strdup(d, c, ALLOC_TEST, &key, &n) == JSON_OK);
            if (strlen(key) == n) { /* a C string: the lookup finds this key or a later duplicate */
                int v = json_obj_get(d, tok, key);
                MUST(v > c && v < next && json_str_eq(d, v - 1, key));
            }
            alloc_free(key);
        }
        last = c;
    }
    MUST(count == json_child_count(d, tok));
    MUST((t == JSON_OBJECT || t == JSON_ARRAY) || count == 0);

    /* Scalars answer only to their own type. */
    MUST((json_get_bool(d, tok, &b) == JSON_OK) == (t == JSON_BOOL));
    MUST(json_is_null(d, tok) == (t == JSON_NULL));
    int ri = json_get_int64(d, tok, &i64), rd = json_get_double(d, tok, &x);
    MUST((ri == JSON_ETYPE) == (t != JSON_NUMBER) && (rd == JSON_ETYPE) == (t != JSON_NUMBER));
    if (ri == JSON_OK) MUST(rd == JSON_OK && x == (double)i64); /* both correctly rounded */
    int ra = json_get_amount(d, tok, amount, sizeof amount);
    if (t == JSON_NUMBER) MUST(ra == JSON_OK || ra == JSON_ERANGE);
    if (ra == JSON_OK) { /* canonical: a JSON number that normalizes to itself */
        char again[64];
        json_doc_t ad;
        MUST(json_normalize_amount(amount, strlen(amount), again, sizeof again) == JSON_OK && !strcmp(again, amount));
        MUST(json_parse(&ad, amount, strlen(amount), 0, NULL, 0) == JSON_OK && json_type(&ad, 0) == JSON_NUMBER);
        json_doc_free(&ad);
    }

    /* Strings: every accessor agrees, and the writer gives them back unchanged. */
    int rs = json_get_str(d, tok, big, sizeof big, &n);
    MUST((rs == JSON_ETYPE) == (t != JSON_STRING));
    if (t != JSON_STRING) return;
    char *s;
    MUST(json_get_strdup(d, tok, ALLOC_TEST, &s, &n2) == JSON_OK);
    MUST(utf8_valid((const unsigned char *)s, n2) && json_str_eqn(d, tok, s, n2));
    MUST(rs == (n2 < sizeof big ? JSON_OK : JSON_ERANGE));
    if (rs == JSON_OK) MUST(n == n2 && !memcmp(big, s, n));
    /* As a C string into a small buffer: whichever comes first, U+0000 or the end of room. */
    const char *nul = memchr(s, 0, n2);
    int want = nul && nul - s < (long)sizeof small ? JSON_EVALUE : n2 < sizeof small ? JSON_OK : JSON_ERANGE;
    MUST(json_get_str(d, tok, small, sizeof small, NULL) == want);
    if (n2) MUST(!json_str_eqn(d, tok, s, n2 - 1));

    json_writer_t w;
    const char *out;
    size_t outlen;
    json_doc_t wd;
    json_writer_init(&w, 0);
    json_write_strn(&w, s, n2);
    MUST(json_writer_finish(&w, &out, &outlen) == JSON_OK);
    MUST(json_parse(&wd, out, outlen, 0, NULL, 0) == JSON_OK && json_str_eqn(&wd, 0, s, n2));
    json_doc_free(&wd);
    json_writer_free(&w);
    alloc_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *js = (const char *)data;
    char err[160];
    json_doc_t d;

    /* A copy with no room after it, so any read past len is caught by ASan. */
    char *copy = malloc(size ? size : 1);
    MUST(copy != NULL);
    memcpy(copy, data, size);
    int r = json_parse(&d, copy, size, 1 << 16, err, sizeof err);
    if (r == JSON_OK) {
        MUST(d.ntok > 0 && json_next(&d, 0) == d.ntok);
        for (int t = 0; t < d.ntok; t++) check_token(&d, t);
        /* Whole-document round trip: the re-emitted form parses and is a fixed point. */
        json_writer_t w;
        size_t n1, n2;
        json_writer_init(&w, 0);
        emit(&w, &d, 0);
        char *once = json_writer_take(&w, &n1);
        MUST(once != NULL);
        char *twice = reemit(once, n1, &n2);
        MUST(n1 == n2 && !memcmp(once, twice + 3, n1));
        alloc_free(once);
        alloc_free(twice);
        json_doc_free(&d);
    } else {
        MUST(r == JSON_ESYNTAX && !strncmp(err, "Malformed JSON: ", 16) && !strstr(err, "internal"));
        const char *at = strstr(err, " at byte ");
        MUST(at && strtoull(at + 9, NULL, 10) <= size);
        MUST(d.priv == NULL && d.ntok == 0);
    }
    free(copy);

    /* The raw bytes as a string: always valid JSON, and unchanged when they were valid UTF-8. */
    json_writer_t w;
    const char *out;
    size_t outlen, n;
    json_writer_init(&w, 0);
    json_begin_array(&w);
    json_write_strn(&w, js, size);
    json_write_amount(&w, js, size);
    int amount_ok = json_writer_error(&w) == JSON_OK;
    if (!amount_ok) { /* only the amount may have failed: redo without it */
        json_writer_free(&w);
        json_begin_array(&w);
        json_write_strn(&w, js, size);
    }
    json_end_array(&w);
    MUST(json_writer_finish(&w, &out, &outlen) == JSON_OK);
    MUST(json_parse(&d, out, outlen, 0, err, sizeof err) == JSON_OK);
    MUST(json_child_count(&d, 0) == 1 + amount_ok);
    char *s;
    MUST(json_get_strdup(&d, 1, ALLOC_TEST, &s, &n) == JSON_OK);
    if (utf8_valid(data, size)) MUST(n == size && !memcmp(s, data, size));
    else MUST(n != size || memcmp(s, data, size));
    alloc_free(s);
    json_doc_free(&d);
    json_writer_free(&w);
    return 0;
}
