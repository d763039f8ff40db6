/* The pure parts of the EVM transaction fetch (services/evmtx/): Etherscan answers and items,
 * node transaction and receipt objects, hex fields, the halving and batch-size rules, the
 * block-by-time bisection, the ranges still needed, and the tx set. */
#include <stdint.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../../services/evmtx/fetch.h"
#include "../../services/evmtx/store.h"
#include "unit.h"

#define H1 "0x1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "0x2222222222222222222222222222222222222222222222222222222222222222"
#define A "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
#define B "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"

static int answer(const char *js, int *result, char *why, size_t whylen)
{
    json_doc_t d;
    int rc = evmtx_etherscan_answer(js, strlen(js), &d, result, why, whylen);
    json_doc_free(&d);
    return rc;
}

UNIT_TEST(etherscan_answers_are_classified)
{
    int res = -1;
    char why[200];
    CHECK_EQ_INT(answer("{\"status\":\"1\",\"message\":\"OK\",\"result\":[]}", &res, why, sizeof why), EVMTX_ES_OK);
    CHECK(res > 0);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"No transactions found\",\"result\":[]}", &res, why, sizeof why),
                 EVMTX_ES_EMPTY);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"No records found\",\"result\":[]}", &res, why, sizeof why), EVMTX_ES_EMPTY);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Max rate limit reached\"}", &res, why, sizeof why),
                 EVMTX_ES_RATE);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Max calls per sec rate limit reached (5/sec)\"}",
                        &res, why, sizeof why),
                 EVMTX_ES_RATE);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"NOTOK\",\"result\":\"Invalid API Key\"}", &res, why, sizeof why),
                 EVMTX_ES_BAD);
    CHECK(strstr(why, "Invalid API Key"));
    /* garbage of every kind */
    CHECK_EQ_INT(answer("<html>502 Bad Gateway</html>", &res, why, sizeof why), EVMTX_ES_BAD);
    CHECK_EQ_INT(answer("[]", &res, why, sizeof why), EVMTX_ES_BAD);
    CHECK_EQ_INT(answer("{\"status\":\"1\",\"message\":\"OK\",\"result\":\"x\"}", &res, why, sizeof why), EVMTX_ES_BAD);
    CHECK_EQ_INT(answer("{\"status\":\"1\",\"message\":\"OK\"}", &res, why, sizeof why), EVMTX_ES_BAD);
    CHECK_EQ_INT(answer("{\"status\":\"2\",\"message\":\"OK\",\"result\":[]}", &res, why, sizeof why), EVMTX_ES_BAD);
    CHECK_EQ_INT(answer("{\"status\":\"0\",\"message\":\"No transactions found\",\"result\":[1]}", &res, why, sizeof why),
                 EVMTX_ES_BAD);
}

static int take(const char *js, int action, evmtx_set_t *set, uint64_t *last, char *why, size_t whylen)
{
    json_doc_t d;
    int res = -1, rc = evmtx_etherscan_answer(js, strlen(js), &d, &res, why, whylen);
    if (rc == EVMTX_ES_OK) rc = evmtx_etherscan_take(&d, res, action, set, last, why, whylen);
    else rc = -100;
    json_doc_free(&d);
    return rc;
}

