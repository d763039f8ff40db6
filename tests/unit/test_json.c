/* Unit tests for core/json: strict parsing and its messages, accessors, amounts, writer. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/json.h"

/* Parse a literal that may contain NUL bytes. */
#define PARSE(doc, lit, max, err) json_parse((doc), (lit), sizeof(lit) - 1, (max), (err), sizeof(err))

/* Deterministic xorshift, so a failing case can be replayed. */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Re-emits token tok and its subtree through the writer; returns the token after it. */
static int emit(json_writer_t *w, const json_doc_t *d, int tok)
{
    char buf[4096];
    size_t n;
    int t = json_type(d, tok);
    if (t == JSON_OBJECT || t == JSON_ARRAY) {
        if (t == JSON_OBJECT) json_begin_object(w); else json_begin_array(w);
        for (int c = json_first(d, tok); c >= 0; c = json_sibling(d, c)) {
            if (t == JSON_OBJECT) {
                if (json_get_str(d, c, buf, sizeof buf, &n) == JSON_OK) json_write_keyn(w, buf, n);
                emit(w, d, c + 1);
            } else {
                emit(w, d, c);
            }
        }
        if (t == JSON_OBJECT) json_end_object(w); else json_end_array(w);
    } else if (t == JSON_STRING) {
        if (json_get_str(d, tok, buf, sizeof buf, &n) == JSON_OK) json_write_strn(w, buf, n);
    } else if (t == JSON_BOOL) {
        int b = 0;
        json_get_bool(d, tok, &b);
        json_write_bool(w, b);
    } else if (t == JSON_NULL) {
        json_write_null(w);
    } else if (t == JSON_NUMBER) {
        const char *raw;
        if (json_get_raw(d, tok, &raw, &n) == JSON_OK) json_write_raw(w, raw, n);
    }
    return json_next(d, tok);
}

/* Checks the structural invariants of a parsed document; 0 if they hold. */
static int doc_consistent(const json_doc_t *d)
{
    for (int t = 0; t < d->ntok; t++) {
        int type = json_type(d, t), next = json_next(d, t);
        if (type == JSON_INVALID || next <= t || next > d->ntok) return -1;
        int count = 0, last = t;
        for (int c = json_first(d, t); c >= 0; c = json_sibling(d, c)) {
            if (c <= last || c >= next) return -1;
            if (type == JSON_OBJECT && json_type(d, c) != JSON_STRING) return -1;
            last = c;
            count++;
        }
        if (count != json_child_count(d, t)) return -1;
    }
    return json_next(d, 0) == d->ntok ? 0 : -1;
}

UNIT_TEST(parse_valid_kinds)
{
    static const char js[] =
        " {\"s\": \"x\", \"n\": -12.5e+2, \"i\": 0, \"t\": true, \"f\": false, \"z\": null,\n"
        "   \"a\": [1, [], {}, [[\"deep\"]]], \"o\": {\"k\": {\"k2\": []}}, \"e\": \"\"} \r\n\t";
    char err[128];
    json_doc_t d;
    CHECK_EQ_INT(json_parse(&d, js, sizeof js - 1, 0, err, sizeof err), JSON_OK);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(json_type(&d, 0), JSON_OBJECT);
    CHECK_EQ_INT(json_child_count(&d, 0), 9);
    CHECK_EQ_INT(json_next(&d, 0), d.ntok);
    CHECK_EQ_INT(json_type(&d, json_obj_get(&d, 0, "s")), JSON_STRING);
    CHECK_EQ_INT(json_type(&d, json_obj_get(&d, 0, "n")), JSON_NUMBER);
    CHECK_EQ_INT(json_type(&d, json_obj_get(&d, 0, "t")), JSON_BOOL);
    CHECK_EQ_INT(json_type(&d, json_obj_get(&d, 0, "f")), JSON_BOOL);
    CHECK(json_is_null(&d, json_obj_get(&d, 0, "z")));
    CHECK(!json_is_null(&d, json_obj_get(&d, 0, "f")));
    CHECK_EQ_INT(json_obj_get(&d, 0, "missing"), -1);
    CHECK_EQ_INT(json_obj_get(&d, 0, "S"), -1);
    int a = json_obj_get(&d, 0, "a");
    CHECK_EQ_INT(json_type(&d, a), JSON_ARRAY);
    CHECK_EQ_INT(json_child_count(&d, a), 4);
    CHECK_EQ_INT(json_type(&d, json_arr_get(&d, a, 1)), JSON_ARRAY);
    CHECK_EQ_INT(json_child_count(&d, json_arr_get(&d, a, 1)), 0);
    CHECK_EQ_INT(json_first(&d, json_arr_get(&d, a, 2)), -1);
    int deep = json_arr_get(&d, a, 3);
    CHECK(json_str_eq(&d, json_arr_get(&d, json_arr_get(&d, deep, 0), 0), "deep"));
    CHECK_EQ_INT(json_arr_get(&d, a, 4), -1);
    CHECK_EQ_INT(json_arr_get(&d, a, -1), -1);
    CHECK_EQ_INT(json_arr_get(&d, 0, 0), -1); /* not an array */
    CHECK_EQ_INT(json_sibling(&d, json_arr_get(&d, a, 3)), -1);
    CHECK_EQ_INT(json_sibling(&d, json_arr_get(&d, a, 0)), json_arr_get(&d, a, 1));
    int o = json_obj_get(&d, 0, "o");
    CHECK_EQ_INT(json_type(&d, json_obj_get(&d, json_obj_get(&d, o, "k"), "k2")), JSON_ARRAY);
    CHECK(json_str_eq(&d, json_obj_get(&d, 0, "e"), ""));
    /* Iterating members visits every key in order; values have no siblings. */
    static const char *const keys[] = { "s", "n", "i", "t", "f", "z", "a", "o", "e" };
    int i = 0;
    for (int k = json_first(&d, 0); k >= 0; k = json_sibling(&d, k), i++) {
        CHECK(i < 9);
        CHECK(json_str_eq(&d, k, keys[i]));
        CHECK_EQ_INT(json_sibling(&d, k + 1), -1);
    }
    CHECK_EQ_INT(i, 9);
    /* Out-of-range tokens fail cleanly. */
    CHECK_EQ_INT(json_type(&d, -1), JSON_INVALID);
    CHECK_EQ_INT(json_type(&d, d.ntok), JSON_INVALID);
    CHECK_EQ_INT(json_next(&d, d.ntok), -1);
    CHECK_EQ_INT(json_sibling(&d, 0), -1);
    json_doc_free(&d);
    CHECK(d.priv == NULL && d.ntok == 0);
    json_doc_free(&d); /* twice is harmless */
}

