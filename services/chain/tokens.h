/* tokens — the ERC-20 tokens the node tracks: a built-in list of common Ethereum mainnet
 * tokens, plus the user's own, at /api/1/blockchains/<chain>/tokens (GET, PUT, DELETE; a
 * pipit endpoint, not rotki's).
 *
 * User tokens live in rotki's own tables, so the schema stays rotki's: the identifier
 * (rotki's "eip155:<chain id>/erc20:<EIP-55 address>") in `assets`, the details in
 * `key_value_cache` as name "pipit_token:<identifier>", value {"symbol", "name", "decimals"}.
 */
#ifndef PIPIT_CHAIN_TOKENS_H
#define PIPIT_CHAIN_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "../../db/query.h"

typedef struct {
    char identifier[80]; /* eip155:<chain_id>/erc20:<address> */
    char address[43];    /* EIP-55 */
    uint64_t chain_id;
    char symbol[32];
    char name[64];
    int decimals;        /* 0..77 */
    int builtin;
} chain_token_t;

/* Registers the token routes; -1 when a built-in address fails its EIP-55 check. */
int chain_tokens_init(void);

/* The built-in tokens (static, in list order); their count. */
size_t chain_tokens_builtin(const chain_token_t **out);

/* Prepares (does not submit) the SELECT of the user's tokens: the key_value_cache rows, columns
 * name and value, in name order. */
void chain_user_tokens_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud);

/* "eip155:<chain id>/erc20:<address>" (the address in any case) into t's chain id, address
 * and canonical identifier (EIP-55); 0, or -1 when it is not one. */
int chain_token_parse_identifier(const char *id, chain_token_t *t);

/* One row of that query as a token: 0, or -1 for a malformed row (skip it). */
int chain_token_from_row(const char *name, const char *value, chain_token_t *out);

#endif
