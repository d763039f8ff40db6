/* The v52 -> v53 user DB upgrade (db/migrations.c) on plain SQLite in memory. A DB built with
 * rotki's v52 schema (the fixture below) and rows the upgrade must carry over is upgraded the
 * way the driver does it (foreign keys on, BEGIN IMMEDIATE .. COMMIT, then the version row):
 * afterwards every table and index in sqlite_master equals a fresh DB made from db/schema.c
 * (whitespace aside, as rotki's sanity check compares), the data moved as rotki's
 * upgrade_v52_to_v53 moves it, and a broken v52 DB makes the step fail and roll back. */
#include <stdlib.h>
#include <string.h>

#include "../../db/schema.h"
#include "../../db/sqlite.h"
#include "../../db/userdb.h"
#include "unit.h"

/* rotki's v52 DB_SCRIPT_CREATE_TABLES: rotkehlchen/db/schema.py at e3e39b54dcad (the parent of
 * 4fee48a2ca, which bumped ROTKEHLCHEN_DB_VERSION to 53), split into statements, comments
 * between statements and the PRAGMA/BEGIN/COMMIT wrapper dropped, each statement verbatim.
 * A test fixture only: pipit creates v53 DBs from db/schema.c. */
static const char *const v52_schema[] = {
    "CREATE TABLE IF NOT EXISTS location (\n"
    "  location    CHAR(1)       PRIMARY KEY NOT NULL,\n"
    "  seq     INTEGER UNIQUE\n"
    ");",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('A', 1);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('B', 2);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('C', 3);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('D', 4);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('E', 5);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('F', 6);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('G', 7);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('H', 8);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('I', 9);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('J', 10);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('K', 11);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('L', 12);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('M', 13);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('N', 14);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('O', 15);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('P', 16);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('Q', 17);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('R', 18);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('S', 19);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('T', 20);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('U', 21);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('V', 22);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('W', 23);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('X', 24);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('Y', 25);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('Z', 26);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('[', 27);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('\\', 28);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES (']', 29);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('^', 30);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('_', 31);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('`', 32);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('a', 33);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('b', 34);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('c', 35);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('d', 36);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('e', 37);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('f', 38);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('g', 39);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('h', 40);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('i', 41);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('j', 42);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('k', 43);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('l', 44);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('m', 45);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('n', 46);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('o', 47);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('p', 48);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('q', 49);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('r', 50);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('s', 51);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('t', 52);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('u', 53);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('v', 54);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('w', 55);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('x', 56);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('y', 57);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('z', 58);",
    "CREATE TABLE IF NOT EXISTS balance_category (\n"
    "  category    CHAR(1)       PRIMARY KEY NOT NULL,\n"
    "  seq     INTEGER UNIQUE\n"
    ");",
    "INSERT OR IGNORE INTO balance_category(category, seq) VALUES ('A', 1);",
    "INSERT OR IGNORE INTO balance_category(category, seq) VALUES ('B', 2);",
    "CREATE TABLE IF NOT EXISTS assets (\n"
    "    identifier TEXT NOT NULL PRIMARY KEY\n"
    ");",
    "CREATE TABLE IF NOT EXISTS timed_balances (\n"
    "    category CHAR(1) NOT NULL DEFAULT('A') REFERENCES balance_category(category),\n"
    "    timestamp INTEGER,\n"
    "    currency TEXT,\n"
    "    amount TEXT,\n"
    "    usd_value TEXT,\n"
    "    FOREIGN KEY(currency) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    PRIMARY KEY (timestamp, currency, category)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS timed_location_data (\n"
    "    timestamp INTEGER,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    usd_value TEXT,\n"
    "    PRIMARY KEY (timestamp, location)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS user_credentials (\n"
    "    name TEXT NOT NULL,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    api_key TEXT,\n"
    "    api_secret TEXT,\n"
    "    passphrase TEXT,\n"
    "    PRIMARY KEY (name, location)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS user_credentials_mappings (\n"
    "    credential_name TEXT NOT NULL,\n"
    "    credential_location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    setting_name TEXT NOT NULL,\n"
    "    setting_value TEXT NOT NULL,\n"
    "    FOREIGN KEY(credential_name, credential_location) REFERENCES user_credentials(name, location) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    PRIMARY KEY (credential_name, credential_location, setting_name)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS external_service_credentials (\n"
    "    name VARCHAR[30] NOT NULL PRIMARY KEY,\n"
    "    api_key TEXT NOT NULL,\n"
    "    api_secret TEXT\n"
    ");",
    "CREATE TABLE IF NOT EXISTS blockchain_accounts (\n"
    "    blockchain VARCHAR[24] NOT NULL,\n"
    "    account TEXT NOT NULL,\n"
    "    PRIMARY KEY (blockchain, account)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_accounts_details (\n"
    "    account VARCHAR[42] NOT NULL,\n"
    "    chain_id INTEGER NOT NULL,\n"
    "    key TEXT NOT NULL,\n"
    "    value TEXT NOT NULL,\n"
    "    PRIMARY KEY (account, chain_id, key, value)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS multisettings (\n"
    "    name VARCHAR[24] NOT NULL,\n"
    "    value TEXT,\n"
    "    UNIQUE(name, value)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS manually_tracked_balances (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    asset TEXT NOT NULL,\n"
    "    label TEXT NOT NULL UNIQUE,\n"
    "    amount TEXT,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    category CHAR(1) NOT NULL DEFAULT('A') REFERENCES balance_category(category),\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_transactions (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    tx_hash BLOB NOT NULL,\n"
    "    chain_id INTEGER NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    block_number INTEGER NOT NULL,\n"
    "    from_address TEXT NOT NULL,\n"
    "    to_address TEXT,\n"
    "    value TEXT NOT NULL,\n"
    "    gas TEXT NOT NULL,\n"
    "    gas_price TEXT NOT NULL,\n"
    "    gas_used TEXT NOT NULL,\n"
    "    input_data BLOB NOT NULL,\n"
    "    nonce INTEGER NOT NULL,\n"
    "    UNIQUE(tx_hash, chain_id)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_transactions_authorizations (\n"
    "    tx_id INTEGER NOT NULL PRIMARY KEY,\n"
    "    nonce INTEGER NOT NULL,\n"
    "    delegated_address TEXT NOT NULL,\n"
    "    FOREIGN KEY(tx_id) REFERENCES evm_transactions(identifier) ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS optimism_transactions (\n"
    "    tx_id INTEGER NOT NULL PRIMARY KEY,\n"
    "    l1_fee TEXT,\n"
    "    FOREIGN KEY(tx_id) REFERENCES evm_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_internal_transactions (\n"
    "    parent_tx INTEGER NOT NULL,\n"
    "    trace_id INTEGER NOT NULL,\n"
    "    from_address TEXT NOT NULL,\n"
    "    to_address TEXT,\n"
    "    value TEXT NOT NULL,\n"
    "    gas TEXT NOT NULL,\n"
    "    gas_used TEXT NOT NULL,\n"
    "    FOREIGN KEY(parent_tx) REFERENCES evm_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    PRIMARY KEY(parent_tx, trace_id, from_address, to_address, value, gas, gas_used)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evmtx_receipts (\n"
    "    tx_id INTEGER NOT NULL PRIMARY KEY,\n"
    "    contract_address TEXT, /* can be null */\n"
    "    status INTEGER NOT NULL CHECK (status IN (0, 1)),\n"
    "    type INTEGER NOT NULL,\n"
    "    FOREIGN KEY(tx_id) REFERENCES evm_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evmtx_receipt_logs (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,  /* adding identifier here instead of composite key in order to not duplicate in topics which are A LOT */\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    log_index INTEGER NOT NULL,\n"
    "    data BLOB NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    FOREIGN KEY(tx_id) REFERENCES evmtx_receipts(tx_id) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    UNIQUE(tx_id, log_index)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evmtx_receipt_log_topics (\n"
    "    log INTEGER NOT NULL,\n"
    "    topic BLOB NOT NULL,\n"
    "    topic_index INTEGER NOT NULL,\n"
    "    FOREIGN KEY(log) REFERENCES evmtx_receipt_logs(identifier) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    PRIMARY KEY(log, topic_index)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evmtx_address_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    FOREIGN KEY(tx_id) references evm_transactions(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    PRIMARY KEY (tx_id, address)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS zksynclite_tx_type (\n"
    "  type    CHAR(1)       PRIMARY KEY NOT NULL,\n"
    "  seq     INTEGER UNIQUE\n"
    ");",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('A', 1);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('B', 2);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('C', 3);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('D', 4);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('E', 5);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('F', 6);",
    "INSERT OR IGNORE INTO zksynclite_tx_type(type, seq) VALUES ('G', 7);",
    "CREATE TABLE IF NOT EXISTS zksynclite_transactions (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    tx_hash BLOB NOT NULL UNIQUE,\n"
    "    type CHAR(1) NOT NULL DEFAULT('A') REFERENCES zksynclite_tx_type(type),\n"
    "    is_decoded INTEGER NOT NULL DEFAULT 0 CHECK (is_decoded IN (0, 1)),\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    block_number INTEGER NOT NULL,\n"
    "    from_address TEXT NOT NULL,\n"
    "    to_address TEXT,\n"
    "    asset TEXT NOT NULL,\n"
    "    amount TEXT NOT NULL,\n"
    "    fee TEXT,\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS zksynclite_swaps (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    from_asset TEXT NOT NULL,\n"
    "    from_amount TEXT NOT NULL,\n"
    "    to_asset TEXT NOT NULL,\n"
    "    to_amount TEXT NOT NULL,\n"
    "    FOREIGN KEY(tx_id) REFERENCES zksynclite_transactions(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    FOREIGN KEY(from_asset) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    FOREIGN KEY(to_asset) REFERENCES assets(identifier) ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS margin_positions (\n"
    "    id TEXT PRIMARY KEY,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    open_time INTEGER,\n"
    "    close_time INTEGER,\n"
    "    profit_loss TEXT,\n"
    "    pl_currency TEXT NOT NULL,\n"
    "    fee TEXT,\n"
    "    fee_currency TEXT,\n"
    "    link TEXT,\n"
    "    notes TEXT,\n"
    "    FOREIGN KEY(pl_currency) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    FOREIGN KEY(fee_currency) REFERENCES assets(identifier) ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS used_query_ranges (\n"
    "    name VARCHAR[24] NOT NULL PRIMARY KEY,\n"
    "    start_ts INTEGER,\n"
    "    end_ts INTEGER\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_tx_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    FOREIGN KEY(tx_id) references evm_transactions(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    PRIMARY KEY (tx_id, value)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS evm_internal_tx_conflicts (\n"
    "    transaction_hash BLOB NOT NULL,\n"
    "    chain INTEGER NOT NULL,\n"
    "    action TEXT NOT NULL CHECK (action IN ('fix_redecode', 'repull')),\n"
    "    repull_reason TEXT CHECK (repull_reason IN ('all_zero_gas', 'other')),\n"
    "    redecode_reason TEXT CHECK (\n"
    "        redecode_reason IN (\n"
    "            'mixed_zero_gas',\n"
    "            'duplicate_exact_rows',\n"
    "            'mixed_zero_gas_and_duplicate'\n"
    "        )\n"
    "    ),\n"
    "    fixed INTEGER NOT NULL CHECK (fixed IN (0, 1)),\n"
    "    last_retry_ts INTEGER,\n"
    "    last_error TEXT,\n"
    "    PRIMARY KEY (transaction_hash, chain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS settings (\n"
    "    name VARCHAR[24] NOT NULL PRIMARY KEY,\n"
    "    value TEXT\n"
    ");",
    "CREATE TABLE IF NOT EXISTS tags (\n"
    "    name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,\n"
    "    description TEXT,\n"
    "    background_color TEXT,\n"
    "    foreground_color TEXT\n"
    ");",
    "INSERT OR IGNORE INTO tags(name, description, background_color, foreground_color) VALUES ('Contract', 'System tag for smart contract addresses', '9370DB', 'FFFFFF');",
    "CREATE TABLE IF NOT EXISTS tag_mappings (\n"
    "    object_reference TEXT,\n"
    "    tag_name TEXT,\n"
    "    FOREIGN KEY(tag_name) REFERENCES tags(name)\n"
    "    PRIMARY KEY (object_reference, tag_name)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS xpubs (\n"
    "    xpub TEXT NOT NULL,\n"
    "    derivation_path TEXT NOT NULL,\n"
    "    label TEXT,\n"
    "    blockchain TEXT NOT NULL,\n"
    "    PRIMARY KEY (xpub, derivation_path, blockchain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS xpub_mappings (\n"
    "    address TEXT NOT NULL,\n"
    "    xpub TEXT NOT NULL,\n"
    "    derivation_path TEXT NOT NULL,\n"
    "    account_index INTEGER,\n"
    "    derived_index INTEGER,\n"
    "    blockchain TEXT NOT NULL,\n"
    "    FOREIGN KEY(blockchain, address)\n"
    "    REFERENCES blockchain_accounts(blockchain, account) ON DELETE CASCADE\n"
    "    FOREIGN KEY(xpub, derivation_path, blockchain) REFERENCES xpubs(\n"
    "        xpub,\n"
    "        derivation_path,\n"
    "        blockchain\n"
    "    ) ON DELETE CASCADE\n"
    "    PRIMARY KEY (address, xpub, derivation_path, blockchain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS eth2_validators (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    validator_index INTEGER UNIQUE,\n"
    "    public_key TEXT NOT NULL UNIQUE,\n"
    "    ownership_proportion TEXT NOT NULL,\n"
    "    withdrawal_address TEXT,\n"
    "    validator_type INTEGER NOT NULL CHECK (validator_type IN (0, 1, 2)),\n"
    "    activation_timestamp INTEGER,\n"
    "    withdrawable_timestamp INTEGER,\n"
    "    exited_timestamp INTEGER\n"
    ");",
    "CREATE TABLE IF NOT EXISTS eth_validators_data_cache (\n"
    "    id INTEGER NOT NULL PRIMARY KEY,\n"
    "    validator_index INTEGER NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,  -- timestamp is in milliseconds\n"
    "    balance TEXT NOT NULL,\n"
    "    withdrawals_pnl TEXT NOT NULL,\n"
    "    exit_pnl TEXT NOT NULL,\n"
    "    UNIQUE(validator_index, timestamp),\n"
    "    FOREIGN KEY(validator_index) REFERENCES eth2_validators(validator_index) ON UPDATE CASCADE ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS history_events (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    entry_type INTEGER NOT NULL,\n"
    "    group_identifier TEXT NOT NULL,\n"
    "    sequence_index INTEGER NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    location_label TEXT,\n"
    "    asset TEXT NOT NULL,\n"
    "    amount TEXT NOT NULL,\n"
    "    notes TEXT,\n"
    "    type TEXT NOT NULL,\n"
    "    subtype TEXT NOT NULL,\n"
    "    extra_data TEXT,\n"
    "    ignored INTEGER NOT NULL DEFAULT 0,\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    UNIQUE(group_identifier, sequence_index)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS chain_events_info (\n"
    "    identifier INTEGER PRIMARY KEY,\n"
    "    tx_ref BLOB NOT NULL,\n"
    "    counterparty TEXT,\n"
    "    address TEXT,\n"
    "    FOREIGN KEY(identifier) REFERENCES history_events(identifier) ON UPDATE CASCADE ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS bitcoin_events_addresses (\n"
    "    event_identifier INTEGER NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    FOREIGN KEY(event_identifier) REFERENCES history_events(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    PRIMARY KEY(event_identifier, address)\n"
    ") WITHOUT ROWID;",
    "CREATE TABLE IF NOT EXISTS eth_staking_events_info(\n"
    "    identifier INTEGER PRIMARY KEY,\n"
    "    validator_index INTEGER NOT NULL,\n"
    "    is_exit_or_blocknumber INTEGER NOT NULL,\n"
    "    FOREIGN KEY(identifier) REFERENCES history_events(identifier) ON UPDATE CASCADE ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS history_events_mappings (\n"
    "    parent_identifier INTEGER NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    FOREIGN KEY(parent_identifier) references history_events(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    PRIMARY KEY (parent_identifier, name, value)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS history_events_backup (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    entry_type INTEGER NOT NULL,\n"
    "    group_identifier TEXT NOT NULL,\n"
    "    sequence_index INTEGER NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    location_label TEXT,\n"
    "    asset TEXT NOT NULL,\n"
    "    amount TEXT NOT NULL,\n"
    "    notes TEXT,\n"
    "    type TEXT NOT NULL,\n"
    "    subtype TEXT NOT NULL,\n"
    "    extra_data TEXT,\n"
    "    ignored INTEGER NOT NULL DEFAULT 0,\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    UNIQUE(group_identifier, sequence_index)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS chain_events_info_backup (\n"
    "    identifier INTEGER PRIMARY KEY,\n"
    "    tx_ref BLOB NOT NULL,\n"
    "    counterparty TEXT,\n"
    "    address TEXT,\n"
    "    FOREIGN KEY(identifier) REFERENCES history_events_backup(identifier) ON UPDATE CASCADE ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS ignored_actions (\n"
    "    identifier TEXT PRIMARY KEY\n"
    ");",
    "CREATE TABLE IF NOT EXISTS nfts (\n"
    "    identifier TEXT NOT NULL PRIMARY KEY,\n"
    "    name TEXT,\n"
    "    last_price TEXT NOT NULL,\n"
    "    last_price_asset TEXT NOT NULL,\n"
    "    manual_price INTEGER NOT NULL CHECK (manual_price IN (0, 1)),\n"
    "    owner_address TEXT,\n"
    "    blockchain TEXT GENERATED ALWAYS AS ('ETH') VIRTUAL,\n"
    "    is_lp INTEGER NOT NULL CHECK (is_lp IN (0, 1)),\n"
    "    image_url TEXT,\n"
    "    collection_name TEXT,\n"
    "    usd_price REAL NOT NULL DEFAULT 0,\n"
    "    FOREIGN KEY(blockchain, owner_address) REFERENCES blockchain_accounts(blockchain, account) ON DELETE CASCADE,\n"
    "    FOREIGN KEY (identifier) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    FOREIGN KEY (last_price_asset) REFERENCES assets(identifier) ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS ens_mappings (\n"
    "    address TEXT NOT NULL PRIMARY KEY,\n"
    "    ens_name TEXT UNIQUE,\n"
    "    last_update INTEGER NOT NULL,\n"
    "    last_avatar_update INTEGER NOT NULL DEFAULT 0\n"
    ");",
    "CREATE TABLE IF NOT EXISTS address_book (\n"
    "    address TEXT NOT NULL,\n"
    "    blockchain TEXT NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    PRIMARY KEY(address, blockchain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS rpc_nodes(\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    name TEXT NOT NULL,\n"
    "    endpoint TEXT NOT NULL,\n"
    "    owned INTEGER NOT NULL CHECK (owned IN (0, 1)),\n"
    "    active INTEGER NOT NULL CHECK (active IN (0, 1)),\n"
    "    weight TEXT NOT NULL,\n"
    "    blockchain TEXT NOT NULL,\n"
    "    UNIQUE(endpoint, blockchain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS user_notes(\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    title TEXT NOT NULL,\n"
    "    content TEXT NOT NULL,\n"
    "    location TEXT NOT NULL,\n"
    "    last_update_timestamp INTEGER NOT NULL,\n"
    "    is_pinned INTEGER NOT NULL CHECK (is_pinned IN (0, 1))\n"
    ");",
    "CREATE TABLE IF NOT EXISTS skipped_external_events (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    data TEXT NOT NULL,\n"
    "    location CHAR(1) NOT NULL DEFAULT('A') REFERENCES location(location),\n"
    "    extra_data TEXT,\n"
    "    UNIQUE(data, location)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS accounting_rules(\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    type TEXT NOT NULL,\n"
    "    subtype TEXT NOT NULL,\n"
    "    counterparty TEXT NOT NULL,\n"
    "    taxable INTEGER NOT NULL CHECK (taxable IN (0, 1)),\n"
    "    count_entire_amount_spend INTEGER NOT NULL CHECK (count_entire_amount_spend IN (0, 1)),\n"
    "    count_cost_basis_pnl INTEGER NOT NULL CHECK (count_cost_basis_pnl IN (0, 1)),\n"
    "    accounting_treatment TEXT,\n"
    "    is_event_specific INTEGER NOT NULL CHECK (is_event_specific IN (0, 1)) DEFAULT 0\n"
    ");",
    "CREATE TABLE IF NOT EXISTS accounting_rule_events(\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    rule_id INTEGER NOT NULL,\n"
    "    event_id INTEGER NOT NULL,\n"
    "    FOREIGN KEY(event_id) REFERENCES history_events(identifier) ON DELETE CASCADE,\n"
    "    FOREIGN KEY(rule_id) REFERENCES accounting_rules(identifier) ON DELETE CASCADE,\n"
    "    UNIQUE(rule_id, event_id)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS linked_rules_properties(\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    accounting_rule INTEGER REFERENCES accounting_rules(identifier),\n"
    "    property_name TEXT NOT NULL,\n"
    "    setting_name TEXT NOT NULL references settings(name)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS unresolved_remote_conflicts(\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    local_id INTEGER NOT NULL,\n"
    "    remote_data TEXT NOT NULL,\n"
    "    type INTEGER NOT NULL\n"
    ");",
    "CREATE TABLE IF NOT EXISTS key_value_cache (\n"
    "    name TEXT NOT NULL PRIMARY KEY,\n"
    "    value TEXT\n"
    ");",
    "CREATE TABLE IF NOT EXISTS history_event_links (\n"
    "    left_event_id INTEGER NOT NULL,\n"
    "    right_event_id INTEGER NOT NULL,\n"
    "    link_type INTEGER NOT NULL,\n"
    "    PRIMARY KEY (left_event_id, link_type, right_event_id),\n"
    "    FOREIGN KEY(left_event_id) REFERENCES history_events(identifier) ON DELETE CASCADE,\n"
    "    FOREIGN KEY(right_event_id) REFERENCES history_events(identifier) ON DELETE CASCADE,\n"
    "    UNIQUE(right_event_id, link_type)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS history_event_link_ignores (\n"
    "    event_id INTEGER NOT NULL,\n"
    "    link_type INTEGER NOT NULL,\n"
    "    PRIMARY KEY (event_id, link_type),\n"
    "    FOREIGN KEY(event_id) REFERENCES history_events(identifier) ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS calendar (\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    description TEXT,\n"
    "    counterparty TEXT,\n"
    "    address TEXT,\n"
    "    blockchain TEXT,\n"
    "    color TEXT,\n"
    "    auto_delete INTEGER NOT NULL CHECK (auto_delete IN (0, 1)),\n"
    "    FOREIGN KEY(blockchain, address) REFERENCES blockchain_accounts(blockchain, account) ON DELETE CASCADE,\n"
    "    UNIQUE(name, address, blockchain)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS calendar_reminders (\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    event_id INTEGER NOT NULL,\n"
    "    secs_before INTEGER NOT NULL,\n"
    "    acknowledged INTEGER NOT NULL CHECK (acknowledged IN (0, 1)) DEFAULT 0,\n"
    "    FOREIGN KEY(event_id) REFERENCES calendar(identifier) ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS cowswap_orders (\n"
    "    identifier TEXT NOT NULL PRIMARY KEY,\n"
    "    order_type TEXT NOT NULL,\n"
    "    raw_fee_amount TEXT NOT NULL\n"
    ");",
    "CREATE TABLE IF NOT EXISTS gnosispay_data (\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    tx_hash BLOB NOT NULL UNIQUE,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    merchant_name TEXT NOT NULL,\n"
    "    merchant_city TEXT,\n"
    "    country TEXT NOT NULL,\n"
    "    mcc INTEGER NOT NULL,\n"
    "    transaction_symbol TEXT NOT NULL,\n"
    "    transaction_amount TEXT NOT NULL,\n"
    "    billing_symbol TEXT,\n"
    "    billing_amount TEXT,\n"
    "    reversal_symbol TEXT,\n"
    "    reversal_amount TEXT\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_transactions (\n"
    "    identifier INTEGER PRIMARY KEY NOT NULL,\n"
    "    slot INTEGER NOT NULL,\n"
    "    fee INTEGER NOT NULL,\n"
    "    block_time INTEGER NOT NULL,\n"
    "    success INTEGER NOT NULL CHECK(success IN (0, 1)),\n"
    "    signature BLOB NOT NULL UNIQUE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_tx_account_keys (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    account_index INTEGER NOT NULL,\n"
    "    address BLOB NOT NULL,\n"
    "    PRIMARY KEY(tx_id, account_index),\n"
    "    FOREIGN KEY(tx_id) REFERENCES solana_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_tx_instructions (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    execution_index INTEGER NOT NULL,\n"
    "    parent_execution_index INTEGER NOT NULL,\n"
    "    program_id_index INTEGER NOT NULL,\n"
    "    data BLOB,\n"
    "    FOREIGN KEY(tx_id) REFERENCES solana_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    FOREIGN KEY(tx_id, program_id_index) REFERENCES solana_tx_account_keys(tx_id, account_index) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_tx_instruction_accounts (\n"
    "    identifier INTEGER NOT NULL PRIMARY KEY,\n"
    "    instruction_id INTEGER NOT NULL,\n"
    "    account_order INTEGER NOT NULL,\n"
    "    account_index INTEGER NOT NULL,\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    FOREIGN KEY(instruction_id) REFERENCES solana_tx_instructions(identifier) ON DELETE CASCADE ON UPDATE CASCADE,\n"
    "    FOREIGN KEY(tx_id, account_index) REFERENCES solana_tx_account_keys(tx_id, account_index) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solanatx_address_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    PRIMARY KEY(tx_id, address),\n"
    "    FOREIGN KEY(tx_id) REFERENCES solana_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_tx_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    FOREIGN KEY(tx_id) references solana_transactions(identifier) ON UPDATE CASCADE ON DELETE CASCADE,\n"
    "    PRIMARY KEY (tx_id, value)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS solana_ata_address_mappings (\n"
    "    blockchain TEXT GENERATED ALWAYS AS ('SOLANA') VIRTUAL,\n"
    "    account TEXT NOT NULL,\n"
    "    ata_address TEXT NOT NULL,\n"
    "    PRIMARY KEY(account, ata_address),\n"
    "    FOREIGN KEY(blockchain, account) REFERENCES blockchain_accounts(blockchain, account) ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS lido_csm_node_operators (\n"
    "    node_operator_id INTEGER NOT NULL PRIMARY KEY,\n"
    "    address TEXT NOT NULL,\n"
    "    blockchain TEXT GENERATED ALWAYS AS ('ETH') VIRTUAL,\n"
    "    FOREIGN KEY(blockchain, address)\n"
    "        REFERENCES blockchain_accounts(blockchain, account)\n"
    "        ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS lido_csm_node_operator_metrics (\n"
    "    node_operator_id INTEGER NOT NULL PRIMARY KEY,\n"
    "    operator_type_id INTEGER,\n"
    "    bond_current TEXT,\n"
    "    bond_required TEXT,\n"
    "    bond_claimable TEXT,\n"
    "    total_deposited_validators INTEGER,\n"
    "    rewards_pending TEXT,\n"
    "    updated_ts INTEGER,\n"
    "    FOREIGN KEY(node_operator_id)\n"
    "        REFERENCES lido_csm_node_operators(node_operator_id)\n"
    "        ON UPDATE CASCADE ON DELETE CASCADE\n"
    ");",
    "CREATE TABLE IF NOT EXISTS historical_balance_cache (\n"
    "    id INTEGER NOT NULL PRIMARY KEY,\n"
    "    blockchain TEXT NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    asset TEXT NOT NULL,\n"
    "    amount TEXT NOT NULL,\n"
    "    timestamp INTEGER NOT NULL,\n"
    "    block_number INTEGER NOT NULL,\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    UNIQUE(blockchain, address, asset, block_number)\n"
    ");",
    "CREATE TABLE IF NOT EXISTS blockchain_balances_cache (\n"
    "    blockchain TEXT NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    asset TEXT NOT NULL,\n"
    "    label TEXT NOT NULL DEFAULT '',\n"
    "    category CHAR(1) NOT NULL DEFAULT('A'),\n"
    "    amount TEXT NOT NULL,\n"
    "    FOREIGN KEY(asset) REFERENCES assets(identifier) ON UPDATE CASCADE,\n"
    "    PRIMARY KEY (blockchain, address, asset, label, category)\n"
    ") WITHOUT ROWID;",
    "CREATE INDEX IF NOT EXISTS idx_history_events_entry_type ON history_events(entry_type);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_timestamp ON history_events(timestamp);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_location ON history_events(location);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_location_label ON history_events(location_label);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_asset ON history_events(asset);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_type ON history_events(type);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_subtype ON history_events(subtype);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_ignored ON history_events(ignored);",
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_events_addresses_address ON bitcoin_events_addresses(address);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_links_right ON history_event_links(right_event_id);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_links_composite ON history_event_links(link_type, left_event_id, right_event_id);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_link_ignores_type ON history_event_link_ignores(link_type);",
    "CREATE INDEX IF NOT EXISTS idx_chain_events_info_tx_ref ON chain_events_info(tx_ref);",
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_generic_accounting_rules ON accounting_rules(type, subtype, counterparty) WHERE is_event_specific = 0;",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int exec_rc(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    sqlite3_free(err);
    return rc;
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

/* The first column of the first row as text into out ("(null)" / "(none)" otherwise). */
static const char *query_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    snprintf(out, n, "(none)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", t ? (const char *)t : "(null)");
    }
    sqlite3_finalize(st);
    return out;
}

