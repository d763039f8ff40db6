/* routes — rotki's transaction endpoints, fetching from the source the user chose (setting
 * evm_transactions_source: "indexer", rotki's default, an Etherscan-compatible API at
 * --etherscan-url with the key of external service 'etherscan'; or "node", the user's own
 * nodes only, so no third party learns the addresses), storing in rotki's tables (store.h)
 * and decoding after (decode.h):
 *   POST   /api/1/blockchains/transactions  {accounts?: [{address, blockchain}], from_timestamp?,
 *          to_timestamp?} (async) → true once fetched, stored and decoded; 409 without a user's
 *          node or (indexer) key, 502 when a source failed (nothing stored), 503 out of memory
 *   DELETE /api/1/blockchains/transactions  {chain?, tx_ref?} → true; the txs, their decoded
 *          events and (all of them) the ranges done, in one transaction
 *   GET    /api/1/blockchains/transactions/latest  rotki's latest stored tx time per chain and per
 *          mapped address (eth's from the DB; rotki's other chains 0 and {})
 * The choices where rotki's spec is silent are in docs/evm-transactions.md. */
#ifndef PIPIT_EVMTX_ROUTES_H
#define PIPIT_EVMTX_ROUTES_H

#include "../../core/config.h"
#include "../../core/loop.h"

int evmtx_routes_init(const config_t *cfg, loop_t *loop);

#endif
