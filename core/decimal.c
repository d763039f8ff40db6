/* decimal — exact decimal strings as amounts travel through pipit: normalizing what an
 * exchange or the user sends, adding and subtracting non-negative amounts. Digits only, never floats. */
#include "decimal.h"

#include <string.h>

int dec_is_negative(const char *s) { return s[0] == '-' && !dec_is_zero(s + 1); }

int dec_is_zero(const char *s)
{
    if (*s == '-') s++;
    for (; *s; s++)
        if (*s != '0' && *s != '.') return 0;
    return 1;
}

int dec_normalize(const char *s, size_t n, int abs, char *out, size_t outlen)
{
    size_t i = 0, o = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    size_t int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        frac_end = i;
    }
    if (i != n || (int_end == int_start && frac_end == frac_start)) return -1;
    while (int_start < int_end - 1 && s[int_start] == '0') int_start++; /* leading zeros */
    while (frac_end > frac_start && s[frac_end - 1] == '0') frac_end--; /* trailing zeros */
    size_t need = 1 + (int_end - int_start) + 1 + (frac_end - frac_start) + 1;
    if (need > outlen) return -1;
    int zero = 1;
    for (size_t k = int_start; k < int_end; k++) zero &= s[k] == '0';
    zero &= frac_end == frac_start;
    if (neg && !abs && !zero) out[o++] = '-';
    if (int_end == int_start) out[o++] = '0';
    memcpy(out + o, s + int_start, int_end - int_start);
    o += int_end - int_start;
    if (frac_end > frac_start) {
        out[o++] = '.';
        memcpy(out + o, s + frac_start, frac_end - frac_start);
        o += frac_end - frac_start;
    }
    out[o] = 0;
    return 0;
}

/* a + b for non-negative plain decimals */
int dec_add(const char *a, const char *b, char *out, size_t outlen)
{
    const char *ad = strchr(a, '.'), *bd = strchr(b, '.');
    size_t ai = ad ? (size_t)(ad - a) : strlen(a), bi = bd ? (size_t)(bd - b) : strlen(b);
    size_t af = ad ? strlen(ad + 1) : 0, bf = bd ? strlen(bd + 1) : 0;
    size_t fi = af > bf ? af : bf, ii = (ai > bi ? ai : bi) + 1;
    char tmp[200];
    if (ii + fi + 2 > sizeof tmp || *a == '-' || *b == '-') return -1;
    int carry = 0;
    size_t pos = ii + (fi ? fi + 1 : 0);
    tmp[pos] = 0;
    for (size_t k = fi; k > 0; k--) { /* fraction digit k (1-based) */
        int da = k <= af ? ad[k] - '0' : 0, db = k <= bf ? bd[k] - '0' : 0;
        int d = da + db + carry;
        carry = d / 10;
        tmp[--pos] = (char)('0' + d % 10);
    }
    if (fi) tmp[--pos] = '.';
    for (size_t k = 0; k < ii; k++) {
        int da = k < ai ? a[ai - 1 - k] - '0' : 0, db = k < bi ? b[bi - 1 - k] - '0' : 0;
        int d = da + db + carry;
        carry = d / 10;
        tmp[--pos] = (char)('0' + d % 10);
    }
    return dec_normalize(tmp, strlen(tmp), 0, out, outlen);
}

/* -1, 0, 1 as a < b, a = b, a > b for normalized non-negative decimals */
static int dec_cmp(const char *a, const char *b)
{
    const char *ad = strchr(a, '.'), *bd = strchr(b, '.');
    size_t ai = ad ? (size_t)(ad - a) : strlen(a), bi = bd ? (size_t)(bd - b) : strlen(b);
    if (ai != bi) return ai < bi ? -1 : 1;
    for (size_t k = 0; k < ai; k++)
        if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
    const char *af = ad ? ad + 1 : "", *bf = bd ? bd + 1 : "";
    for (; *af || *bf; af += *af != 0, bf += *bf != 0) {
        char x = *af ? *af : '0', y = *bf ? *bf : '0';
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

int dec_sub(const char *a, const char *b, char *out, size_t outlen)
{
    char na[200], nb[200], tmp[202];
    if (*a == '-' || *b == '-' || dec_normalize(a, strlen(a), 0, na, sizeof na) ||
        dec_normalize(b, strlen(b), 0, nb, sizeof nb))
        return -1;
    int neg = dec_cmp(na, nb) < 0;
    const char *big = neg ? nb : na, *small = neg ? na : nb; /* big - small, then the sign */
    const char *gd = strchr(big, '.'), *sd = strchr(small, '.');
    size_t gi = gd ? (size_t)(gd - big) : strlen(big), si = sd ? (size_t)(sd - small) : strlen(small);
    size_t gf = gd ? strlen(gd + 1) : 0, sf = sd ? strlen(sd + 1) : 0, fi = gf > sf ? gf : sf;
    size_t pos = 1 + gi + (fi ? fi + 1 : 0);
    if (pos + 1 > sizeof tmp) return -1;
    tmp[pos] = 0;
    int borrow = 0;
    for (size_t k = fi; k > 0; k--) {
        int d = (k <= gf ? gd[k] - '0' : 0) - (k <= sf ? sd[k] - '0' : 0) - borrow;
        borrow = d < 0;
        tmp[--pos] = (char)('0' + (d + 10) % 10);
    }
    if (fi) tmp[--pos] = '.';
    for (size_t k = 0; k < gi; k++) {
        int d = (big[gi - 1 - k] - '0') - (k < si ? small[si - 1 - k] - '0' : 0) - borrow;
        borrow = d < 0;
        tmp[--pos] = (char)('0' + (d + 10) % 10);
    }
    tmp[--pos] = neg ? '-' : '+';
    return dec_normalize(tmp, strlen(tmp), 0, out, outlen);
}
