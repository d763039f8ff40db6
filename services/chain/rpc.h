/* rpc — JSON-RPC 2.0 batches to EVM nodes over httpc, with failover.
 *
 * A batch is one HTTP request carrying many calls. It goes to the first node of the list
 * (the caller orders it: owned first, then by weight); a node that cannot be reached, times
 * out, answers with a non-200 status, a whole-batch error or anything that is not a
 * well-formed answer to every call is logged with its name and the batch goes to the next
 * one. The batch fails only when every node failed, with each node's reason in errmsg.
 * Per-node pacing: at most --rpc-rate-limit calls per second (each call of a batch counted,
 * one second of burst), and a node that answered 429 is skipped until its Retry-After. A
 * paced batch waits on a loop timer, never blocking the loop. */
#ifndef PIPIT_CHAIN_RPC_H
#define PIPIT_CHAIN_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/config.h"
#include "../../core/json.h"
#include "../../core/loop.h"
#include "../httpc.h"

#define RPC_MAX_NODES 16

typedef struct {
    char name[64];
    char endpoint[256];
    int owned;
} rpc_node_t;

typedef struct rpc_batch rpc_batch_t;
struct rpc_batch {
    /* inputs */
    const rpc_node_t *nodes;
    int nnodes;
    void (*done)(rpc_batch_t *b);
    void *ud;
    /* results */
    int err;                 /* 0 = every call answered (each with a result or its own error) */
    char errmsg[600];
    int node;                /* index of the node that answered */
    json_doc_t doc;          /* the answer */
    int *result;             /* per call: the "result" token, or -1 */
    int *error;              /* per call: the "error" object token, or -1 */
    int ncalls;
    unsigned round_trips;    /* HTTP requests this batch took (failovers included) */
    /* private */
    json_writer_t w;
    const char *body;
    size_t body_len;
    int next_node;
    int hard_failures;       /* node failures other than a 429 */
    uint8_t cooldown_waited;
    httpc_req_t http;
    loop_timer_t wait;
    uint8_t sending;
};

int rpc_init(const config_t *cfg, loop_t *loop);

/* Building: begin, then per call rpc_call_begin (writes the envelope up to "params":), the
 * params value on the writer it returns, rpc_call_end; then rpc_batch_send. */
void rpc_batch_begin(rpc_batch_t *b);
json_writer_t *rpc_call_begin(rpc_batch_t *b, const char *method);
void rpc_call_end(rpc_batch_t *b);
/* Sends the batch; done runs later (also on failure, out of memory included). */
void rpc_batch_send(rpc_batch_t *b);
void rpc_batch_cancel(rpc_batch_t *b);
/* Frees the request and the answer. */
void rpc_batch_clear(rpc_batch_t *b);

/* The parse step of an answer (used by the batch and by its fuzz target): resp must be a JSON
 * array with exactly one well-formed answer per call id 0..ncalls-1 (b->result and b->error
 * have room for ncalls). 0 with b->doc, b->result and b->error set, or -1 with the reason
 * appended to b->errmsg. b->doc points into resp. */
int rpc_answer_parse(rpc_batch_t *b, const char *resp, size_t len);
/* A call's result as a string ("0x…"): 0, or -1 with a short reason in why. */
int rpc_result_str(const rpc_batch_t *b, int call, const char **s, size_t *len, char *why, size_t whylen);

typedef struct {
    uint64_t batches, calls, round_trips, failovers, failed_batches;
} rpc_stats_t;
void rpc_get_stats(rpc_stats_t *out);

#endif