UNIT_TEST(parse_top_level_scalars)
{
    static const struct { const char *js; int type; } cases[] = {
        { "\"\x7f \xE0\xA0\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80\"", JSON_STRING }, /* edges */
        { "0", JSON_NUMBER }, { "-0.0e-0", JSON_NUMBER }, { " 123 ", JSON_NUMBER }, { "true", JSON_BOOL },
        { "false", JSON_BOOL }, { "null", JSON_NULL }, { "\"\"", JSON_STRING }, { "[]", JSON_ARRAY },
        { "{}", JSON_OBJECT }, { "1E5", JSON_NUMBER }, { "\"\xF0\x9F\x98\x80\"", JSON_STRING },
    };
    char err[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_doc_t d;
        CHECK_EQ_INT(json_parse(&d, cases[i].js, strlen(cases[i].js), 0, err, sizeof err), JSON_OK);
        CHECK_EQ_INT(d.ntok, 1);
        CHECK_EQ_INT(json_type(&d, 0), cases[i].type);
        json_doc_free(&d);
    }
    /* The length bounds the input: bytes after it are never read, and none need be NUL. */
    json_doc_t d;
    CHECK_EQ_INT(json_parse(&d, "[1]garbage", 3, 0, err, sizeof err), JSON_OK);
    json_doc_free(&d);
    CHECK_EQ_INT(json_parse(&d, "12345", 2, 0, err, sizeof err), JSON_OK);
    int64_t v = 0;
    CHECK_EQ_INT(json_get_int64(&d, 0, &v), JSON_OK);
    CHECK_EQ_INT(v, 12);
    json_doc_free(&d);
}

UNIT_TEST(parse_errors_name_problem_and_offset)
{
    static const struct { const char *js; size_t len; const char *msg; } cases[] = {
#define C(lit, msg) { lit, sizeof(lit) - 1, msg }
        C("", "unexpected end of input at byte 0"),
        C("  \n", "unexpected end of input at byte 3"),
        C("{\"amount\": \"1.5\",", "unexpected end of input at byte 17"),
        C("{\"asset\" 1}", "expected ':' after object key at byte 9"),
        C("{\"a\"}", "expected ':' after object key at byte 4"),
        C("[\"ab\\x\"]", "invalid escape sequence in string at byte 4"),
        C("\"\\u12G4\"", "invalid escape sequence in string at byte 1"),
        C("\"\\", "unexpected end of input at byte 2"),
        C("\"\\u12", "unexpected end of input at byte 5"),
        C("\"abc", "unexpected end of input at byte 4"),
        C("{\"a\":1 \"b\":2}", "expected ',' or '}' in object at byte 7"),
        C("[1 2]", "expected ',' or ']' in array at byte 3"),
        C("[1,]", "expected a value at byte 3"),
        C("[,1]", "expected a value at byte 1"),
        C("{\"a\":}", "expected a value at byte 5"),
        C("{\"a\":1,}", "expected a string as object key at byte 7"),
        C("{1:2}", "expected a string as object key at byte 1"),
        C("{'a':1}", "expected a string as object key at byte 1"),
        C("[1}", "expected ',' or ']' in array at byte 2"),
        C("{\"a\":1]", "expected ',' or '}' in object at byte 6"),
        C("]", "expected a value at byte 0"),
        C("tru", "unexpected end of input at byte 3"),
        C("[tru]", "invalid literal at byte 1"),
        C("truex", "invalid literal at byte 0"),
        C("True", "invalid literal at byte 0"),
        C("[nul]", "invalid literal at byte 1"),
        C("NaN", "invalid literal at byte 0"),
        C("[Infinity]", "invalid literal at byte 1"),
        C("-Infinity", "invalid number at byte 0"),
        C("01", "invalid number at byte 0"),
        C("[-01]", "invalid number at byte 1"),
        C("1.", "unexpected end of input at byte 2"),
        C("[1.]", "invalid number at byte 1"),
        C("[1.e3]", "invalid number at byte 1"),
        C(".5", "expected a value at byte 0"),
        C("+1", "expected a value at byte 0"),
        C("[1e]", "invalid number at byte 1"),
        C("1e+", "unexpected end of input at byte 3"),
        C("0x10", "invalid number at byte 0"),
        C("1.5.3", "invalid number at byte 0"),
        C("[-]", "invalid number at byte 1"),
        C("-", "unexpected end of input at byte 1"),
        C("\"a\tb\"", "unescaped control character in string at byte 2"),
        C("\"a\nb\"", "unescaped control character in string at byte 2"),
        C("[\"a\0b\"]", "unescaped control character in string at byte 3"),
        C("\"\x1f\"", "unescaped control character in string at byte 1"),
        C("\"\xC0\xAF\"", "invalid UTF-8 in string at byte 1"),       /* overlong '/' */
        C("\"\xE0\x80\xAF\"", "invalid UTF-8 in string at byte 1"),   /* overlong, 3 bytes */
        C("\"\xF0\x80\x80\xAF\"", "invalid UTF-8 in string at byte 1"), /* overlong, 4 bytes */
        C("[00]", "invalid number at byte 1"),
        C("-00", "invalid number at byte 0"),
        C("\"a\xED\xA0\x80\"", "invalid UTF-8 in string at byte 2"),  /* encoded surrogate */
        C("\"\xF4\x90\x80\x80\"", "invalid UTF-8 in string at byte 1"), /* above U+10FFFF */
        C("\"\xE2\x82\"", "invalid UTF-8 in string at byte 1"),       /* cut short */
        C("\"\x80\"", "invalid UTF-8 in string at byte 1"),
        C("\"\xFF\"", "invalid UTF-8 in string at byte 1"),
        C("\"\\ud800\"", "unpaired UTF-16 surrogate in string at byte 1"),
        C("\"x\\udc00\\ud800\"", "unpaired UTF-16 surrogate in string at byte 2"),
        C("\"\\ud800\\u0041\"", "unpaired UTF-16 surrogate in string at byte 1"),
        C("\"\\ud800\\ud800\"", "unpaired UTF-16 surrogate in string at byte 1"),
        C("\"\\ud800\\n\"", "unpaired UTF-16 surrogate in string at byte 1"),
        C("\"\\ud800\\u00", "unexpected end of input at byte 11"),
        C("\"\\ud800\\uZZZZ\"", "invalid escape sequence in string at byte 7"),
        C("{} x", "unexpected data after the JSON value at byte 3"),
        C("{}}", "unexpected data after the JSON value at byte 2"),
        C("1 2", "unexpected data after the JSON value at byte 2"),
        C("[]\0", "unexpected data after the JSON value at byte 2"),
        C("\xEF\xBB\xBF{}", "expected a value at byte 0"), /* no BOM (RFC 8259 8.1) */
        C("[1,\xA0" "2]", "expected a value at byte 3"),  /* NBSP is no whitespace */
        C("{\"a\" : 1 , \"b\" \v: 2}", "expected ':' after object key at byte 15"),
#undef C
    };
    char err[160], want[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_doc_t d;
        int r = json_parse(&d, cases[i].js, cases[i].len, 0, err, sizeof err);
        snprintf(want, sizeof want, "Malformed JSON: %s", cases[i].msg);
        if (r != JSON_ESYNTAX) printf("case %zu\n", i);
        CHECK_EQ_INT(r, JSON_ESYNTAX);
        CHECK_EQ_STR(err, want);
        CHECK(d.priv == NULL && d.ntok == 0);
        json_doc_free(&d);
    }
    /* A short error buffer truncates, still NUL-terminated; no buffer at all is fine. */
    json_doc_t d;
    char small[12];
    CHECK_EQ_INT(PARSE(&d, "[1,]", 0, small), JSON_ESYNTAX);
    CHECK_EQ_STR(small, "Malformed J");
    CHECK_EQ_INT(json_parse(&d, "[1,]", 4, 0, NULL, 0), JSON_ESYNTAX);
}

