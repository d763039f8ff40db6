/* libFuzzer target for JSON-RPC batch answers (rpc_answer_parse, services/chain/rpc.c) and what
 * the chain services take from them (rpc_result_str, then u256_from_hex or abi_hex_decode as
 * balances.c and erc20meta.c do). The first byte is the number of calls; the rest is the
 * answer. Checked: a parsed answer has, per call, exactly one of a result and an error object,
 * each a token of the call's answer object whose "id" is the call; a failure leaves a reason;
 * result strings lie inside the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/u256.h"
#include "services/chain/multicall.h"
#include "services/chain/rpc.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_rpc: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const rpc_node_t node = {"fuzz", "http://127.0.0.1:1/", 0};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level(LOG_CRITICAL); /* every refused answer is logged as a warning */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int ncalls = data[0] % 9;
    size_t len = size - 1;
    char *resp = malloc(len ? len : 1); /* exactly the answer: reads beyond are caught */
    MUST(resp);
    memcpy(resp, data + 1, len);
    rpc_batch_t b;
    memset(&b, 0, sizeof b);
    b.nodes = &node;
    b.nnodes = 1;
    b.ncalls = ncalls;
    b.result = malloc(sizeof(int) * 9);
    b.error = malloc(sizeof(int) * 9);
    MUST(b.result && b.error);
    if (rpc_answer_parse(&b, resp, len) != 0) {
        MUST(b.errmsg[0] && strlen(b.errmsg) < sizeof b.errmsg);
    } else {
        MUST(json_type(&b.doc, 0) == JSON_ARRAY && json_child_count(&b.doc, 0) == ncalls);
        for (int i = 0; i < ncalls; i++) {
            MUST((b.result[i] >= 0) != (b.error[i] >= 0));
            int tok = b.result[i] >= 0 ? b.result[i] : b.error[i], obj = -1;
            for (int el = json_first(&b.doc, 0); el >= 0; el = json_sibling(&b.doc, el))
                if (el < tok && tok < json_next(&b.doc, el)) obj = el;
            int64_t id;
            MUST(obj >= 0 && json_get_int64(&b.doc, json_obj_get(&b.doc, obj, "id"), &id) == JSON_OK && id == i);
            if (b.error[i] >= 0) MUST(json_type(&b.doc, b.error[i]) == JSON_OBJECT);

            const char *s;
            size_t n;
            char why[200];
            int rs = rpc_result_str(&b, i, &s, &n, why, sizeof why);
            if (rs != 0) {
                MUST(why[0] && strlen(why) < sizeof why);
                continue;
            }
            MUST(b.result[i] >= 0 && s >= resp && s + n <= resp + len);
            uint8_t be[32];
            char dec[80];
            if (u256_from_hex(s, n, be) == 0) MUST(u256_to_decimal(be, 18, dec, sizeof dec) > 0);
            uint8_t *bytes;
            size_t blen;
            if (abi_hex_decode(s, n, &bytes, &blen) == 0) {
                multicall_result_t r[4];
                multicall_decode(bytes, blen, r, (size_t)i % 4);
                alloc_free(bytes);
            }
        }
        char why[64];
        const char *s;
        size_t n;
        MUST(rpc_result_str(&b, ncalls, &s, &n, why, sizeof why) == -1 && rpc_result_str(&b, -1, &s, &n, why, sizeof why) == -1);
    }
    json_doc_free(&b.doc);
    free(b.result);
    free(b.error);
    free(resp);
    return 0;
}
