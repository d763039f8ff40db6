/* prices_decimal — exact decimal arithmetic on strings for the price layer (see prices.h).
 *
 * A number is its digits (most significant first, as an integer) and a scale: value =
 * ±digits × 10^-scale. Products are exact; then, as Python's Decimal does in rotki's context
 * (prec 78, ROUND_HALF_EVEN), the result is rounded to 78 significant digits. Quotients are
 * computed to 79+ digits with a sticky remainder and rounded the same way. Everything lives on
 * the stack: no allocation. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../core/json.h"
#include "prices.h"

#define DEC_TEXT 330   /* longest plain-decimal input taken */
#define DEC_DIGITS 800 /* two inputs' digits, or a dividend widened for 79 quotient digits */

typedef struct {
    int neg;
    int n;      /* digits used */
    long scale; /* value = digits × 10^-scale; negative: trailing zeros left out */
    uint8_t d[DEC_DIGITS];
} pdec_t;

static void pdec_trim_leading(pdec_t *x)
{
    int z = 0;
    while (z < x->n && x->d[z] == 0) z++;
    if (z) {
        memmove(x->d, x->d + z, (size_t)(x->n - z));
        x->n -= z;
    }
    if (!x->n) x->neg = 0;
}

static int pdec_parse(const char *s, pdec_t *x)
{
    char buf[DEC_TEXT];
    if (!s || json_normalize_amount(s, strlen(s), buf, sizeof buf) != JSON_OK) return -1;
    memset(x, 0, offsetof(pdec_t, d));
    const char *p = buf;
    if (*p == '-') {
        x->neg = 1;
        p++;
    }
    int frac = 0;
    for (; *p; p++) {
        if (*p == '.') {
            frac = 1;
            continue;
        }
        x->d[x->n++] = (uint8_t)(*p - '0');
        x->scale += frac;
    }
    pdec_trim_leading(x);
    return 0;
}

/* Drops the digits from index cut on (cut may be <= 0: everything), rounding half even on what
 * was dropped plus `sticky` (something nonzero lies beyond the digits). */
static void pdec_cut(pdec_t *x, int cut, int sticky)
{
    if (cut >= x->n) return; /* only the sticky part goes: the next digit is 0, round down */
    if (cut < 0) {           /* below half a unit of the kept place */
        x->scale -= x->n - cut;
        x->n = 0;
        x->neg = 0;
        return;
    }
    int next = x->d[cut], rest = sticky;
    for (int k = cut + 1; k < x->n && !rest; k++) rest = x->d[k] != 0;
    int odd = cut > 0 && (x->d[cut - 1] & 1);
    int up = next > 5 || (next == 5 && (rest || odd));
    x->scale -= x->n - cut;
    x->n = cut;
    if (!up) {
        pdec_trim_leading(x);
        return;
    }
    int k = cut - 1;
    while (k >= 0 && x->d[k] == 9) x->d[k--] = 0;
    if (k >= 0) {
        x->d[k]++;
    } else { /* 99…9 + 1: one more digit in front (n < DEC_DIGITS: a digit was just dropped) */
        memmove(x->d + 1, x->d, (size_t)x->n);
        x->d[0] = 1;
        x->n++;
    }
}

/* To p significant digits. */
static void pdec_round_sig(pdec_t *x, int p, int sticky)
{
    pdec_trim_leading(x);
    pdec_cut(x, p, sticky);
}

/* To f digits after the point. */
static void pdec_round_frac(pdec_t *x, long f)
{
    if (x->scale <= f) return;
    long cut = (long)x->n - (x->scale - f);
    pdec_cut(x, cut < -1 ? -1 : (int)cut, 0);
}

/* Plain decimal, no exponent, no trailing zeros, "0" for zero: the text's length, or -1. */
static int pdec_format(const pdec_t *x, char *out, size_t outlen)
{
    int n = x->n;
    long scale = x->scale;
    int lead = 0;
    while (lead < n && x->d[lead] == 0) lead++;
    while (n > lead && x->d[n - 1] == 0) { /* trailing zeros */
        n--;
        scale--;
    }
    size_t len = 0;
#define PUT(c)                                                                                         \
    do {                                                                                               \
        if (len + 1 >= outlen) return -1;                                                              \
        out[len++] = (c);                                                                              \
    } while (0)
    if (n == lead) {
        PUT('0');
        out[len] = 0;
        return (int)len;
    }
    if (x->neg) PUT('-');
    long intd = (long)(n - lead) - scale; /* digits before the point */
    if (intd <= 0) {
        PUT('0');
        PUT('.');
        for (long z = 0; z < -intd; z++) PUT('0');
        for (int k = lead; k < n; k++) PUT((char)('0' + x->d[k]));
    } else {
        for (int k = lead; k < n; k++) {
            if ((long)(k - lead) == intd) PUT('.');
            PUT((char)('0' + x->d[k]));
        }
        for (long z = 0; z < -scale; z++) PUT('0');
    }
#undef PUT
    out[len] = 0;
    return (int)len;
}

