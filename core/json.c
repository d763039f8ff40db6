/* json — see json.h.
 *
 * Parsing runs a strict RFC 8259 validator first and jsmn second. jsmn is lax (missing
 * colons, bad literals, raw control characters, invalid UTF-8, trailing garbage) and its
 * errors carry no usable position, so the validator gives the exact message and offset.
 * Running it first also means jsmn only ever sees depth- and token-capped text: its
 * closing-bracket search walks the chain of open tokens, which is quadratic on hostile
 * nesting. The validator's count is exact, so jsmn's token array is allocated once, with
 * no fixed limit and no counting pass of its own.
 */
#include "json.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not JSMN_STRICT: strict jsmn rejects a top-level number or literal at the end of input,
 * and the validator is stricter anyway. Parent links make json_sibling O(1). */
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#define MSG_EOI "unexpected end of input"

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* Four hex digits at p: the value, -1 if fewer than four bytes remain, -2 if not hex. */
static long hex4(const unsigned char *p, size_t avail)
{
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        int c = i < avail ? p[i] : -1, lc = c | 0x20;
        if (c < 0) return -1;
        if (!is_digit(c) && (lc < 'a' || lc > 'f')) return -2;
        v = v << 4 | (is_digit(c) ? c - '0' : lc - 'a' + 10);
    }
    return v;
}

/* Length of the well-formed UTF-8 sequence at p (no overlongs, surrogates or code points
 * above U+10FFFF), 0 if ill-formed or cut short. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t k;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) k = 2;
    else if (c >= 0xE0 && c <= 0xEF) k = 3, lo = c == 0xE0 ? 0xA0 : lo, hi = c == 0xED ? 0x9F : hi;
    else if (c >= 0xF0 && c <= 0xF4) k = 4, lo = c == 0xF0 ? 0x90 : lo, hi = c == 0xF4 ? 0x8F : hi;
    else return 0;
    if (n < k || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < k; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return k;
}

static size_t utf8_put(unsigned long u, char *o)
{
    static const unsigned char lead[5] = { 0, 0, 0xC0, 0xE0, 0xF0 };
    size_t k = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
    for (size_t i = k - 1; i > 0; i--, u >>= 6) o[i] = (char)(0x80 | (u & 0x3F));
    o[0] = (char)(lead[k] | u);
    return k;
}

/* ---- validator ------------------------------------------------------------------------ */

typedef struct {
    const unsigned char *js;
    size_t len, pos;
    int ntok, max_tokens;
    char *err;
    size_t errlen;
} scan_t;

static int scan_fail(scan_t *s, size_t at, const char *fmt, ...)
{
    if (s->err && s->errlen) {
        char what[128];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(s->err, s->errlen, "Malformed JSON: %s at byte %zu", what, at);
    }
    return JSON_ESYNTAX;
}

