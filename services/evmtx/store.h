/* store — fetched EVM transactions in memory (a set keyed by hash) and their storage in rotki's
 * tables, the way rotki's DBEvmTx writes them:
 *   evm_transactions        tx_hash 32 raw bytes, chain_id, timestamp s, block_number,
 *                           from/to EIP-55 (to NULL for a creation), value/gas/gas_price/
 *                           gas_used decimal strings of wei, input_data raw bytes, nonce;
 *                           gas_price is the receipt's effectiveGasPrice when there is one
 *   evmtx_receipts          contract_address (EIP-55 or NULL), status 0/1, type
 *   evmtx_receipt_logs      log_index, data raw bytes, address EIP-55
 *   evmtx_receipt_log_topics topic 32 raw bytes, topic_index 0..3
 *   evmtx_address_mappings  every tracked account the tx concerns (from, to, a log topic that is
 *                           a tracked address, an internal tx's from/to)
 *   evm_internal_transactions (indexer only) source 1 = Etherscan (rotki's InternalTxSource)
 *   used_query_ranges       the refresh bookkeeping: "ETH<source>blocks_<address>" holds the
 *                           block range [start_ts, end_ts] (block numbers, inclusive) done
 * A tx already stored (UNIQUE(tx_hash, chain_id)) is left as it is; only its mappings are
 * added. One write job, one transaction: all or nothing.
 *
 * The parsers here (node JSON-RPC objects, hex quantities) are pure and unit-tested. */
#ifndef PIPIT_EVMTX_STORE_H
#define PIPIT_EVMTX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/json.h"
#include "../../db/db.h"

typedef struct {
    uint32_t log_index;
    uint8_t address[20];
    uint8_t ntopics;
    uint8_t topics[4][32];
    uint8_t *data;
    size_t data_len;
} evmtx_flog_t;

typedef struct {
    int64_t trace_id;
    uint8_t from[20], to[20];
    uint8_t has_to;
    char value[80], gas[24], gas_used[24];
} evmtx_fitx_t;

typedef struct {
    uint8_t hash[32];
    uint64_t block, nonce;
    int64_t ts;                 /* -1 until known */
    uint8_t from[20], to[20];
    uint8_t has_to, has_details, has_receipt, status, has_contract;
    int type;
    char value[80], gas[24], gas_price[80], gas_used[24];
    uint8_t contract[20];
    uint8_t *input;
    size_t input_len;
    evmtx_flog_t *logs;
    size_t nlogs;
    evmtx_fitx_t *itxs;
    size_t nitxs;
} evmtx_ftx_t;

typedef struct {
    char name[72];
    int64_t start, end;
} evmtx_range_t;

typedef struct {
    uint64_t chain_id;
    evmtx_ftx_t *txs;
    size_t n, cap;
    uint32_t *index;           /* open addressing over txs, 0 = empty, else position + 1 */
    size_t index_cap;
    const uint8_t (*tracked)[20]; /* sorted, the caller's */
    size_t ntracked;
    evmtx_range_t *ranges;     /* written after the txs (INSERT OR REPLACE) */
    size_t nranges;
    size_t bytes;              /* what the set holds, roughly: input, logs */
} evmtx_set_t;

void evmtx_set_free(evmtx_set_t *s);
/* The tx of hash (a new empty one when create is set and it is not there); NULL when absent or
 * out of memory (create). */
evmtx_ftx_t *evmtx_set_get(evmtx_set_t *s, const uint8_t hash[32], int create);
/* 1 when addr is one of the tracked accounts. */
int evmtx_set_tracked(const evmtx_set_t *s, const uint8_t addr[20]);
int evmtx_set_add_range(evmtx_set_t *s, const char *name, int64_t start, int64_t end);
void evmtx_tx_clear(evmtx_ftx_t *t);

/* --- pure parsers --- */
/* "0x…" quantity → value; 0 or -1. */
int evmtx_hex_u64(const char *s, size_t n, uint64_t *out);
/* "0x…" quantity → decimal string (up to 256 bits); 0 or -1. */
int evmtx_hex_decimal(const char *s, size_t n, char *out, size_t outlen);
/* "0x…" data → bytes (alloc'd, ALLOC_CLIENT; *out NULL for empty data); 0, -1 malformed, -2 memory. */
int evmtx_hex_bytes(const char *s, size_t n, uint8_t **out, size_t *len);
/* "0x" + 64 hex digits → 32 bytes; 0 or -1. */
int evmtx_hex32(const char *s, size_t n, uint8_t out[32]);
/* A string member of obj (quotes stripped, no unescaping: hex and decimals only); 0 or -1. */
int evmtx_json_str(const json_doc_t *d, int obj, const char *key, const char **s, size_t *n);
/* A decimal digit string, leading zeros dropped ("" → -1); 0 or -1. */
int evmtx_decimal_copy(const char *s, size_t n, char *out, size_t outlen);

/* A node's transaction object (eth_getBlockByNumber full / eth_getTransactionByHash) into t
 * (details; t->hash set too). 0, -1 malformed (why says which field), -2 out of memory. */
int evmtx_parse_node_tx(const json_doc_t *d, int obj, evmtx_ftx_t *t, char *why, size_t whylen);
/* A node's receipt object into t (status, type, contract, gas used, effective gas price, logs).
 * 0, -1 malformed, -2 out of memory. */
int evmtx_parse_node_receipt(const json_doc_t *d, int obj, evmtx_ftx_t *t, char *why, size_t whylen);

/* --- the write job --- */
typedef struct {
    db_job_t job;
    const evmtx_set_t *set;
    size_t next;
    sqlite3_stmt *st[8];
    size_t inserted;           /* result: txs that were new */
} evmtx_store_t;

void evmtx_store_init(evmtx_store_t *w, const evmtx_set_t *set, void (*done)(db_job_t *), void *ud);

/* Deletes the user's stored transactions (all, or the one of tx_hash when given) with the
 * decoded events that point at them (chain_events_info.tx_ref, entry type 2) and, for all, the
 * refresh bookkeeping: one write job. */
typedef struct {
    db_job_t job;
    uint8_t hash[32];
    int one;
    int changes;
} evmtx_delete_t;

void evmtx_delete_init(evmtx_delete_t *d, const uint8_t *hash_or_null, void (*done)(db_job_t *), void *ud);

#endif