UNIT_TEST(parse_depth_limit)
{
    char buf[8 * JSON_MAX_DEPTH], err[128];
    json_doc_t d;
    int n = JSON_MAX_DEPTH;
    /* Exactly the limit, alternating arrays and objects. */
    size_t len = 0;
    for (int i = 0; i < n; i++) len += (size_t)snprintf(buf + len, sizeof buf - len, i % 2 ? "[" : "{\"k\":");
    for (int i = n - 1; i >= 0; i--) buf[len++] = i % 2 ? ']' : '}';
    CHECK(len < sizeof buf);
    CHECK_EQ_INT(json_parse(&d, buf, len, 0, err, sizeof err), JSON_OK);
    CHECK_EQ_INT(d.ntok, n + n / 2);
    CHECK_EQ_INT(json_next(&d, 0), d.ntok);
    CHECK_EQ_INT(json_next(&d, d.ntok - 1), d.ntok);
    CHECK_EQ_INT(doc_consistent(&d), 0);
    json_doc_free(&d);
    /* One more level fails, at the byte that opens it. */
    memset(buf, '[', (size_t)n + 1);
    memset(buf + n + 1, ']', (size_t)n + 1);
    CHECK_EQ_INT(json_parse(&d, buf, 2 * (size_t)n + 2, 0, err, sizeof err), JSON_ESYNTAX);
    CHECK_EQ_STR(err, "Malformed JSON: nesting deeper than 64 levels at byte 64");
    len = 0;
    for (int i = 0; i <= n; i++) len += (size_t)snprintf(buf + len, sizeof buf - len, "{\"\":");
    CHECK_EQ_INT(json_parse(&d, buf, len, 0, err, sizeof err), JSON_ESYNTAX);
    CHECK_EQ_STR(err, "Malformed JSON: nesting deeper than 64 levels at byte 256");
}

