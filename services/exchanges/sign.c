/* sign — see sign.h. mbedtls' one-shot digests; nothing is kept between calls. */
#include "sign.h"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <string.h>

int kraken_sign(const char *secret_b64, const char *path, const char *nonce, const char *postdata, char *out,
                size_t outlen)
{
    unsigned char key[128], inner[32], mac[64];
    size_t keylen = 0, olen = 0;
    if (mbedtls_base64_decode(key, sizeof key, &keylen, (const unsigned char *)secret_b64, strlen(secret_b64)) != 0)
        return -1;
    /* SHA256(nonce ‖ postdata) */
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, sha256, 0) || mbedtls_md_starts(&ctx) ||
             mbedtls_md_update(&ctx, (const unsigned char *)nonce, strlen(nonce)) ||
             mbedtls_md_update(&ctx, (const unsigned char *)postdata, strlen(postdata)) || mbedtls_md_finish(&ctx, inner);
    mbedtls_md_free(&ctx);
    if (rc) return -1;
    /* HMAC-SHA512(key, path ‖ inner) */
    mbedtls_md_init(&ctx);
    rc = mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), 1) || mbedtls_md_hmac_starts(&ctx, key, keylen) ||
         mbedtls_md_hmac_update(&ctx, (const unsigned char *)path, strlen(path)) ||
         mbedtls_md_hmac_update(&ctx, inner, sizeof inner) || mbedtls_md_hmac_finish(&ctx, mac);
    mbedtls_md_free(&ctx);
    memset(key, 0, sizeof key);
    if (rc || mbedtls_base64_encode((unsigned char *)out, outlen, &olen, mac, sizeof mac) != 0) return -1;
    return 0;
}

int binance_sign(const char *secret, const char *query, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[32];
    if (outlen < 65 || mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)secret,
                                       strlen(secret), (const unsigned char *)query, strlen(query), mac) != 0)
        return -1;
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = 0;
    return 0;
}
