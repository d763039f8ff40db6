/* migrations — the user DB upgrades pipit runs at login, as SQL, one transaction per step.
 *
 * Source: rotki/rotki commit ef14aadd1f387a199731fcc03254463b45b6e0cb,
 * rotkehlchen/db/upgrades/v52_v53.py (upgrade_v52_to_v53, "happened in 1.44") and
 * rotkehlchen/db/upgrade_manager.py. The v52 schema it starts from is rotkehlchen/db/schema.py
 * at e3e39b54dcad, the parent of 4fee48a2ca which bumped ROTKEHLCHEN_DB_VERSION to 53.
 *
 * rotki runs its steps in definition order inside one write transaction; the SQL below keeps
 * that order, one block per step, so a later step sees what the earlier ones did. It runs on
 * the writer with foreign keys ON inside the driver's BEGIN IMMEDIATE..COMMIT; any error rolls
 * the whole step back (temp tables included) and the caller restores the backup. The driver
 * writes settings.version afterwards, as upgrade_manager does.
 *
 * New and rebuilt tables use db/schema.c's text byte for byte, so sqlite_master matches a
 * fresh v53 DB; evm_internal_transactions gets its column with ALTER TABLE like rotki, which
 * SQLite splices in before the table constraints: same DDL once whitespace is ignored, which is
 * all rotki's sanity check (db/checks.py) compares.
 *
 * Not reproduced: "Remove obsolete airdrop parquet files" deletes *.parquet from rotki's app
 * data airdrops folder. That is a file cache outside the DB that pipit never reads; leaving it
 * changes nothing in the DB. Python-only details of the other steps are noted where they
 * occur; each is a corner no rotki-written DB reaches. */
#include "userdb.h"

/* ---- 64-bit lane arithmetic for keccak256 in SQL ----
 * SQLite has no XOR: (p|q)-(p&q) is p^q, and since p&q's bits are a subset of p|q's the
 * subtraction can never overflow (which would turn the value into a REAL). SQLite's << >> & |
 * share one precedence level, hence every parenthesis. >> is arithmetic, so the rotation
 * masks the bits shifted in. */
#define XOR(p, q) "((" p "|" q ")-(" p "&" q "))"
#define ROT(v, n) "((" v "<<" #n ")|((" v ">>(64-" #n "))&~(-1<<" #n ")))"
#define A_ALL "a0,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,a14,a15,a16,a17,a18,a19,a20,a21,a22,a23,a24"
#define C_ALL "c0,c1,c2,c3,c4"
/* Python's json.dumps of one list item, for the settings steps that rewrite JSON lists
 * (json.dumps would also escape non-ASCII characters; rotki's setting values are ASCII). */
#define JSON_ITEM(t) "CASE " t ".type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE json_quote(" t ".value) END"
/* Exact decimal sums work on digit columns; floor division keeps each digit in 0..9. */
#define VP "(r.cp+coalesce(s.s,0))"
#define VN "(r.cn-coalesce(s.s,0))"
#define MOD10(v) "((" v "%10+10)%10)"
#define ZEROS(n) "replace(hex(zeroblob(" n ")),'00','0')"