static void scan_ws(scan_t *s)
{
    while (s->pos < s->len) {
        unsigned char c = s->js[s->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        s->pos++;
    }
}

static int scan_string(scan_t *s)
{
    const unsigned char *p = s->js;
    size_t i = s->pos + 1, n = s->len;
    for (;;) {
        if (i >= n) return scan_fail(s, n, MSG_EOI);
        unsigned c = p[i];
        if (c == '"') { s->pos = i + 1; return 0; }
        if (c < 0x20) return scan_fail(s, i, "unescaped control character in string");
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
            if (!k) return scan_fail(s, i, "invalid UTF-8 in string");
            i += k;
            continue;
        }
        if (c != '\\') { i++; continue; }
        if (i + 1 >= n) return scan_fail(s, n, MSG_EOI);
        c = p[i + 1];
        if (c != 'u') {
            if (!memchr("\"\\/bfnrt", (int)c, 8)) return scan_fail(s, i, "invalid escape sequence in string");
            i += 2;
            continue;
        }
        long u = hex4(p + i + 2, n - i - 2);
        if (u == -1) return scan_fail(s, n, MSG_EOI);
        if (u == -2) return scan_fail(s, i, "invalid escape sequence in string");
        if (u >= 0xDC00 && u <= 0xDFFF) return scan_fail(s, i, "unpaired UTF-16 surrogate in string");
        if (u >= 0xD800 && u <= 0xDBFF) { /* must be followed by \u + a low surrogate */
            size_t j = i + 6;
            for (size_t q = 0; q < 2; q++) {
                if (j + q >= n) return scan_fail(s, n, MSG_EOI);
                if (p[j + q] != "\\u"[q]) return scan_fail(s, i, "unpaired UTF-16 surrogate in string");
            }
            long lo = hex4(p + j + 2, n - j - 2);
            if (lo == -1) return scan_fail(s, n, MSG_EOI);
            if (lo == -2) return scan_fail(s, j, "invalid escape sequence in string");
            if (lo < 0xDC00 || lo > 0xDFFF) return scan_fail(s, i, "unpaired UTF-16 surrogate in string");
            i = j;
        }
        i += 6;
    }
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? not followed by anything number-like. */
static int scan_number(scan_t *s)
{
    const unsigned char *p = s->js;
    size_t i = s->pos, n = s->len, st = s->pos;
    if (p[i] == '-') i++;
    if (i >= n) return scan_fail(s, n, MSG_EOI);
    if (p[i] == '0') i++;
    else if (is_digit(p[i])) while (i < n && is_digit(p[i])) i++;
    else return scan_fail(s, st, "invalid number");
    if (i < n && p[i] == '.') {
        if (++i >= n) return scan_fail(s, n, MSG_EOI);
        if (!is_digit(p[i])) return scan_fail(s, st, "invalid number");
        while (i < n && is_digit(p[i])) i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        if (++i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= n) return scan_fail(s, n, MSG_EOI);
        if (!is_digit(p[i])) return scan_fail(s, st, "invalid number");
        while (i < n && is_digit(p[i])) i++;
    }
    if (i < n && (is_alnum(p[i]) || p[i] == '.' || p[i] == '+' || p[i] == '-'))
        return scan_fail(s, st, "invalid number");
    s->pos = i;
    return 0;
}

static int scan_literal(scan_t *s)
{
    static const char *const lit[] = { "true", "false", "null" };
    size_t i = s->pos;
    while (i < s->len && is_alnum(s->js[i])) i++;
    size_t k = i - s->pos;
    for (int l = 0; l < 3; l++) {
        size_t m = strlen(lit[l]);
        if (k <= m && !memcmp(s->js + s->pos, lit[l], k)) {
            if (k == m) { s->pos = i; return 0; }
            if (i == s->len) return scan_fail(s, i, MSG_EOI); /* a literal cut short */
        }
    }
    return scan_fail(s, s->pos, "invalid literal");
}

/* Validates one JSON value with optional surrounding whitespace; counts tokens in s->ntok. */
static int scan_doc(scan_t *s)
{
    enum { ST_VALUE, ST_KEY, ST_AFTER } st = ST_VALUE;
    unsigned char open[JSON_MAX_DEPTH];
    int depth = 0, r;
    for (;;) {
        scan_ws(s);
        if (s->pos >= s->len) {
            if (st == ST_AFTER && depth == 0) return 0;
            return scan_fail(s, s->len, MSG_EOI);
        }
        size_t at = s->pos;
        unsigned char c = s->js[at];
        if (st == ST_AFTER) {
            if (depth == 0) return scan_fail(s, at, "unexpected data after the JSON value");
            int obj = open[depth - 1] == '{';
            if (c == (obj ? '}' : ']')) { s->pos++; depth--; continue; }
            if (c != ',') return scan_fail(s, at, obj ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
            s->pos++;
            st = obj ? ST_KEY : ST_VALUE;
            continue;
        }
        if (s->max_tokens > 0 && s->ntok >= s->max_tokens)
            return scan_fail(s, at, "more than %d values and keys", s->max_tokens);
        s->ntok++;
        if (st == ST_KEY) {
            if (c != '"') return scan_fail(s, at, "expected a string as object key");
            if ((r = scan_string(s))) return r;
            scan_ws(s);
            if (s->pos >= s->len) return scan_fail(s, s->len, MSG_EOI);
            if (s->js[s->pos] != ':') return scan_fail(s, s->pos, "expected ':' after object key");
            s->pos++;
            st = ST_VALUE;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) return scan_fail(s, at, "nesting deeper than %d levels", JSON_MAX_DEPTH);
            open[depth++] = c;
            s->pos++;
            scan_ws(s);
            if (s->pos < s->len && s->js[s->pos] == (c == '{' ? '}' : ']')) {
                s->pos++;
                depth--;
                st = ST_AFTER;
            } else {
                st = c == '{' ? ST_KEY : ST_VALUE;
            }
            continue;
        }
        if (c == '"') r = scan_string(s);
        else if (c == '-' || is_digit(c)) r = scan_number(s);
        else if (is_alnum(c)) r = scan_literal(s);
        else r = scan_fail(s, at, "expected a value");
        if (r) return r;
        st = ST_AFTER;
    }
}

/* ---- document ------------------------------------------------------------------------- */

/* priv holds ntok jsmn tokens followed by ntok "next" indices (end of each subtree). */
static const jsmntok_t *doc_tok(const json_doc_t *d, int i)
{
    return d && d->priv && i >= 0 && i < d->ntok ? (const jsmntok_t *)d->priv + i : NULL;
}

static const int *doc_next(const json_doc_t *d) { return (const int *)((const jsmntok_t *)d->priv + d->ntok); }

/* jsmn makes a member's value the child of its key, so a key is a string whose parent is
 * an object, and its value is the very next token. */
static int tok_is_key(const jsmntok_t *t, int i)
{
    return t[i].type == JSMN_STRING && t[i].parent >= 0 && t[t[i].parent].type == JSMN_OBJECT;
}

static void doc_link(const jsmntok_t *t, int *next, int n)
{
    int open[JSON_MAX_DEPTH], sp = 0; /* containers not yet closed; depth is validated */
    for (int i = 0; i < n; i++) {
        while (sp && t[i].start >= t[open[sp - 1]].end) next[open[--sp]] = i;
        if (t[i].type == JSMN_OBJECT || t[i].type == JSMN_ARRAY) open[sp++] = i;
        else next[i] = i + 1;
    }
    while (sp) next[open[--sp]] = n;
    for (int i = 0; i < n; i++)
        if (tok_is_key(t, i)) next[i] = next[i + 1];
}

int json_parse(json_doc_t *doc, const char *js, size_t len, int max_tokens, char *err, size_t errlen)
{
    scan_t s = { (const unsigned char *)js, len, 0, 0, max_tokens, err, errlen };
    memset(doc, 0, sizeof *doc);
    if (err && errlen) err[0] = '\0';
    if (len >= INT_MAX) return scan_fail(&s, 0, "document larger than %d bytes", INT_MAX - 1); /* jsmn offsets are int */
    int r = scan_doc(&s);
    if (r) return r;
    size_t n = (size_t)s.ntok, each = sizeof(jsmntok_t) + sizeof(int);
    jsmntok_t *t = n <= SIZE_MAX / each ? alloc_get(ALLOC_JSON, n * each) : NULL;
    if (!t) {
        if (err && errlen) snprintf(err, errlen, "Out of memory parsing JSON");
        return JSON_ENOMEM;
    }
    jsmn_parser p;
    jsmn_init(&p);
    if (jsmn_parse(&p, js, len, t, (unsigned)n) != (int)n) { /* cannot happen on valid text */
        alloc_free(t);
        return scan_fail(&s, 0, "internal error: tokenizer disagrees with validator");
    }
    doc_link(t, (int *)(t + n), (int)n);
    doc->js = js;
    doc->len = len;
    doc->ntok = (int)n;
    doc->priv = t;
    return JSON_OK;
}

void json_doc_free(json_doc_t *doc)
{
    if (!doc) return;
    alloc_free(doc->priv);
    memset(doc, 0, sizeof *doc);
}

int json_type(const json_doc_t *doc, int tok)
{
    const jsmntok_t *t = doc_tok(doc, tok);
    if (!t) return JSON_INVALID;
    switch (t->type) {
    case JSMN_OBJECT: return JSON_OBJECT;
    case JSMN_ARRAY: return JSON_ARRAY;
    case JSMN_STRING: return JSON_STRING;
    default: break;
    }
    char c = doc->js[t->start]; /* validated: true, false, null or a number */
    return c == 't' || c == 'f' ? JSON_BOOL : c == 'n' ? JSON_NULL : JSON_NUMBER;
}

int json_child_count(const json_doc_t *doc, int tok)
{
    const jsmntok_t *t = doc_tok(doc, tok);
    return t && (t->type == JSMN_OBJECT || t->type == JSMN_ARRAY) ? t->size : 0;
}

int json_next(const json_doc_t *doc, int tok) { return doc_tok(doc, tok) ? doc_next(doc)[tok] : -1; }
int json_first(const json_doc_t *doc, int tok) { return json_child_count(doc, tok) > 0 ? tok + 1 : -1; }

int json_sibling(const json_doc_t *doc, int tok)
{
    const jsmntok_t *t = doc_tok(doc, tok);
    if (!t || t->parent < 0) return -1;
    /* An object's value has its key as parent and ends with it: no sibling, as documented. */
    const int *next = doc_next(doc);
    return next[tok] < next[t->parent] ? next[tok] : -1;
}

int json_obj_get(const json_doc_t *doc, int obj, const char *key)
{
    int found = -1;
    if (json_type(doc, obj) != JSON_OBJECT || !key) return -1;
    size_t n = strlen(key);
    for (int k = json_first(doc, obj); k >= 0; k = json_sibling(doc, k))
        if (json_str_eqn(doc, k, key, n)) found = k + 1;
    return found;
}

int json_arr_get(const json_doc_t *doc, int arr, int index)
{
    if (json_type(doc, arr) != JSON_ARRAY || index < 0 || index >= json_child_count(doc, arr)) return -1;
    int e = arr + 1;
    while (index--) e = doc_next(doc)[e];
    return e;
}

int json_is_null(const json_doc_t *doc, int tok) { return json_type(doc, tok) == JSON_NULL; }

int json_get_bool(const json_doc_t *doc, int tok, int *out)
{
    if (json_type(doc, tok) != JSON_BOOL) return JSON_ETYPE;
    *out = doc->js[doc_tok(doc, tok)->start] == 't';
    return JSON_OK;
}

int json_get_int64(const json_doc_t *doc, int tok, int64_t *out)
{
    if (json_type(doc, tok) != JSON_NUMBER) return JSON_ETYPE;
    const jsmntok_t *t = doc_tok(doc, tok);
    const char *p = doc->js + t->start, *e = doc->js + t->end;
    for (const char *q = p; q < e; q++)
        if (*q == '.' || *q == 'e' || *q == 'E') return JSON_EVALUE;
    int neg = *p == '-';
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (p += neg; p < e; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (lim - d) / 10) return JSON_ERANGE;
        v = v * 10 + d;
    }
    *out = !neg ? (int64_t)v : v == lim ? INT64_MIN : -(int64_t)v;
    return JSON_OK;
}

