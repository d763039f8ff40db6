/* sign — request signatures exactly as the exchanges document them.
 *  Kraken:  API-Sign = base64(HMAC-SHA512(base64decode(secret), path ‖ SHA256(nonce ‖ postdata)))
 *  Binance: signature = hex(HMAC-SHA256(secret, query string)) */
#ifndef PIPIT_SIGN_H
#define PIPIT_SIGN_H

#include <stddef.h>

/* 0, or -1 when the secret is not base64 or out is too small (needs 89 bytes). */
int kraken_sign(const char *secret_b64, const char *path, const char *nonce, const char *postdata, char *out,
                size_t outlen);
/* 0, or -1 when out is too small (needs 65 bytes). */
int binance_sign(const char *secret, const char *query, char *out, size_t outlen);

#endif