UNIT_TEST(parse_hostile_sizes)
{
    char err[128];
    json_doc_t d;
    size_t big = 1u << 20;
    char *buf = malloc(2 * big + 2);
    CHECK(buf != NULL);
    /* A megabyte of '[': rejected at the depth limit, long before the end. */
    memset(buf, '[', big);
    CHECK_EQ_INT(json_parse(&d, buf, big, 0, err, sizeof err), JSON_ESYNTAX);
    CHECK_EQ_STR(err, "Malformed JSON: nesting deeper than 64 levels at byte 64");
    /* Half a million elements against a cap of 1000: rejected at the 1001st, nothing allocated. */
    size_t live = alloc_live(), len = 0;
    buf[len++] = '[';
    while (len < 2 * big - 2) { buf[len++] = '0'; buf[len++] = ','; }
    buf[len - 1] = ']';
    CHECK_EQ_INT(json_parse(&d, buf, len, 1000, err, sizeof err), JSON_ESYNTAX);
    CHECK_EQ_STR(err, "Malformed JSON: more than 1000 values and keys at byte 1999");
    CHECK_EQ_INT(alloc_live(), live);
    /* Without a cap it parses, the table sized exactly. */
    CHECK_EQ_INT(json_parse(&d, buf, len, 0, err, sizeof err), JSON_OK);
    CHECK_EQ_INT(d.ntok, (int)big);
    CHECK_EQ_INT(json_child_count(&d, 0), (int)big - 1);
    CHECK_EQ_INT(json_arr_get(&d, 0, (int)big - 2), (int)big - 1);
    json_doc_free(&d);
    CHECK_EQ_INT(alloc_live(), live);
    free(buf);
    /* The cap counts keys and values: {"a":[1,2]} is 5 tokens. */
    CHECK_EQ_INT(PARSE(&d, "{\"a\":[1,2]}", 5, err), JSON_OK);
    json_doc_free(&d);
    CHECK_EQ_INT(PARSE(&d, "{\"a\":[1,2]}", 4, err), JSON_ESYNTAX);
    CHECK_EQ_STR(err, "Malformed JSON: more than 4 values and keys at byte 8");
}

UNIT_TEST(parse_every_truncation_fails)
{
    /* ASCII only, object at the top: every proper prefix is incomplete, never invalid. */
    static const char js[] =
        "{\"a\": [1, -2.5e+10, true, false, null, \"s\\\"\\u00e9\\ud83d\\ude00\"], \"b\": {\"c\": {}}, \"d\": []}";
    char err[128], want[128];
    json_doc_t d;
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK);
    json_doc_free(&d);
    for (size_t n = 0; n < sizeof js - 1; n++) {
        CHECK_EQ_INT(json_parse(&d, js, n, 0, err, sizeof err), JSON_ESYNTAX);
        snprintf(want, sizeof want, "Malformed JSON: unexpected end of input at byte %zu", n);
        CHECK_EQ_STR(err, want);
    }
    /* With raw UTF-8 a cut inside a character is invalid UTF-8 instead, but still an error. */
    static const char utf[] = "[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"]";
    for (size_t n = 0; n < sizeof utf - 1; n++)
        CHECK_EQ_INT(json_parse(&d, utf, n, 0, err, sizeof err), JSON_ESYNTAX);
}

UNIT_TEST(parse_random_bytes)
{
    /* Mostly JSON punctuation so that some inputs parse; the rest must fail with a message. */
    static const char alphabet[] = "{}[]:,\"\\ 0123456789.-+eEtrufalsn\x01\x80\xC3\xA9u";
    char buf[48], err[160];
    int ok = 0;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = rng() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = rng() % 8 ? alphabet[rng() % (sizeof alphabet - 1)] : (char)rng();
        json_doc_t d;
        int r = json_parse(&d, buf, n, 64, err, sizeof err);
        if (r == JSON_OK) {
            ok++;
            CHECK_EQ_INT(doc_consistent(&d), 0);
            json_doc_free(&d);
        } else {
            CHECK_EQ_INT(r, JSON_ESYNTAX);
            CHECK(strncmp(err, "Malformed JSON: ", 16) == 0);
            const char *at = strstr(err, " at byte ");
            CHECK(at != NULL);
            CHECK(strtoul(at + 9, NULL, 10) <= n);
        }
    }
    CHECK(ok > 100); /* the generator does reach valid documents */
}

UNIT_TEST(strings_unescape)
{
    static const char js[] =
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\uD834\\uDD1E\", "
        "\"\xC3\xA9\xF0\x9F\x98\x80\", \"a\\u0000b\", 5, {\"k\\u0065y\": 1, \"key\": 2}]";
    char err[128], buf[64];
    size_t n;
    json_doc_t d;
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK);
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 0), buf, sizeof buf, &n), JSON_OK);
    CHECK_EQ_STR(buf, "\"\\/\b\f\n\r\t");
    CHECK_EQ_INT(n, 8);
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 1), buf, sizeof buf, NULL), JSON_OK);
    CHECK_EQ_STR(buf, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9D\x84\x9E");
    CHECK(json_str_eq(&d, json_arr_get(&d, 0, 1), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9D\x84\x9E"));
    CHECK(!json_str_eq(&d, json_arr_get(&d, 0, 1), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    CHECK(!json_str_eq(&d, json_arr_get(&d, 0, 1), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9D\x84\x9E!"));
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 2), buf, sizeof buf, NULL), JSON_OK);
    CHECK_EQ_STR(buf, "\xC3\xA9\xF0\x9F\x98\x80");
    /* Exactly fitting (length + NUL) works; one byte less does not. */
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 2), buf, 7, &n), JSON_OK);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 2), buf, 6, &n), JSON_ERANGE);
    CHECK_EQ_STR(buf, "");
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 2), buf, 0, &n), JSON_ERANGE);
    /* U+0000: refused as a C string, delivered with its length. */
    int z = json_arr_get(&d, 0, 3);
    CHECK_EQ_INT(json_get_str(&d, z, buf, sizeof buf, NULL), JSON_EVALUE);
    CHECK_EQ_INT(json_get_str(&d, z, buf, sizeof buf, &n), JSON_OK);
    CHECK_EQ_INT(n, 3);
    CHECK(memcmp(buf, "a\0b", 4) == 0);
    CHECK(json_str_eqn(&d, z, "a\0b", 3));
    CHECK(!json_str_eq(&d, z, "a"));
    /* Wrong types. */
    CHECK_EQ_INT(json_get_str(&d, json_arr_get(&d, 0, 4), buf, sizeof buf, &n), JSON_ETYPE);
    CHECK_EQ_INT(json_get_str(&d, 0, buf, sizeof buf, &n), JSON_ETYPE);
    CHECK(!json_str_eq(&d, json_arr_get(&d, 0, 4), "5"));
    CHECK(!json_str_eq(&d, 0, NULL));
    /* Keys compare unescaped; with duplicates the last one wins. */
    int o = json_arr_get(&d, 0, 5);
    int64_t v = 0;
    CHECK_EQ_INT(json_get_int64(&d, json_obj_get(&d, o, "key"), &v), JSON_OK);
    CHECK_EQ_INT(v, 2);
    CHECK_EQ_INT(json_obj_get(&d, o, "k\\u0065y"), -1);
    /* The allocating variant. */
    char *s = NULL;
    size_t live = alloc_live();
    CHECK_EQ_INT(json_get_strdup(&d, json_arr_get(&d, 0, 1), ALLOC_TEST, &s, &n), JSON_OK);
    CHECK_EQ_INT(n, 14);
    CHECK_EQ_STR(s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9D\x84\x9E");
    alloc_free(s);
    CHECK_EQ_INT(json_get_strdup(&d, z, ALLOC_TEST, &s, NULL), JSON_EVALUE);
    CHECK(s == NULL);
    CHECK_EQ_INT(json_get_strdup(&d, json_arr_get(&d, 0, 4), ALLOC_TEST, &s, NULL), JSON_ETYPE);
    CHECK_EQ_INT(alloc_live(), live);
    json_doc_free(&d);
}

