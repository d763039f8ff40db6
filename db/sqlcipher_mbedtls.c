/* sqlcipher_mbedtls — SQLCipher 4's crypto provider on mbedtls 3.6.
 *
 * SQLCipher picks its provider at compile time; our patch (ports/deps/sqlcipher-mbedtls.patch)
 * makes -DSQLCIPHER_CRYPTO_MBEDTLS call sqlcipher_mbedtls_setup() on first activation.
 * mbedtls is built without MBEDTLS_THREADING_C and SQLite calls in from the loop and the DB
 * worker, so every mbedtls context lives on the stack of one call: there is no shared mutable
 * state, hence no per-connection context either. Randomness comes straight from pal_entropy(). */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/version.h>

#ifndef SQLITE_HAS_CODEC
#define SQLITE_HAS_CODEC 1 /* sqlcipher.h is empty without it */
#endif
typedef struct Parse Parse; /* sqlcipher.h names SQLite's internal parser type in a prototype */
#include <sqlcipher/sqlite3.h>
#include <sqlcipher/sqlcipher.h>

#include "../platform/pal.h"

enum { CIPHER_DECRYPT = 0, CIPHER_ENCRYPT = 1 }; /* sqlcipher.c's modes, not in its header */
enum { KEY_SZ = 32, BLOCK_SZ = 16, IV_SZ = 16 };   /* AES-256-CBC */

_Static_assert(SQLCIPHER_PBKDF2_HMAC_SHA1 == SQLCIPHER_HMAC_SHA1 &&
               SQLCIPHER_PBKDF2_HMAC_SHA256 == SQLCIPHER_HMAC_SHA256 &&
               SQLCIPHER_PBKDF2_HMAC_SHA512 == SQLCIPHER_HMAC_SHA512,
               "md_type() maps both the HMAC and the PBKDF2 algorithm numbers");

static mbedtls_md_type_t md_type(int algorithm)
{
    switch (algorithm) {
    case SQLCIPHER_HMAC_SHA1: return MBEDTLS_MD_SHA1;
    case SQLCIPHER_HMAC_SHA256: return MBEDTLS_MD_SHA256;
    case SQLCIPHER_HMAC_SHA512: return MBEDTLS_MD_SHA512;
    default: return MBEDTLS_MD_NONE;
    }
}

static int mt_ok(void *ctx) { return SQLITE_OK; }
static const char *mt_name(void *ctx) { return "mbedtls"; }
static const char *mt_version(void *ctx) { return MBEDTLS_VERSION_STRING_FULL; }
static const char *mt_cipher_name(void *ctx) { return "AES-256-CBC"; }
static int mt_key_sz(void *ctx) { return KEY_SZ; }
static int mt_iv_sz(void *ctx) { return IV_SZ; }
static int mt_block_sz(void *ctx) { return BLOCK_SZ; }
static int mt_fips_status(void *ctx) { return 0; }

static int mt_random(void *ctx, void *buf, int len)
{
    return len >= 0 && pal_entropy(buf, (size_t)len) == PAL_OK ? SQLITE_OK : SQLITE_ERROR;
}

/* PRAGMA cipher_add_random: every request reads the OS generator afresh, so there is no pool
 * of ours to stir; the bytes are accepted and dropped. */
static int mt_add_random(void *ctx, void *buf, int len) { return SQLITE_OK; }

static int mt_hmac(void *ctx, int algorithm, unsigned char *key, int key_sz, unsigned char *in,
                   int in_sz, unsigned char *in2, int in2_sz, unsigned char *out)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_type(algorithm));
    if (!md || !in || key_sz < 0 || in_sz < 0 || (in2 && in2_sz < 0)) return SQLITE_ERROR;
    mbedtls_md_context_t c;
    mbedtls_md_init(&c);
    int rc = mbedtls_md_setup(&c, md, 1);
    if (!rc) rc = mbedtls_md_hmac_starts(&c, key, (size_t)key_sz);
    if (!rc) rc = mbedtls_md_hmac_update(&c, in, (size_t)in_sz);
    if (!rc && in2) rc = mbedtls_md_hmac_update(&c, in2, (size_t)in2_sz);
    if (!rc) rc = mbedtls_md_hmac_finish(&c, out);
    mbedtls_md_free(&c); /* wipes the keyed pads */
    return rc ? SQLITE_ERROR : SQLITE_OK;
}

static int mt_kdf(void *ctx, int algorithm, const unsigned char *pass, int pass_sz,
                  unsigned char *salt, int salt_sz, int workfactor, int key_sz, unsigned char *key)
{
    mbedtls_md_type_t t = md_type(algorithm);
    if (t == MBEDTLS_MD_NONE || pass_sz < 0 || salt_sz < 0 || workfactor < 1 || key_sz < 0)
        return SQLITE_ERROR;
    return mbedtls_pkcs5_pbkdf2_hmac_ext(t, pass, (size_t)pass_sz, salt, (size_t)salt_sz,
                                         (unsigned)workfactor, (uint32_t)key_sz, key)
               ? SQLITE_ERROR : SQLITE_OK;
}

/* AES-256-CBC without padding: SQLCipher hands whole blocks (page size less the reserve). */
static int mt_cipher(void *ctx, int mode, unsigned char *key, int key_sz, unsigned char *iv,
                     unsigned char *in, int in_sz, unsigned char *out)
{
    if (key_sz != KEY_SZ || in_sz < 0 || in_sz % BLOCK_SZ) return SQLITE_ERROR;
    unsigned char iv_run[IV_SZ]; /* mbedtls advances the IV in place; SQLCipher's is in the page */
    memcpy(iv_run, iv, IV_SZ);
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int enc = mode == CIPHER_ENCRYPT;
    int rc = enc ? mbedtls_aes_setkey_enc(&aes, key, KEY_SZ * 8)
                 : mbedtls_aes_setkey_dec(&aes, key, KEY_SZ * 8);
    if (!rc) rc = mbedtls_aes_crypt_cbc(&aes, enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
                                        (size_t)in_sz, iv_run, in, out);
    mbedtls_aes_free(&aes); /* wipes the key schedule */
    return rc ? SQLITE_ERROR : SQLITE_OK;
}

static int mt_hmac_sz(void *ctx, int algorithm)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_type(algorithm));
    return md ? mbedtls_md_get_size(md) : 0;
}

static int mt_ctx_init(void **ctx)
{
    *ctx = NULL;
    return SQLITE_OK;
}

static int mt_ctx_free(void **ctx) { return SQLITE_OK; }

int sqlcipher_mbedtls_setup(sqlcipher_provider *p)
{
    p->activate = mt_ok;
    p->deactivate = mt_ok;
    p->get_provider_name = mt_name;
    p->add_random = mt_add_random;
    p->random = mt_random;
    p->hmac = mt_hmac;
    p->kdf = mt_kdf;
    p->cipher = mt_cipher;
    p->get_cipher = mt_cipher_name;
    p->get_key_sz = mt_key_sz;
    p->get_iv_sz = mt_iv_sz;
    p->get_block_sz = mt_block_sz;
    p->get_hmac_sz = mt_hmac_sz;
    p->ctx_init = mt_ctx_init;
    p->ctx_free = mt_ctx_free;
    p->fips_status = mt_fips_status;
    p->get_provider_version = mt_version;
    return SQLITE_OK;
}
