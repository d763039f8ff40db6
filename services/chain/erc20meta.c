/* erc20meta — see erc20meta.h. */
#include "erc20meta.h"

#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../core/log.h"
#include "../../core/u256.h"
#include "../auth.h"
#include "multicall.h"
#include "nodes.h"
#include "rpc.h"

/* name(), symbol(), decimals() */
static const uint8_t SELECTORS[3][4] = {{0x06, 0xfd, 0xde, 0x03}, {0x95, 0xd8, 0x9b, 0x41}, {0x31, 0x3c, 0xe5, 0x67}};

struct erc20_read {
    api_req_t *req;
    erc20_meta_t *t;
    size_t n;
    void (*done)(void *ud, const char *error);
    void *ud;
    db_query_t q;
    rpc_node_t nodes[RPC_MAX_NODES];
    int nnodes;
    rpc_batch_t batch;
    uint64_t chain;
};

/* The three answers of one token: (success, data) each. */
static void take(erc20_meta_t *t, const int ok[3], const uint8_t *const data[3], const size_t len[3])
{
    t->ok = 0;
    if (!ok[2] || erc20_decode_small_uint(data[2], len[2], &t->decimals) != 0 || t->decimals > 77) {
        snprintf(t->why, sizeof t->why, "decimals() failed or is not a number of 0 to 77: not an ERC-20 token");
        return;
    }
    if (!ok[1] || erc20_decode_text(data[1], len[1], t->symbol, sizeof t->symbol) != 0 || !t->symbol[0]) {
        snprintf(t->why, sizeof t->why, "symbol() failed or is empty");
        return;
    }
    if (!ok[0] || erc20_decode_text(data[0], len[0], t->name, sizeof t->name) != 0 || !t->name[0])
        snprintf(t->name, sizeof t->name, "%s", t->symbol);
    t->ok = 1;
}

static void finish(erc20_read_t *op, const char *error)
{
    void (*done)(void *, const char *) = op->done;
    void *ud = op->ud;
    char why[300]; /* error may live in op (the batch's message): keep it past the free */
    if (error) snprintf(why, sizeof why, "%s", error);
    rpc_batch_clear(&op->batch);
    db_query_clear(&op->q);
    alloc_free(op);
    done(ud, error ? why : NULL);
}

static void add_call(erc20_read_t *op, const char *to, const char *data_hex)
{
    json_writer_t *w = rpc_call_begin(&op->batch, "eth_call");
    json_begin_array(w);
    json_begin_object(w);
    json_write_key(w, "to");
    json_write_str(w, to);
    json_write_key(w, "data");
    if (data_hex) json_write_str(w, data_hex);
    else json_write_null(w); /* out of memory: a malformed call fails the batch */
    json_end_object(w);
    json_write_str(w, "latest");
    json_end_array(w);
    rpc_call_end(&op->batch);
}

static void send(erc20_read_t *op, void (*done)(rpc_batch_t *))
{
    op->batch.nodes = op->nodes;
    op->batch.nnodes = op->nnodes;
    op->batch.done = done;
    op->batch.ud = op;
    rpc_batch_send(&op->batch);
}

/* Marks the tokens of another chain than the node's; 1 when t is one of them. */
static int other_chain(const erc20_read_t *op, erc20_meta_t *t)
{
    if (t->chain_id == op->chain) return 0;
    t->ok = 0;
    t->other_chain = 1;
    snprintf(t->why, sizeof t->why, "the eth RPC nodes serve chain %llu, not chain %llu", (unsigned long long)op->chain,
             (unsigned long long)t->chain_id);
    return 1;
}

static void plain_done(rpc_batch_t *b)
{
    erc20_read_t *op = b->ud;
    if (b->err) {
        finish(op, b->errmsg);
        return;
    }
    for (size_t i = 0; i < op->n; i++) {
        if (other_chain(op, &op->t[i])) continue;
        int ok[3];
        uint8_t *bytes[3] = {NULL, NULL, NULL};
        const uint8_t *data[3];
        size_t len[3];
        for (int k = 0; k < 3; k++) {
            const char *s;
            size_t sl;
            char why[8];
            ok[k] = rpc_result_str(b, (int)(3 * i) + k, &s, &sl, why, sizeof why) == 0 &&
                    abi_hex_decode(s, sl, &bytes[k], &len[k]) == 0;
            data[k] = bytes[k];
            if (!ok[k]) len[k] = 0;
        }
        take(&op->t[i], ok, data, len);
        for (int k = 0; k < 3; k++) alloc_free(bytes[k]);
    }
    finish(op, NULL);
}

