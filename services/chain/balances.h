/* balances — EVM balances of the tracked accounts: native ETH and ERC-20 tokens read through
 * Multicall3's aggregate3 (batched eth_call without it), cached per chain, served by
 * /api/1/balances/blockchains[/<chain>] and aggregated by /api/1/balances. */
#ifndef PIPIT_CHAIN_BALANCES_H
#define PIPIT_CHAIN_BALANCES_H

#include "../../core/json.h"
#include "../../core/loop.h"
#include "../../core/config.h"

int chain_balances_init(const config_t *cfg, loop_t *loop);
void chain_balances_shutdown(void);
/* Writes the chain's cached balances: {"per_account": {...}, "totals": {...}}. */
void chain_balances_write_cached(json_writer_t *w, const char *chain);
/* Drops an account from the cache (it was removed). */
void chain_balances_forget(const char *chain, const char *checksummed_address);

#endif
