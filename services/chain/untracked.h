/* untracked — rotki's answers for what pipit does not track: the chains other than eth (their
 * accounts, RPC nodes and token detection), Ethereum staking validators (eth2) and bitcoin
 * xpubs. rotki's web app asks for every supported chain at start-up; these answer as rotki does
 * for a chain without accounts: GET /blockchains/<chain>/accounts [] (btc and bch:
 * {"standalone": [], "xpubs": []}), GET /blockchains/<chain>/nodes [], GET
 * /blockchains/eth2/validators an empty collection, GET /blockchains/<btc|bch>/xpub empty
 * balances. A change (adding accounts, nodes, validators or xpubs) is a 400 saying pipit does
 * not track that chain. Token detection (POST /blockchains/<chain>/tokens/detect, an EVM chain)
 * answers from the last balance query for eth (rotki's {address: {"tokens": [...],
 * "last_update_timestamp": ts}}, both null for an address not queried yet; pipit reads every
 * token it knows in each balance query, so that is its detection) and {} for other chains.
 * POST /blockchains/evm/accounts (rotki adds the accounts to the other EVM chains they were
 * active on): true, nothing to add. */
#ifndef PIPIT_CHAIN_UNTRACKED_H
#define PIPIT_CHAIN_UNTRACKED_H

#include "../api.h"

int chain_untracked_init(void);
/* For the account and node routes: when <chain> is a chain rotki knows and pipit does not
 * track, answers (what rotki answers for an empty one on GET, a 400 otherwise) and returns 1;
 * else 0 and nothing is sent. what: "accounts" or "nodes". */
int chain_untracked_answer(api_req_t *req, const char *what);

#endif
