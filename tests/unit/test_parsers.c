/* Defects the fuzz targets (tests/fuzz/) found in parsers of outside input, each pinned here
 * by the smallest input that shows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>

#include "../../core/alloc.h"
#include "../../core/config.h"
#include "../../core/log.h"
#include "../../db/snapshots.h"
#include "../../platform/pal.h"
#include "../../services/api.h"
#include "../../services/auth.h"
#include "../../services/chain/multicall.h"
#include "../../services/chain/rpc.h"
#include "../../services/exchanges/exchange.h"
#include "unit.h"

/* fuzz_abi: a run of UTF-8 continuation bytes made the cut walk back to nothing */
UNIT_TEST(utf8_copy_walks_back_at_most_one_sequence)
{
    char src[32], out[16];
    memset(src, 0xa0, sizeof src);
    utf8_copy(out, sizeof out, src, sizeof src);
    CHECK_EQ_INT(strlen(out), 15);
    utf8_copy(out, 6, "abcd\xc3\xa9", 6); /* "abcdé": the é does not fit whole */
    CHECK_EQ_STR(out, "abcd");
    utf8_copy(out, 6, "ab\xf0\x9f\x98\x80", 6); /* a 4-byte sequence cut at its last byte */
    CHECK_EQ_STR(out, "ab");
}

/* fuzz_rpc: a node error whose message did not fit (or was empty) lost its text entirely */
UNIT_TEST(rpc_error_message_is_cut_not_lost)
{
    static const rpc_node_t node = {"n", "http://127.0.0.1:1/", 0};
    char answer[600];
    char msg[301];
    memset(msg, 'm', 300);
    msg[300] = 0;
    snprintf(answer, sizeof answer, "[{\"id\":0,\"error\":{\"code\":-32000,\"message\":\"%s\"}},{\"id\":1,\"error\":{\"message\":\"\"}}]", msg);
    rpc_batch_t b;
    int result[2], error[2];
    memset(&b, 0, sizeof b);
    b.nodes = &node;
    b.nnodes = 1;
    b.ncalls = 2;
    b.result = result;
    b.error = error;
    CHECK_EQ_INT(rpc_answer_parse(&b, answer, strlen(answer)), 0);
    char why[200];
    const char *s;
    size_t n;
    CHECK_EQ_INT(rpc_result_str(&b, 0, &s, &n, why, sizeof why), -1);
    CHECK_EQ_INT(strlen(why), 199);
    CHECK(why[0] == 'm');
    CHECK_EQ_INT(rpc_result_str(&b, 1, &s, &n, why, sizeof why), -1);
    CHECK_EQ_STR(why, "error without message");
    json_doc_free(&b.doc);
}

/* fuzz_headers: the CORS glob backtracked on every star (exponential in their number) */
UNIT_TEST(cors_glob_with_many_stars_is_fast)
{
    static config_t c;
    config_defaults(&c);
    snprintf(c.api_cors, sizeof c.api_cors, "*a*a*a*a*a*a*a*a*a*a*b, http://*.example.com, http://localhost:*");
    api_init(&c);
    char origin[251];
    memset(origin, 'a', 250);
    origin[250] = 0;
    CHECK_EQ_INT(api_cors_allowed(origin), 0); /* the old matcher took hours here */
    CHECK_EQ_INT(api_cors_allowed("http://app.example.com"), 1);
    CHECK_EQ_INT(api_cors_allowed("http://example.com"), 0);
    CHECK_EQ_INT(api_cors_allowed("http://localhost:8080"), 1);
    CHECK_EQ_INT(api_cors_allowed("http://localhost"), 0);
    api_shutdown();
}

/* fuzz_headers: a cookie whose name only ended in "rotki_session" was taken for the session */
UNIT_TEST(session_cookie_is_found_by_its_whole_name)
{
    static const unsigned char key[32] = "unit-session-key-unit-session-k";
    const char *payload = "{\"u\":\"alice\",\"exp\":2000000000,\"sid\":\"s1\"}";
    unsigned char mac[32];
    char p64[200], s64[64], cookie[400];
    size_t pl = 0, sl = 0;
    CHECK(mbedtls_base64_encode((unsigned char *)p64, sizeof p64, &pl, (const unsigned char *)payload, strlen(payload)) == 0);
    while (pl && p64[pl - 1] == '=') p64[--pl] = 0;
    for (size_t i = 0; i < pl; i++) p64[i] = p64[i] == '+' ? '-' : p64[i] == '/' ? '_' : p64[i];
    CHECK(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, 32, (unsigned char *)p64, pl, mac) == 0);
    CHECK(mbedtls_base64_encode((unsigned char *)s64, sizeof s64, &sl, mac, 32) == 0);
    while (sl && s64[sl - 1] == '=') s64[--sl] = 0;
    for (size_t i = 0; i < sl; i++) s64[i] = s64[i] == '+' ? '-' : s64[i] == '/' ? '_' : s64[i];
    snprintf(cookie, sizeof cookie, "theme=dark; rotki_session=%s.%s", p64, s64);
    CHECK_EQ_INT(auth_session_verify(cookie, key, "alice", "s1", 1700000000), 0);
    CHECK_EQ_INT(auth_session_verify(cookie, key, "bob", "s1", 1700000000), -1);
    CHECK_EQ_INT(auth_session_verify(cookie, key, "alice", "s1", 2000000000), -1);
    snprintf(cookie, sizeof cookie, "xrotki_session=%s.%s", p64, s64);
    CHECK_EQ_INT(auth_session_verify(cookie, key, "alice", "s1", 1700000000), -1);
}

