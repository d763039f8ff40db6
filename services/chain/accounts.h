/* accounts — rotki's blockchain accounts at /api/1/blockchains/<chain>/accounts (GET, PUT,
 * PATCH, DELETE) and /api/1/blockchains/type/evm/accounts (PATCH, DELETE), eth only for now.
 *
 * Stored as rotki stores them: blockchain_accounts(blockchain 'ETH', EIP-55 address), labels in
 * address_book (blockchain 'ETH' for a per-chain label, 'TYPE_EVMLIKE' for one set through the
 * chain-type endpoint; GET shows the per-chain one first), tags in tag_mappings with the bare
 * address as object_reference. A change is validated whole before anything is written (400
 * or rotki's 409, nothing changed), then written in one transaction.
 *
 * Also the small pieces the chain services share: which chains pipit serves, address
 * parsing, and the per-request state allocation.
 */
#ifndef PIPIT_CHAIN_ACCOUNTS_H
#define PIPIT_CHAIN_ACCOUNTS_H

#include <stddef.h>

#include "../../db/query.h"
#include "../api.h"

/* Registers the account routes. */
int chain_accounts_init(void);

/* Prepares (does not submit) the SELECT of the chain's tracked addresses, EIP-55 checksummed,
 * in address order: one column, `address`. chain is the API name ("eth", any case). Returns
 * 0, or -1 when pipit does not serve that chain (q is left untouched). */
int chain_accounts_query_init(db_query_t *q, const char *chain, void (*done)(db_job_t *), void *ud);

/* --- shared by the chain services --- */
/* rotki's DB name of an API chain name ("eth", any case → "ETH"); NULL when unsupported. */
const char *chain_db_name(const char *chain);
/* The API name of a chain the node serves ("ETH" → "eth"), from its DB name. */
const char *chain_api_name(const char *db_chain);
/* The name rotki's messages give it ("ETH" → "ethereum"), from its DB name. */
const char *chain_message_name(const char *db_chain);
/* The <chain> path parameter's DB name; NULL with a 400 ("unsupported blockchain") sent. */
const char *chain_path_db_name(api_req_t *req);
/* An EVM address (0x + 40 hex digits; a mixed-case one must carry a valid EIP-55 checksum) in
 * its EIP-55 form. 0 ok, -1 malformed, -2 wrong checksum. */
int chain_address_checksummed(const char *s, size_t len, char out[43]);
/* The 503 for a request the node has no memory for. */
void chain_reply_oom(api_req_t *req);
/* A zeroed allocation of size bytes for a request's state; NULL with a 503 sent. */
void *chain_op_new(api_req_t *req, size_t size);
/* s escaped for use inside a JSON string (quotes, backslashes, control characters), cut
 * short with "..." when it does not fit in out. Returns out. */
const char *chain_json_escape(const char *s, char *out, size_t outlen);

#endif