int json_get_double(const json_doc_t *doc, int tok, double *out)
{
    char buf[128];
    if (json_type(doc, tok) != JSON_NUMBER) return JSON_ETYPE;
    const jsmntok_t *t = doc_tok(doc, tok);
    size_t n = (size_t)(t->end - t->start);
    if (n >= sizeof buf) return JSON_ERANGE; /* strtod needs a NUL; nobody sends 128 digits */
    memcpy(buf, doc->js + t->start, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (!isfinite(v)) return JSON_ERANGE;
    *out = v;
    return JSON_OK;
}

/* Decodes one character of a validated string body at *pp into out; returns its length. */
static size_t str_decode(const char **pp, char out[4])
{
    const char *p = *pp;
    if (*p != '\\') { out[0] = *p; *pp = p + 1; return 1; }
    *pp = p + 2;
    switch (p[1]) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = p[1]; return 1; /* " \ / */
    }
    unsigned long u = (unsigned long)hex4((const unsigned char *)p + 2, 4);
    *pp = p + 6;
    if (u >= 0xD800 && u <= 0xDBFF) { /* the validator guarantees the low half follows */
        u = 0x10000 + ((u - 0xD800) << 10) + ((unsigned long)hex4((const unsigned char *)p + 8, 4) - 0xDC00);
        *pp = p + 12;
    }
    return utf8_put(u, out);
}