static const char v52_to_v53[] =
    /* -- Create event metrics table and indexes. (v52 only had it in a dead string) */
    "CREATE TABLE IF NOT EXISTS event_metrics (\n"
    "    id INTEGER NOT NULL PRIMARY KEY,\n"
    "    event_identifier INTEGER NOT NULL REFERENCES history_events(identifier) ON DELETE CASCADE,\n"
    "    location CHAR(1) NOT NULL,\n"
    "    location_label TEXT,\n"
    "    protocol TEXT,\n"
    "    metric_key TEXT NOT NULL,\n"
    "    metric_value TEXT NOT NULL,\n"
    "    asset TEXT NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    sequence_index INTEGER NOT NULL,\n"
    "    sort_key INTEGER NOT NULL,\n"
    "    UNIQUE(event_identifier, location_label, protocol, metric_key, asset)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_event ON event_metrics(event_identifier);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_location_label ON event_metrics(location_label);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_protocol ON event_metrics(protocol);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key ON event_metrics(metric_key);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key_timestamp ON event_metrics(metric_key, timestamp);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key_asset_sort_key ON event_metrics(metric_key, asset, sort_key);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_asset ON event_metrics(asset);\n"
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_balances_latest ON event_metrics(metric_key, location, location_label, protocol, asset, timestamp, sort_key, metric_value);\n"

    /* -- Create data issues table and indexes. */
    "CREATE TABLE IF NOT EXISTS data_issues (\n"
    "    id INTEGER NOT NULL PRIMARY KEY,\n"
    "    kind TEXT NOT NULL,\n"
    "    location TEXT NOT NULL,\n"
    "    location_label TEXT NOT NULL DEFAULT '',\n"
    "    protocol TEXT NOT NULL DEFAULT '',\n"
    "    asset TEXT NOT NULL DEFAULT '',\n"
    "    event_identifier INTEGER,\n"
    "    ts_start INTEGER NOT NULL,\n"
    "    ts_end INTEGER NOT NULL,\n"
    "    severity TEXT NOT NULL,\n"
    "    state TEXT NOT NULL,\n"
    "    auto_remediation_attempts_json TEXT NOT NULL DEFAULT '[]',\n"
    "    payload_json TEXT NOT NULL,\n"
    "    created_at INTEGER NOT NULL,\n"
    "    resolved_at INTEGER\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idx_data_issues_state ON data_issues(state);\n"
    "CREATE INDEX IF NOT EXISTS idx_data_issues_kind_state ON data_issues(kind, state);\n"
    "CREATE INDEX IF NOT EXISTS idx_data_issues_location_label_asset ON data_issues(location, location_label, asset);\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_data_issues_event_scope ON data_issues(kind, location, location_label, protocol, asset, event_identifier) WHERE event_identifier IS NOT NULL;\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_data_issues_bucket_scope ON data_issues(kind, location, location_label, protocol, asset) WHERE event_identifier IS NULL;\n"

    /* -- Add Gate, Bit2me and CoinEx locations. */
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('{', 59);\n"
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('|', 60);\n"
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('}', 61);\n"

    /* -- Normalize exchange history event location labels: an exchange with exactly one API
     * key, whose events carry at most one distinct label, gets that key's name on its
     * unlabeled events. The temp table freezes the choice before the UPDATE changes the very
     * labels it counts. Locations: rotki's list of exchanges (Gate excluded, new here). */
    "CREATE TEMP TABLE _exchange_label_fill AS SELECT user_credentials.location AS location, "
    "user_credentials.name AS name FROM user_credentials WHERE user_credentials.location IN "
    "('E','S','c','U','T','F','b','R','D','\\','m','G','u','K','P','Z','d','L','p','V',']','B','W','[','e','C','`','a','l') "
    "GROUP BY user_credentials.location HAVING COUNT(*)=1 AND (SELECT COUNT(DISTINCT history_events.location_label) "
    "FROM history_events WHERE history_events.location=user_credentials.location AND "
    "history_events.location_label IS NOT NULL)<=1;\n"
    "UPDATE history_events SET location_label=(SELECT name FROM _exchange_label_fill "
    "WHERE location=history_events.location) WHERE location IN (SELECT location FROM "
    "_exchange_label_fill) AND location_label IS NULL;\n"
    "DROP TABLE _exchange_label_fill;\n"

    /* -- Persist indexer source for internal transactions (existing rows: 0, legacy). A v52
     * DB never has the column, so no existence check: a DB that has it is not v52 and fails. */
    "ALTER TABLE evm_internal_transactions ADD COLUMN source INTEGER NOT NULL DEFAULT 0;\n"

    /* -- Add naming system source to ens mappings: rebuilt with (address, source) as key,
     * existing names become 'ens' through the column default. */
    "ALTER TABLE ens_mappings RENAME TO ens_mappings_old;\n"
    "CREATE TABLE ens_mappings (\n"
    "    address TEXT NOT NULL,\n"
    "    ens_name TEXT UNIQUE,\n"
    "    last_update INTEGER NOT NULL,\n"
    "    last_avatar_update INTEGER NOT NULL DEFAULT 0,\n"
    "    source TEXT NOT NULL DEFAULT 'ens',\n"
    "    PRIMARY KEY(address, source)\n"
    ");\n"
    "INSERT INTO ens_mappings(address, ens_name, last_update, last_avatar_update) "
    "SELECT address, ens_name, last_update, last_avatar_update FROM ens_mappings_old;\n"
    "DROP TABLE ens_mappings_old;\n"

    /* -- Add GNS after ENS in address name priority: drop any 'gns_names', put it right after
     * the first 'ens_names' (or last), re-serialized as json.dumps does ("a", "b"). A missing,
     * non-JSON or non-list setting is left alone, as rotki does. */
    "UPDATE settings SET value=(SELECT '[' || group_concat(e, ', ' ORDER BY k) || ']' FROM ("
    "SELECT 2*j.key AS k, " JSON_ITEM("j") " AS e FROM json_each(settings.value) j "
    "WHERE NOT (j.type='text' AND j.value='gns_names') UNION ALL "
    "SELECT coalesce((SELECT 2*min(key)+1 FROM json_each(settings.value) WHERE type='text' AND value='ens_names'), 1<<62), "
    "'\"gns_names\"')) "
    "WHERE name='address_name_priority' AND json_valid(value) AND json_type(value)='array';\n"

    /* -- Add Kraken as the first current price oracle of a saved order (only a JSON list;
     * rotki would also iterate a dict's keys or a string's characters, which no rotki
     * version ever saved). */
    "UPDATE settings SET value=(SELECT '[' || group_concat(e, ', ' ORDER BY k) || ']' FROM ("
    "SELECT -1 AS k, '\"kraken\"' AS e UNION ALL "
    "SELECT j.key, " JSON_ITEM("j") " FROM json_each(settings.value) j WHERE NOT (j.type='text' AND j.value='kraken'))) "
    "WHERE name='current_price_oracles' AND json_valid(value) AND json_type(value)='array';\n"

    /* -- Removing orphaned history event backups. */
    "DELETE FROM history_events_backup WHERE identifier NOT IN (SELECT identifier FROM history_events);\n"

    /* -- Marking exchange adjustment events as synthetic (state 5 next to MATCHED 3). */
    "INSERT OR IGNORE INTO history_events_mappings(parent_identifier, name, value) "
    "SELECT M.parent_identifier, 'state', 5 FROM history_events_mappings M "
    "INNER JOIN history_events H ON H.identifier=M.parent_identifier "
    "WHERE M.name='state' AND M.value=3 AND H.type='exchange adjustment';\n"

    /* -- Create bitcoin transaction tables. */
    "CREATE TABLE IF NOT EXISTS bitcoin_transactions (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    location CHAR(1) NOT NULL REFERENCES location(location),\n"
    "    tx_id TEXT NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    block_height INTEGER NOT NULL,\n"
    "    fee INTEGER NOT NULL,\n"
    "    vin_count INTEGER,\n"
    "    vout_count INTEGER,\n"
    "    UNIQUE(location, tx_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS bitcoin_tx_io (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    direction INTEGER NOT NULL CHECK(direction IN (1, 2)),\n"
    "    io_index INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    address TEXT,\n"
    "    script BLOB,\n"
    "    PRIMARY KEY(tx_id, direction, io_index),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS bitcointx_address_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    PRIMARY KEY(tx_id, address),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS bitcoin_tx_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    PRIMARY KEY(tx_id, value),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_tx_io_address ON bitcoin_tx_io(address);\n"

    /* -- Index raw transaction timestamps and address mappings. */
    "CREATE INDEX IF NOT EXISTS idx_evm_transactions_chain_timestamp ON evm_transactions(chain_id, timestamp DESC);\n"
    "CREATE INDEX IF NOT EXISTS idx_evmtx_address_mappings_address ON evmtx_address_mappings(address, tx_id);\n"
    "CREATE INDEX IF NOT EXISTS idx_zksynclite_transactions_from_timestamp ON zksynclite_transactions(from_address, timestamp DESC);\n"
    "CREATE INDEX IF NOT EXISTS idx_zksynclite_transactions_to_timestamp ON zksynclite_transactions(to_address, timestamp DESC);\n"
    "CREATE INDEX IF NOT EXISTS idx_solana_transactions_block_time ON solana_transactions(block_time DESC);\n"
    "CREATE INDEX IF NOT EXISTS idx_solanatx_address_mappings_address ON solanatx_address_mappings(address, tx_id);\n"
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_transactions_location_timestamp ON bitcoin_transactions(location, timestamp DESC);\n"
    "CREATE INDEX IF NOT EXISTS idx_bitcointx_address_mappings_address ON bitcointx_address_mappings(address, tx_id);\n"

    /* -- Turn bitcoin events into chain events: plain events (entry_type 1) at bitcoin 'q' /
     * bitcoin cash 'r' whose group identifier is btc_/bch_ + a 32 byte hex tx id get a chain
     * info row with that tx id and become entry_type 11; backups likewise. unhex() with the
     * ASCII whitespace set mirrors bytes.fromhex, NULL where Python raises ValueError. */
    "CREATE TEMP TABLE _btc_events AS SELECT identifier, unhex(substr(group_identifier, 5), ' ' || char(9, 10, 11, 12, 13)) AS tx_ref "
    "FROM history_events WHERE entry_type=1 AND ((location='q' AND substr(group_identifier, 1, 4)='btc_') OR "
    "(location='r' AND substr(group_identifier, 1, 4)='bch_'));\n"
    "DELETE FROM _btc_events WHERE tx_ref IS NULL OR length(tx_ref)!=32;\n"
    "INSERT OR IGNORE INTO chain_events_info(identifier, tx_ref, counterparty, address) "
    "SELECT identifier, tx_ref, NULL, NULL FROM _btc_events;\n"
    "UPDATE history_events SET entry_type=11 WHERE identifier IN (SELECT identifier FROM _btc_events);\n"
    "DELETE FROM _btc_events;\n"
    "INSERT INTO _btc_events SELECT identifier, unhex(substr(group_identifier, 5), ' ' || char(9, 10, 11, 12, 13)) "
    "FROM history_events_backup WHERE entry_type=1 AND ((location='q' AND substr(group_identifier, 1, 4)='btc_') OR "
    "(location='r' AND substr(group_identifier, 1, 4)='bch_'));\n"
    "DELETE FROM _btc_events WHERE tx_ref IS NULL OR length(tx_ref)!=32;\n"
    "INSERT OR IGNORE INTO chain_events_info_backup(identifier, tx_ref, counterparty, address) "
    "SELECT identifier, tx_ref, NULL, NULL FROM _btc_events;\n"
    "UPDATE history_events_backup SET entry_type=11 WHERE identifier IN (SELECT identifier FROM _btc_events);\n"
    "DROP TABLE _btc_events;\n"

    /* -- Resetting decoded events: delete the decoded evm, solana and bitcoin events (not
     * zksync lite) unless a customized event (state 1) shares their group, then orphaned
     * backups and the decoded flag (0) of transactions without customized events. rotki
     * returns early when there are no evm/solana transactions and no bitcoin chain events;
     * `go` is that test, frozen before the deletes. */
    "CREATE TEMP TABLE _reset AS SELECT (EXISTS (SELECT 1 FROM evm_transactions) OR "
    "EXISTS (SELECT 1 FROM solana_transactions) OR "
    "EXISTS (SELECT 1 FROM history_events WHERE location IN ('q', 'r') AND entry_type=11)) AS go;\n"
    "DELETE FROM history_events WHERE (SELECT go FROM _reset) AND identifier IN ("
    "SELECT H.identifier FROM history_events H INNER JOIN chain_events_info C "
    "ON H.identifier=C.identifier AND (C.tx_ref IN "
    "(SELECT tx_hash FROM evm_transactions) OR C.tx_ref IN "
    "(SELECT signature FROM solana_transactions) OR H.location IN ('q', 'r')) "
    "AND H.location != 'o') AND group_identifier NOT IN ("
    "SELECT H2.group_identifier FROM history_events H2 "
    "INNER JOIN history_events_mappings M ON H2.identifier = M.parent_identifier "
    "WHERE M.name='state' AND M.value=1);\n"
    "DELETE FROM history_events_backup WHERE (SELECT go FROM _reset) AND identifier NOT IN "
    "(SELECT identifier FROM history_events);\n"
    "DELETE FROM evm_tx_mappings WHERE (SELECT go FROM _reset) AND tx_id IN "
    "(SELECT identifier FROM evm_transactions) AND value=0 AND tx_id NOT IN ("
    "SELECT DISTINCT T.identifier FROM evm_transactions T "
    "INNER JOIN chain_events_info C ON T.tx_hash = C.tx_ref "
    "INNER JOIN history_events_mappings M ON C.identifier = M.parent_identifier "
    "WHERE M.name='state' AND M.value=1);\n"
    "DELETE FROM solana_tx_mappings WHERE (SELECT go FROM _reset) AND tx_id IN "
    "(SELECT identifier FROM solana_transactions) AND value=0 AND tx_id NOT IN ("
    "SELECT DISTINCT T.identifier FROM solana_transactions T "
    "INNER JOIN chain_events_info C ON T.signature = C.tx_ref "
    "INNER JOIN history_events_mappings M ON C.identifier = M.parent_identifier "
    "WHERE M.name='state' AND M.value=1);\n"
    "DROP TABLE _reset;\n"

    /* -- Reset bitcoin transaction query range, so the next query refetches and redecodes. */
    "DELETE FROM key_value_cache WHERE "
    "name LIKE 'last\\_btc\\_tx\\_block\\_%' ESCAPE '\\' OR "
    "name LIKE 'last\\_bch\\_tx\\_block\\_%' ESCAPE '\\';\n"

    /* -- Labeling zksync lite bridge events with the bridge (location 'o'). */
    "UPDATE chain_events_info SET counterparty='zksync' WHERE counterparty IS NULL AND "
    "identifier IN (SELECT E.identifier FROM history_events E INNER JOIN history_events B "
    "ON E.group_identifier=B.group_identifier AND B.subtype='bridge' "
    "WHERE E.location='o');\n"

    /* -- (Remove obsolete airdrop parquet files: filesystem only, see the header.) */

    /* -- Adding blockscout to the gnosis indexer order: a saved order whose 'gnosis' list
     * lacks 'blockscout' gets it first; the object is re-serialized as json.dumps does, keys
     * in their saved order. */
    "UPDATE settings SET value=(SELECT '{' || group_concat(json_quote(o.key) || ': ' || CASE "
    "WHEN o.key='gnosis' THEN '[\"blockscout\"' || coalesce((SELECT group_concat(', ' || " JSON_ITEM("i") ", '' ORDER BY i.key) "
    "FROM json_each(o.value) i), '') || ']' "
    "WHEN o.type='array' THEN '[' || coalesce((SELECT group_concat(" JSON_ITEM("i") ", ', ' ORDER BY i.key) "
    "FROM json_each(o.value) i), '') || ']' "
    "ELSE " JSON_ITEM("o") " END, ', ' ORDER BY o.id) || '}' FROM json_each(settings.value) o) "
    "WHERE name='evm_indexers_order' AND json_valid(value) AND json_type(value)='object' "
    "AND json_type(value, '$.gnosis')='array' AND NOT EXISTS (SELECT 1 FROM "
    "json_each(settings.value, '$.gnosis') WHERE type='text' AND value='blockscout');\n"

    /* -- Canonicalize evm asset identifiers that were not checksummed.
     * An 'eip155:<chain>/<type>:<address>[/<id>]' identifier whose address is all lower or
     * all upper case is rewritten to its EIP-55 form. rotki calls eth_utils'
     * to_checksum_address, i.e. keccak256 of the lowercase hex, computed here in SQL.
     * Candidates: exactly two ':' and a 0x/0X + 40 hex (or bare 40 hex) address, the forms
     * to_checksum_address accepts; anything else raises there and is skipped. */
    "CREATE TEMP TABLE _n AS WITH RECURSIVE n(n) AS (SELECT 0 UNION ALL SELECT n+1 FROM n WHERE n<399) SELECT n FROM n;\n"
    "CREATE TEMP TABLE _ck AS SELECT old, addr, lower(substr(addr, -40)) AS hex FROM ("
    "SELECT old, CASE WHEN instr(r2, '/') THEN substr(r2, 1, instr(r2, '/')-1) ELSE r2 END AS addr FROM ("
    "SELECT identifier AS old, substr(substr(identifier, 8), instr(substr(identifier, 8), ':')+1) AS r2 "
    "FROM assets WHERE identifier LIKE 'eip155:%' AND instr(substr(identifier, 8), ':')) WHERE instr(r2, ':')=0) "
    "WHERE (substr(addr, 3)=lower(substr(addr, 3)) OR substr(addr, 3)=upper(substr(addr, 3))) "
    "AND ((length(addr)=42 AND lower(substr(addr, 1, 2))='0x') OR length(addr)=40) "
    "AND substr(addr, -40) NOT GLOB '*[^0-9A-Fa-f]*';\n"
    /* keccak256 of the 40 ASCII bytes: one block, padding 0x01 at byte 40 (lane 5) and 0x80 at
     * byte 135 (lane 16). Each round is four phases over the 25 lanes a0..a24 (x+5y) with
     * c0..c4 as scratch: column parity C, then D, then theta+rho+pi, then chi+iota. */
    "CREATE TEMP TABLE _ck_hash AS WITH RECURSIVE "
    "rc(i, v) AS (VALUES (0,0x0000000000000001),(1,0x0000000000008082),(2,0x800000000000808A),"
    "(3,0x8000000080008000),(4,0x000000000000808B),(5,0x0000000080000001),(6,0x8000000080008081),"
    "(7,0x8000000000008009),(8,0x000000000000008A),(9,0x0000000000000088),(10,0x0000000080008009),"
    "(11,0x000000008000000A),(12,0x000000008000808B),(13,0x800000000000008B),(14,0x8000000000008089),"
    "(15,0x8000000000008003),(16,0x8000000000008002),(17,0x8000000000000080),(18,0x000000000000800A),"
    "(19,0x800000008000000A),(20,0x8000000080008081),(21,0x8000000000008080),(22,0x0000000080000001),"
    "(23,0x8000000080008008)),"
    "msg(hex, a0, a1, a2, a3, a4) AS (SELECT hex, sum(b) FILTER (WHERE n<8), sum(b) FILTER (WHERE n/8=1), "
    "sum(b) FILTER (WHERE n/8=2), sum(b) FILTER (WHERE n/8=3), sum(b) FILTER (WHERE n/8=4) FROM ("
    "SELECT hex, n, unicode(substr(hex, n+1, 1))<<(8*(n%8)) AS b FROM (SELECT DISTINCT hex FROM _ck), _n WHERE n<40) "
    "GROUP BY hex),"
    "k(hex, rnd, ph, " C_ALL ", " A_ALL ") AS ("
    "SELECT hex, 0, 0, 0, 0, 0, 0, 0, a0, a1, a2, a3, a4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1<<63, 0, 0, 0, 0, 0, 0, 0, 0 FROM msg "
    "UNION ALL SELECT hex, rnd, 1, "
    XOR(XOR(XOR(XOR("a0", "a5"), "a10"), "a15"), "a20") ","
    XOR(XOR(XOR(XOR("a1", "a6"), "a11"), "a16"), "a21") ","
    XOR(XOR(XOR(XOR("a2", "a7"), "a12"), "a17"), "a22") ","
    XOR(XOR(XOR(XOR("a3", "a8"), "a13"), "a18"), "a23") ","
    XOR(XOR(XOR(XOR("a4", "a9"), "a14"), "a19"), "a24") ","
    A_ALL " FROM k WHERE ph=0 AND rnd<24 "
    "UNION ALL SELECT hex, rnd, 2, "
    XOR("c4", ROT("c1", 1)) "," XOR("c0", ROT("c2", 1)) "," XOR("c1", ROT("c3", 1)) ","
    XOR("c2", ROT("c4", 1)) "," XOR("c3", ROT("c0", 1)) ","
    A_ALL " FROM k WHERE ph=1 "
    "UNION ALL SELECT hex, rnd, 3, " C_ALL ","
    XOR("a0", "c0") "," ROT(XOR("a6", "c1"), 44) "," ROT(XOR("a12", "c2"), 43) ","
    ROT(XOR("a18", "c3"), 21) "," ROT(XOR("a24", "c4"), 14) "," ROT(XOR("a3", "c3"), 28) ","
    ROT(XOR("a9", "c4"), 20) "," ROT(XOR("a10", "c0"), 3) "," ROT(XOR("a16", "c1"), 45) ","
    ROT(XOR("a22", "c2"), 61) "," ROT(XOR("a1", "c1"), 1) "," ROT(XOR("a7", "c2"), 6) ","
    ROT(XOR("a13", "c3"), 25) "," ROT(XOR("a19", "c4"), 8) "," ROT(XOR("a20", "c0"), 18) ","
    ROT(XOR("a4", "c4"), 27) "," ROT(XOR("a5", "c0"), 36) "," ROT(XOR("a11", "c1"), 10) ","
    ROT(XOR("a17", "c2"), 15) "," ROT(XOR("a23", "c3"), 56) "," ROT(XOR("a2", "c2"), 62) ","
    ROT(XOR("a8", "c3"), 55) "," ROT(XOR("a14", "c4"), 39) "," ROT(XOR("a15", "c0"), 41) ","
    ROT(XOR("a21", "c1"), 2)
    " FROM k WHERE ph=2 "
    "UNION ALL SELECT hex, rnd+1, 0, " C_ALL ","
    XOR(XOR("a0", "(~a1&a2)"), "rc.v") "," XOR("a1", "(~a2&a3)") "," XOR("a2", "(~a3&a4)") ","
    XOR("a3", "(~a4&a0)") "," XOR("a4", "(~a0&a1)") "," XOR("a5", "(~a6&a7)") ","
    XOR("a6", "(~a7&a8)") "," XOR("a7", "(~a8&a9)") "," XOR("a8", "(~a9&a5)") ","
    XOR("a9", "(~a5&a6)") "," XOR("a10", "(~a11&a12)") "," XOR("a11", "(~a12&a13)") ","
    XOR("a12", "(~a13&a14)") "," XOR("a13", "(~a14&a10)") "," XOR("a14", "(~a10&a11)") ","
    XOR("a15", "(~a16&a17)") "," XOR("a16", "(~a17&a18)") "," XOR("a17", "(~a18&a19)") ","
    XOR("a18", "(~a19&a15)") "," XOR("a19", "(~a15&a16)") "," XOR("a20", "(~a21&a22)") ","
    XOR("a21", "(~a22&a23)") "," XOR("a22", "(~a23&a24)") "," XOR("a23", "(~a24&a20)") ","
    XOR("a24", "(~a20&a21)")
    " FROM k JOIN rc ON rc.i=k.rnd WHERE ph=3) "
    "SELECT hex, a0, a1, a2 FROM k WHERE rnd=24;\n"
    /* EIP-55: hex digit n is upper-cased when nibble n of the hash (byte n/2, high nibble
     * first; bytes little-endian within a lane) is >= 8. */
    "CREATE TEMP TABLE _ck_map AS SELECT c.old AS old, replace(c.old, c.addr, '0x' || s.body) AS new FROM _ck c JOIN ("
    "SELECT hex, group_concat(CASE WHEN (((CASE n/16 WHEN 0 THEN a0 WHEN 1 THEN a1 ELSE a2 END)>>(8*((n/2)%8)+4*(1-n%2)))&15)>=8 "
    "THEN upper(substr(hex, n+1, 1)) ELSE substr(hex, n+1, 1) END, '' ORDER BY n) AS body "
    "FROM _ck_hash, _n WHERE n<40 GROUP BY hex) s ON s.hex=c.hex WHERE '0x' || s.body != c.addr;\n"
    /* rotki walks the identifiers in sorted order: the first non canonical spelling of an
     * identifier absent from assets is renamed, every other one merges onto the canonical
     * row (sqlite's BINARY order is Python's code point order). */
    "ALTER TABLE _ck_map ADD COLUMN merge INTEGER;\n"
    "CREATE INDEX _ck_map_new ON _ck_map(new, old);\n"
    "UPDATE _ck_map SET merge=(new IN (SELECT identifier FROM assets) OR "
    "old>(SELECT min(m.old) FROM _ck_map m WHERE m.new=_ck_map.new));\n"
    /* Renames: every asset column is an ON UPDATE CASCADE foreign key of assets(identifier)
     * and the writer has foreign keys on, so renaming the asset moves them all (rotki also
     * writes each column explicitly, for connections without foreign keys). The ignored
     * assets list has no foreign key. */
    "UPDATE OR IGNORE assets SET identifier=(SELECT new FROM _ck_map WHERE old=assets.identifier) "
    "WHERE identifier IN (SELECT old FROM _ck_map WHERE NOT merge);\n"
    "UPDATE OR IGNORE multisettings SET value=(SELECT new FROM _ck_map WHERE old=multisettings.value) "
    "WHERE name='ignored_asset' AND value IN (SELECT old FROM _ck_map WHERE NOT merge);\n"
    /* Merges, timed_balances: both spellings' rows are summed per (category, timestamp) as
     * exact decimals, not floats, and written back as str(FVal) (normalized, no exponent;
     * Decimal would round a sum past 78 significant digits, which no balance has).
     * w reproduces rotki's loop exactly: it rereads the canonical rows once per merged
     * spelling, so with two spellings merging onto one existing identifier those rows count
     * twice (rotki's behaviour, kept for identical results). */
    "CREATE TEMP TABLE _tb_in AS SELECT t.category AS category, t.timestamp AS ts, m.new AS cur, x.col AS col, "
    "CASE x.col WHEN 0 THEN t.amount ELSE t.usd_value END AS v, count(*) AS w "
    "FROM _ck_map m JOIN timed_balances t ON t.currency IN (m.old, m.new) JOIN (SELECT 0 AS col UNION ALL SELECT 1) x "
    "WHERE m.merge GROUP BY t.rowid, m.new, x.col;\n"
    "CREATE TEMP TABLE _tb_grp AS SELECT DISTINCT category, ts, cur, col FROM _tb_in;\n"
    /* each value as sign-weighted integer digits d with f fraction digits; ok: what Decimal()
     * parses as a finite number (sign, digits with one optional point, optional exponent),
     * within bounds that keep every sum under 400 digits */
    "CREATE TEMP TABLE _tb_val AS SELECT g, v, w, ok, replace(m, '.', '') AS d, "
    "CASE WHEN instr(m, '.') THEN length(m)-instr(m, '.') ELSE 0 END-CAST(x AS INTEGER) AS f FROM ("
    "SELECT g, v, w, m, x, m GLOB '*[0-9]*' AND m NOT GLOB '*[^0-9.]*' AND m NOT GLOB '*.*.*' AND length(m)<100 "
    "AND (x GLOB '[0-9]*' OR x GLOB '[+-][0-9]*') AND substr(x, 2) NOT GLOB '*[^0-9]*' AND abs(CAST(x AS INTEGER))<=50 AS ok FROM ("
    "SELECT g, v, w, CASE WHEN instr(lower(s), 'e') THEN substr(s, 1, instr(lower(s), 'e')-1) ELSE s END AS m, "
    "CASE WHEN instr(lower(s), 'e') THEN substr(s, instr(lower(s), 'e')+1) ELSE '0' END AS x FROM ("
    "SELECT g.rowid AS g, i.v AS v, i.w*(CASE WHEN substr(i.t, 1, 1)='-' THEN -1 ELSE 1 END) AS w, "
    "CASE WHEN substr(i.t, 1, 1) IN ('-', '+') THEN substr(i.t, 2) ELSE i.t END AS s "
    "FROM (SELECT *, trim(v, ' ' || char(9, 10, 11, 12, 13)) AS t FROM _tb_in) i "
    "JOIN _tb_grp g ON (g.category, g.ts, g.cur, g.col) IS (i.category, i.ts, i.cur, i.col))));\n"
    "UPDATE _tb_val SET d=d || " ZEROS("-f") ", f=0 WHERE f<0;\n"
    "CREATE TEMP TABLE _tb_f AS SELECT g, max(f) AS f, min(coalesce(ok, 0)) AS ok, 0 AS len FROM _tb_val GROUP BY g;\n"
    "UPDATE _tb_val SET d=d || " ZEROS("(SELECT f FROM _tb_f WHERE _tb_f.g=_tb_val.g)-f") ";\n"
    "UPDATE _tb_f SET len=(SELECT max(length(d)) FROM _tb_val WHERE _tb_val.g=_tb_f.g);\n"
    /* s: the weighted sum of the digits at each power of ten; then the carries, kept for the
     * sum (cp, dp) and its negation (cn, dn): whichever ends without a borrow is the
     * magnitude. */
    "CREATE TEMP TABLE _tb_s AS SELECT v.g AS g, n AS p, sum(v.w*CAST(substr(v.d, -1-n, 1) AS INTEGER)) AS s "
    "FROM _tb_val v JOIN _tb_f f ON f.g=v.g JOIN _n ON n<f.len WHERE f.ok GROUP BY v.g, n;\n"
    "CREATE TEMP TABLE _tb_out AS WITH RECURSIVE r(g, p, cp, cn, dp, dn) AS ("
    "SELECT g, 0, 0, 0, '', '' FROM _tb_f WHERE ok UNION ALL "
    "SELECT r.g, r.p+1, (" VP "-" MOD10(VP) ")/10, (" VN "-" MOD10(VN) ")/10, "
    MOD10(VP) " || r.dp, " MOD10(VN) " || r.dn FROM r JOIN _tb_f f ON f.g=r.g "
    "LEFT JOIN _tb_s s ON s.g=r.g AND s.p=r.p WHERE r.p<f.len+4) "
    "SELECT r.g AS g, r.cp<0 AS neg, ltrim(CASE WHEN r.cp<0 THEN r.dn ELSE r.dp END, '0') AS t, f.f AS f "
    "FROM r JOIN _tb_f f ON f.g=r.g WHERE r.p=f.len+4;\n"
    /* integer digits back to text: decimal point f digits from the right, trailing zeros of
     * the fraction and a lone '.' dropped, '-0' is '0' */
    "UPDATE _tb_out SET t=" ZEROS("max(0, f+1-length(t))") " || t;\n"
    "UPDATE _tb_out SET t=ltrim(substr(t, 1, length(t)-f), '0') || rtrim('.' || substr(t, length(t)-f+1), '0');\n"
    "UPDATE _tb_out SET t=CASE WHEN substr(t, 1, 1)='.' THEN '0' || t ELSE t END;\n"
    "UPDATE _tb_out SET t=rtrim(t, '.');\n"
    "UPDATE _tb_out SET t=CASE WHEN t='' THEN '0' WHEN neg AND t!='0' THEN '-' || t ELSE t END;\n"
    /* anything else (NULL, NaN, 1_000: FVal would raise or yield NaN and rotki's upgrade would
     * abort) falls back to a float sum rather than failing the login */
    "INSERT INTO _tb_out(g, neg, t, f) SELECT v.g, 0, CAST(total(CAST(v.v AS REAL)*abs(v.w)) AS TEXT), 0 "
    "FROM _tb_val v JOIN _tb_f f ON f.g=v.g WHERE NOT f.ok GROUP BY v.g;\n"
    "DELETE FROM timed_balances WHERE currency IN (SELECT old FROM _ck_map WHERE merge UNION SELECT new FROM _ck_map WHERE merge);\n"
    "INSERT INTO timed_balances(category, timestamp, currency, amount, usd_value) "
    "SELECT a.category, a.ts, a.cur, oa.t, ou.t FROM _tb_grp a JOIN _tb_out oa ON oa.g=a.rowid "
    "JOIN _tb_grp u ON (u.category, u.ts, u.cur, u.col) IS (a.category, a.ts, a.cur, 1) JOIN _tb_out ou ON ou.g=u.rowid "
    "WHERE a.col=0;\n"
    /* Merges, every other asset column and the ignored assets: move to the canonical
     * identifier where that does not collide, drop what collides, then the asset. A temp
     * trigger runs this once per merged spelling in rotki's (sorted) order, which decides
     * which of two colliding spellings survives. */
    "CREATE TEMP TABLE _ck_step(new TEXT, old TEXT);\n"
    "CREATE TEMP TRIGGER _ck_merge AFTER INSERT ON _ck_step BEGIN "
    "UPDATE OR IGNORE manually_tracked_balances SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM manually_tracked_balances WHERE asset=NEW.old; "
    "UPDATE OR IGNORE zksynclite_transactions SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM zksynclite_transactions WHERE asset=NEW.old; "
    "UPDATE OR IGNORE zksynclite_swaps SET to_asset=NEW.new WHERE to_asset=NEW.old; "
    "DELETE FROM zksynclite_swaps WHERE to_asset=NEW.old; "
    "UPDATE OR IGNORE zksynclite_swaps SET from_asset=NEW.new WHERE from_asset=NEW.old; "
    "DELETE FROM zksynclite_swaps WHERE from_asset=NEW.old; "
    "UPDATE OR IGNORE margin_positions SET fee_currency=NEW.new WHERE fee_currency=NEW.old; "
    "DELETE FROM margin_positions WHERE fee_currency=NEW.old; "
    "UPDATE OR IGNORE margin_positions SET pl_currency=NEW.new WHERE pl_currency=NEW.old; "
    "DELETE FROM margin_positions WHERE pl_currency=NEW.old; "
    "UPDATE OR IGNORE history_events SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM history_events WHERE asset=NEW.old; "
    "UPDATE OR IGNORE history_events_backup SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM history_events_backup WHERE asset=NEW.old; "
    "UPDATE OR IGNORE nfts SET last_price_asset=NEW.new WHERE last_price_asset=NEW.old; "
    "DELETE FROM nfts WHERE last_price_asset=NEW.old; "
    "UPDATE OR IGNORE nfts SET identifier=NEW.new WHERE identifier=NEW.old; "
    "DELETE FROM nfts WHERE identifier=NEW.old; "
    "UPDATE OR IGNORE historical_balance_cache SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM historical_balance_cache WHERE asset=NEW.old; "
    "UPDATE OR IGNORE blockchain_balances_cache SET asset=NEW.new WHERE asset=NEW.old; "
    "DELETE FROM blockchain_balances_cache WHERE asset=NEW.old; "
    "UPDATE OR IGNORE multisettings SET value=NEW.new WHERE value=NEW.old AND name='ignored_asset'; "
    "DELETE FROM multisettings WHERE value=NEW.old AND name='ignored_asset'; "
    "DELETE FROM assets WHERE identifier=NEW.old; "
    "END;\n"
    "INSERT INTO _ck_step(new, old) SELECT new, old FROM _ck_map WHERE merge ORDER BY old;\n"
    "DROP TRIGGER _ck_merge;\n"
    "DROP TABLE _ck_step;\n"
    "DROP TABLE _tb_out;\n"
    "DROP TABLE _tb_s;\n"
    "DROP TABLE _tb_f;\n"
    "DROP TABLE _tb_val;\n"
    "DROP TABLE _tb_grp;\n"
    "DROP TABLE _tb_in;\n"
    "DROP TABLE _ck_map;\n"
    "DROP TABLE _ck_hash;\n"
    "DROP TABLE _ck;\n"
    "DROP TABLE _n;\n"

    /* -- Create timed balances netvalue index. */
    "CREATE INDEX IF NOT EXISTS idx_timed_balances_currency_timestamp_category_value ON timed_balances(currency, timestamp, category, usd_value);\n"

    /* -- Create and migrate EVM account proxy mappings: evm_accounts_details 'proxies' rows
     * held '<proxy_type>:<proxy_address>'. */
    "CREATE TABLE IF NOT EXISTS evm_account_proxies (\n"
    "    account VARCHAR[42] NOT NULL,\n"
    "    chain_id INTEGER NOT NULL,\n"
    "    proxy_type TEXT NOT NULL,\n"
    "    proxy_address VARCHAR[42] NOT NULL,\n"
    "    PRIMARY KEY (account, chain_id, proxy_type, proxy_address)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idx_evm_account_proxies_chain_account ON evm_account_proxies(chain_id, account);\n"
    "INSERT OR IGNORE INTO evm_account_proxies(account, chain_id, proxy_type, proxy_address) "
    "SELECT account, chain_id, substr(value, 1, instr(value, ':') - 1), substr(value, instr(value, ':') + 1) "
    "FROM evm_accounts_details WHERE key = 'proxies' AND instr(value, ':') > 1;\n"
    "DELETE FROM evm_accounts_details WHERE key = 'proxies';\n"

    /* -- Remove obsolete unsupported-assets update setting. */
    "DELETE FROM settings WHERE name='location_unsupported_assets_version';\n"

    /* upgrade_manager, after a successful step: DBCacheStatic.LAST_DB_UPGRADE = ts_now().
     * (Its ongoing_upgrade_from_version marker is set and removed around the step: no net
     * change.) */
    "INSERT OR REPLACE INTO key_value_cache(name, value) VALUES('last_db_upgrade', strftime('%s', 'now'));\n";

const userdb_migration_t userdb_migrations[] = {
    {52, 53, "Upgrading the database from v52 to v53", v52_to_v53},
};
const size_t userdb_migration_count = sizeof userdb_migrations / sizeof userdb_migrations[0];