UNIT_TEST(etherscan_items_become_txs)
{
    evmtx_set_t set;
    memset(&set, 0, sizeof set);
    uint64_t last = 0;
    char why[200];
    const char *txlist = "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"blockNumber\":\"12\",\"timeStamp\":\"1700000000\","
                         "\"hash\":\"" H1 "\",\"nonce\":\"007\",\"from\":\"" A "\",\"to\":\"\",\"value\":\"1000000000000000000\","
                         "\"gas\":\"21000\",\"gasPrice\":\"30\",\"input\":\"0xa9059cbb\",\"gasUsed\":\"21000\"}]}";
    CHECK_EQ_INT(take(txlist, EVMTX_TXLIST, &set, &last, why, sizeof why), 1);
    CHECK_EQ_INT(last, 12);
    uint8_t h[32];
    CHECK(evmtx_hex32(H1, 66, h) == 0);
    evmtx_ftx_t *t = evmtx_set_get(&set, h, 0);
    CHECK(t && t->has_details && !t->has_to && t->block == 12 && t->ts == 1700000000 && t->nonce == 7);
    CHECK_EQ_STR(t->value, "1000000000000000000");
    CHECK_EQ_STR(t->gas_price, "30");
    CHECK(t->input_len == 4 && t->input[0] == 0xa9 && t->input[3] == 0xbb);
    /* a token transfer names another tx: block and time, details to come from the node */
    const char *tokentx = "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"blockNumber\":\"15\",\"timeStamp\":\"1700000100\","
                          "\"hash\":\"" H2 "\",\"from\":\"" A "\",\"to\":\"" B "\",\"value\":\"5\"},{\"blockNumber\":\"12\","
                          "\"timeStamp\":\"1700000000\",\"hash\":\"" H1 "\"}]}";
    CHECK_EQ_INT(take(tokentx, EVMTX_TOKENTX, &set, &last, why, sizeof why), 2);
    CHECK_EQ_INT(set.n, 2);
    CHECK(evmtx_hex32(H2, 66, h) == 0);
    t = evmtx_set_get(&set, h, 0);
    CHECK(t && !t->has_details && t->block == 15 && t->ts == 1700000100);
    CHECK_EQ_INT(last, 15);
    /* internal txs join their parent, once even when a page comes twice */
    const char *internal = "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"blockNumber\":\"15\",\"timeStamp\":\"1700000100\","
                           "\"hash\":\"" H2 "\",\"from\":\"" B "\",\"to\":\"" A "\",\"value\":\"9\",\"gas\":\"0\",\"gasUsed\":\"0\","
                           "\"traceId\":\"3\"},{\"blockNumber\":\"15\",\"timeStamp\":\"1700000100\",\"hash\":\"" H2 "\","
                           "\"from\":\"" B "\",\"to\":\"" A "\",\"value\":\"1\",\"callType\":\"delegatecall\"}]}";
    CHECK_EQ_INT(take(internal, EVMTX_TXLISTINTERNAL, &set, &last, why, sizeof why), 2);
    CHECK_EQ_INT(take(internal, EVMTX_TXLISTINTERNAL, &set, &last, why, sizeof why), 2);
    CHECK(t->nitxs == 1 && t->itxs[0].trace_id == 3 && t->itxs[0].has_to);
    CHECK_EQ_STR(t->itxs[0].value, "9");
    /* malformed items */
    static const char *const bad[] = {
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"hash\":\"0x12\",\"blockNumber\":\"1\",\"timeStamp\":\"1\"}]}",
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"hash\":\"" H1 "\",\"blockNumber\":\"-1\",\"timeStamp\":\"1\"}]}",
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":[{\"blockNumber\":\"3\",\"timeStamp\":\"1\",\"hash\":\"" H2
        "\",\"nonce\":\"1\",\"from\":\"nope\",\"to\":\"\",\"value\":\"1\",\"gas\":\"1\",\"gasPrice\":\"1\",\"input\":\"0x\"}]}",
        "{\"status\":\"1\",\"message\":\"OK\",\"result\":[7]}",
    };
    static const int actions[] = {EVMTX_TOKENTX, EVMTX_TOKENTX, EVMTX_TXLIST, EVMTX_TOKENTX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int got = take(bad[i], actions[i], &set, &last, why, sizeof why);
        CHECK_EQ_INT(got, -1);
        CHECK(why[0]);
    }
    evmtx_set_free(&set);
}

