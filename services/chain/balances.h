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
/* The tokens (not the native coin) the last balance query found the account holding, through
 * each(), in the query's order; returns the query's wall time (s), or -1 when the account was
 * not in it. For rotki's token detection answer. */
int64_t chain_balances_account_tokens(const char *chain, const char *checksummed_address,
                                      void (*each)(const char *asset_id, void *ud), void *ud);
/* The name of the RPC node that answered the chain's last batch for the logged-in user, or NULL. */
const char *chain_balances_last_node(const char *chain);
/* Drops an account from the cache (it was removed). */
void chain_balances_forget(const char *chain, const char *checksummed_address);
/* Accounts were added: the cache no longer answers a plain GET as fresh (only_cache still reads it). */
void chain_balances_stale(const char *chain);

#endif