UNIT_TEST(numbers_and_literals)
{
    static const char js[] =
        "[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809,"
        " 99999999999999999999, 1.0, 1e3, -0, 0, true, false, null, \"5\", 1.5, -2.5e-3, 1e400, -1e400, 1e-400]";
    char err[128];
    json_doc_t d;
    int64_t v = 0;
    double x = 0;
    int b = -1;
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK);
#define EL(i) json_arr_get(&d, 0, (i))
    CHECK_EQ_INT(json_get_int64(&d, EL(0), &v), JSON_OK);
    CHECK(v == INT64_MAX);
    CHECK_EQ_INT(json_get_int64(&d, EL(1), &v), JSON_OK);
    CHECK(v == INT64_MIN);
    CHECK_EQ_INT(json_get_int64(&d, EL(2), &v), JSON_ERANGE);
    CHECK_EQ_INT(json_get_int64(&d, EL(3), &v), JSON_ERANGE);
    CHECK_EQ_INT(json_get_int64(&d, EL(4), &v), JSON_ERANGE);
    CHECK_EQ_INT(json_get_int64(&d, EL(5), &v), JSON_EVALUE);
    CHECK_EQ_INT(json_get_int64(&d, EL(6), &v), JSON_EVALUE);
    CHECK_EQ_INT(json_get_int64(&d, EL(7), &v), JSON_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(json_get_int64(&d, EL(9), &v), JSON_ETYPE);
    CHECK_EQ_INT(json_get_int64(&d, EL(12), &v), JSON_ETYPE);
    CHECK_EQ_INT(json_get_bool(&d, EL(9), &b), JSON_OK);
    CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(json_get_bool(&d, EL(10), &b), JSON_OK);
    CHECK_EQ_INT(b, 0);
    CHECK_EQ_INT(json_get_bool(&d, EL(11), &b), JSON_ETYPE);
    CHECK_EQ_INT(json_get_bool(&d, EL(8), &b), JSON_ETYPE);
    CHECK(json_is_null(&d, EL(11)));
    CHECK_EQ_INT(json_get_double(&d, EL(13), &x), JSON_OK);
    CHECK(x == 1.5);
    CHECK_EQ_INT(json_get_double(&d, EL(14), &x), JSON_OK);
    CHECK(x == -2.5e-3);
    CHECK_EQ_INT(json_get_double(&d, EL(0), &x), JSON_OK);
    CHECK(x == 9223372036854775807.0);
    CHECK_EQ_INT(json_get_double(&d, EL(15), &x), JSON_ERANGE);
    CHECK_EQ_INT(json_get_double(&d, EL(16), &x), JSON_ERANGE);
    CHECK_EQ_INT(json_get_double(&d, EL(17), &x), JSON_OK);
    CHECK(x == 0.0);
    CHECK_EQ_INT(json_get_double(&d, EL(12), &x), JSON_ETYPE);
#undef EL
    json_doc_free(&d);
}

