/* The history events storage API (services/history/events.h) against a real SQLCipher user DB
 * with rotki's schema, on both drivers: 5,000 events stored in one job (in slices on the sliced
 * driver), stored once (a second run adds nothing and leaves edited rows alone), a batch with a
 * bad event writes nothing; and rotki's derived values (group identifiers, extra_data text)
 * against vectors computed with Python's hashlib and json. */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/loop.h"
#include "../../db/db.h"
#include "../../db/query.h"
#include "../../db/snapshots.h"
#include "../../db/userdb.h"
#include "../../services/history/events.h"
#include "../../services/history/internal.h"
#include "unit.h"

#define N_EVENTS 5000

static const char *tmp_db(const char *tag)
{
    static char p[128];
    char w[160];
    snprintf(p, sizeof p, "/tmp/pipit-unit-history-%s.db", tag);
    remove(p);
    snprintf(w, sizeof w, "%s-wal", p);
    remove(w);
    snprintf(w, sizeof w, "%s-shm", p);
    remove(w);
    return p;
}

static void flag_done(db_job_t *j) { *(int *)j->ud = 1; }

static void run_until(loop_t *l, int *flag)
{
    uint64_t end = pal_mono_ms() + 60000;
    while (!*flag && pal_mono_ms() < end) loop_turn(l, 5);
}

static void closed_cb(void *ud) { *(int *)ud = 1; }

/* 2,500 groups of two: a swap (spend, receive), an asset movement (deposit, fee) or plain events,
 * in turn; amounts with a trailing zero, BTC events on an ignored asset. */
static void make_events(history_event_t *ev, size_t n, int variant)
{
    static const char *const assets[] = {"ETH", "BTC", "eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"};
    memset(ev, 0, n * sizeof *ev);
    for (size_t i = 0; i < n; i++) {
        history_event_t *e = &ev[i];
        size_t g = i / 2, kind = g % 3;
        int second = (int)(i % 2);
        e->entry_type = kind == 0 ? 7 : kind == 1 ? 6 : 1;
        snprintf(e->group_identifier, sizeof e->group_identifier, "v%d-group-%zu", variant, g);
        e->sequence_index = second;
        e->timestamp_ms = 1600000000000 + (int64_t)g * 1000;
        e->location = g % 2 ? 'B' : 'E';
        snprintf(e->location_label, sizeof e->location_label, "%s", g % 4 ? "main account" : "");
        snprintf(e->asset, sizeof e->asset, "%s", assets[g % 3 == 1 ? 1 : (g / 3) % 2 ? 2 : 0]);
        snprintf(e->amount, sizeof e->amount, "%zu.50", i);
        snprintf(e->notes, sizeof e->notes, "%s", i % 7 ? "" : "imported");
        const char *type = kind == 0 ? "trade" : kind == 1 ? "exchange_transfer" : second ? "spend" : "receive";
        const char *sub = kind == 0   ? (second ? "receive" : "spend")
                          : kind == 1 ? (second ? "fee" : "receive")
                                      : (second ? "fee" : "none");
        snprintf(e->type, sizeof e->type, "%s", type);
        snprintf(e->subtype, sizeof e->subtype, "%s", sub);
        if (kind == 1 && !second) snprintf(e->extra_data, sizeof e->extra_data, "{\"reference\": \"ref-%zu\"}", g);
    }
}

typedef struct {
    loop_t *loop;
    db_t *db;
    int done;
} env_t;

static void submit_wait(env_t *env, db_job_t *job, int *flag)
{
    *flag = 0;
    db_job_submit(env->db, job);
    run_until(env->loop, flag);
}

/* One SELECT's first cell into out (NULL as "NULL"). */
static void select_cell(env_t *env, const char *sql, char *out, size_t len)
{
    db_query_t *q = alloc_zget(ALLOC_TEST, sizeof *q);
    int done = 0;
    db_query_init(q, sql, flag_done, &done);
    submit_wait(env, &q->job, &done);
    const char *v = q->job.rc == DB_JOB_DONE ? db_query_cell(q, 0, 0) : "ERROR";
    snprintf(out, len, "%s", v ? v : "NULL");
    db_query_clear(q);
    alloc_free(q);
}

