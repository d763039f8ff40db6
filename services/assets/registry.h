/* registry — what pipit knows about assets (rotki keeps this in its global DB, which pipit does
 * not ship).
 *
 * Two parts. The built-in assets, compiled in (builtin.c): rotki's fiat currencies, the native
 * assets of the main chains, and every built-in ERC-20 of services/chain/tokens.c (that table
 * is their one source). And the logged-in user's tokens, kept in the user DB's rotki tables
 * (the identifier in `assets`, the details in `key_value_cache`): the ones added at
 * /blockchains/eth/tokens (`pipit_token:<id>`) and the ones learned on chain, when an
 * `eip155:<chain>/erc20:<address>` identifier nobody knew was asked for
 * (`pipit_asset:<id>`, value {"name", "symbol", "decimals"}). The user's part is read once
 * after a login into memory; asset_registry_resolve() does that and the learning.
 */
#ifndef PIPIT_ASSETS_REGISTRY_H
#define PIPIT_ASSETS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "../api.h"

#define ASSET_ID_MAX 96

typedef struct {
    char identifier[ASSET_ID_MAX];
    char name[128];
    char symbol[64];
    const char *asset_type;    /* rotki's names: "fiat", "own chain", "evm token" */
    uint64_t chain_id;         /* evm tokens: the chain id; 0 otherwise */
    const char *evm_chain;     /* evm tokens: rotki's chain name ("ethereum"), NULL for a chain rotki has none for */
    char address[43];          /* evm tokens: the EIP-55 address; "" otherwise */
    int decimals;              /* evm tokens; -1 otherwise */
    const char *coingecko;     /* NULL when none is known */
    const char *cryptocompare; /* NULL when none is known */
    int native;                /* a chain's native asset (rotki sorts those first in searches) */
    int builtin;               /* compiled in (else the user's) */
} asset_info_t;

/* Registers the asset routes (assets.c, ignored.c). */
int assets_init(void);
void assets_shutdown(void);

/* Describes identifier (in any ASCII case, as rotki's COLLATE NOCASE identifiers; out->identifier
 * is the canonical form): 1 and *out filled when known, 0 when not. Synchronous: the built-in assets, plus the
 * logged-in user's tokens once asset_registry_resolve() has run after the login. */
int asset_registry_find(const char *identifier, asset_info_t *out);

/* Every known asset, built-in first: the count, and the i-th into *out (0, or -1 past the end). */
size_t asset_registry_count(void);
int asset_registry_at(size_t i, asset_info_t *out);

/* For req (a logged-in user's request): reads the user's tokens into memory when not done yet
 * for this login, then learns every well-formed eip155:<chain>/erc20:<address> identifier of
 * ids[0..n) that is still unknown, on chain (erc20meta.h), storing what it read. done runs
 * later; error NULL when the user's tokens are there (a token that could not be learned simply
 * stays unknown), else why not. Without a logged-in user it answers at once with NULL (only
 * the built-in assets are known). */
void asset_registry_resolve(api_req_t *req, const char *const *ids, size_t n, void (*done)(void *ud, const char *error),
                            void *ud);

/* 1 when the chain said during this login that the contract is no ERC-20 (a resolve that left
 * a token unknown for another reason, e.g. no node answering, leaves it 0). */
int asset_registry_refused(uint64_t chain_id, const uint8_t address[20]);

/* The user's tokens changed (tokens.c): read them again at the next resolve. */
void asset_registry_invalidate(void);

/* rotki's asset type names, in rotki's order (GET /assets/types), NULL-terminated. */
extern const char *const asset_type_names[];
/* rotki's name of an EVM chain id ("ethereum" for 1), NULL when rotki has none; and back (0). */
const char *asset_evm_chain_name(uint64_t chain_id);
uint64_t asset_evm_chain_id(const char *name);

#endif