static sqlite3 *open_memory(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || exec_rc(db, "PRAGMA foreign_keys=ON;") != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* rotki's v52 schema plus its version row, or NULL. */
static sqlite3 *open_v52(void)
{
    sqlite3 *db = open_memory();
    int ok = db && exec_rc(db, "BEGIN;") == SQLITE_OK;
    for (size_t i = 0; ok && i < COUNT_OF(v52_schema); i++) ok = exec_rc(db, v52_schema[i]) == SQLITE_OK;
    if (ok) ok = exec_rc(db, "INSERT INTO settings(name, value) VALUES('version', '52'); COMMIT;") == SQLITE_OK;
    if (!ok) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* A fresh v53 DB from db/schema.c, or NULL. */
static sqlite3 *open_v53(void)
{
    sqlite3 *db = open_memory();
    int ok = db && exec_rc(db, "BEGIN;") == SQLITE_OK;
    for (size_t i = 0; ok && i < db_schema_create_count; i++) ok = exec_rc(db, db_schema_create[i]) == SQLITE_OK;
    if (ok) ok = exec_rc(db, "COMMIT;") == SQLITE_OK;
    if (!ok) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static const userdb_migration_t *step_from(int from)
{
    for (size_t i = 0; i < userdb_migration_count; i++)
        if (userdb_migrations[i].from == from) return &userdb_migrations[i];
    return NULL;
}

/* What the driver does: the step and the version row in one transaction, rolled back on any
 * error. Returns the step's result code; `loud` prints SQLite's message on failure. */
static int migrate_db(sqlite3 *db, const userdb_migration_t *m, int loud)
{
    char *err = NULL, ver[96];
    if (!m || exec_rc(db, "BEGIN IMMEDIATE;") != SQLITE_OK) return SQLITE_ERROR;
    int rc = sqlite3_exec(db, m->sql, NULL, NULL, &err);
    if (rc != SQLITE_OK && loud) printf("    migration failed: %s\n", err ? err : "?");
    if (rc == SQLITE_OK && sqlite3_get_autocommit(db)) rc = SQLITE_MISUSE; /* it ended the transaction */
    sqlite3_free(err);
    snprintf(ver, sizeof ver, "INSERT OR REPLACE INTO settings(name, value) VALUES('version', '%d');", m->to);
    if (rc == SQLITE_OK) rc = exec_rc(db, ver);
    if (rc == SQLITE_OK) rc = exec_rc(db, "COMMIT;");
    if (rc != SQLITE_OK) exec_rc(db, "ROLLBACK;");
    return rc;
}

static int migrate(sqlite3 *db, const userdb_migration_t *m) { return migrate_db(db, m, 1); }

/* s without any whitespace, truncated to n-1 bytes */
static void squeeze(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r') out[k++] = *s;
    out[k] = 0;
}

/* Every table and explicit index of `want` exists in `got` with the same DDL once whitespace is
 * removed, and `got` has no other table, index, trigger or view. Returns the number of
 * differences, printing each. */
static int schema_diff(sqlite3 *got, sqlite3 *want)
{
    static char a[16384], b[16384];
    int diffs = 0;
    sqlite3_stmt *w = NULL, *g = NULL;
    sqlite3_prepare_v2(want, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name", -1, &w, NULL);
    sqlite3_prepare_v2(got, "SELECT sql FROM sqlite_master WHERE type=? AND name=?", -1, &g, NULL);
    while (sqlite3_step(w) == SQLITE_ROW) {
        sqlite3_reset(g);
        sqlite3_bind_text(g, 1, (const char *)sqlite3_column_text(w, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(g, 2, (const char *)sqlite3_column_text(w, 1), -1, SQLITE_TRANSIENT);
        squeeze((const char *)sqlite3_column_text(w, 2), a, sizeof a);
        if (sqlite3_step(g) != SQLITE_ROW) {
            printf("    missing %s %s\n", sqlite3_column_text(w, 0), sqlite3_column_text(w, 1));
            diffs++;
            continue;
        }
        squeeze((const char *)sqlite3_column_text(g, 0), b, sizeof b);
        if (strcmp(a, b) != 0) {
            printf("    differs %s:\n      want %.300s\n      got  %.300s\n", sqlite3_column_text(w, 1), a, b);
            diffs++;
        }
    }
    sqlite3_finalize(w);
    sqlite3_finalize(g);
    long long n_got = query_int(got, "SELECT count(*) FROM sqlite_master WHERE sql IS NOT NULL");
    long long n_want = query_int(want, "SELECT count(*) FROM sqlite_master WHERE sql IS NOT NULL");
    if (n_got != n_want) {
        printf("    %lld schema objects, expected %lld\n", n_got, n_want);
        diffs++;
    }
    return diffs;
}

UNIT_TEST(the_step_is_v52_to_v53)
{
    const userdb_migration_t *m = step_from(52);
    CHECK(m);
    CHECK_EQ_INT(m->to, 53);
    CHECK_EQ_INT(m->to, DB_SCHEMA_VERSION);
    CHECK(m->description && m->description[0]);
    CHECK(m->sql && sqlite3_complete(m->sql));
    CHECK(!strstr(m->sql, "BEGIN;") && !strstr(m->sql, "BEGIN IMMEDIATE") && !strstr(m->sql, "COMMIT") &&
          !strstr(m->sql, "ROLLBACK") && !strstr(m->sql, "END TRANSACTION"));
    for (size_t i = 0; i < userdb_migration_count; i++) CHECK_EQ_INT(userdb_migrations[i].to, userdb_migrations[i].from + 1);
}

/* Rows in every table the upgrade reads or rewrites. Assets first: every asset column is a
 * foreign key. Locations: 'q' bitcoin, 'r' bitcoin cash, 'o' zksync lite, 'f' ethereum,
 * 'B' kraken, 'E' binance. */
static const char seed_sql[] =
    "INSERT INTO assets(identifier) VALUES ('ETH'), ('BTC'), ('BCH');"
    "INSERT INTO settings(name, value) VALUES "
    "('address_name_priority', '[\"gns_names\", \"private_addressbook\", \"ens_names\", \"ethereum_tokens\"]'),"
    "('current_price_oracles', '[\"coingecko\", \"kraken\", \"defillama\"]'),"
    "('evm_indexers_order', '{\"ethereum\": [\"etherscan\", \"blockscout\"], \"gnosis\": [\"etherscan\"], \"base\": []}'),"
    "('location_unsupported_assets_version', '3'), ('main_currency', 'EUR');"
    "INSERT INTO ens_mappings(address, ens_name, last_update, last_avatar_update) VALUES "
    "('0xA1', 'alice.eth', 100, 7), ('0xB2', NULL, 200, 0);"
    "INSERT INTO evm_transactions(identifier, tx_hash, chain_id, timestamp, block_number, from_address, to_address, "
    "value, gas, gas_price, gas_used, input_data, nonce) VALUES "
    "(1, X'11', 1, 10, 1, '0xA1', '0xB2', '0', '21000', '1', '21000', X'', 0),"
    "(2, X'22', 1, 20, 2, '0xA1', '0xB2', '0', '21000', '1', '21000', X'', 1);"
    "INSERT INTO evm_internal_transactions(parent_tx, trace_id, from_address, to_address, value, gas, gas_used) VALUES "
    "(1, 0, '0xA1', '0xB2', '5', '0', '0');"
    "INSERT INTO evm_tx_mappings(tx_id, value) VALUES (1, 0), (2, 0);"
    "INSERT INTO evm_accounts_details(account, chain_id, key, value) VALUES "
    "('0xA1', 1, 'proxies', 'ds:0xP1'), ('0xA1', 1, 'proxies', 'broken'), ('0xA1', 1, 'tokens', '0xT');"
    "INSERT INTO user_credentials(name, location, api_key, api_secret) VALUES "
    "('kraken1', 'B', 'k', 's'), ('bin1', 'E', 'k', 's'), ('bin2', 'E', 'k', 's');"
    "INSERT INTO history_events(identifier, entry_type, group_identifier, sequence_index, timestamp, location, "
    "location_label, asset, amount, type, subtype) VALUES "
    "(1, 1, 'kr1', 0, 1, 'B', NULL, 'ETH', '1', 'trade', 'spend'),"
    "(2, 1, 'kr2', 0, 1, 'B', 'kraken1', 'ETH', '1', 'trade', 'spend'),"
    "(3, 1, 'bn1', 0, 1, 'E', NULL, 'ETH', '1', 'trade', 'spend'),"
    "(4, 1, 'btc_" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" "', 0, 1, 'q', NULL, 'BTC', '1', 'receive', 'none'),"
    "(5, 1, 'btc_" "FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100" "', 0, 1, 'q', NULL, 'BTC', '1', 'receive', 'none'),"
    "(6, 1, 'btc_my own note', 0, 1, 'q', NULL, 'BTC', '1', 'receive', 'none'),"
    "(7, 1, 'bch_" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "', 0, 1, 'r', NULL, 'BCH', '1', 'spend', 'fee'),"
    "(8, 2, 'evm1', 0, 1, 'f', NULL, 'ETH', '1', 'spend', 'fee'),"
    "(9, 2, 'evm2', 0, 1, 'f', NULL, 'ETH', '1', 'spend', 'fee'),"
    "(10, 1, 'zk1', 0, 1, 'o', NULL, 'ETH', '1', 'deposit', 'bridge'),"
    "(11, 1, 'zk1', 1, 1, 'o', NULL, 'ETH', '1', 'spend', 'fee'),"
    "(12, 1, 'adj', 0, 1, 'B', 'kraken1', 'ETH', '1', 'exchange adjustment', 'none'),"
    "(13, 1, 'zk2', 0, 1, 'o', NULL, 'ETH', '1', 'spend', 'fee');"
    "INSERT INTO chain_events_info(identifier, tx_ref, counterparty, address) VALUES "
    "(8, X'11', NULL, NULL), (9, X'22', 'uniswap', NULL), (10, X'33', NULL, NULL), (11, X'33', NULL, NULL), "
    "(13, X'44', NULL, NULL);"
    /* customized: btc event 5 and the evm event of tx 2 survive the decoded-events reset */
    "INSERT INTO history_events_mappings(parent_identifier, name, value) VALUES "
    "(5, 'state', 1), (9, 'state', 1), (12, 'state', 3);"
    "INSERT INTO history_events_backup(identifier, entry_type, group_identifier, sequence_index, timestamp, location, "
    "asset, amount, type, subtype) VALUES "
    "(5, 1, 'btc_" "FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100" "', 0, 1, 'q', 'BTC', '2', 'receive', 'none'),"
    "(999, 1, 'gone', 0, 1, 'B', 'ETH', '1', 'trade', 'spend');"
    "INSERT INTO key_value_cache(name, value) VALUES "
    "('last_btc_tx_block_bc1qxyz', '5'), ('last_bch_tx_block_qq1', '6'), ('lastXbtcXtxXblockXa', '7'), ('main_thing', '8');";

UNIT_TEST(upgraded_db_has_the_v53_schema)
{
    sqlite3 *db = open_v52(), *fresh = open_v53();
    if (!db || !fresh) {
        sqlite3_close(db);
        sqlite3_close(fresh);
    }
    CHECK(db && fresh);
    int seed_rc = exec_rc(db, seed_sql);
    int rc = migrate(db, step_from(52));
    int diffs = schema_diff(db, fresh);
    long long temp_left = query_int(db, "SELECT count(*) FROM sqlite_temp_master");
    long long fk_violations = query_int(db, "SELECT count(*) FROM pragma_foreign_key_check");
    char buf[64];
    query_text(db, "PRAGMA integrity_check", buf, sizeof buf);
    long long version = query_int(db, "SELECT CAST(value AS INTEGER) FROM settings WHERE name='version'");
    long long stamp = query_int(db, "SELECT count(*) FROM key_value_cache WHERE name='last_db_upgrade' "
                                    "AND CAST(value AS INTEGER) > 1700000000");
    sqlite3_close(db);
    sqlite3_close(fresh);
    CHECK_EQ_INT(seed_rc, SQLITE_OK);
    CHECK_EQ_INT(rc, SQLITE_OK);
    CHECK_EQ_INT(diffs, 0);
    CHECK_EQ_INT(temp_left, 0);
    CHECK_EQ_INT(fk_violations, 0);
    CHECK_EQ_STR(buf, "ok");
    CHECK_EQ_INT(version, 53);
    CHECK_EQ_INT(stamp, 1);
}

UNIT_TEST(upgrade_carries_and_moves_the_data)
{
    sqlite3 *db = open_v52();
    CHECK(db);
    int seed_rc = exec_rc(db, seed_sql);
    int rc = migrate(db, step_from(52));
    char names[256], oracles[256], indexers[256];
    query_text(db, "SELECT value FROM settings WHERE name='address_name_priority'", names, sizeof names);
    query_text(db, "SELECT value FROM settings WHERE name='current_price_oracles'", oracles, sizeof oracles);
    query_text(db, "SELECT value FROM settings WHERE name='evm_indexers_order'", indexers, sizeof indexers);
    long long stale_setting = query_int(db, "SELECT count(*) FROM settings WHERE name='location_unsupported_assets_version'");
    long long currency = query_int(db, "SELECT count(*) FROM settings WHERE name='main_currency' AND value='EUR'");
    long long locations = query_int(db, "SELECT count(*) FROM location WHERE (location, seq) IN (VALUES ('{', 59), ('|', 60), ('}', 61))");
    long long ens = query_int(db, "SELECT count(*) FROM ens_mappings WHERE source='ens' AND ((address='0xA1' AND "
                                  "ens_name='alice.eth' AND last_update=100 AND last_avatar_update=7) OR "
                                  "(address='0xB2' AND ens_name IS NULL AND last_update=200))");
    long long internal = query_int(db, "SELECT count(*) FROM evm_internal_transactions WHERE parent_tx=1 AND source=0 AND value='5'");
    long long proxies = query_int(db, "SELECT count(*) FROM evm_account_proxies WHERE account='0xA1' AND chain_id=1 "
                                      "AND proxy_type='ds' AND proxy_address='0xP1'");
    long long n_proxies = query_int(db, "SELECT count(*) FROM evm_account_proxies");
    long long details = query_int(db, "SELECT group_concat(key) = 'tokens' FROM evm_accounts_details");
    /* labels: kraken has one key -> filled; binance has two -> left NULL */
    long long kraken_label = query_int(db, "SELECT count(*) FROM history_events WHERE identifier=1 AND location_label='kraken1'");
    long long binance_label = query_int(db, "SELECT count(*) FROM history_events WHERE identifier=3 AND location_label IS NULL");
    /* bitcoin: 4 and 7 became chain events and were reset, 5 is customized and stays as a
     * chain event with its tx id, 6 is a user's event and stays plain; its backup follows */
    long long btc_gone = query_int(db, "SELECT count(*) FROM history_events WHERE identifier IN (4, 7)");
    long long btc_kept = query_int(db, "SELECT count(*) FROM history_events H JOIN chain_events_info C USING(identifier) "
                                       "WHERE H.identifier=5 AND H.entry_type=11 AND C.tx_ref=X'FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100' "
                                       "AND C.counterparty IS NULL AND C.address IS NULL");
    long long btc_plain = query_int(db, "SELECT count(*) FROM history_events WHERE identifier=6 AND entry_type=1");
    long long btc_backup = query_int(db, "SELECT count(*) FROM history_events_backup B JOIN chain_events_info_backup C USING(identifier) "
                                         "WHERE B.identifier=5 AND B.entry_type=11 AND length(C.tx_ref)=32");
    long long orphan = query_int(db, "SELECT count(*) FROM history_events_backup WHERE identifier=999");
    /* evm: tx 1's decoded event and decoded flag are reset, customized tx 2 keeps both */
    long long evm = query_int(db, "SELECT (SELECT count(*) FROM history_events WHERE identifier=8) * 10 + "
                                  "(SELECT count(*) FROM history_events WHERE identifier=9)");
    long long evm_flags = query_int(db, "SELECT group_concat(tx_id) FROM evm_tx_mappings");
    /* zksync lite: the bridging leg and its fee are labeled, another transaction's fee not */
    long long zk = query_int(db, "SELECT group_concat(identifier) = '10,11' FROM "
                                 "(SELECT identifier FROM chain_events_info WHERE counterparty='zksync' ORDER BY identifier)");
    long long zk_other = query_int(db, "SELECT count(*) FROM chain_events_info WHERE identifier=13 AND counterparty IS NULL");
    long long synthetic = query_int(db, "SELECT count(*) FROM history_events_mappings WHERE parent_identifier=12 AND name='state' AND value IN (3, 5)");
    long long cache = query_int(db, "SELECT group_concat(name) = 'lastXbtcXtxXblockXa,last_db_upgrade,main_thing' FROM "
                                    "(SELECT name FROM key_value_cache ORDER BY name)");
    sqlite3_close(db);
    CHECK_EQ_INT(seed_rc, SQLITE_OK);
    CHECK_EQ_INT(rc, SQLITE_OK);
    CHECK_EQ_STR(names, "[\"private_addressbook\", \"ens_names\", \"gns_names\", \"ethereum_tokens\"]");
    CHECK_EQ_STR(oracles, "[\"kraken\", \"coingecko\", \"defillama\"]");
    CHECK_EQ_STR(indexers, "{\"ethereum\": [\"etherscan\", \"blockscout\"], \"gnosis\": [\"blockscout\", \"etherscan\"], \"base\": []}");
    CHECK_EQ_INT(stale_setting, 0);
    CHECK_EQ_INT(currency, 1);
    CHECK_EQ_INT(locations, 3);
    CHECK_EQ_INT(ens, 2);
    CHECK_EQ_INT(internal, 1);
    CHECK_EQ_INT(proxies, 1);
    CHECK_EQ_INT(n_proxies, 1);
    CHECK_EQ_INT(details, 1);
    CHECK_EQ_INT(kraken_label, 1);
    CHECK_EQ_INT(binance_label, 1);
    CHECK_EQ_INT(btc_gone, 0);
    CHECK_EQ_INT(btc_kept, 1);
    CHECK_EQ_INT(btc_plain, 1);
    CHECK_EQ_INT(btc_backup, 1);
    CHECK_EQ_INT(orphan, 0);
    CHECK_EQ_INT(evm, 1);
    CHECK_EQ_INT(evm_flags, 2);
    CHECK_EQ_INT(zk, 1);
    CHECK_EQ_INT(zk_other, 1);
    CHECK_EQ_INT(synthetic, 2);
    CHECK_EQ_INT(cache, 1);
}

/* Settings rotki leaves alone: missing, not JSON, not a list / object, already migrated. */
UNIT_TEST(settings_rotki_skips_are_skipped)
{
    sqlite3 *db = open_v52();
    CHECK(db);
    int seed_rc = exec_rc(db, "INSERT INTO settings(name, value) VALUES "
                              "('address_name_priority', 'not json'), ('current_price_oracles', '{\"a\": 1}'),"
                              "('evm_indexers_order', '{\"gnosis\": [\"etherscan\", \"blockscout\"]}');");
    int rc = migrate(db, step_from(52));
    char names[64], oracles[64], indexers[128];
    query_text(db, "SELECT value FROM settings WHERE name='address_name_priority'", names, sizeof names);
    query_text(db, "SELECT value FROM settings WHERE name='current_price_oracles'", oracles, sizeof oracles);
    query_text(db, "SELECT value FROM settings WHERE name='evm_indexers_order'", indexers, sizeof indexers);
    sqlite3_close(db);
    CHECK_EQ_INT(seed_rc, SQLITE_OK);
    CHECK_EQ_INT(rc, SQLITE_OK);
    CHECK_EQ_STR(names, "not json");
    CHECK_EQ_STR(oracles, "{\"a\": 1}");
    CHECK_EQ_STR(indexers, "{\"gnosis\": [\"etherscan\", \"blockscout\"]}");
}

/* Canonical spellings: EIP-55's published vectors, then the two of rotki's v52->v53 test. */
static const char *const eip55[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0xaB19dE37aB19DE37AB19de37Ab19de37ab19de37", "0xCe37CE37ce37CE37Ce37CE37cE37Ce37CE37Ce37",
};

static void lower_hex(const char *in, char *out)
{
    for (; *in; in++) *out++ = (*in >= 'A' && *in <= 'F') ? (char)(*in + 32) : *in;
    *out = 0;
}

static void upper_hex(const char *in, char *out)
{
    *out++ = *in++;
    *out++ = *in++; /* keep '0x' */
    for (; *in; in++) *out++ = (*in >= 'a' && *in <= 'f') ? (char)(*in - 32) : *in;
    *out = 0;
}

UNIT_TEST(evm_identifiers_are_checksummed)
{
    sqlite3 *db = open_v52();
    CHECK(db);
    char sql[8192], lo[64], up[64], got[128];
    size_t k = 0;
    k += (size_t)snprintf(sql + k, sizeof sql - k, "INSERT INTO assets(identifier) VALUES ('ETH')");
    /* every vector stored lower case on chain 10, upper case on chain 100, as is on chain 1 */
    for (size_t i = 0; i < COUNT_OF(eip55); i++) {
        lower_hex(eip55[i], lo);
        upper_hex(eip55[i], up);
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", ('eip155:10/erc20:%s'), ('eip155:100/erc20:%s')", lo, up);
    }
    lower_hex(eip55[7], lo);
    k += (size_t)snprintf(sql + k, sizeof sql - k,
                          ", ('eip155:1/erc721:%s/123')"                          /* an nft: the id stays */
                          ", ('eip155:1/erc20:0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED')" /* 0X prefix */
                          ", ('eip155:1/erc20:0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed')" /* mixed case: left */
                          ", ('eip155:1/erc20:0xnothex0000000000000000000000000000000000')"
                          ", ('eip155:1:erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');", lo);
    int seed_rc = exec_rc(db, sql);
    int seed2_rc = exec_rc(db,
        "INSERT INTO history_events(entry_type, group_identifier, sequence_index, timestamp, location, asset, amount, type, subtype) "
        "VALUES (1, 'g', 0, 1, 'A', 'eip155:10/erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', '1', 'receive', 'none');"
        "INSERT INTO multisettings(name, value) VALUES ('ignored_asset', 'eip155:10/erc20:0x52908400098527886e0f7030069857d2e4169ee7');");
    int rc = migrate(db, step_from(52));
    int wrong = 0;
    for (size_t i = 0; i < COUNT_OF(eip55); i++) {
        const char *chains[] = {"10", "100"};
        for (int c = 0; c < 2; c++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM assets WHERE identifier='eip155:%s/erc20:%s'", chains[c], eip55[i]);
            if (query_int(db, sql) != 1) {
                printf("    eip155:%s/erc20:%s missing\n", chains[c], eip55[i]);
                wrong++;
            }
        }
    }
    snprintf(sql, sizeof sql, "SELECT count(*) FROM assets WHERE identifier='eip155:1/erc721:%s/123'", eip55[7]);
    long long nft = query_int(db, sql);
    long long prefix = query_int(db, "SELECT count(*) FROM assets WHERE identifier='eip155:1/erc20:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'");
    long long left = query_int(db, "SELECT count(*) FROM assets WHERE identifier IN ("
                                   "'eip155:1/erc20:0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed', "
                                   "'eip155:1/erc20:0xnothex0000000000000000000000000000000000', "
                                   "'eip155:1:erc20:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')");
    long long total = query_int(db, "SELECT count(*) FROM assets");
    query_text(db, "SELECT asset FROM history_events", got, sizeof got);
    char ignored[128];
    query_text(db, "SELECT value FROM multisettings WHERE name='ignored_asset'", ignored, sizeof ignored);
    sqlite3_close(db);
    CHECK_EQ_INT(seed_rc, SQLITE_OK);
    CHECK_EQ_INT(seed2_rc, SQLITE_OK);
    CHECK_EQ_INT(rc, SQLITE_OK);
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(nft, 1);
    CHECK_EQ_INT(prefix, 1);
    CHECK_EQ_INT(left, 3);
    CHECK_EQ_INT(total, 1 + 2 * (long long)COUNT_OF(eip55) + 1 + 1 + 3);
    CHECK_EQ_STR(got, "eip155:10/erc20:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    CHECK_EQ_STR(ignored, "eip155:10/erc20:0x52908400098527886E0F7030069857D2E4169EE7");
}

#define T_ID "eip155:1/erc20:0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
#define L_ID "eip155:1/erc20:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"
#define U_ID "eip155:1/erc20:0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359"
#define T3_ID "eip155:1/erc20:0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
#define L3_ID "eip155:1/erc20:0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb"
#define U3_ID "eip155:1/erc20:0xDBF03B407C01E7CD3CBEA99509D93F8DDDC8C6FB"

/* Spellings that collide with a canonical row are merged: timed balances summed exactly (rotki
 * rereads the canonical rows once per merged spelling), colliding rows of the first spelling
 * in sorted order win, the rest are dropped with the asset. */
UNIT_TEST(colliding_spellings_are_merged)
{
    sqlite3 *db = open_v52();
    CHECK(db);
    int seed_rc = exec_rc(db,
        "INSERT INTO assets(identifier) VALUES ('ETH'), ('" T_ID "'), ('" L_ID "'), ('" U_ID "'), ('" L3_ID "'), ('" U3_ID "');"
        "INSERT INTO timed_balances(category, timestamp, currency, amount, usd_value) VALUES "
        "('A', 1000, '" T_ID "', '1.5', '3'), ('A', 1000, '" L_ID "', '2.25', '4.5'), ('A', 1000, '" U_ID "', '0.25', '0.5'),"
        "('A', 2000, '" L_ID "', '0.10', '1.000'),"
        "('A', 3000, '" T_ID "', '123456789012345678901234567890.123456789', '0'), ('A', 3000, '" L_ID "', '-0.123456789', '-5'),"
        "('B', 3000, '" L_ID "', ' 7 ', '1.5E+2'), ('B', 4000, '" L_ID "', '-2e-3', 'NaN'),"
        "('A', 5, '" L3_ID "', '1', '10'), ('A', 5, '" U3_ID "', '2', '20'), ('A', 6, '" U3_ID "', '0.5', '-0.5');"
        "INSERT INTO nfts(identifier, name, last_price, last_price_asset, manual_price, is_lp) VALUES "
        "('" L_ID "', 'lower', '1', 'ETH', 0, 0), ('" U_ID "', 'upper', '1', 'ETH', 0, 0);"
        "INSERT INTO history_events(entry_type, group_identifier, sequence_index, timestamp, location, asset, amount, type, subtype) "
        "VALUES (1, 'g', 0, 1, 'A', '" L_ID "', '1', 'receive', 'none'), (1, 'g', 1, 1, 'A', '" L3_ID "', '1', 'receive', 'none');"
        "INSERT INTO multisettings(name, value) VALUES ('ignored_asset', '" L_ID "'), ('ignored_asset', '" T_ID "'), ('ignored_asset', '" L3_ID "');");
    int rc = migrate(db, step_from(52));
    char b1[160], b2[160], b3[160], b3b[160], b4[160], b5[160], b6[160], nft[64], ev[160], ign[400];
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=1000", b1, sizeof b1);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=2000", b2, sizeof b2);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=3000 AND category='A'", b3, sizeof b3);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=3000 AND category='B'", b3b, sizeof b3b);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=4000", b4, sizeof b4);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=5", b5, sizeof b5);
    query_text(db, "SELECT amount || '|' || usd_value FROM timed_balances WHERE timestamp=6", b6, sizeof b6);
    long long tb_others = query_int(db, "SELECT count(*) FROM timed_balances WHERE currency NOT IN ('" T_ID "', '" T3_ID "')");
    long long tb_rows = query_int(db, "SELECT count(*) FROM timed_balances");
    query_text(db, "SELECT name FROM nfts WHERE identifier='" T_ID "'", nft, sizeof nft);
    long long nfts = query_int(db, "SELECT count(*) FROM nfts");
    query_text(db, "SELECT group_concat(asset, ' ') FROM (SELECT asset FROM history_events ORDER BY sequence_index)", ev, sizeof ev);
    query_text(db, "SELECT group_concat(value, ' ') FROM (SELECT value FROM multisettings WHERE name='ignored_asset' ORDER BY value)", ign, sizeof ign);
    long long assets = query_int(db, "SELECT group_concat(identifier, ' ') = 'ETH " T3_ID " " T_ID "' FROM (SELECT identifier FROM assets ORDER BY identifier)");
    long long fk = query_int(db, "SELECT count(*) FROM pragma_foreign_key_check");
    sqlite3_close(db);
    CHECK_EQ_INT(seed_rc, SQLITE_OK);
    CHECK_EQ_INT(rc, SQLITE_OK);
    CHECK_EQ_STR(b1, "5.5|11");                 /* 2 x 1.5 + 2.25 + 0.25 | 2 x 3 + 4.5 + 0.5 */
    CHECK_EQ_STR(b2, "0.1|1");                  /* normalized as str(FVal) */
    CHECK_EQ_STR(b3, "246913578024691357802469135780.123456789|-5");
    CHECK_EQ_STR(b3b, "7|150");                 /* what Decimal() parses, written without exponent */
    CHECK_EQ_STR(b4, "-0.002|0.0");             /* not a finite decimal: a float sum */
    CHECK_EQ_STR(b5, "3|30");                   /* U3 renamed (sorts first), L3 merged onto it */
    CHECK_EQ_STR(b6, "0.5|-0.5");
    CHECK_EQ_INT(tb_others, 0);
    CHECK_EQ_INT(tb_rows, 7);
    CHECK_EQ_STR(nft, "upper");                 /* U sorts before L: it moves, L's collides */
    CHECK_EQ_INT(nfts, 1);
    CHECK_EQ_STR(ev, T_ID " " T3_ID);
    CHECK_EQ_STR(ign, T3_ID " " T_ID);
    CHECK_EQ_INT(assets, 1);
    CHECK_EQ_INT(fk, 0);
}

/* A DB that is not the v52 the step expects makes it fail; the transaction leaves it as it
 * was, so the caller can restore the backup and report. */
UNIT_TEST(broken_v52_db_fails_and_rolls_back)
{
    static const char *const breakage[] = {
        "DROP TABLE evm_accounts_details;",
        "DROP TABLE ens_mappings;",
        "DROP TABLE user_credentials;",
        "ALTER TABLE evm_internal_transactions ADD COLUMN source INTEGER NOT NULL DEFAULT 0;",
    };
    for (size_t i = 0; i < COUNT_OF(breakage); i++) {
        sqlite3 *db = open_v52();
        CHECK(db);
        int break_rc = exec_rc(db, breakage[i]);
        long long objects = query_int(db, "SELECT count(*) FROM sqlite_master");
        int rc = migrate_db(db, step_from(52), 0);
        long long objects_after = query_int(db, "SELECT count(*) FROM sqlite_master");
        long long version = query_int(db, "SELECT CAST(value AS INTEGER) FROM settings WHERE name='version'");
        long long temp_left = query_int(db, "SELECT count(*) FROM sqlite_temp_master");
        long long in_tx = !sqlite3_get_autocommit(db);
        sqlite3_close(db);
        CHECK_EQ_INT(break_rc, SQLITE_OK);
        CHECK(rc != SQLITE_OK);
        CHECK_EQ_INT(objects_after, objects);
        CHECK_EQ_INT(version, 52);
        CHECK_EQ_INT(temp_left, 0);
        CHECK_EQ_INT(in_tx, 0);
    }
    /* and a DB that is already v53 */
    sqlite3 *db = open_v53();
    CHECK(db);
    int rc = migrate_db(db, step_from(52), 0);
    sqlite3_close(db);
    CHECK(rc != SQLITE_OK);
}

UNIT_SUITE(suite_migrations, UNIT_CASE(the_step_is_v52_to_v53), UNIT_CASE(upgraded_db_has_the_v53_schema),
           UNIT_CASE(upgrade_carries_and_moves_the_data), UNIT_CASE(settings_rotki_skips_are_skipped),
           UNIT_CASE(evm_identifiers_are_checksummed), UNIT_CASE(colliding_spellings_are_merged),
           UNIT_CASE(broken_v52_db_fails_and_rolls_back));
