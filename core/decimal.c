/* decimal — exact decimal strings as amounts travel through pipit: normalizing what an
 * exchange or the user sends, adding non-negative amounts. Digits only, never floats. */
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