static void send_plain(erc20_read_t *op)
{
    rpc_batch_clear(&op->batch);
    rpc_batch_begin(&op->batch);
    for (size_t i = 0; i < op->n; i++) {
        char to[43];
        evm_address_checksum(op->t[i].address, to);
        for (int k = 0; k < 3; k++) {
            char *hex = abi_hex_encode(SELECTORS[k], 4);
            add_call(op, to, hex);
            alloc_free(hex);
        }
    }
    send(op, plain_done);
}

static void first_done(rpc_batch_t *b)
{
    erc20_read_t *op = b->ud;
    const char *s;
    size_t n, blen;
    char why[200];
    uint8_t be[32], *bytes;
    if (b->err) {
        finish(op, b->errmsg);
        return;
    }
    if (rpc_result_str(b, 0, &s, &n, why, sizeof why) || u256_from_hex(s, n, be)) {
        finish(op, "The RPC node did not tell its chain id");
        return;
    }
    op->chain = 0;
    for (int i = 24; i < 32; i++) op->chain = op->chain << 8 | be[i];
    if (rpc_result_str(b, 1, &s, &n, why, sizeof why) || n <= 2) { /* no Multicall3 there */
        send_plain(op);
        return;
    }
    multicall_result_t *res = alloc_get(ALLOC_CLIENT, (3 * op->n + 1) * sizeof *res);
    if (!res || rpc_result_str(b, 2, &s, &n, why, sizeof why) || abi_hex_decode(s, n, &bytes, &blen)) {
        alloc_free(res);
        finish(op, res ? "The RPC node's aggregate3 answer is not hex data" : "out of memory");
        return;
    }
    int rc = multicall_decode(bytes, blen, res, 3 * op->n);
    for (size_t i = 0; rc == 0 && i < op->n; i++) {
        if (other_chain(op, &op->t[i])) continue;
        int ok[3];
        const uint8_t *data[3];
        size_t len[3];
        for (int k = 0; k < 3; k++) {
            ok[k] = res[3 * i + (size_t)k].success;
            data[k] = res[3 * i + (size_t)k].data;
            len[k] = res[3 * i + (size_t)k].len;
        }
        take(&op->t[i], ok, data, len);
    }
    alloc_free(bytes);
    alloc_free(res);
    finish(op, rc == 0 ? NULL : "The RPC node's aggregate3 answer is malformed");
}

static void nodes_done(db_job_t *j)
{
    erc20_read_t *op = j->ud;
    if (j->rc != DB_JOB_DONE) {
        finish(op, "Could not read the RPC nodes");
        return;
    }
    op->nnodes = chain_nodes_from_query(&op->q, op->nodes, RPC_MAX_NODES);
    db_query_clear(&op->q);
    if (!op->nnodes) {
        finish(op, "No eth RPC node is configured");
        return;
    }
    multicall_call_t *calls = alloc_get(ALLOC_CLIENT, (3 * op->n + 1) * sizeof *calls);
    uint8_t *enc = NULL;
    size_t enclen = 0;
    if (calls) {
        for (size_t i = 0; i < op->n; i++)
            for (int k = 0; k < 3; k++) {
                multicall_call_t *c = &calls[3 * i + (size_t)k];
                memcpy(c->target, op->t[i].address, 20);
                c->allow_failure = 1;
                c->data = SELECTORS[k];
                c->len = 4;
            }
        if (multicall_encode(calls, 3 * op->n, &enc, &enclen) != 0) enc = NULL;
    }
    alloc_free(calls);
    char *hex = enc ? abi_hex_encode(enc, enclen) : NULL;
    alloc_free(enc);
    if (!hex) {
        finish(op, "out of memory");
        return;
    }
    rpc_batch_begin(&op->batch);
    json_writer_t *w = rpc_call_begin(&op->batch, "eth_chainId");
    json_begin_array(w);
    json_end_array(w);
    rpc_call_end(&op->batch);
    w = rpc_call_begin(&op->batch, "eth_getCode");
    json_begin_array(w);
    json_write_str(w, MULTICALL3_ADDRESS);
    json_write_str(w, "latest");
    json_end_array(w);
    rpc_call_end(&op->batch);
    add_call(op, MULTICALL3_ADDRESS, hex);
    alloc_free(hex);
    send(op, first_done);
}

void erc20_meta_read(api_req_t *req, erc20_meta_t *tokens, size_t n, void (*done)(void *ud, const char *error), void *ud)
{
    erc20_read_t *op = alloc_zget(ALLOC_CLIENT, sizeof *op);
    if (!op) {
        done(ud, "out of memory");
        return;
    }
    op->req = req;
    op->t = tokens;
    op->n = n;
    op->done = done;
    op->ud = ud;
    if (!auth_db()) {
        finish(op, "No user is logged in");
        return;
    }
    chain_nodes_query_init(&op->q, "eth", nodes_done, op);
    auth_submit(req, &op->q.job);
}