UNIT_TEST(node_objects_parse_exactly)
{
    const char *tx = "{\"hash\":\"" H1 "\",\"from\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\",\"to\":null,"
                     "\"value\":\"0xde0b6b3a7640000\",\"gas\":\"0x5208\",\"gasPrice\":\"0x3b9aca00\",\"nonce\":\"0x1f\","
                     "\"blockNumber\":\"0x10\",\"input\":\"0x6080\"}";
    json_doc_t d;
    char why[120];
    CHECK(json_parse(&d, tx, strlen(tx), 0, why, sizeof why) == JSON_OK);
    evmtx_ftx_t t;
    memset(&t, 0, sizeof t);
    CHECK(evmtx_parse_node_tx(&d, 0, &t, why, sizeof why) == 0);
    json_doc_free(&d);
    char cs[43];
    evm_address_checksum(t.from, cs);
    CHECK_EQ_STR(cs, A);
    CHECK(!t.has_to && t.nonce == 31 && t.block == 16 && t.input_len == 2);
    CHECK_EQ_STR(t.value, "1000000000000000000");
    CHECK_EQ_STR(t.gas, "21000");
    CHECK_EQ_STR(t.gas_price, "1000000000");
    const char *rc = "{\"status\":\"0x0\",\"type\":\"0x2\",\"contractAddress\":\"" B "\",\"gasUsed\":\"0x5208\","
                     "\"effectiveGasPrice\":\"0x2\",\"logs\":[{\"address\":\"" A "\",\"logIndex\":\"0x3\",\"topics\":[\"" H1
                     "\",\"" H2 "\"],\"data\":\"0x00ff\"}]}";
    CHECK(json_parse(&d, rc, strlen(rc), 0, why, sizeof why) == JSON_OK);
    CHECK(evmtx_parse_node_receipt(&d, 0, &t, why, sizeof why) == 0);
    json_doc_free(&d);
    CHECK(t.has_receipt && t.status == 0 && t.type == 2 && t.has_contract && t.nlogs == 1);
    CHECK_EQ_STR(t.gas_price, "2"); /* the effective price replaces the offered one */
    CHECK_EQ_STR(t.gas_used, "21000");
    CHECK(t.logs[0].log_index == 3 && t.logs[0].ntopics == 2 && t.logs[0].topics[1][31] == 0x22 && t.logs[0].data_len == 2 &&
          t.logs[0].data[1] == 0xff);
    /* a receipt without status succeeded (rotki); malformed ones are refused */
    const char *bad[] = {
        "{\"gasUsed\":\"0x1\",\"logs\":[{\"address\":\"" A "\",\"logIndex\":\"0x0\",\"topics\":[\"0x12\"],\"data\":\"0x\"}]}",
        "{\"status\":\"0x2\",\"gasUsed\":\"0x1\",\"logs\":[]}",
        "{\"gasUsed\":\"0x1\"}",
        "{\"gasUsed\":\"0x1\",\"logs\":[{\"address\":\"" A "\",\"logIndex\":\"0x0\",\"topics\":[],\"data\":\"0x0\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(json_parse(&d, bad[i], strlen(bad[i]), 0, why, sizeof why) == JSON_OK);
        int r = evmtx_parse_node_receipt(&d, 0, &t, why, sizeof why);
        json_doc_free(&d);
        CHECK_EQ_INT(r, -1);
    }
    const char *ok = "{\"gasUsed\":\"0x1\",\"logs\":[]}";
    CHECK(json_parse(&d, ok, strlen(ok), 0, why, sizeof why) == JSON_OK);
    CHECK(evmtx_parse_node_receipt(&d, 0, &t, why, sizeof why) == 0 && t.status == 1 && t.nlogs == 0);
    json_doc_free(&d);
    evmtx_tx_clear(&t);
}

