/* nodes — rotki's RPC nodes at /api/1/blockchains/<chain>/nodes (GET, PUT, PATCH, DELETE),
 * eth only for now, in rotki's rpc_nodes table.
 *
 * As rotki: the API speaks weights as percentages (0–100; GET shows them with two decimals,
 * "40.30"), the table keeps fractions of one ("0.403"), and every change rebalances the other
 * public nodes so that their weights share what the changed node leaves (1 - its weight; a
 * delete spreads the whole). An endpoint is an http:// or https:// URL, unique per chain
 * (409 when taken). PUT, PATCH and DELETE answer true, GET the list by name. rotki's POST
 * (connect to the nodes) answers true: pipit connects for each query. Chains pipit does not
 * track: see untracked.h.
 */
#ifndef PIPIT_CHAIN_NODES_H
#define PIPIT_CHAIN_NODES_H

#include "../../db/query.h"
#include "rpc.h"

/* Registers the node routes. */
int chain_nodes_init(void);

/* Prepares (does not submit) the SELECT of the chain's nodes to use, in the order to try
 * them: owned first, then by weight (numerically, highest first), then identifier. Only
 * what rotki connects to: active nodes, and of the public ones those whose weight is not 0.
 * Columns: name, endpoint, owned ("1"/"0"), weight (the stored fraction of one, e.g. "0.403").
 * chain is the API name ("eth", any case). Returns 0, or -1 for a chain pipit does not serve
 * (q is left untouched). */
int chain_nodes_query_init(db_query_t *q, const char *chain, void (*done)(db_job_t *), void *ud);

/* The rows of that query as rpc.h's node list (rotki's etherscan pseudo-node, without an
 * endpoint, left out), at most max; their count. */
int chain_nodes_from_query(const db_query_t *q, rpc_node_t *nodes, int max);

#endif