/* NULL when the SELECT's first cell is want, else a message naming what. */
static const char *expect_cell(env_t *env, const char *what, const char *sql, const char *want)
{
    static char msg[400];
    char cell[200];
    select_cell(env, sql, cell, sizeof cell);
    if (strcmp(cell, want) == 0) return NULL;
    snprintf(msg, sizeof msg, "%s: %s, not %s", what, cell, want);
    return msg;
}

static void exec_sql(env_t *env, const char *sql)
{
    db_batch_t *b = alloc_zget(ALLOC_TEST, sizeof *b);
    int done = 0;
    db_batch_init(b, flag_done, &done);
    db_batch_add(b, sql);
    submit_wait(env, &b->job, &done);
    alloc_free(b);
}

/* Stores events[0..n) with the storage API; the job's rc, its count and bad index. */
static int store(env_t *env, const history_event_t *events, size_t n, size_t *inserted, long *bad, char *err, size_t errlen,
                 uint64_t *turns)
{
    history_insert_t *h = alloc_zget(ALLOC_TEST, sizeof *h);
    int done = 0;
    loop_stats_t before, after;
    loop_get_stats(env->loop, &before);
    history_insert_init(h, events, n, flag_done, &done);
    submit_wait(env, &h->job, &done);
    loop_get_stats(env->loop, &after);
    history_insert_clear(h);
    int rc = h->job.rc;
    *inserted = history_insert_count(h);
    *bad = h->bad_index;
    snprintf(err, errlen, "%s", h->job.errmsg);
    if (turns) *turns = after.turns - before.turns;
    alloc_free(h);
    return rc;
}

/* Evm events: each with its chain_events_info row, and after_sql in the same transaction; a bad
 * address fails the batch and writes nothing of it (nor the after statement). NULL when so. */
static const char *evm_scenario(env_t *env)
{
    static char why[600];
    history_event_t evm[3];
    memset(evm, 0, sizeof evm);
    for (int k = 0; k < 3; k++) {
        history_event_t *e = &evm[k];
        e->entry_type = 2;
        snprintf(e->group_identifier, sizeof e->group_identifier, "10x%064d", k / 2);
        e->sequence_index = k;
        e->timestamp_ms = 1700000000000LL;
        e->location = snapshot_location_code("ethereum", 8);
        snprintf(e->asset, sizeof e->asset, "ETH");
        snprintf(e->amount, sizeof e->amount, "0.000021");
        snprintf(e->type, sizeof e->type, "spend");
        snprintf(e->subtype, sizeof e->subtype, k ? "none" : "fee");
        memset(e->tx_ref, 0xab + k / 2, 32);
        if (!k) snprintf(e->counterparty, sizeof e->counterparty, "gas");
        else snprintf(e->address, sizeof e->address, "0x9999999999999999999999999999999999999999");
    }
    for (int round = 0; round < 2; round++) {
        if (round == 1) snprintf(evm[2].address, sizeof evm[2].address, "0x12");
        history_insert_t *h = alloc_zget(ALLOC_TEST, sizeof *h);
        int done = 0;
        history_insert_init(h, round ? evm + 2 : evm, round ? 1 : 2, flag_done, &done);
        h->after_sql = "INSERT INTO multisettings(name, value) SELECT 'evm_test', value FROM json_each(?1)";
        h->after_param = round ? "[\"c\"]" : "[\"a\", \"b\"]";
        submit_wait(env, &h->job, &done);
        history_insert_clear(h);
        int rc = h->job.rc;
        long bad = h->bad_index;
        alloc_free(h);
        char cell[200];
        select_cell(env, "SELECT (SELECT COUNT(*) FROM chain_events_info) || ' ' || (SELECT COUNT(*) FROM chain_events_info "
                         "c JOIN history_events e ON e.identifier = c.identifier WHERE e.entry_type = 2 AND "
                         "((c.counterparty = 'gas' AND c.address IS NULL AND e.subtype = 'fee') OR (c.counterparty IS NULL "
                         "AND c.address = '0x9999999999999999999999999999999999999999'))) || ' ' || "
                         "(SELECT hex(tx_ref) FROM chain_events_info LIMIT 1) || ' ' || "
                         "(SELECT COUNT(*) FROM multisettings WHERE name = 'evm_test')", cell, sizeof cell);
        const char *want = "2 2 ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB 2";
        if ((round == 0 && rc != DB_JOB_DONE) || (round == 1 && (rc == DB_JOB_DONE || bad != 0)) || strcmp(cell, want)) {
            snprintf(why, sizeof why, "evm round %d: rc %d, bad %ld, rows %s", round, rc, bad, cell);
            return why;
        }
    }
    return NULL;
}

