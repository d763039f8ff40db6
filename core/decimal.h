/* decimal — exact decimal strings ("12.5", "-0.001"): plain digits with an optional sign and
 * point, no exponent. */
#ifndef PIPIT_DECIMAL_H
#define PIPIT_DECIMAL_H

#include <stddef.h>

/* "012.50" -> "12.5", "-0.0" -> "0": 0, or -1 when s[0..n) is not a plain decimal or out is
 * too small. abs drops a '-'. */
int dec_normalize(const char *s, size_t n, int abs, char *out, size_t outlen);
/* a + b for non-negative plain decimals (up to ~190 digits); 0 or -1. */
int dec_add(const char *a, const char *b, char *out, size_t outlen);
/* a - b for non-negative plain decimals, signed ("1.5" - "2" = "-0.5"); 0 or -1. */
int dec_sub(const char *a, const char *b, char *out, size_t outlen);
int dec_is_zero(const char *s);
int dec_is_negative(const char *s);

#endif