UNIT_TEST(amounts)
{
    static const struct { const char *in, *out; } ok[] = {
        { "1.5", "1.5" }, { "0001.500", "1.5" }, { "-0", "0" }, { "-0.000", "0" }, { "0e999999999999", "0" },
        { "-0.10e1", "-1" }, { "1e3", "1000" }, { "1.5e-3", "0.0015" }, { "+2", "2" }, { ".5", "0.5" },
        { "5.", "5" }, { "1E+2", "100" }, { "12.34e1", "123.4" }, { "12.34e-2", "0.1234" },
        { "123456789012345678901234567890.123456789012345678", "123456789012345678901234567890.123456789012345678" },
        { "-0.000000000000000001", "-0.000000000000000001" }, { "100", "100" }, { "10.0", "10" },
    };
    static const char *const bad[] = {
        "", "-", "+", ".", "e5", "1e", "1e+", "--1", "1..2", "1.2.3", " 1", "1 ", "1,5", "0x10", "1_000",
        "NaN", "nan", "Infinity", "-inf", "1e5x", "١",
    };
    char buf[64];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_EQ_INT(json_normalize_amount(ok[i].in, strlen(ok[i].in), buf, sizeof buf), JSON_OK);
        CHECK_EQ_STR(buf, ok[i].out);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(json_normalize_amount(bad[i], strlen(bad[i]), buf, sizeof buf), JSON_EVALUE);
    CHECK_EQ_INT(json_normalize_amount("1e999999999999", 14, buf, sizeof buf), JSON_ERANGE);
    CHECK_EQ_INT(json_normalize_amount("1e-62", 5, buf, sizeof buf), JSON_ERANGE);
    CHECK_EQ_INT(json_normalize_amount("1e-61", 5, buf, sizeof buf), JSON_OK); /* "0." + 60 zeros + "1" */
    static char huge[1100];
    CHECK_EQ_INT(json_normalize_amount("1e1000", 6, huge, sizeof huge), JSON_OK);
    CHECK_EQ_INT(strlen(huge), 1001);
    CHECK_EQ_INT(json_normalize_amount("-12.5", 5, buf, 6), JSON_OK);
    CHECK_EQ_INT(json_normalize_amount("-12.5", 5, buf, 5), JSON_ERANGE);
    CHECK_EQ_INT(json_normalize_amount("1.5x", 3, buf, sizeof buf), JSON_OK); /* length, not NUL, ends it */

    static const char js[] = "[1.5, \"1.50\", \"\\u0031.5\", 1e2, \"NaN\", true, null, \" 1\", \"1\\u00002\", -0.0]";
    char err[128];
    json_doc_t d;
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK);
    static const char *const want[] = { "1.5", "1.5", "1.5", "100" };
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, i), buf, sizeof buf), JSON_OK);
        CHECK_EQ_STR(buf, want[i]);
    }
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 4), buf, sizeof buf), JSON_EVALUE);
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 5), buf, sizeof buf), JSON_ETYPE);
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 6), buf, sizeof buf), JSON_ETYPE);
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 7), buf, sizeof buf), JSON_EVALUE);
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 8), buf, sizeof buf), JSON_EVALUE);
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 9), buf, sizeof buf), JSON_OK);
    CHECK_EQ_STR(buf, "0");
    CHECK_EQ_INT(json_get_amount(&d, json_arr_get(&d, 0, 0), buf, 3), JSON_ERANGE);
    json_doc_free(&d);
}

/* Finishes w, compares its output with want and frees it. */
static int writer_output_is(json_writer_t *w, const char *want)
{
    const char *out;
    size_t n;
    int r = json_writer_finish(w, &out, &n);
    int ok = r == JSON_OK && n == strlen(want) && memcmp(out, want, n) == 0 && out[n] == '\0';
    if (!ok) printf("writer: got %d \"%.*s\", want \"%s\"\n", r, out ? (int)n : 0, out ? out : "", want);
    json_writer_free(w);
    return ok;
}

UNIT_TEST(writer_values_and_commas)
{
    json_writer_t w;
    json_writer_init(&w, 0);
    json_begin_object(&w);
    json_write_key(&w, "s");
    json_write_str(&w, "x");
    json_write_key(&w, "i");
    json_write_int64(&w, INT64_MIN);
    json_write_key(&w, "j");
    json_write_int64(&w, INT64_MAX);
    json_write_key(&w, "u");
    json_write_uint64(&w, UINT64_MAX);
    json_write_keyn(&w, "bool!", 4);
    json_write_bool(&w, 1);
    json_write_key(&w, "f");
    json_write_bool(&w, 0);
    json_write_key(&w, "n");
    json_write_null(&w);
    json_write_key(&w, "ns");
    json_write_str(&w, NULL);
    json_write_key(&w, "a");
    json_begin_array(&w);
    json_begin_array(&w);
    json_end_array(&w);
    json_begin_object(&w);
    json_end_object(&w);
    json_write_raw(&w, " {\"r\": [1, 2]} ", 15);
    json_write_amount(&w, "0010.50", 7);
    json_write_strn(&w, "abcdef", 3);
    json_end_array(&w);
    json_end_object(&w);
    CHECK(writer_output_is(&w,
        "{\"s\":\"x\",\"i\":-9223372036854775808,\"j\":9223372036854775807,\"u\":18446744073709551615,"
        "\"bool\":true,\"f\":false,\"n\":null,\"ns\":null,\"a\":[[],{}, {\"r\": [1, 2]} ,\"10.5\",\"abc\"]}"));
    /* Top-level scalars are complete documents too. */
    json_writer_init(&w, 0);
    json_write_int64(&w, 0);
    CHECK(writer_output_is(&w, "0"));
}