static int str_span(const json_doc_t *doc, int tok, const char **b, const char **e)
{
    const jsmntok_t *t = doc_tok(doc, tok);
    if (!t || t->type != JSMN_STRING) return JSON_ETYPE;
    *b = doc->js + t->start;
    *e = doc->js + t->end;
    return JSON_OK;
}

int json_get_str(const json_doc_t *doc, int tok, char *buf, size_t buflen, size_t *outlen)
{
    const char *p, *e;
    char ch[4];
    size_t n = 0;
    if (outlen) *outlen = 0;
    if (buflen) buf[0] = '\0';
    if (str_span(doc, tok, &p, &e)) return JSON_ETYPE;
    if (!buflen) return JSON_ERANGE;
    while (p < e) {
        size_t k = str_decode(&p, ch);
        if (!outlen && !ch[0]) { buf[0] = '\0'; return JSON_EVALUE; }
        if (n + k >= buflen) { buf[0] = '\0'; return JSON_ERANGE; }
        memcpy(buf + n, ch, k);
        n += k;
    }
    buf[n] = '\0';
    if (outlen) *outlen = n;
    return JSON_OK;
}

int json_get_strdup(const json_doc_t *doc, int tok, alloc_tag_t tag, char **out, size_t *outlen)
{
    const char *p, *e;
    *out = NULL;
    if (outlen) *outlen = 0;
    if (str_span(doc, tok, &p, &e)) return JSON_ETYPE;
    size_t cap = (size_t)(e - p) + 1; /* unescaping never lengthens */
    char *buf = alloc_get(tag, cap);
    if (!buf) return JSON_ENOMEM;
    int r = json_get_str(doc, tok, buf, cap, outlen);
    if (r) { alloc_free(buf); return r; }
    *out = buf;
    return JSON_OK;
}

