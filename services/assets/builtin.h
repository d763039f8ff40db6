/* builtin — the compiled-in assets that are not tokens.c's built-in ERC-20s (see builtin.c). */
#ifndef PIPIT_ASSETS_BUILTIN_H
#define PIPIT_ASSETS_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *identifier, *name, *symbol, *asset_type;
    uint64_t chain_id;   /* evm tokens */
    const char *address; /* evm tokens, EIP-55 (checked at start-up) */
    int decimals;        /* evm tokens; -1 otherwise */
    int native;          /* a chain's native asset */
} asset_builtin_t;

extern const asset_builtin_t asset_builtins[];
extern const size_t asset_builtins_count;

#endif
