/* decode — the user's stored EVM transactions (rotki's tables, written by the fetcher) into
 * rotki's history events (entry type 2 "evm event", with their chain_events_info rows), and
 * rotki's /api/1/blockchains/transactions/decode endpoints (POST redecode given txs, PUT
 * decode all pending, GET the pending counts). The rules are docs/evm-decoding.md. */
#ifndef PIPIT_EVMTX_DECODE_H
#define PIPIT_EVMTX_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../api.h"

/* Decodes the user's undecoded transactions (evm_transactions of chain_id without an
 * evm_tx_mappings value 0 row), oldest first, at most `limit` (0 = all), into history events:
 * reads them with their receipts and logs, reads unknown tokens' metadata on chain
 * (services/chain/erc20meta.h) and adds them to the asset registry, then inserts the events
 * and marks the txs decoded, all in write jobs under req. Sends rotki's progress_updates
 * (subtype undecoded_transactions). done always runs later: status 0 = ok (decoded = how many
 * txs), else the HTTP status to answer (409 / 502 / 503) and a message. */
typedef void (*evmtx_decode_done_fn)(void *ud, int status, const char *error, size_t decoded);
void evmtx_decode_pending(api_req_t *req, uint64_t chain_id, size_t limit, evmtx_decode_done_fn done, void *ud);

/* Registers the /api/1/blockchains/transactions/decode routes. */
int evmtx_decode_init(void);

#endif
