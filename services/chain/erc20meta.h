/* erc20meta — reads ERC-20 name(), symbol() and decimals() of tokens on chain.
 *
 * One HTTP request to the user's eth nodes (failover as rpc.h): eth_chainId, the code at
 * Multicall3's address and ONE aggregate3 eth_call holding the three reads of every token
 * (each allowed to fail). Without Multicall3 on the node the reads go as plain eth_calls in a
 * second batch. A name or symbol may come back as an ABI string or as a bytes32 (older tokens
 * such as MKR); both are read, trailing NULs dropped, invalid UTF-8 kept for the JSON writer to
 * replace. A token whose decimals() fails, or whose symbol() fails, is not an ERC-20 to us; a
 * failing name() falls back to the symbol. Tokens of another chain than the nodes' fail with
 * that reason. */
#ifndef PIPIT_CHAIN_ERC20META_H
#define PIPIT_CHAIN_ERC20META_H

#include <stddef.h>
#include <stdint.h>

#include "../api.h"

#define ERC20_NAME_MAX 128   /* bytes kept of a name, NUL included (cut on a UTF-8 boundary) */
#define ERC20_SYMBOL_MAX 64

typedef struct {
    /* in */
    uint64_t chain_id;
    uint8_t address[20];
    /* out */
    int ok;
    char name[ERC20_NAME_MAX];
    char symbol[ERC20_SYMBOL_MAX];
    int decimals;
    char why[160]; /* when !ok */
    int other_chain; /* when !ok: the nodes serve another chain (else the contract is no ERC-20) */
} erc20_meta_t;

typedef struct erc20_read erc20_read_t;
/* Reads tokens[0..n) for req (its DB jobs run under it). done runs later, always (at once only when nothing could be started: no user, no memory); error is
 * NULL when the nodes answered (each token then has ok or why), else why nothing was read. */
void erc20_meta_read(api_req_t *req, erc20_meta_t *tokens, size_t n, void (*done)(void *ud, const char *error),
                     void *ud);

#endif