/* fuzz_exchanges: Kraken ledger times overflowed int64 (UB) and took garbage for 0 */
UNIT_TEST(kraken_ledger_times_are_strict)
{
    static const char *const times[] = {"17000000009970000", "\"abc\"", "-5", "1.7e9", "\"1700000000.1234\""};
    static const int ok[] = {0, 0, 0, 0, 1};
    log_level_t lv = log_get_level();
    log_set_level(LOG_CRITICAL);
    for (int i = 0; i < 5; i++) {
        char body[400];
        snprintf(body, sizeof body,
                 "{\"error\":[],\"result\":{\"count\":1,\"ledger\":{\"L1\":{\"refid\":\"R\",\"time\":%s,\"type\":\"deposit\","
                 "\"asset\":\"XXBT\",\"amount\":\"1\",\"fee\":\"0\"}}}}", times[i]);
        exch_state_t st;
        exch_op_t *op = calloc(1, sizeof *op);
        CHECK(op);
        memset(&st, 0, sizeof st);
        op->ex = &exchange_kraken;
        op->st = &st;
        snprintf(op->cr.name, sizeof op->cr.name, "k");
        op->http.status = 200;
        op->http.resp = body;
        op->http.resp_len = strlen(body);
        exch_http_parse(op);
        int rc = kraken_take_answer(op, EXCH_ANSWER_KRAKEN_LEDGERS);
        if (rc == 0) rc = kraken_take_answer(op, EXCH_ANSWER_END);
        int64_t ts = op->nev ? op->ev[0].timestamp_ms : -1;
        json_doc_free(&op->doc);
        exchange_kraken.free_scratch(op);
        alloc_free(op->scratch);
        alloc_free(op->ev);
        free(op);
        CHECK_EQ_INT(rc, ok[i] ? 0 : -1);
        if (ok[i]) CHECK_EQ_INT(ts, 1700000000123LL);
    }
    log_set_level(lv);
    CHECK_EQ_INT(exch_parse_utc("2023-11-05 10:20:30"), 1699179630000LL);
    CHECK_EQ_INT(exch_parse_utc("2023-11-05 -1:20:30"), -1); /* negative hours were taken */
}

/* fuzz_snapshot_csv: the byte order mark was looked for in the first read only, so a short
 * first read left it in the header */
UNIT_TEST(snapshot_bom_found_across_short_reads)
{
    char path[] = "/tmp/pipit-unit-bom-XXXXXX";
    FILE *f = NULL;
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    f = fdopen(fd, "w");
    CHECK(f);
    fputs("\xEF\xBB\xBFtimestamp,location,usd_value\n1700000000,kraken,1\n", f);
    fclose(f);
    snapshot_import_job_t *j = calloc(1, sizeof *j);
    CHECK(j);
    snapshot_csv_t *c = &j->csv[SNAPSHOT_LOCATIONS];
    int opened = pal_file_open(path, PAL_F_READ, (pal_file_t **)&c->file) == PAL_OK;
    c->chunk = alloc_get(ALLOC_DB, SNAPSHOT_CHUNK);
    c->chunk_size = 2;
    char *rec = NULL;
    size_t n = 0;
    int r = opened && c->chunk ? snapshot_csv_next_row(j, SNAPSHOT_LOCATIONS, &rec, &n) : -9;
    int header = r == 1 && n == 28 && !memcmp(rec, "timestamp,location,usd_value", 28);
    snapshot_import_job_clear(j);
    free(j);
    remove(path);
    CHECK(opened);
    CHECK_EQ_INT(r, 1);
    CHECK(header);
}

UNIT_SUITE(suite_parsers, UNIT_CASE(utf8_copy_walks_back_at_most_one_sequence), UNIT_CASE(rpc_error_message_is_cut_not_lost),
           UNIT_CASE(cors_glob_with_many_stars_is_fast), UNIT_CASE(session_cookie_is_found_by_its_whole_name),
           UNIT_CASE(kraken_ledger_times_are_strict), UNIT_CASE(snapshot_bom_found_across_short_reads));