int json_get_raw(const json_doc_t *doc, int tok, const char **out, size_t *outlen)
{
    const jsmntok_t *t = doc_tok(doc, tok);
    if (!t) return JSON_ETYPE;
    int q = t->type == JSMN_STRING; /* jsmn leaves the quotes out */
    *out = doc->js + t->start - q;
    *outlen = (size_t)(t->end - t->start + 2 * q);
    return JSON_OK;
}

int json_str_eqn(const json_doc_t *doc, int tok, const char *s, size_t n)
{
    const char *p, *e;
    char ch[4];
    size_t i = 0;
    if (str_span(doc, tok, &p, &e)) return 0;
    while (p < e) {
        size_t k = str_decode(&p, ch);
        if (k > n - i || memcmp(s + i, ch, k)) return 0;
        i += k;
    }
    return i == n;
}

int json_str_eq(const json_doc_t *doc, int tok, const char *s) { return s ? json_str_eqn(doc, tok, s, strlen(s)) : 0; }

/* ---- amounts -------------------------------------------------------------------------- */

int json_normalize_amount(const char *s, size_t n, char *buf, size_t buflen)
{
    size_t i = 0, ib, ie, fb, fe;
    int neg = 0;
    long long exp = 0;
    if (buflen) buf[0] = '\0';
    if (!s) return JSON_EVALUE;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    for (ib = i; i < n && is_digit(s[i]); i++) {}
    ie = fb = fe = i;
    if (i < n && s[i] == '.') {
        for (fb = ++i; i < n && is_digit(s[i]); i++) {}
        fe = i;
    }
    if (ie == ib && fe == fb) return JSON_EVALUE; /* no digit at all */
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        size_t eb = i;
        for (; i < n && is_digit(s[i]); i++)
            if (exp < 1000000000) exp = exp * 10 + (s[i] - '0'); /* saturate: still no room */
        if (i == eb) return JSON_EVALUE;
        if (eneg) exp = -exp;
    }
    if (i != n) return JSON_EVALUE;

    /* Digits D = integer digits then fraction digits; the point sits after ni + exp of them. */
    size_t ni = ie - ib, nd = ni + (fe - fb), lo = 0, hi = nd;
#define DIG(k) ((k) < ni ? s[ib + (k)] : s[fb + (k) - ni])
    while (lo < hi && DIG(lo) == '0') lo++;
    while (hi > lo && DIG(hi - 1) == '0') hi--;
    if (lo == hi) {
        if (buflen < 2) return JSON_ERANGE;
        memcpy(buf, "0", 2);
        return JSON_OK;
    }
    long long pt = (long long)ni + exp - (long long)lo, m = (long long)(hi - lo);
    long long need = neg + (pt <= 0 ? 2 - pt + m : pt >= m ? pt : m + 1) + 1;
    if ((unsigned long long)need > buflen) return JSON_ERANGE;
    char *o = buf;
    if (neg) *o++ = '-';
    if (pt <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (long long z = 0; z < -pt; z++) *o++ = '0';
    }
    for (long long k = 0; k < m; k++) {
        if (k == pt && pt > 0) *o++ = '.';
        *o++ = DIG(lo + (size_t)k);
    }
    for (long long z = m; z < pt; z++) *o++ = '0';