/* The whole scenario on one driver; NULL when it went as it should, else what did not. */
static const char *storage_scenario(db_driver_t driver)
{
    static char why[800];
    env_t env = {0};
    const char *fail = NULL;
    if (loop_create(&env.loop) != PAL_OK) return "no loop";
    db_create(env.loop, driver, 50, &env.db);
    const char *path = tmp_db(driver == DB_DRIVER_SLICED ? "sliced" : "threaded");
    unsigned char key[DB_KEY_SIZE], salt[DB_SALT_SIZE];
    memset(key, 3, sizeof key);
    memset(salt, 5, sizeof salt);
    userdb_open_job_t *oj = alloc_zget(ALLOC_TEST, sizeof *oj);
    history_event_t *ev = alloc_get(ALLOC_TEST, N_EVENTS * sizeof *ev), *bad = alloc_get(ALLOC_TEST, 100 * sizeof *bad);
    char cell[200], err[300];
    size_t inserted;
    long bad_index;
    uint64_t turns;
    int done = 0;
    userdb_open_job(oj, path, key, salt, 1, 0, 512, flag_done, &done);
    submit_wait(&env, &oj->job, &done);
    if (oj->job.rc != DB_JOB_DONE || oj->version != 53) {
        fail = "the DB did not open";
        goto out;
    }
    userdb_open_job(oj, path, key, NULL, 0, 1, 512, flag_done, &done); /* the read-only reader */
    submit_wait(&env, &oj->job, &done);
    if (oj->job.rc != DB_JOB_DONE) {
        fail = "the reader did not open";
        goto out;
    }
    exec_sql(&env, "INSERT INTO multisettings(name, value) VALUES('ignored_asset', 'BTC')");
    make_events(ev, N_EVENTS, 1);

    int rc = store(&env, ev, N_EVENTS, &inserted, &bad_index, err, sizeof err, &turns);
    if (rc != DB_JOB_DONE || inserted != N_EVENTS) {
        snprintf(why, sizeof why, "first store: rc %d, %zu inserted: %s", rc, inserted, err);
        fail = why;
        goto out;
    }
    if (driver == DB_DRIVER_SLICED && turns < 2 * N_EVENTS / 50) { /* two steps an event, 50 a slice */
        snprintf(why, sizeof why, "the sliced store took %llu loop turns", (unsigned long long)turns);
        fail = why;
        goto out;
    }
    /* rotki's columns: counts, the ignored flag, the amount as str(FVal), the JSON kept as text */
    if ((fail = expect_cell(&env, "stored rows",
                            "SELECT COUNT(*) || ' ' || SUM(ignored) || ' ' || SUM(asset = 'BTC') || ' ' || "
                            "COUNT(DISTINCT group_identifier) || ' ' || SUM(location_label IS NULL) || ' ' || "
                            "SUM(notes IS NULL) FROM history_events",
                            "5000 1666 1666 2500 1250 4285")) ||
        (fail = expect_cell(&env, "a movement row",
                            "SELECT entry_type || '|' || amount || '|' || type || '|' || subtype || '|' || extra_data "
                            "FROM history_events WHERE group_identifier = 'v1-group-1' AND sequence_index = 0",
                            "6|2.5|exchange transfer|receive|{\"reference\": \"ref-1\"}")) ||
        (fail = expect_cell(&env, "the assets", "SELECT COUNT(*) FROM assets WHERE identifier IN ('ETH', 'BTC', "
                                                "'eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48')", "3")) ||
        (fail = expect_cell(&env, "last_write_ts", "SELECT COUNT(*) FROM settings WHERE name = 'last_write_ts'", "1")))
        goto out;
    /* once: the same events again add nothing, and a row changed meanwhile stays as it is */
    exec_sql(&env, "UPDATE history_events SET amount = '7' WHERE group_identifier = 'v1-group-0' AND sequence_index = 0");
    rc = store(&env, ev, N_EVENTS, &inserted, &bad_index, err, sizeof err, NULL);
    select_cell(&env, "SELECT COUNT(*) || ' ' || (SELECT amount FROM history_events WHERE group_identifier = 'v1-group-0' "
                      "AND sequence_index = 0) FROM history_events", cell, sizeof cell);
    if (rc != DB_JOB_DONE || inserted != 0 || strcmp(cell, "5000 7") != 0) {
        snprintf(why, sizeof why, "second store: rc %d, %zu inserted, rows: %s", rc, inserted, cell);
        fail = why;
        goto out;
    }
    /* all or nothing: a batch with one bad event (a negative amount, then a type rotki's asset
     * movements cannot have) stores none of it */
    for (int variant = 0; variant < 2; variant++) {
        long at = variant == 0 ? 61 : 63; /* 63: the deposit of a movement */
        char want[32];
        make_events(bad, 100, 2);
        if (variant == 0) snprintf(bad[at].amount, sizeof bad[at].amount, "-1");
        else snprintf(bad[at].type, sizeof bad[at].type, "trade");
        snprintf(want, sizeof want, "history event %ld ", at);
        rc = store(&env, bad, 100, &inserted, &bad_index, err, sizeof err, NULL);
        select_cell(&env, "SELECT COUNT(*) FROM history_events", cell, sizeof cell);
        if (rc == DB_JOB_DONE || bad_index != at || strcmp(cell, "5000") != 0 || !strstr(err, want)) {
            snprintf(why, sizeof why, "bad batch %d: rc %d, bad index %ld, rows %s, error: %s", variant, rc, bad_index,
                     cell, err);
            fail = why;
            goto out;
        }
    }
    fail = evm_scenario(&env);
out:;
    int closed = 0;
    db_destroy(env.db, closed_cb, &closed);
    run_until(env.loop, &closed);
    loop_destroy(env.loop);
    alloc_free(oj);
    alloc_free(ev);
    alloc_free(bad);
    tmp_db(driver == DB_DRIVER_SLICED ? "sliced" : "threaded");
    return fail;
}

