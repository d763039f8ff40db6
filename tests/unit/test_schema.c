/* The user DB schema (db/schema.c) against a real SQLite in memory: rotki's create script
 * runs as one transaction with foreign keys on, creates exactly the listed tables, seeds the
 * enum tables, and its constraints bite; the settings defaults are well formed. */
#include <stdlib.h>
#include <string.h>

#ifdef PIPIT_HAVE_SQLCIPHER
#include <sqlcipher/sqlite3.h>
#else
#include <sqlite3.h>
#endif

#include "../../db/schema.h"
#include "unit.h"

/* A fresh in-memory DB with the whole script applied, or NULL. */
static sqlite3 *open_created(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    int ok = sqlite3_exec(db, "PRAGMA foreign_keys=ON; BEGIN;", NULL, NULL, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < db_schema_create_count; i++) {
        char *err = NULL;
        if (sqlite3_exec(db, db_schema_create[i], NULL, NULL, &err) != SQLITE_OK) {
            printf("    statement %zu failed: %s\n", i, err ? err : "?");
            ok = 0;
        }
        sqlite3_free(err);
    }
    if (ok) ok = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* The first column of the first row of `sql` as an integer; -1 on error or no row. */
static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int exec_rc(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

UNIT_TEST(every_statement_is_one_complete_statement)
{
    /* each entry is exactly one CREATE or seed INSERT: prepare it, run it, and nothing but
     * whitespace may follow (sqlite3_exec would silently run a second statement) */
    CHECK_EQ_INT(DB_SCHEMA_VERSION, 53);
    CHECK(db_schema_create_count > db_schema_table_names_count);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    int bad = exec_rc(db, "PRAGMA foreign_keys=ON; BEGIN;") == SQLITE_OK ? -1 : -2;
    for (size_t i = 0; i < db_schema_create_count && bad == -1; i++) {
        const char *sql = db_schema_create[i], *tail = NULL;
        sqlite3_stmt *st = NULL;
        if (strncmp(sql, "CREATE ", 7) != 0 && strncmp(sql, "INSERT OR IGNORE INTO ", 22) != 0)
            bad = (int)i;
        else if (!sqlite3_complete(sql) || sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK || !st)
            bad = (int)i;
        else if (sqlite3_step(st) != SQLITE_DONE)
            bad = (int)i;
        sqlite3_finalize(st);
        while (tail && (*tail == ' ' || *tail == '\n')) tail++;
        if (tail && *tail) bad = (int)i;
    }
    int commit_rc = exec_rc(db, "COMMIT;");
    long long fk = query_int(db, "PRAGMA foreign_keys");
    sqlite3_close(db);
    CHECK_EQ_INT(bad, -1);
    CHECK_EQ_INT(commit_rc, SQLITE_OK);
    CHECK_EQ_INT(fk, 1);
}

UNIT_TEST(script_creates_exactly_the_listed_tables)
{
    sqlite3 *db = open_created();
    CHECK(db);
    long long n = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table'");
    int missing = -1;
    for (size_t i = 0; i < db_schema_table_names_count && missing < 0; i++) {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, db_schema_table_names[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) missing = (int)i;
        sqlite3_finalize(st);
    }
    long long idx = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND sql IS NOT NULL");
    long long fk_violations = query_int(db, "SELECT count(*) FROM pragma_foreign_key_check");
    /* the script is idempotent: rerunning it (as rotki may on an existing DB) changes nothing */
    int rerun_ok = 1;
    for (size_t i = 0; i < db_schema_create_count; i++)
        if (exec_rc(db, db_schema_create[i]) != SQLITE_OK) rerun_ok = 0;
    long long n2 = query_int(db, "SELECT count(*) FROM sqlite_master");
    long long n_before = n + idx + query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND sql IS NULL");
    sqlite3_close(db);
    CHECK_EQ_INT(missing, -1);
    CHECK_EQ_INT(n, (long long)db_schema_table_names_count);
    CHECK_EQ_INT(n, 77);
    CHECK_EQ_INT(idx, 38);
    CHECK_EQ_INT(fk_violations, 0);
    CHECK(rerun_ok);
    CHECK_EQ_INT(n2, n_before);
}

UNIT_TEST(table_names_are_unique_and_match_the_statements)
{
    for (size_t i = 0; i < db_schema_table_names_count; i++)
        for (size_t j = i + 1; j < db_schema_table_names_count; j++)
            CHECK(strcmp(db_schema_table_names[i], db_schema_table_names[j]) != 0);
    /* the k-th CREATE TABLE creates the k-th listed name */
    size_t k = 0;
    const char *pre = "CREATE TABLE IF NOT EXISTS ";
    for (size_t i = 0; i < db_schema_create_count; i++) {
        const char *sql = db_schema_create[i];
        if (strncmp(sql, pre, strlen(pre)) != 0) continue;
        CHECK(k < db_schema_table_names_count);
        const char *name = db_schema_table_names[k++];
        size_t len = strlen(name);
        CHECK(strncmp(sql + strlen(pre), name, len) == 0);
        char after = sql[strlen(pre) + len];
        CHECK(after == ' ' || after == '(');
    }
    CHECK_EQ_INT(k, db_schema_table_names_count);
}

UNIT_TEST(enum_tables_and_tags_are_seeded)
{
    sqlite3 *db = open_created();
    CHECK(db);
    long long n = query_int(db, "SELECT count(*) FROM location");
    /* 'A'..'}' map to 1..61 exactly: char(64 + seq) == location for every row */
    long long mismatched = query_int(db, "SELECT count(*) FROM location WHERE location != char(64 + seq)");
    long long lo = query_int(db, "SELECT min(seq) FROM location");
    long long hi = query_int(db, "SELECT max(seq) FROM location");
    long long blockfi = query_int(db, "SELECT seq FROM location WHERE location='\\'");
    long long coinex = query_int(db, "SELECT seq FROM location WHERE location='}'");
    long long cats = query_int(db, "SELECT count(*) FROM balance_category WHERE (category='A' AND seq=1) OR (category='B' AND seq=2)");
    long long ncats = query_int(db, "SELECT count(*) FROM balance_category");
    long long zk = query_int(db, "SELECT count(*) FROM zksynclite_tx_type WHERE type = char(64 + seq)");
    long long tag = query_int(db, "SELECT count(*) FROM tags WHERE name='Contract' AND "
                                  "description='System tag for smart contract addresses' AND "
                                  "background_color='9370DB' AND foreground_color='FFFFFF'");
    long long ntags = query_int(db, "SELECT count(*) FROM tags");
    long long settings_rows = query_int(db, "SELECT count(*) FROM settings");
    int ver_rc = exec_rc(db, db_schema_set_version_sql);
    long long ver = query_int(db, "SELECT CAST(value AS INTEGER) FROM settings WHERE name='version' AND typeof(value)='text'");
    sqlite3_close(db);
    CHECK_EQ_INT(n, 61);
    CHECK_EQ_INT(mismatched, 0);
    CHECK_EQ_INT(lo, 1);
    CHECK_EQ_INT(hi, 61);
    CHECK_EQ_INT(blockfi, 28);
    CHECK_EQ_INT(coinex, 61);
    CHECK_EQ_INT(cats, 2);
    CHECK_EQ_INT(ncats, 2);
    CHECK_EQ_INT(zk, 7);
    CHECK_EQ_INT(tag, 1);
    CHECK_EQ_INT(ntags, 1);
    CHECK_EQ_INT(settings_rows, 0); /* the script itself writes no setting */
    CHECK_EQ_INT(ver_rc, SQLITE_OK);
    CHECK_EQ_INT(ver, DB_SCHEMA_VERSION);
}

#define EVENT(loc, group, seq) \
    "INSERT INTO history_events(entry_type, group_identifier, sequence_index, timestamp, " \
    "location, asset, amount, type, subtype) VALUES (1, '" group "', " #seq ", 1700000000000, '" \
    loc "', 'ETH', '1.5', 'receive', 'none')"

UNIT_TEST(history_events_constraints_hold)
{
    sqlite3 *db = open_created();
    CHECK(db);
    int asset_rc = exec_rc(db, "INSERT INTO assets(identifier) VALUES ('ETH')");
    int ok_rc = exec_rc(db, EVENT("f", "g1", 0));
    int bad_loc_rc = exec_rc(db, EVENT("~", "g1", 1));    /* '~' = 62: past the table */
    int bad_loc_ext = sqlite3_extended_errcode(db);
    int dup_rc = exec_rc(db, EVENT("f", "g1", 0));        /* same group and sequence */
    int dup_ext = sqlite3_extended_errcode(db);
    int next_rc = exec_rc(db, EVENT("B", "g1", 1));
    int other_group_rc = exec_rc(db, EVENT("B", "g2", 0));
    int bad_asset_rc = exec_rc(db, "INSERT INTO history_events(entry_type, group_identifier, "
                                   "sequence_index, timestamp, location, asset, amount, type, subtype) "
                                   "VALUES (1, 'g3', 0, 1, 'A', 'NOPE', '1', 'spend', 'fee')");
    long long rows = query_int(db, "SELECT count(*) FROM history_events");
    long long def_loc = -1;
    if (exec_rc(db, "INSERT INTO history_events(entry_type, group_identifier, sequence_index, "
                    "timestamp, asset, amount, type, subtype) VALUES (1, 'g4', 0, 1, 'ETH', '1', 'spend', 'fee')") == SQLITE_OK)
        def_loc = query_int(db, "SELECT ignored + (location = 'A') * 10 FROM history_events WHERE group_identifier='g4'");
    /* deleting an event cascades to its chain info row */
    int info_rc = exec_rc(db, "INSERT INTO chain_events_info(identifier, tx_ref, counterparty) "
                              "SELECT identifier, x'00ff', NULL FROM history_events WHERE group_identifier='g2'");
    int del_rc = exec_rc(db, "DELETE FROM history_events WHERE group_identifier='g2'");
    long long infos = query_int(db, "SELECT count(*) FROM chain_events_info");
    sqlite3_close(db);
    CHECK_EQ_INT(asset_rc, SQLITE_OK);
    CHECK_EQ_INT(ok_rc, SQLITE_OK);
    CHECK_EQ_INT(bad_loc_rc, SQLITE_CONSTRAINT);
    CHECK_EQ_INT(bad_loc_ext, SQLITE_CONSTRAINT_FOREIGNKEY);
    CHECK_EQ_INT(dup_rc, SQLITE_CONSTRAINT);
    CHECK_EQ_INT(dup_ext, SQLITE_CONSTRAINT_UNIQUE);
    CHECK_EQ_INT(next_rc, SQLITE_OK);
    CHECK_EQ_INT(other_group_rc, SQLITE_OK);
    CHECK_EQ_INT(bad_asset_rc, SQLITE_CONSTRAINT);
    CHECK_EQ_INT(rows, 3);
    CHECK_EQ_INT(def_loc, 10); /* location defaults to 'A', ignored to 0 */
    CHECK_EQ_INT(info_rc, SQLITE_OK);
    CHECK_EQ_INT(del_rc, SQLITE_OK);
    CHECK_EQ_INT(infos, 0);
}

UNIT_TEST(tag_names_are_case_insensitive_unique)
{
    sqlite3 *db = open_created();
    CHECK(db);
    int sys_rc = exec_rc(db, "INSERT INTO tags(name) VALUES ('CONTRACT')"); /* vs the seeded 'Contract' */
    int a_rc = exec_rc(db, "INSERT INTO tags(name, description, background_color, foreground_color) "
                           "VALUES ('Hodl', 'long term', 'ffffff', '000000')");
    int b_rc = exec_rc(db, "INSERT INTO tags(name) VALUES ('hODL')");
    long long found = query_int(db, "SELECT count(*) FROM tags WHERE name='HODL'");
    int map_rc = exec_rc(db, "INSERT INTO tag_mappings(object_reference, tag_name) VALUES ('0xabc', 'Hodl')");
    int map_bad_rc = exec_rc(db, "INSERT INTO tag_mappings(object_reference, tag_name) VALUES ('0xabc', 'nope')");
    sqlite3_close(db);
    CHECK_EQ_INT(sys_rc, SQLITE_CONSTRAINT);
    CHECK_EQ_INT(a_rc, SQLITE_OK);
    CHECK_EQ_INT(b_rc, SQLITE_CONSTRAINT);
    CHECK_EQ_INT(found, 1);
    CHECK_EQ_INT(map_rc, SQLITE_OK);
    CHECK_EQ_INT(map_bad_rc, SQLITE_CONSTRAINT);
}

static int parse_ll(const char *s, long long *out)
{
    char *end = NULL;
    if (!s || !*s) return -1;
    *out = strtoll(s, &end, 10);
    return *end ? -1 : 0;
}

UNIT_TEST(settings_defs_are_well_formed)
{
    CHECK(db_settings_defs_count >= 60);
    for (size_t i = 0; i < db_settings_defs_count; i++) {
        const db_setting_def_t *d = &db_settings_defs[i];
        CHECK(d->name && *d->name && d->default_value);
        for (size_t j = i + 1; j < db_settings_defs_count; j++)
            CHECK(strcmp(d->name, db_settings_defs[j].name) != 0);
        CHECK(db_schema_setting_find(d->name) == d);
        long long v;
        switch (d->type) {
        case DB_SETTING_BOOL:
            CHECK(strcmp(d->default_value, "True") == 0 || strcmp(d->default_value, "False") == 0);
            break;
        case DB_SETTING_INT:
        case DB_SETTING_INT_OR_NULL:
            CHECK(parse_ll(d->default_value, &v) == 0);
            CHECK(!d->has_min || v >= d->min);
            CHECK(!d->has_max || v <= d->max);
            break;
        case DB_SETTING_STR_LIST:
            CHECK(d->default_value[0] == '[');
            break;
        case DB_SETTING_JSON:
            CHECK(d->default_value[0] == '[' || d->default_value[0] == '{');
            break;
        case DB_SETTING_ENUM:
            CHECK(d->choices && strstr(d->choices, d->default_value));
            break;
        default:
            break;
        }
        /* only the computed and cache-held ones are outside the settings table, all read-only */
        CHECK(d->store == DB_SETTING_IN_SETTINGS || d->read_only);
    }
    const db_setting_def_t *ver = db_schema_setting_find("version");
    CHECK(ver && ver->read_only);
    long long v;
    CHECK(parse_ll(ver->default_value, &v) == 0 && v == DB_SCHEMA_VERSION);
    const db_setting_def_t *p = db_schema_setting_find("ui_floating_precision");
    CHECK(p && p->has_min && p->has_max && p->min == 0 && p->max == 8);
    CHECK(db_schema_setting_find("have_premium")->store == DB_SETTING_COMPUTED);
    CHECK(db_schema_setting_find("last_balance_save")->store == DB_SETTING_IN_KV_CACHE);
    CHECK(db_schema_setting_find("last_data_upload_ts")->store == DB_SETTING_IN_KV_CACHE);
    CHECK(db_schema_setting_find("non_syncing_exchanges") != NULL);
    CHECK(db_schema_setting_find("taxfree_after_period")->type == DB_SETTING_INT_OR_NULL);
    CHECK_EQ_STR(db_schema_setting_find("main_currency")->default_value, "USD");
    CHECK(db_schema_setting_find("nope") == NULL && db_schema_setting_find(NULL) == NULL);
}

UNIT_TEST(settings_defaults_fit_the_settings_table)
{
    /* every stored default can be written as rotki would (INSERT OR REPLACE, TEXT) */
    sqlite3 *db = open_created();
    CHECK(db);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO settings(name, value) VALUES(?, ?)", -1, &st, NULL) == SQLITE_OK);
    int fails = 0;
    size_t stored = 0;
    for (size_t i = 0; i < db_settings_defs_count; i++) {
        if (db_settings_defs[i].store != DB_SETTING_IN_SETTINGS) continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, db_settings_defs[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, db_settings_defs[i].default_value, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) fails++;
        stored++;
    }
    sqlite3_finalize(st);
    long long rows = query_int(db, "SELECT count(*) FROM settings WHERE typeof(value)='text'");
    sqlite3_close(db);
    CHECK_EQ_INT(fails, 0);
    CHECK_EQ_INT(rows, (long long)stored);
}

UNIT_SUITE(suite_schema,
    UNIT_CASE(every_statement_is_one_complete_statement),
    UNIT_CASE(script_creates_exactly_the_listed_tables),
    UNIT_CASE(table_names_are_unique_and_match_the_statements),
    UNIT_CASE(enum_tables_and_tags_are_seeded),
    UNIT_CASE(history_events_constraints_hold),
    UNIT_CASE(tag_names_are_case_insensitive_unique),
    UNIT_CASE(settings_defs_are_well_formed),
    UNIT_CASE(settings_defaults_fit_the_settings_table));