#undef DIG
    *o = '\0';
    return JSON_OK;
}

int json_get_amount(const json_doc_t *doc, int tok, char *buf, size_t buflen)
{
    char tmp[128];
    int type = json_type(doc, tok);
    if (buflen) buf[0] = '\0';
    if (type == JSON_NUMBER) {
        const jsmntok_t *t = doc_tok(doc, tok);
        return json_normalize_amount(doc->js + t->start, (size_t)(t->end - t->start), buf, buflen);
    }
    if (type != JSON_STRING) return JSON_ETYPE;
    int r = json_get_str(doc, tok, tmp, sizeof tmp, NULL);
    if (r) return r == JSON_ERANGE ? JSON_EVALUE : r;
    return json_normalize_amount(tmp, strlen(tmp), buf, buflen);
}

/* ---- writer --------------------------------------------------------------------------- */

enum { LV_OBJ = 1, LV_ITEMS = 2, LV_KEY = 4 };

void json_writer_init(json_writer_t *w, size_t prefix)
{
    memset(w, 0, sizeof *w);
    w->prefix = prefix;
}

void json_writer_free(json_writer_t *w)
{
    alloc_free(w->buf);
    json_writer_init(w, w->prefix);
}

int json_writer_error(const json_writer_t *w) { return w->err; }

static int w_fail(json_writer_t *w, int err) { if (!w->err) w->err = err; return -1; }

/* Room for n more bytes plus the closing NUL. */
static int w_reserve(json_writer_t *w, size_t n)
{
    if (w->err) return -1;
    if (n > SIZE_MAX - 1 - w->prefix - w->len) return w_fail(w, JSON_ENOMEM);
    size_t need = w->prefix + w->len + n + 1, cap = w->cap ? w->cap : 256;
    if (need <= w->cap) return 0;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *b = w->buf ? alloc_reget(ALLOC_JSON, w->buf, cap) : alloc_get(ALLOC_JSON, cap);
    if (!b) return w_fail(w, JSON_ENOMEM); /* the old buffer stays, freed by json_writer_free */
    w->buf = b;
    w->cap = cap;
    return 0;
}

static void w_put(json_writer_t *w, const char *s, size_t n)
{
    if (w_reserve(w, n) || !n) return;
    memcpy(w->buf + w->prefix + w->len, s, n);
    w->len += n;
}

/* Before any value: the comma, and the check that a value may come here. */
static int w_value(json_writer_t *w)
{
    unsigned char *lv = &w->level[w->depth];
    if (w->err) return -1;
    if (w->depth == 0) {
        if (*lv & LV_ITEMS) return w_fail(w, JSON_ESYNTAX); /* a second top-level value */
        *lv |= LV_ITEMS;
    } else if (*lv & LV_OBJ) {
        if (!(*lv & LV_KEY)) return w_fail(w, JSON_ESYNTAX); /* object value without a key */
        *lv &= (unsigned char)~LV_KEY;
    } else {
        if (*lv & LV_ITEMS) w_put(w, ",", 1);
        *lv |= LV_ITEMS;
    }
    return w->err ? -1 : 0;
}

static void w_string(json_writer_t *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    w_put(w, "\"", 1);
    while (i < n) {
        unsigned c = p[i];
        size_t k = utf8_seq(p + i, n - i);
        if (k && c >= 0x20 && c != '"' && c != '\\') { i += k; continue; }
        w_put(w, s + run, i - run);
        if (!k) {
            w_put(w, "\xEF\xBF\xBD", 3); /* U+FFFD for each byte that starts no valid sequence */
        } else {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            size_t el = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default: el = 6; /* other control characters as \u00XX */
            }
            w_put(w, esc, el);
        }
        run = ++i;
    }
    w_put(w, s + run, i - run);
    w_put(w, "\"", 1);
}