static int pdec_mul(const pdec_t *a, const pdec_t *b, pdec_t *r)
{
    uint32_t acc[DEC_DIGITS];
    int n = a->n + b->n;
    if (n > DEC_DIGITS) return -1;
    memset(r, 0, offsetof(pdec_t, d));
    memset(acc, 0, (size_t)n * sizeof acc[0]);
    for (int i = 0; i < a->n; i++) { /* acc is least significant first */
        uint32_t ai = a->d[a->n - 1 - i];
        if (!ai) continue;
        for (int j = 0; j < b->n; j++) acc[i + j] += ai * b->d[b->n - 1 - j];
    }
    for (int k = 0; k + 1 < n; k++) {
        acc[k + 1] += acc[k] / 10;
        acc[k] %= 10;
    }
    for (int k = 0; k < n; k++) r->d[n - 1 - k] = (uint8_t)acc[k];
    r->n = n;
    r->scale = a->scale + b->scale;
    r->neg = a->neg ^ b->neg;
    pdec_trim_leading(r);
    return 0;
}

/* Remainder arithmetic of the long division: little-endian digit arrays. */
static int le_cmp(const uint8_t *x, int xn, const uint8_t *y, int yn)
{
    while (xn > 0 && !x[xn - 1]) xn--;
    while (yn > 0 && !y[yn - 1]) yn--;
    if (xn != yn) return xn < yn ? -1 : 1;
    for (int k = xn - 1; k >= 0; k--)
        if (x[k] != y[k]) return x[k] < y[k] ? -1 : 1;
    return 0;
}

static void le_sub(uint8_t *x, int xn, const uint8_t *y, int yn) /* x -= y, x >= y */
{
    int borrow = 0;
    for (int k = 0; k < xn; k++) {
        int v = x[k] - borrow - (k < yn ? y[k] : 0);
        borrow = v < 0;
        x[k] = (uint8_t)(v < 0 ? v + 10 : v);
    }
}

static int pdec_div(const pdec_t *a, const pdec_t *b, pdec_t *r, int p)
{
    if (!b->n) return -1;
    memset(r, 0, offsetof(pdec_t, d));
    if (!a->n) return 0;
    /* a widened by k zeros leaves at least p + 1 quotient digits */
    int k = p + 1 + b->n - a->n;
    if (k < 0) k = 0;
    int total = a->n + k;
    if (total > DEC_DIGITS) return -1;
    uint8_t den[DEC_DIGITS], rem[DEC_DIGITS + 1];
    int rn = 0;
    for (int i = 0; i < b->n; i++) den[i] = b->d[b->n - 1 - i];
    for (int i = 0; i < total; i++) {
        memmove(rem + 1, rem, (size_t)rn); /* rem = rem × 10 + next digit */
        rem[0] = i < a->n ? a->d[i] : 0;
        rn++;
        while (rn > 0 && !rem[rn - 1]) rn--;
        uint8_t q = 0;
        while (le_cmp(rem, rn, den, b->n) >= 0) {
            le_sub(rem, rn, den, b->n);
            q++;
        }
        r->d[i] = q;
    }
    r->n = total;
    r->scale = a->scale + k - b->scale;
    r->neg = a->neg ^ b->neg;
    int sticky = le_cmp(rem, rn, den, 0) != 0;
    pdec_round_sig(r, p, sticky);
    return 0;
}

