/* libFuzzer target for what the EVM transaction fetch takes from outside (services/evmtx/): an
 * Etherscan-compatible answer (evmtx_etherscan_answer, then evmtx_etherscan_take into a tx set)
 * and a node's transaction and receipt objects (evmtx_parse_node_tx / _receipt). The first byte
 * picks: 0-3 an Etherscan answer to txlist, txlistinternal, tokentx, tokennfttx; 4 a tx object;
 * 5 a receipt object; the rest is the input. Checked: a classification is one of the four with a
 * reason when BAD; every item taken can be found again by its hash; stored amounts are decimal
 * digits without leading zeros; a parsed receipt has at most four topics per log and a status
 * of 0 or 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "services/evmtx/fetch.h"
#include "services/evmtx/store.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_evmtx: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level(LOG_CRITICAL);
    return 0;
}

static void must_decimal(const char *s)
{
    size_t n = strlen(s);
    MUST(n > 0);
    for (size_t i = 0; i < n; i++) MUST(s[i] >= '0' && s[i] <= '9');
    MUST(n == 1 || s[0] != '0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int mode = data[0] % 6;
    size_t len = size - 1;
    char *in = malloc(len ? len : 1); /* exactly the input: reads beyond are caught */
    MUST(in);
    memcpy(in, data + 1, len);
    char why[300] = "";
    if (mode < 4) {
        json_doc_t doc;
        int res = -1;
        int kind = evmtx_etherscan_answer(in, len, &doc, &res, why, sizeof why);
        MUST(kind == EVMTX_ES_OK || kind == EVMTX_ES_EMPTY || kind == EVMTX_ES_RATE || kind == EVMTX_ES_BAD);
        if (kind == EVMTX_ES_BAD) MUST(why[0] && strlen(why) < sizeof why);
        if (kind == EVMTX_ES_OK) {
            evmtx_set_t set;
            memset(&set, 0, sizeof set);
            uint64_t last = 0;
            int n = evmtx_etherscan_take(&doc, res, mode, &set, &last, why, sizeof why);
            MUST(n >= -2);
            if (n == -1) MUST(why[0]);
            for (size_t i = 0; i < set.n; i++) {
                const evmtx_ftx_t *t = &set.txs[i];
                MUST(evmtx_set_get(&set, t->hash, 0) == t);
                MUST(t->block <= last);
                if (t->has_details) {
                    must_decimal(t->value);
                    must_decimal(t->gas);
                    must_decimal(t->gas_price);
                }
                for (size_t k = 0; k < t->nitxs; k++) must_decimal(t->itxs[k].value);
            }
            evmtx_set_free(&set);
        }
        json_doc_free(&doc);
    } else {
        json_doc_t doc;
        char perr[100];
        if (json_parse(&doc, in, len, 0, perr, sizeof perr) == JSON_OK) {
            evmtx_ftx_t t;
            memset(&t, 0, sizeof t);
            int rc = mode == 4 ? evmtx_parse_node_tx(&doc, 0, &t, why, sizeof why)
                               : evmtx_parse_node_receipt(&doc, 0, &t, why, sizeof why);
            MUST(rc == 0 || rc == -1 || rc == -2);
            if (rc == -1) MUST(why[0]);
            if (rc == 0 && mode == 4) {
                MUST(t.has_details);
                must_decimal(t.value);
                must_decimal(t.gas_price);
            }
            if (rc == 0 && mode == 5) {
                MUST(t.has_receipt && t.status <= 1);
                must_decimal(t.gas_used);
                for (size_t i = 0; i < t.nlogs; i++) MUST(t.logs[i].ntopics <= 4 && (t.logs[i].data_len == 0) == (t.logs[i].data == NULL));
            }
            evmtx_tx_clear(&t);
        }
        json_doc_free(&doc);
    }
    free(in);
    return 0;
}
