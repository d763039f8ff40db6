/* kdf — see kdf.h. PBKDF2 with one output block: dkLen 32 <= SHA-512's 64 bytes. */
#include "kdf.h"

#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"

int db_kdf_start(db_kdf_t *k, const char *pass, size_t pass_len, const unsigned char salt[DB_SALT_SIZE],
                 uint32_t iterations)
{
    memset(k, 0, sizeof *k);
    mbedtls_md_context_t *md = alloc_sys_get(ALLOC_DB, sizeof *md);
    if (!md) return -1;
    mbedtls_md_init(md);
    k->md = md;
    k->iterations = iterations;
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
    static const unsigned char block_one[4] = {0, 0, 0, 1};
    if (!info || mbedtls_md_setup(md, info, 1) != 0 ||
        mbedtls_md_hmac_starts(md, (const unsigned char *)pass, pass_len) != 0 ||
        mbedtls_md_hmac_update(md, salt, DB_SALT_SIZE) != 0 || mbedtls_md_hmac_update(md, block_one, 4) != 0 ||
        mbedtls_md_hmac_finish(md, k->u) != 0) {
        db_kdf_free(k);
        return -1;
    }
    memcpy(k->t, k->u, sizeof k->t); /* T = U1 */
    k->done = 1;
    return 0;
}

int db_kdf_run(db_kdf_t *k, uint32_t max_rounds)
{
    mbedtls_md_context_t *md = k->md;
    if (!md) return -1;
    for (uint32_t n = 0; n < max_rounds && k->done < k->iterations; n++, k->done++) {
        /* U_i = HMAC(P, U_{i-1}); reset keeps the keyed pads, so the password is hashed once */
        if (mbedtls_md_hmac_reset(md) != 0 || mbedtls_md_hmac_update(md, k->u, sizeof k->u) != 0 ||
            mbedtls_md_hmac_finish(md, k->u) != 0)
            return -1;
        for (size_t i = 0; i < sizeof k->t; i++) k->t[i] ^= k->u[i];
    }
    return k->done >= k->iterations;
}

void db_kdf_key(const db_kdf_t *k, unsigned char key[DB_KEY_SIZE]) { memcpy(key, k->t, DB_KEY_SIZE); }

void db_kdf_free(db_kdf_t *k)
{
    if (k->md) {
        mbedtls_md_free(k->md);
        alloc_free(k->md);
    }
    /* the intermediate values are as good as the key */
    volatile unsigned char *p = (volatile unsigned char *)k;
    for (size_t i = 0; i < sizeof *k; i++) p[i] = 0;
}

void db_key_spec(const unsigned char key[DB_KEY_SIZE], const unsigned char *salt, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t need = 3 + 2 * DB_KEY_SIZE + (salt ? 2 * DB_SALT_SIZE : 0) + 1;
    if (outlen < need) {
        if (outlen) out[0] = 0;
        return;
    }
    char *p = out;
    *p++ = 'x';
    *p++ = '\'';
    for (int i = 0; i < DB_KEY_SIZE; i++) {
        *p++ = hex[key[i] >> 4];
        *p++ = hex[key[i] & 15];
    }
    for (int i = 0; salt && i < DB_SALT_SIZE; i++) {
        *p++ = hex[salt[i] >> 4];
        *p++ = hex[salt[i] & 15];
    }
    *p++ = '\'';
    *p = 0;
}