static void w_open(json_writer_t *w, int obj)
{
    if (w_value(w)) return;
    if (w->depth == JSON_MAX_DEPTH) { w_fail(w, JSON_ESYNTAX); return; }
    w->level[++w->depth] = obj ? LV_OBJ : 0;
    w_put(w, obj ? "{" : "[", 1);
}

static void w_close(json_writer_t *w, int obj)
{
    unsigned char lv = w->level[w->depth];
    if (w->err) return;
    if (w->depth == 0 || !(lv & LV_OBJ) != !obj || (lv & LV_KEY)) { w_fail(w, JSON_ESYNTAX); return; }
    w_put(w, obj ? "}" : "]", 1);
    w->depth--;
}

void json_begin_object(json_writer_t *w) { w_open(w, 1); }
void json_end_object(json_writer_t *w) { w_close(w, 1); }
void json_begin_array(json_writer_t *w) { w_open(w, 0); }
void json_end_array(json_writer_t *w) { w_close(w, 0); }

void json_write_keyn(json_writer_t *w, const char *key, size_t n)
{
    unsigned char *lv = &w->level[w->depth];
    if (w->err) return;
    if (!key || w->depth == 0 || !(*lv & LV_OBJ) || (*lv & LV_KEY)) { w_fail(w, JSON_ESYNTAX); return; }
    if (*lv & LV_ITEMS) w_put(w, ",", 1);
    *lv |= LV_ITEMS | LV_KEY;
    w_string(w, key, n);
    w_put(w, ":", 1);
}

void json_write_key(json_writer_t *w, const char *key) { json_write_keyn(w, key, key ? strlen(key) : 0); }

void json_write_strn(json_writer_t *w, const char *s, size_t n)
{
    if (!s) { json_write_null(w); return; }
    if (!w_value(w)) w_string(w, s, n);
}

void json_write_str(json_writer_t *w, const char *s) { json_write_strn(w, s, s ? strlen(s) : 0); }

static void w_scalar(json_writer_t *w, const char *s, size_t n)
{
    if (!w_value(w)) w_put(w, s, n);
}

void json_write_int64(json_writer_t *w, int64_t v)
{
    char b[24];
    w_scalar(w, b, (size_t)snprintf(b, sizeof b, "%" PRId64, v));
}

void json_write_uint64(json_writer_t *w, uint64_t v)
{
    char b[24];
    w_scalar(w, b, (size_t)snprintf(b, sizeof b, "%" PRIu64, v));
}

void json_write_bool(json_writer_t *w, int v) { w_scalar(w, v ? "true" : "false", v ? 4 : 5); }
void json_write_null(json_writer_t *w) { w_scalar(w, "null", 4); }

void json_write_raw(json_writer_t *w, const char *js, size_t n)
{
    scan_t s = { (const unsigned char *)js, n, 0, 0, 0, NULL, 0 };
    if (w->err) return;
    if (!js || scan_doc(&s)) { w_fail(w, JSON_ESYNTAX); return; }
    w_scalar(w, js, n);
}

void json_write_amount(json_writer_t *w, const char *s, size_t n)
{
    char b[256];
    if (w->err) return;
    if (json_normalize_amount(s, n, b, sizeof b)) { w_fail(w, JSON_EVALUE); return; }
    if (!w_value(w)) w_string(w, b, strlen(b));
}

int json_writer_finish(json_writer_t *w, const char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (w->err) return w->err;
    if (w->depth || !(w->level[0] & LV_ITEMS)) {
        w_fail(w, JSON_ESYNTAX); /* unclosed containers, or nothing written */
        return w->err;
    }
    w->buf[w->prefix + w->len] = '\0'; /* w_reserve always keeps room for it */
    *out = w->buf + w->prefix;
    *outlen = w->len;
    return JSON_OK;
}

char *json_writer_take(json_writer_t *w, size_t *outlen)
{
    const char *out;
    if (json_writer_finish(w, &out, outlen)) { json_writer_free(w); return NULL; }
    char *b = w->buf;
    json_writer_init(w, w->prefix);
    return b;
}

void json_write_token(json_writer_t *w, const json_doc_t *doc, int tok)
{
    const char *raw;
    size_t n;
    if (json_get_raw(doc, tok, &raw, &n) == JSON_OK) json_write_raw(w, raw, n);
}