/* a + b exactly (both aligned to the finer scale), then rounded to p significant digits. */
static int pdec_add(const pdec_t *a, const pdec_t *b, pdec_t *r, int p)
{
    long scale = a->scale > b->scale ? a->scale : b->scale;
    long an = a->n + (scale - a->scale), bn = b->n + (scale - b->scale);
    long n = (an > bn ? an : bn) + 1; /* room for a carry */
    if (n > DEC_DIGITS) return -1;
    uint8_t x[DEC_DIGITS], y[DEC_DIGITS]; /* least significant first */
    memset(x, 0, (size_t)n);
    memset(y, 0, (size_t)n);
    for (int i = 0; i < a->n; i++) x[(long)(a->n - 1 - i) + (scale - a->scale)] = a->d[i];
    for (int i = 0; i < b->n; i++) y[(long)(b->n - 1 - i) + (scale - b->scale)] = b->d[i];
    memset(r, 0, offsetof(pdec_t, d));
    if (a->neg == b->neg) {
        int carry = 0;
        for (long k = 0; k < n; k++) {
            int v = x[k] + y[k] + carry;
            carry = v >= 10;
            x[k] = (uint8_t)(carry ? v - 10 : v);
        }
        r->neg = a->neg;
    } else if (le_cmp(x, (int)n, y, (int)n) >= 0) {
        le_sub(x, (int)n, y, (int)n);
        r->neg = a->neg;
    } else {
        le_sub(y, (int)n, x, (int)n);
        memcpy(x, y, (size_t)n);
        r->neg = b->neg;
    }
    for (long k = 0; k < n; k++) r->d[n - 1 - k] = x[k];
    r->n = (int)n;
    r->scale = scale;
    pdec_round_sig(r, p, 0);
    return 0;
}

int prices_value(const char *amount, const char *price, char *out, size_t outlen)
{
    pdec_t a, p, r;
    if (!price || !*price) {
        if (outlen < 2) return -1;
        memcpy(out, "0", 2);
        return pdec_parse(amount, &a);
    }
    if (pdec_parse(amount, &a) || pdec_parse(price, &p) || pdec_mul(&a, &p, &r)) return -1;
    pdec_round_sig(&r, PRICES_DIGITS, 0);
    return pdec_format(&r, out, outlen) < 0 ? -1 : 0;
}

int prices_ratio(const char *num, const char *den, char *out, size_t outlen)
{
    pdec_t a, b, r;
    if (pdec_parse(num, &a) || pdec_parse(den, &b) || pdec_div(&a, &b, &r, PRICES_DIGITS)) return -1;
    return pdec_format(&r, out, outlen) < 0 ? -1 : 0;
}

int prices_fit(const char *s, size_t maxlen, char *out, size_t outlen)
{
    pdec_t x;
    char buf[DEC_TEXT];
    if (pdec_parse(s, &x)) return -1;
    int len = pdec_format(&x, buf, sizeof buf);
    /* fraction digits that leave room for the sign, the integer part and the point */
    long intd = (long)x.n - x.scale;
    long f = (long)maxlen - x.neg - (intd > 0 ? intd : 1) - 1;
    if (f < 0) f = 0; /* an integer needs no point */
    for (; len < 0 || (size_t)len > maxlen; f--) {
        if (f < 0) return -1;
        pdec_round_frac(&x, f);
        len = pdec_format(&x, buf, sizeof buf);
    }
    if ((size_t)len >= outlen) return -1;
    memcpy(out, buf, (size_t)len + 1);
    return 0;
}

int prices_round(const char *s, int decimals, char *out, size_t outlen)
{
    pdec_t x;
    if (decimals < 0 || pdec_parse(s, &x)) return -1;
    pdec_round_frac(&x, decimals);
    int len = pdec_format(&x, out, outlen);
    if (len < 0) return -1;
    /* as Python's format(d, ".Nf"): exactly N digits after the point */
    const char *dot = strchr(out, '.');
    int have = dot ? (int)strlen(dot + 1) : -1;
    if ((size_t)len + (size_t)(decimals - (have < 0 ? 0 : have)) + (have < 0 && decimals ? 1 : 0) >= outlen) return -1;
    if (have < 0 && decimals) out[len++] = '.', have = 0;
    while (have >= 0 && have < decimals) out[len++] = '0', have++;
    out[len] = 0;
    return 0;
}

int prices_diff(const char *a, const char *b, char *out, size_t outlen)
{
    pdec_t x, y, r;
    if (pdec_parse(a, &x) || pdec_parse(b, &y)) return -1;
    y.neg = !y.neg && y.n;
    if (pdec_add(&x, &y, &r, PRICES_DIGITS)) return -1;
    return pdec_format(&r, out, outlen) < 0 ? -1 : 0;
}