UNIT_TEST(storage_api_stores_5000_events_once_on_the_threaded_driver)
{
    db_global_init();
    const char *fail = storage_scenario(DB_DRIVER_THREADED);
    CHECK_EQ_STR(fail ? fail : "ok", "ok");
}

UNIT_TEST(storage_api_stores_5000_events_once_in_slices)
{
    db_global_init();
    const char *fail = storage_scenario(DB_DRIVER_SLICED);
    CHECK_EQ_STR(fail ? fail : "ok", "ok");
}

/* vectors: Python's hashlib.sha3_256 over rotki's inputs (json.dumps(..., sort_keys=True,
 * separators=(',', ':'), ensure_ascii=False) for the payloads) */
UNIT_TEST(group_identifiers_and_extra_data_are_rotkis)
{
    char id[65];
    CHECK_EQ_INT(hist_group_id_swap('E', 1600000001000, "ETH", "0.01", "USD", "20", "xx", id), 0);
    CHECK_EQ_STR(id, "0cb721eb2ec5165a2904f4f34f3840a6005a3f6c3e1d17bf60d0e8c298c921ac");
    CHECK_EQ_INT(hist_group_id_movement('B', 1600000002000, "BTC", "5", NULL, id), 0);
    CHECK_EQ_STR(id, "5015de591c10004d29b22daad5abda04af750f69c0f35edbee8ff6aa134209ea");
    CHECK_EQ_INT(hist_group_id_swap('E', 1600000001000, "ETH", "0.01", "USD", "20", "", id), 0);
    CHECK_EQ_STR(id, "2db18c5bad3f422139803a934595deb95dd03ddb341bb25533e2740633df749e");
    const char *const keys[] = {"address", "transaction_id", "reference"};
    const char *const values[] = {"0xabc", NULL, "r\xc3\xa9\"f\n"};
    int nomem = 0;
    char *json = hist_py_json_object(keys, values, 3, &nomem);
    CHECK(json);
    CHECK_EQ_STR(json, "{\"address\": \"0xabc\", \"reference\": \"r\\u00e9\\\"f\\n\"}");
    alloc_free(json);
    const char *const none[] = {NULL, NULL, NULL};
    CHECK(hist_py_json_object(keys, none, 3, &nomem) == NULL && !nomem);
}

UNIT_SUITE(suite_history, UNIT_CASE(storage_api_stores_5000_events_once_on_the_threaded_driver),
           UNIT_CASE(storage_api_stores_5000_events_once_in_slices), UNIT_CASE(group_identifiers_and_extra_data_are_rotkis));