UNIT_TEST(writer_escaping)
{
    json_writer_t w;
    json_writer_init(&w, 0);
    static const char ctl[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f\0z";
    json_write_strn(&w, ctl, sizeof ctl - 1);
    CHECK(writer_output_is(&w, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000z\""));
    /* Valid UTF-8 passes through; each byte that starts no valid sequence becomes U+FFFD. */
    json_writer_init(&w, 0);
    json_begin_array(&w);
    json_write_str(&w, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
    json_write_str(&w, "a\xC0\xAF" "b");          /* overlong */
    json_write_str(&w, "\xED\xA0\x80");           /* encoded surrogate */
    json_write_str(&w, "\xE2\x82");               /* cut short */
    json_write_str(&w, "\xF4\x90\x80\x80");       /* above U+10FFFF */
    json_write_str(&w, "\xFF\x80 ok");
    json_end_array(&w);
#define R "\xEF\xBF\xBD"
    CHECK(writer_output_is(&w, "[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\",\"a" R R "b\",\"" R R R
                               "\",\"" R R "\",\"" R R R R "\",\"" R R " ok\"]"));
#undef R
    /* Keys are escaped the same way. */
    json_writer_init(&w, 0);
    json_begin_object(&w);
    json_write_keyn(&w, "k\"\n\xFF", 4);
    json_write_int64(&w, 1);
    json_end_object(&w);
    CHECK(writer_output_is(&w, "{\"k\\\"\\n\xEF\xBF\xBD\":1}"));
}

UNIT_TEST(writer_roundtrip_through_parser)
{
    char in[64], out[256], err[160];
    size_t n;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = rng() % sizeof in;
        int valid = 1;
        for (size_t i = 0; i < len; i++) in[i] = (char)rng();
        if (iter % 2) { /* half the time, valid UTF-8 made of ASCII controls and multibyte characters */
            static const char *const pieces[] = { "\x01", "\"", "\\", "\n", "\xC3\xA9", "\xF0\x9F\x98\x80", "/", "a", "\0" };
            len = 0;
            while (len < sizeof in - 4) {
                const char *p = pieces[rng() % 9];
                size_t k = *p ? strlen(p) : 1;
                memcpy(in + len, p, k);
                len += k;
                if (rng() % 16 == 0) break;
            }
        } else {
            valid = 0;
        }
        json_writer_t w;
        const char *js;
        size_t jslen;
        json_writer_init(&w, 0);
        json_begin_array(&w);
        json_write_strn(&w, in, len);
        json_end_array(&w);
        CHECK_EQ_INT(json_writer_finish(&w, &js, &jslen), JSON_OK);
        json_doc_t d;
        int r = json_parse(&d, js, jslen, 0, err, sizeof err);
        if (r) printf("%s in %.*s\n", err, (int)jslen, js);
        CHECK_EQ_INT(r, JSON_OK);
        CHECK_EQ_INT(json_get_str(&d, 1, out, sizeof out, &n), JSON_OK);
        if (valid) {
            CHECK_EQ_INT(n, len);
            CHECK(memcmp(in, out, len) == 0);
        }
        json_doc_free(&d);
        json_writer_free(&w);
    }
}

UNIT_TEST(writer_reemits_parsed_document)
{
    static const char js[] =
        " { \"a\" : [ 1 , -2.5E+3 , true , false, null , \"\\u00e9\\ud83d\\ude00\\t\\/\" ] , \"\" : { } , \"k\\n\" : [[]] } ";
    static const char want[] = "{\"a\":[1,-2.5E+3,true,false,null,\"\xC3\xA9\xF0\x9F\x98\x80\\t/\"],\"\":{},\"k\\n\":[[]]}";
    char err[128];
    const char *out;
    size_t n;
    json_doc_t d, d2;
    json_writer_t w;
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK);
    json_writer_init(&w, 0);
    CHECK_EQ_INT(emit(&w, &d, 0), d.ntok);
    CHECK(writer_output_is(&w, want));
    /* The canonical form is a fixed point, and sub-documents pass through raw. */
    CHECK_EQ_INT(PARSE(&d2, want, 0, err), JSON_OK);
    json_writer_init(&w, 0);
    emit(&w, &d2, 0);
    CHECK(writer_output_is(&w, want));
    json_doc_free(&d2);
    const char *raw;
    CHECK_EQ_INT(json_get_raw(&d, json_obj_get(&d, 0, "a"), &raw, &n), JSON_OK);
    json_writer_init(&w, 0);
    json_write_raw(&w, raw, n);
    CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_OK);
    CHECK_EQ_STR(out, "[ 1 , -2.5E+3 , true , false, null , \"\\u00e9\\ud83d\\ude00\\t\\/\" ]");
    json_writer_free(&w);
    CHECK_EQ_INT(json_get_raw(&d, json_obj_get(&d, 0, "k\n") - 1, &raw, &n), JSON_OK);
    CHECK_EQ_INT(n, 5);
    CHECK(memcmp(raw, "\"k\\n\"", 5) == 0);
    CHECK_EQ_INT(json_get_raw(&d, d.ntok, &raw, &n), JSON_ETYPE);
    json_doc_free(&d);
}

UNIT_TEST(writer_misuse_is_sticky)
{
    json_writer_t w;
    const char *out;
    size_t n;
    /* Each sequence is malformed somewhere; after it the writer ignores everything. */
    for (int c = 0; c < 10; c++) {
        json_writer_init(&w, 0);
        switch (c) {
        case 0: json_write_key(&w, "k"); break;                                      /* key at top level */
        case 1: json_begin_array(&w); json_write_key(&w, "k"); break;                /* key in an array */
        case 2: json_begin_object(&w); json_write_int64(&w, 1); break;               /* value without key */
        case 3: json_begin_object(&w); json_end_array(&w); break;                    /* mismatched end */
        case 4: json_begin_object(&w); json_write_key(&w, "a"); json_end_object(&w); break; /* key, no value */
        case 5: json_write_null(&w); json_write_null(&w); break;                    /* two documents */
        case 6: json_end_array(&w); break;                                           /* nothing open */
        case 7: json_begin_array(&w); json_write_raw(&w, "[1,]", 4); break;          /* bad raw */
        case 8: json_begin_object(&w); json_write_key(&w, NULL); break;
        case 9: json_begin_array(&w); break;                                         /* unclosed at finish */
        }
        CHECK_EQ_INT(json_writer_error(&w), c == 9 ? JSON_OK : JSON_ESYNTAX);
        size_t len = w.len;
        json_write_int64(&w, 1);
        CHECK_EQ_INT(w.len, c == 9 ? len + 1 : len); /* after an error, nothing is written */
        json_end_array(&w);
        json_end_object(&w);
        CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_ESYNTAX);
        CHECK(out == NULL && n == 0);
        CHECK_EQ_INT(json_writer_error(&w), JSON_ESYNTAX);
        json_writer_free(&w);
    }
    /* Nothing written at all. */
    json_writer_init(&w, 0);
    CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_ESYNTAX);
    json_writer_free(&w);
    /* A bad amount is a value error. */
    json_writer_init(&w, 0);
    json_write_amount(&w, "NaN", 3);
    CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_EVALUE);
    json_writer_free(&w);
    /* Nesting: the parser's limit, not one more, so whatever the writer emits parses. */
    json_writer_init(&w, 0);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) json_begin_array(&w);
    CHECK_EQ_INT(json_writer_error(&w), JSON_OK);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) json_end_array(&w);
    CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_OK);
    json_doc_t d;
    char err[128];
    CHECK_EQ_INT(json_parse(&d, out, n, 0, err, sizeof err), JSON_OK);
    json_doc_free(&d);
    json_writer_free(&w);
    json_writer_init(&w, 0);
    for (int i = 0; i <= JSON_MAX_DEPTH; i++) json_begin_array(&w);
    CHECK_EQ_INT(json_writer_error(&w), JSON_ESYNTAX);
    json_writer_free(&w);
}