UNIT_TEST(hex_fields)
{
    uint64_t v;
    char dec[80];
    uint8_t *b;
    size_t n;
    CHECK(evmtx_hex_u64("0x0", 3, &v) == 0 && v == 0);
    CHECK(evmtx_hex_u64("0xffffffffffffffff", 18, &v) == 0 && v == UINT64_MAX);
    CHECK(evmtx_hex_u64("0x", 2, &v) == -1 && evmtx_hex_u64("12", 2, &v) == -1 && evmtx_hex_u64("0xg", 3, &v) == -1);
    CHECK(evmtx_hex_u64("0x10000000000000000", 19, &v) == -1);
    CHECK(evmtx_hex_decimal("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 66, dec, sizeof dec) == 0);
    CHECK_EQ_STR(dec, "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    CHECK(evmtx_hex_bytes("0x", 2, &b, &n) == 0 && !b && n == 0);
    CHECK(evmtx_hex_bytes("0x0", 3, &b, &n) == -1 && evmtx_hex_bytes("0xzz", 4, &b, &n) == -1);
    CHECK(evmtx_hex32(H1, 65, (uint8_t[32]){0}) == -1);
    CHECK(evmtx_decimal_copy("000", 3, dec, sizeof dec) == 0 && !strcmp(dec, "0"));
    CHECK(evmtx_decimal_copy("0012", 4, dec, sizeof dec) == 0 && !strcmp(dec, "12"));
    CHECK(evmtx_decimal_copy("", 0, dec, sizeof dec) == -1 && evmtx_decimal_copy("1e3", 3, dec, sizeof dec) == -1);
}

UNIT_TEST(log_errors_halve_and_methods_are_detected)
{
    CHECK(evmtx_logs_error_is_range(-32005, "query returned more than 10000 results"));
    CHECK(evmtx_logs_error_is_range(-32000, "block range is too wide"));
    CHECK(evmtx_logs_error_is_range(-32602, "exceed maximum block range: 5000"));
    CHECK(evmtx_logs_error_is_range(-32000, "Log response size exceeded"));
    CHECK(!evmtx_logs_error_is_range(-32602, "invalid argument 0: hex string without 0x prefix"));
    CHECK(!evmtx_logs_error_is_range(-32601, "the method eth_getLogs does not exist/is not available"));
    CHECK(evmtx_error_is_no_method(-32601, "whatever"));
    CHECK(evmtx_error_is_no_method(-32000, "the method eth_getBlockReceipts does not exist/is not available"));
    CHECK(evmtx_error_is_no_method(-32000, "Method not found"));
    CHECK(!evmtx_error_is_no_method(-32000, "header not found"));
}

UNIT_TEST(batch_sizes_follow_the_last_answer)
{
    CHECK_EQ_INT(evmtx_batch_size(64, 64 * 1000, 1 << 20, 2000), 2 * 64 + 16); /* grows gently */
    CHECK_EQ_INT(evmtx_batch_size(100, 100 * 100000, 1 << 20, 2000), 10);      /* big blocks: fewer */
    CHECK_EQ_INT(evmtx_batch_size(1, 8 << 20, 1 << 20, 2000), 1);
    CHECK_EQ_INT(evmtx_batch_size(1000, 1000, 1 << 20, 50), 50);
    CHECK_EQ_INT(evmtx_batch_size(0, 0, 1 << 20, 50), 1);
}

/* the bisection finds the first block whose time is past the target, for every target */
UNIT_TEST(bisection_finds_the_block_of_a_time)
{
    static int64_t ts[1000];
    for (int i = 0; i < 1000; i++) ts[i] = 1000 + 12 * (int64_t)i - (i % 3 == 0 ? 0 : 1); /* ties and steps */
    for (int64_t target = 990; target < 13100; target += 7) {
        uint64_t lo = 0, hi = 1000, pts[16];
        int rounds = 0, pred[16];
        while (lo < hi) {
            int k = evmtx_bisect_points(lo, hi, pts);
            CHECK(k > 0 && pts[0] == lo);
            for (int i = 0; i < k; i++) pred[i] = ts[pts[i]] > target;
            evmtx_bisect_narrow(&lo, &hi, pts, pred, k);
            CHECK(++rounds <= 4); /* log16(1000) + 1 */
        }
        uint64_t want = 0;
        while (want < 1000 && ts[want] <= target) want++;
        CHECK_EQ_INT(lo, want);
    }
}

UNIT_TEST(ranges_still_needed)
{
    evmtx_span_t s[2];
    int64_t after[2];
    CHECK_EQ_INT(evmtx_missing(0, 100, -1, -1, s), 1);
    CHECK(s[0].a == 0 && s[0].b == 100);
    CHECK_EQ_INT(evmtx_missing(0, 100, 0, 100, s), 0);
    CHECK_EQ_INT(evmtx_missing(0, 120, 0, 100, s), 1); /* a refresh: only the new blocks */
    CHECK(s[0].a == 101 && s[0].b == 120);
    CHECK_EQ_INT(evmtx_missing(0, 120, 50, 100, s), 2);
    CHECK(s[0].a == 0 && s[0].b == 49 && s[1].a == 101 && s[1].b == 120);
    CHECK_EQ_INT(evmtx_missing(10, 20, 50, 100, s), 1); /* disjoint: all of it */
    CHECK(s[0].a == 10 && s[0].b == 20);
    CHECK_EQ_INT(evmtx_missing(60, 70, 50, 100, s), 0);
    evmtx_done_after(0, 120, 0, 100, after);
    CHECK(after[0] == 0 && after[1] == 120);
    evmtx_done_after(101, 120, 0, 100, after); /* adjacent joins */
    CHECK(after[0] == 0 && after[1] == 120);
    evmtx_done_after(200, 300, 0, 100, after); /* disjoint, later: the later one */
    CHECK(after[0] == 200 && after[1] == 300);
    evmtx_done_after(0, 10, 50, 100, after); /* disjoint, earlier: the one before stays */
    CHECK(after[0] == 50 && after[1] == 100);
    evmtx_span_t m[] = {{50, 60}, {0, 10}, {11, 20}, {55, 70}, {100, 100}};
    CHECK_EQ_INT(evmtx_spans_merge(m, 5), 3);
    CHECK(m[0].a == 0 && m[0].b == 20 && m[1].a == 50 && m[1].b == 70 && m[2].a == 100 && m[2].b == 100);
}

UNIT_TEST(the_set_finds_every_hash)
{
    evmtx_set_t set;
    memset(&set, 0, sizeof set);
    uint8_t h[32];
    for (int i = 0; i < 3000; i++) {
        memset(h, 0, 32);
        h[0] = (uint8_t)(i & 0xff); /* the index uses the first bytes: make them collide */
        h[31] = (uint8_t)(i >> 8);
        evmtx_ftx_t *t = evmtx_set_get(&set, h, 1);
        CHECK(t);
        t->block = (uint64_t)i;
    }
    CHECK_EQ_INT(set.n, 3000);
    for (int i = 0; i < 3000; i++) {
        memset(h, 0, 32);
        h[0] = (uint8_t)(i & 0xff);
        h[31] = (uint8_t)(i >> 8);
        evmtx_ftx_t *t = evmtx_set_get(&set, h, 0);
        CHECK(t && t->block == (uint64_t)i);
    }
    memset(h, 0xee, 32);
    CHECK(!evmtx_set_get(&set, h, 0));
    uint8_t tracked[3][20];
    memset(tracked[0], 1, 20);
    memset(tracked[1], 5, 20);
    memset(tracked[2], 9, 20);
    set.tracked = (const uint8_t(*)[20])tracked;
    set.ntracked = 3;
    uint8_t a[20];
    memset(a, 5, 20);
    CHECK(evmtx_set_tracked(&set, a));
    memset(a, 6, 20);
    CHECK(!evmtx_set_tracked(&set, a));
    evmtx_set_free(&set);
}

UNIT_SUITE(suite_evmtx_fetch, UNIT_CASE(etherscan_answers_are_classified), UNIT_CASE(etherscan_items_become_txs),
           UNIT_CASE(node_objects_parse_exactly), UNIT_CASE(hex_fields), UNIT_CASE(log_errors_halve_and_methods_are_detected),
           UNIT_CASE(batch_sizes_follow_the_last_answer), UNIT_CASE(bisection_finds_the_block_of_a_time),
           UNIT_CASE(ranges_still_needed), UNIT_CASE(the_set_finds_every_hash));
