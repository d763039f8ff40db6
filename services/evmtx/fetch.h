/* fetch — what the transaction fetch shares between its endpoint (routes.c) and its two
 * sources (source_node.c, source_indexer.c): the fetch's state, the protothreads each source
 * runs inside the fetch's task, and the pure pieces they are built of (unit-tested).
 *
 * A fetch covers blocks [from_block, to_block] for the asked accounts; `iv` lists the block
 * intervals some account has not had yet (used_query_ranges), merged. The sources add what they
 * find to `set`; evmtx_details_pt then completes it from the user's nodes (tx details for
 * hashes only an indexer's token list named, receipts for all). Nothing is stored until the
 * whole set is complete. */
#ifndef PIPIT_EVMTX_FETCH_H
#define PIPIT_EVMTX_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/config.h"
#include "../../core/loop.h"
#include "../../core/pt.h"
#include "../../db/query.h"
#include "../api.h"
#include "../chain/rpc.h"
#include "../httpc.h"
#include "store.h"

#define EVMTX_MAX_ACCOUNTS 1024

typedef struct {
    uint64_t a, b; /* inclusive */
} evmtx_span_t;

typedef struct evmtx_fetch evmtx_fetch_t;
struct evmtx_fetch {
    loop_task_t task;
    api_req_t *req;
    const config_t *cfg;
    int status;                 /* 0, or the HTTP status to answer */
    char msg[700];
    int node_source;            /* setting evm_transactions_source = "node" */
    char key[160];              /* the Etherscan key */
    rpc_node_t nodes[RPC_MAX_NODES];
    int nnodes;
    /* the accounts asked for, sorted by bytes */
    size_t naccts;
    uint8_t (*accts)[20];
    int64_t (*done)[2];         /* per account: the block range done ([-1,-1] = none) */
    int64_t from_ts, to_ts;     /* to_ts -1 = now */
    uint64_t chain_id, latest;
    int64_t latest_ts;
    uint64_t from_block, to_block;
    evmtx_span_t *iv;           /* intervals to fetch */
    size_t niv;
    evmtx_set_t set;
    /* plumbing */
    rpc_batch_t batch;
    int rpc_done;
    db_query_t q;
    int job_done;
    evmtx_store_t store;
    pt_t child, grandchild;
    unsigned round_trips;       /* HTTP requests to nodes and indexer */
    size_t target_bytes;        /* answer size a batch aims at (heap budget / 16) */
    /* node source */
    size_t iv_i;
    evmtx_span_t *spans;        /* eth_getLogs work queue */
    size_t nspans, spans_cap, batch_spans;
    uint64_t next_block, batch_from;
    size_t scan_n, batch_n;
    /* details and receipts */
    uint64_t *blocks;           /* blocks that hold a kept tx, ascending */
    size_t nblocks, blocks_cap;
    size_t rc_next, rc_n, rc_batch;
    size_t *todo;               /* positions in set */
    size_t ntodo;
    int per_tx_receipts;
    /* block-by-time bisection */
    uint64_t bs_lo, bs_hi, bs_pts[16];
    int bs_k;
    int64_t bs_target;
    /* indexer source */
    httpc_req_t http;
    int http_done;
    char url[1400];
    size_t acct_i, span_i;
    int action, page, retries, es_outcome;
    uint64_t es_start, es_end, es_last_block;
    evmtx_span_t es_spans[2];
    int es_nspans;
    loop_timer_t wait;
};

PIPIT_PRINTF(3, 4) void evmtx_fail(evmtx_fetch_t *f, int status, const char *fmt, ...);
/* Sends f->batch (built by the caller) to f's nodes; f->rpc_done is set and the task woken
 * when it is answered. */
void evmtx_rpc_send(evmtx_fetch_t *f);
#define EVMTX_RPC(pt, f)                                                                               \
    do {                                                                                               \
        (f)->rpc_done = 0;                                                                             \
        evmtx_rpc_send(f);                                                                             \
        PT_WAIT_UNTIL((pt), (f)->rpc_done);                                                            \
    } while (0)

/* The protothreads (children of the fetch's task). */
PT_THREAD(evmtx_blocktime_pt(pt_t *pt, evmtx_fetch_t *f)); /* bs_target → bs_lo: first block with ts > target */
PT_THREAD(evmtx_node_pt(pt_t *pt, evmtx_fetch_t *f));
PT_THREAD(evmtx_indexer_pt(pt_t *pt, evmtx_fetch_t *f));
PT_THREAD(evmtx_details_pt(pt_t *pt, evmtx_fetch_t *f));
/* Forgets a fetch's source state (buffers). */
void evmtx_sources_clear(evmtx_fetch_t *f);

/* --- pure pieces --- */
/* Whether s[0..n) holds needle, ASCII case ignored (the nodes' and indexers' error texts). */
int evmtx_has_ci(const char *s, size_t n, const char *needle);
/* 1 when a node's eth_getLogs error says the range or the answer is too big (halve it). */
int evmtx_logs_error_is_range(int64_t code, const char *msg);
/* 1 when a node's error says it does not have the method. */
int evmtx_error_is_no_method(int64_t code, const char *msg);
/* The next batch's item count from the last one's (n items answered in bytes), aiming at target
 * bytes, within [1, max]. */
size_t evmtx_batch_size(size_t last_n, size_t last_bytes, size_t target, size_t max);
/* The sample points of one bisection round over [lo, hi) (at most 16, ascending, lo first). */
int evmtx_bisect_points(uint64_t lo, uint64_t hi, uint64_t pts[16]);
/* Narrows [lo, hi] (the answer: first block whose predicate holds, hi when none) by the
 * predicates of the sampled points. */
void evmtx_bisect_narrow(uint64_t *lo, uint64_t *hi, const uint64_t *pts, const int *pred, int k);
/* What of [a, b] an account that has done [lo, hi] (lo < 0: nothing) still needs: 0–2 spans. */
int evmtx_missing(uint64_t a, uint64_t b, int64_t lo, int64_t hi, evmtx_span_t out[2]);
/* The done range after [a, b] was fetched, from the one before ([lo, hi], lo < 0: none). */
void evmtx_done_after(uint64_t a, uint64_t b, int64_t lo, int64_t hi, int64_t out[2]);
/* Sorts and merges spans in place; their new count. */
size_t evmtx_spans_merge(evmtx_span_t *s, size_t n);

enum { EVMTX_ES_OK = 0, EVMTX_ES_EMPTY = 1, EVMTX_ES_RATE = 2, EVMTX_ES_BAD = -1 };
enum { EVMTX_TXLIST = 0, EVMTX_TXLISTINTERNAL, EVMTX_TOKENTX, EVMTX_TOKENNFTTX, EVMTX_ACTIONS };
extern const char *const evmtx_actions[EVMTX_ACTIONS];
/* Classifies an Etherscan answer (parsed into doc): OK with *result the list, EMPTY, RATE (the
 * per-key limit: wait and ask again) or BAD with why. doc must be freed either way. */
int evmtx_etherscan_answer(const char *resp, size_t len, json_doc_t *doc, int *result, char *why, size_t whylen);
/* Takes the items of an `action` list into set: txlist items are complete txs (but for the
 * receipt), txlistinternal items internal txs of their parent, tokentx/tokennfttx items name a
 * tx (hash, block, time) to complete from the nodes. Returns the item count (*last_block the
 * highest block seen), -1 malformed (why), -2 out of memory. */
int evmtx_etherscan_take(const json_doc_t *d, int arr, int action, evmtx_set_t *set, uint64_t *last_block, char *why,
                         size_t whylen);

#endif
