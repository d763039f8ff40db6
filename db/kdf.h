/* kdf — SQLCipher 4's key derivation (PBKDF2-HMAC-SHA512, 256,000 rounds, 32-byte key) done in
 * slices, so it can run on the loop of a port without threads and never holds a worker long.
 * The key it yields opens the DB as the raw key x'…', exactly as if SQLCipher had derived it
 * from the passphrase (rotki's DBs are keyed by passphrase: the two are the same key). */
#ifndef PIPIT_KDF_H
#define PIPIT_KDF_H

#include <stddef.h>
#include <stdint.h>

#define DB_KDF_ITERATIONS 256000u
#define DB_KEY_SIZE 32
#define DB_SALT_SIZE 16

typedef struct {
    void *md;                 /* mbedtls HMAC context, keyed with the password once */
    unsigned char u[64], t[64];
    uint32_t iterations, done;
} db_kdf_t;

int db_kdf_start(db_kdf_t *k, const char *pass, size_t pass_len, const unsigned char salt[DB_SALT_SIZE],
                 uint32_t iterations);
/* Runs up to max_rounds rounds; 1 when finished, 0 when more remain, -1 on error. */
int db_kdf_run(db_kdf_t *k, uint32_t max_rounds);
void db_kdf_key(const db_kdf_t *k, unsigned char key[DB_KEY_SIZE]);
void db_kdf_free(db_kdf_t *k);

/* "x'<64 hex key>'" or, with salt, "x'<64 hex key><32 hex salt>'" for PRAGMA key/rekey. */
void db_key_spec(const unsigned char key[DB_KEY_SIZE], const unsigned char *salt, char *out, size_t outlen);

#endif