UNIT_TEST(writer_prefix_and_take)
{
    json_writer_t w;
    size_t n, live = alloc_live();
    json_writer_init(&w, 16);
    json_begin_array(&w);
    for (int i = 0; i < 1000; i++) json_write_int64(&w, i); /* several growths */
    json_end_array(&w);
    char *buf = json_writer_take(&w, &n);
    CHECK(buf != NULL);
    CHECK(w.buf == NULL && w.len == 0 && w.prefix == 16);
    CHECK_EQ_INT(n, 2890 + 999 + 2); /* digits, commas, brackets */
    CHECK(memcmp(buf + 16, "[0,1,2,", 7) == 0);
    CHECK(memcmp(buf + 16 + n - 5, ",999]", 5) == 0);
    CHECK_EQ_INT(buf[16 + n], '\0');
    alloc_free(buf);
    CHECK_EQ_INT(alloc_live(), live);
    /* take on an unfinished writer frees it and returns NULL. */
    json_writer_init(&w, 16);
    json_begin_array(&w);
    CHECK(json_writer_take(&w, &n) == NULL);
    CHECK_EQ_INT(alloc_live(), live);
}

UNIT_TEST(writer_allocation_failure_is_sticky)
{
    json_writer_t w;
    const char *out;
    size_t n, live = alloc_live();
    char big[300];
    memset(big, 'x', sizeof big);
    alloc_configure(live + 2048, 0);
    /* Within the budget a small document works... */
    json_writer_init(&w, 16);
    json_begin_array(&w);
    json_write_strn(&w, big, 100);
    json_end_array(&w);
    CHECK_EQ_INT(json_writer_finish(&w, &out, &n), JSON_OK);
    json_writer_free(&w);
    /* ...a bigger one runs out: the failure sticks and finish reports it. */
    json_writer_init(&w, 16);
    json_begin_array(&w);
    int i;
    for (i = 0; i < 100 && json_writer_error(&w) == JSON_OK; i++) json_write_strn(&w, big, sizeof big);
    int err = json_writer_error(&w);
    size_t len = w.len;
    json_write_str(&w, "more");
    json_end_array(&w);
    int fin = json_writer_finish(&w, &out, &n);
    char *taken = json_writer_take(&w, &n);
    alloc_configure(0, 0);
    CHECK_EQ_INT(err, JSON_ENOMEM);
    CHECK(i > 1 && i < 100);
    CHECK_EQ_INT(w.len, 0); /* take freed it */
    CHECK(len > 0);
    CHECK_EQ_INT(fin, JSON_ENOMEM);
    CHECK(taken == NULL);
    CHECK_EQ_INT(alloc_live(), live);
}

UNIT_TEST(parse_allocation_failure)
{
    static const char js[] = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]";
    char err[128];
    json_doc_t d;
    size_t live = alloc_live();
    alloc_configure(live + 64, 0);
    int r1 = PARSE(&d, js, 0, err);
    int r2 = PARSE(&d, "[1]", 0, err); /* the budget is what refused the first */
    json_doc_free(&d);
    CHECK_EQ_INT(PARSE(&d, "\"a long enough string to copy\"", 0, err), JSON_OK);
    char *s = NULL;
    alloc_configure(alloc_live() + 8, 0);
    int r3 = json_get_strdup(&d, 0, ALLOC_TEST, &s, NULL);
    alloc_configure(0, 0);
    json_doc_free(&d);
    CHECK_EQ_INT(r1, JSON_ENOMEM);
    CHECK_EQ_INT(r2, JSON_OK);
    CHECK_EQ_INT(r3, JSON_ENOMEM);
    CHECK(s == NULL);
    CHECK_EQ_INT(PARSE(&d, js, 0, err), JSON_OK); /* and it recovers */
    json_doc_free(&d);
    CHECK_EQ_INT(alloc_live(), live);
}

UNIT_SUITE(suite_json,
    UNIT_CASE(parse_valid_kinds),
    UNIT_CASE(parse_top_level_scalars),
    UNIT_CASE(parse_errors_name_problem_and_offset),
    UNIT_CASE(parse_depth_limit),
    UNIT_CASE(parse_hostile_sizes),
    UNIT_CASE(parse_every_truncation_fails),
    UNIT_CASE(parse_random_bytes),
    UNIT_CASE(strings_unescape),
    UNIT_CASE(numbers_and_literals),
    UNIT_CASE(amounts),
    UNIT_CASE(writer_values_and_commas),
    UNIT_CASE(writer_escaping),
    UNIT_CASE(writer_roundtrip_through_parser),
    UNIT_CASE(writer_reemits_parsed_document),
    UNIT_CASE(writer_misuse_is_sticky),
    UNIT_CASE(writer_prefix_and_take),
    UNIT_CASE(writer_allocation_failure_is_sticky),
    UNIT_CASE(parse_allocation_failure));
