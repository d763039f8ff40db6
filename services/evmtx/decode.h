/* decode — the user's stored EVM transactions (rotki's tables, written by the fetcher) into
 * rotki's history events (entry type 2 "evm event", with their chain_events_info rows), and
 * rotki's /api/1/blockchains/transactions/decode endpoints as rotki's code has them (POST decode
 * all pending, PUT redecode given txs, GET the pending counts). The rules are docs/evm-decoding.md. */
#ifndef PIPIT_EVMTX_DECODE_H
#define PIPIT_EVMTX_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../api.h"
#include "../history/events.h"

/* Decodes the user's undecoded transactions (evm_transactions of chain_id without an
 * evm_tx_mappings value 0 row), oldest first, at most `limit` (0 = all), into history events:
 * reads them with their receipts and logs, reads unknown tokens' metadata on chain
 * (services/chain/erc20meta.h) and adds them to the asset registry, then inserts the events
 * and marks the txs decoded, all in write jobs under req. Sends rotki's progress_updates
 * (subtype undecoded_transactions). done always runs, later (at once only when nothing could
 * start: no memory for the run): status 0 = ok (decoded = how many txs), else the HTTP status to
 * answer (409 / 502 / 503) and a message. */
typedef void (*evmtx_decode_done_fn)(void *ud, int status, const char *error, size_t decoded);
void evmtx_decode_pending(api_req_t *req, uint64_t chain_id, size_t limit, evmtx_decode_done_fn done, void *ud);

/* Registers the /api/1/blockchains/transactions/decode routes. */
int evmtx_decode_init(void);

/* ------------------------------------------------------------------ the decoder itself
 * One transaction with its receipt, logs and internal transactions, the tracked addresses and
 * what is known of the tokens in, rotki's events out. No I/O: decode_run.c feeds it from the DB. */
typedef struct {
    uint32_t log_index;
    uint8_t address[20];
    uint8_t topics[4][32];
    int ntopics;
    const uint8_t *data;
    size_t data_len;
} evmtx_log_t;

typedef struct {
    uint8_t from[20], to[20];
    int has_to;
    uint8_t value[32]; /* wei, big-endian */
} evmtx_internal_t;

typedef struct {
    uint8_t hash[32];
    uint64_t chain_id;
    int64_t timestamp;                    /* seconds */
    uint8_t from[20], to[20];
    int has_to;                           /* 0: a contract creation */
    uint8_t value[32], gas_used[32], gas_price[32]; /* big-endian; gas_price the effective one */
    const uint8_t *input;
    size_t input_len;
    int status;                           /* the receipt's: 1 success, 0 failed */
    uint8_t contract_address[20];
    int has_contract;
    const evmtx_log_t *logs;              /* in log_index order */
    size_t nlogs;
    const evmtx_internal_t *internals;
    size_t ninternals;
} evmtx_tx_t;

/* The tracked addresses, sorted (evmtx_tracked_sort) for the lookups. */
typedef struct {
    uint8_t (*addr)[20];
    size_t n;
} evmtx_tracked_t;
void evmtx_tracked_sort(evmtx_tracked_t *t);
int evmtx_is_tracked(const evmtx_tracked_t *t, const uint8_t a[20]);

/* What is known of an ERC-20 contract: known 0 = not an ERC-20 (its logs give no event). */
typedef struct {
    int known;
    int decimals;
    char symbol[64];
} evmtx_token_info_t;
typedef void (*evmtx_token_fn)(void *ud, const uint8_t address[20], evmtx_token_info_t *out);

/* The ERC-20 contracts the tx's transfer and approval logs need known (those with a tracked
 * side), appended to list[0..n) when not in it yet, up to cap; the new count. */
size_t evmtx_tokens_needed(const evmtx_tx_t *tx, const evmtx_tracked_t *tracked, uint8_t (*list)[20], size_t n, size_t cap);

/* The most events one tx can give. */
size_t evmtx_events_max(const evmtx_tx_t *tx);
/* Decodes tx into out[0..cap) (cap >= evmtx_events_max): the number of events, or -1 when an
 * amount does not fit (a fee beyond 2^256). The rules are docs/evm-decoding.md. */
int evmtx_decode_tx(const evmtx_tx_t *tx, const evmtx_tracked_t *tracked, evmtx_token_fn token, void *ud,
                    history_event_t *out, size_t cap);

/* A decimal string of at most 78 digits that fits 256 bits into big-endian bytes: 0 or -1. */
int evmtx_u256_from_dec(const char *s, uint8_t be[32]);

#endif
