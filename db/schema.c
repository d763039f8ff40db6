/* schema — rotki's user DB v53: the create script, table names and settings defaults.
 *
 * Source: rotki/rotki commit ef14aadd1f387a199731fcc03254463b45b6e0cb (2026-08-21), where
 * rotkehlchen/db/settings.py has ROTKEHLCHEN_DB_VERSION = 53. The statements below are
 * rotkehlchen/db/schema.py's DB_SCRIPT_CREATE_TABLES split into single statements, in order,
 * with the C-style and -- comments that sit between statements dropped (SQLite keeps only
 * the text from CREATE onwards in sqlite_master) and everything inside a statement kept
 * byte for byte, comments included: rotki's login sanity check (db/checks.py) compares each
 * table's normalized DDL against its MINIMIZED_USER_DB_SCHEMA, and its normalizer strips
 * only whitespace and C-style comments, so a `--` comment inside a table is part of what it
 * compares (see eth_validators_data_cache). Do not reformat these strings. */
#include "schema.h"

#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *const db_schema_create[] = {
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
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('{', 59);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('|', 60);",
    "INSERT OR IGNORE INTO location(location, seq) VALUES ('}', 61);",

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

    "CREATE TABLE IF NOT EXISTS evm_account_proxies (\n"
    "    account VARCHAR[42] NOT NULL,\n"
    "    chain_id INTEGER NOT NULL,\n"
    "    proxy_type TEXT NOT NULL,\n"
    "    proxy_address VARCHAR[42] NOT NULL,\n"
    "    PRIMARY KEY (account, chain_id, proxy_type, proxy_address)\n"
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
    "    source INTEGER NOT NULL DEFAULT 0,\n"
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
    ");",

    "CREATE TABLE IF NOT EXISTS bitcoin_tx_io (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    direction INTEGER NOT NULL CHECK(direction IN (1, 2)),\n"
    "    io_index INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    address TEXT,\n"
    "    script BLOB,\n"
    "    PRIMARY KEY(tx_id, direction, io_index),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ") WITHOUT ROWID;",

    "CREATE TABLE IF NOT EXISTS bitcointx_address_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    address TEXT NOT NULL,\n"
    "    PRIMARY KEY(tx_id, address),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
    ") WITHOUT ROWID;",

    "CREATE TABLE IF NOT EXISTS bitcoin_tx_mappings (\n"
    "    tx_id INTEGER NOT NULL,\n"
    "    value INTEGER NOT NULL,\n"
    "    PRIMARY KEY(tx_id, value),\n"
    "    FOREIGN KEY(tx_id) REFERENCES bitcoin_transactions(identifier) ON DELETE CASCADE ON UPDATE CASCADE\n"
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
    "    address TEXT NOT NULL,\n"
    "    ens_name TEXT UNIQUE,\n"
    "    last_update INTEGER NOT NULL,\n"
    "    last_avatar_update INTEGER NOT NULL DEFAULT 0,\n"
    "    source TEXT NOT NULL DEFAULT 'ens',\n"
    "    PRIMARY KEY(address, source)\n"
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
    ");",

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
    ");",

    /* indexes (DB_CREATE_INDEXES) */
    "CREATE INDEX IF NOT EXISTS idx_history_events_entry_type ON history_events(entry_type);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_timestamp ON history_events(timestamp);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_location ON history_events(location);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_location_label ON history_events(location_label);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_asset ON history_events(asset);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_type ON history_events(type);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_subtype ON history_events(subtype);",
    "CREATE INDEX IF NOT EXISTS idx_history_events_ignored ON history_events(ignored);",
    "CREATE INDEX IF NOT EXISTS idx_timed_balances_currency_timestamp_category_value ON timed_balances(currency, timestamp, category, usd_value);",
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_events_addresses_address ON bitcoin_events_addresses(address);",
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_tx_io_address ON bitcoin_tx_io(address);",
    "CREATE INDEX IF NOT EXISTS idx_evm_transactions_chain_timestamp ON evm_transactions(chain_id, timestamp DESC);",
    "CREATE INDEX IF NOT EXISTS idx_evm_account_proxies_chain_account ON evm_account_proxies(chain_id, account);",
    "CREATE INDEX IF NOT EXISTS idx_evmtx_address_mappings_address ON evmtx_address_mappings(address, tx_id);",
    "CREATE INDEX IF NOT EXISTS idx_zksynclite_transactions_from_timestamp ON zksynclite_transactions(from_address, timestamp DESC);",
    "CREATE INDEX IF NOT EXISTS idx_zksynclite_transactions_to_timestamp ON zksynclite_transactions(to_address, timestamp DESC);",
    "CREATE INDEX IF NOT EXISTS idx_solana_transactions_block_time ON solana_transactions(block_time DESC);",
    "CREATE INDEX IF NOT EXISTS idx_solanatx_address_mappings_address ON solanatx_address_mappings(address, tx_id);",
    "CREATE INDEX IF NOT EXISTS idx_bitcoin_transactions_location_timestamp ON bitcoin_transactions(location, timestamp DESC);",
    "CREATE INDEX IF NOT EXISTS idx_bitcointx_address_mappings_address ON bitcointx_address_mappings(address, tx_id);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_links_right ON history_event_links(right_event_id);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_links_composite ON history_event_links(link_type, left_event_id, right_event_id);",
    "CREATE INDEX IF NOT EXISTS idx_history_event_link_ignores_type ON history_event_link_ignores(link_type);",
    "CREATE INDEX IF NOT EXISTS idx_chain_events_info_tx_ref ON chain_events_info(tx_ref);",
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_generic_accounting_rules ON accounting_rules(type, subtype, counterparty) WHERE is_event_specific = 0;",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_event ON event_metrics(event_identifier);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_location_label ON event_metrics(location_label);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_protocol ON event_metrics(protocol);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key ON event_metrics(metric_key);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key_timestamp ON event_metrics(metric_key, timestamp);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_metric_key_asset_sort_key ON event_metrics(metric_key, asset, sort_key);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_asset ON event_metrics(asset);",
    "CREATE INDEX IF NOT EXISTS idx_event_metrics_balances_latest ON event_metrics(metric_key, location, location_label, protocol, asset, timestamp, sort_key, metric_value);",
    "CREATE INDEX IF NOT EXISTS idx_data_issues_state ON data_issues(state);",
    "CREATE INDEX IF NOT EXISTS idx_data_issues_kind_state ON data_issues(kind, state);",
    "CREATE INDEX IF NOT EXISTS idx_data_issues_location_label_asset ON data_issues(location, location_label, asset);",
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_data_issues_event_scope ON data_issues(kind, location, location_label, protocol, asset, event_identifier) WHERE event_identifier IS NOT NULL;",
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_data_issues_bucket_scope ON data_issues(kind, location, location_label, protocol, asset) WHERE event_identifier IS NULL;",
};
const size_t db_schema_create_count = COUNT_OF(db_schema_create);

/* dbhandler._run_actions_after_first_connection, right after the script on a fresh DB. */
const char db_schema_set_version_sql[] =
    "INSERT OR REPLACE INTO settings(name, value) VALUES('version', '53');";

const char *const db_schema_table_names[] = {
    "location",
    "balance_category",
    "assets",
    "timed_balances",
    "timed_location_data",
    "user_credentials",
    "user_credentials_mappings",
    "external_service_credentials",
    "blockchain_accounts",
    "evm_accounts_details",
    "evm_account_proxies",
    "multisettings",
    "manually_tracked_balances",
    "evm_transactions",
    "evm_transactions_authorizations",
    "optimism_transactions",
    "evm_internal_transactions",
    "evmtx_receipts",
    "evmtx_receipt_logs",
    "evmtx_receipt_log_topics",
    "evmtx_address_mappings",
    "zksynclite_tx_type",
    "zksynclite_transactions",
    "zksynclite_swaps",
    "margin_positions",
    "used_query_ranges",
    "evm_tx_mappings",
    "evm_internal_tx_conflicts",
    "settings",
    "tags",
    "tag_mappings",
    "xpubs",
    "xpub_mappings",
    "eth2_validators",
    "eth_validators_data_cache",
    "history_events",
    "chain_events_info",
    "bitcoin_events_addresses",
    "bitcoin_transactions",
    "bitcoin_tx_io",
    "bitcointx_address_mappings",
    "bitcoin_tx_mappings",
    "eth_staking_events_info",
    "history_events_mappings",
    "history_events_backup",
    "chain_events_info_backup",
    "ignored_actions",
    "nfts",
    "ens_mappings",
    "address_book",
    "rpc_nodes",
    "user_notes",
    "skipped_external_events",
    "accounting_rules",
    "accounting_rule_events",
    "linked_rules_properties",
    "unresolved_remote_conflicts",
    "key_value_cache",
    "history_event_links",
    "history_event_link_ignores",
    "calendar",
    "calendar_reminders",
    "cowswap_orders",
    "gnosispay_data",
    "solana_transactions",
    "solana_tx_account_keys",
    "solana_tx_instructions",
    "solana_tx_instruction_accounts",
    "solanatx_address_mappings",
    "solana_tx_mappings",
    "solana_ata_address_mappings",
    "lido_csm_node_operators",
    "lido_csm_node_operator_metrics",
    "historical_balance_cache",
    "blockchain_balances_cache",
    "data_issues",
    "event_metrics",
};
const size_t db_schema_table_names_count = COUNT_OF(db_schema_table_names);

/* Settings, from rotkehlchen/db/settings.py (DBSettings, DEFAULT_*, *_KEYS) and the PUT
 * validation in rotkehlchen/api/v1/schemas.py (ModifiableSettingsSchema).
 *
 * Names: at this commit every setting has the same name in the API (both GET and PUT) and
 * in settings.name — including non_syncing_exchanges: rotki's docs/api.rst shows a
 * "non_sync_exchanges" key in responses, but DBSettings.serialize() emits the field name
 * non_syncing_exchanges. The differences are of place, not name: have_premium is never
 * stored, and last_balance_save / last_data_upload_ts live in key_value_cache and are
 * merged into GET /settings (DBHandler.get_cache_for_api).
 *
 * Serialization (ModifiableDBSettings.serialize): bools str(bool) -> 'True'/'False'; ints
 * str(int); decimals str(FVal); main_currency the asset identifier; cost_basis_method its
 * lowercase name; lists and mappings json.dumps() of the serialized values, i.e. with
 * Python's ", " and ": " separators — the defaults below are written the same way. A
 * missing row means the default, and rotki only writes a row when a setting is changed
 * (plus 'version' at creation).
 *
 * Quirks worth keeping:
 * - taxfree_after_period: PUT -1 disables it and is stored as SQL NULL (API null); 0 and
 *   < -1 are rejected; a stored value <= 0 is read back as null.
 * - ksm/dot/beacon_rpc_endpoint, btc_mempool_api: PUT '' deletes the row, and a stored ''
 *   reads as the default (STRING_KEYS_REMOVE_IF_EMPTY).
 * - date_display_format, frontend_settings, csv_export_delimiter: PUT '' is ignored
 *   (EmptyAsNoneStringField).
 * - address_name_priority: the PUT schema's default is the default list, not "absent", so
 *   every PUT /settings without it rewrites the row with the default.
 * - active_modules: rotki builds the default from a Python set, so its order varies per
 *   process; readers must not depend on it. Stored modules not in the list are dropped.
 * - current_price_oracles / historical_price_oracles / default_evm_indexer_order: PUT needs
 *   a non-empty list without repeats; evmchains_to_skip_detection and
 *   non_syncing_exchanges reject repeats.
 * - The settings table also holds rows that are not API settings: 'version',
 *   'ongoing_upgrade_from_version' (during an upgrade) and the '<update type>_version'
 *   rows (spam_assets_version, rpc_nodes_version, contracts_version,
 *   global_addressbook_version, accounting_rules_version, location_asset_mappings_version,
 *   counterparty_asset_mappings_version) of the data-updates feature. */

#define S_(name, type, def) {name, DB_SETTING_##type, DB_SETTING_IN_SETTINGS, def, 0, 0, 0, 0, 0, 0, NULL}
#define RO(name, type, store, def) {name, DB_SETTING_##type, DB_SETTING_##store, def, 1, 0, 0, 0, 0, 0, NULL}
#define MIN(name, type, def, lo) {name, DB_SETTING_##type, DB_SETTING_IN_SETTINGS, def, 0, 1, 0, 0, lo, 0, NULL}
#define RANGE(name, def, lo, hi) {name, DB_SETTING_INT, DB_SETTING_IN_SETTINGS, def, 0, 1, 1, 0, lo, hi, NULL}
#define UNSET(name, def) {name, DB_SETTING_STR, DB_SETTING_IN_SETTINGS, def, 0, 0, 0, 1, 0, 0, NULL}
#define ONE_OF(name, type, def, choices) {name, DB_SETTING_##type, DB_SETTING_IN_SETTINGS, def, 0, 0, 0, 0, 0, 0, choices}

const db_setting_def_t db_settings_defs[] = {
    RO("have_premium", BOOL, COMPUTED, "False"),
    RO("version", INT, IN_SETTINGS, "53"),
    RO("last_write_ts", INT, IN_SETTINGS, "0"), /* unix s, bumped by every user write */
    S_("premium_should_sync", BOOL, "False"),
    S_("include_crypto2crypto", BOOL, "True"),
    RANGE("ui_floating_precision", "2", 0, 8),
    MIN("taxfree_after_period", INT_OR_NULL, "31536000", 1), /* also -1 on PUT, see above */
    MIN("balance_save_frequency", INT, "24", 1),            /* hours */
    S_("include_gas_costs", BOOL, "True"),
    UNSET("ksm_rpc_endpoint", ""),
    UNSET("dot_rpc_endpoint", ""),
    UNSET("beacon_rpc_endpoint", "https://ethereum-beacon-api.publicnode.com"),
    UNSET("btc_mempool_api", ""),
    S_("main_currency", ASSET, "USD"), /* must resolve to an asset with oracles */
    S_("date_display_format", STR, "%d/%m/%Y %H:%M:%S %Z"),
    S_("submit_usage_analytics", BOOL, "True"),
    /* every module but makerdao_dsr (DEFAULT_OFF_MODULES) */
    ONE_OF("active_modules", STR_LIST,
           "[\"makerdao_vaults\", \"uniswap\", \"eth2\", \"sushiswap\", \"liquity\", "
           "\"pickle_finance\", \"nfts\"]",
           "makerdao_dsr|makerdao_vaults|uniswap|eth2|sushiswap|liquity|pickle_finance|nfts"),
    S_("frontend_settings", STR, ""), /* opaque JSON text owned by the frontend */
    MIN("btc_derivation_gap_limit", INT, "20", 1),
    S_("calculate_past_cost_basis", BOOL, "True"),
    S_("display_date_in_localtime", BOOL, "True"),
    ONE_OF("current_price_oracles", STR_LIST,
           "[\"kraken\", \"defillama\", \"coingecko\", \"uniswapv2\", \"uniswapv3\"]",
           "defillama|cryptocompare|coingecko|kraken|uniswapv3|uniswapv2|alchemy|moralis"),
    ONE_OF("historical_price_oracles", STR_LIST,
           "[\"defillama\", \"coingecko\", \"uniswapv3\", \"uniswapv2\"]",
           "manual|coingecko|cryptocompare|xratescom|manual current|defillama|uniswapv2|"
           "uniswapv3|alchemy|moralis"),
    /* {chain name: [indexer, ...]} for the chains that differ from the default order */
    S_("evm_indexers_order", JSON,
       "{\"base\": [\"blockscout\", \"routescan\", \"etherscan\"], "
       "\"optimism\": [\"blockscout\", \"routescan\", \"etherscan\"], "
       "\"binance_sc\": [\"etherscan\"], \"hyperliquid\": [\"etherscan\", \"blockscout\"], "
       "\"scroll\": [\"blockscout\"], \"gnosis\": [\"blockscout\", \"etherscan\"], "
       "\"monad\": [\"etherscan\"]}"),
    ONE_OF("default_evm_indexer_order", STR_LIST,
           "[\"etherscan\", \"blockscout\", \"routescan\"]", "etherscan|blockscout|routescan"),
    S_("pnl_csv_with_formulas", BOOL, "True"),
    S_("pnl_csv_have_summary", BOOL, "False"),
    MIN("ssf_graph_multiplier", INT, "0", 0),
    RO("last_data_migration", INT, IN_SETTINGS, "27"), /* LAST_USERDB_DATA_MIGRATION */
    /* [{"name": <exchange label>, "location": <location name>}, ...] */
    S_("non_syncing_exchanges", JSON, "[]"),
    /* SupportedBlockchain keys (lowercase values) */
    S_("evmchains_to_skip_detection", STR_LIST,
       "[\"eth\", \"avax\", \"optimism\", \"polygon_pos\", \"arbitrum_one\", \"base\", "
       "\"gnosis\", \"scroll\"]"),
    /* {chain key: [address, ...]}; an empty list disables the whole chain */
    S_("disabled_chain_queries", JSON, "{}"),
    ONE_OF("cost_basis_method", ENUM, "fifo", "fifo|lifo|hifo|acb"),
    S_("treat_eth2_as_eth", BOOL, "True"),
    S_("eth_staking_taxable_after_withdrawal_enabled", BOOL, "True"),
    ONE_OF("address_name_priority", STR_LIST,
           "[\"private_addressbook\", \"blockchain_account\", \"global_addressbook\", "
           "\"ethereum_tokens\", \"hardcoded_mappings\", \"ens_names\", \"gns_names\"]",
           "blockchain_account|ens_names|ethereum_tokens|global_addressbook|gns_names|"
           "hardcoded_mappings|private_addressbook"),
    S_("include_fees_in_cost_basis", BOOL, "True"),
    S_("infer_zero_timed_balances", BOOL, "False"),
    MIN("query_retry_limit", INT, "5", 1),
    MIN("connect_timeout", INT, "30", 1),       /* seconds */
    MIN("read_timeout", INT, "30", 1),          /* seconds */
    MIN("oracle_penalty_threshold_count", INT, "5", 1),
    MIN("oracle_penalty_duration", INT, "1800", 1), /* seconds */
    S_("auto_delete_calendar_entries", BOOL, "True"),
    S_("auto_create_calendar_reminders", BOOL, "True"),
    S_("ask_user_upon_size_discrepancy", BOOL, "True"),
    S_("auto_detect_tokens", BOOL, "True"),
    S_("csv_export_delimiter", STR, ","),
    S_("asset_movement_amount_tolerance", DECIMAL, "0.005"), /* PUT: 0 < x < 1 */
    MIN("asset_movement_time_range", INT, "72000", 1),        /* seconds (20 h) */
    S_("bridge_match_amount_tolerance", DECIMAL, "0.01"),    /* PUT: 0 < x < 1 */
    MIN("bridge_match_time_range", INT, "14400", 1),          /* seconds (4 h) */
    ONE_OF("suppress_missing_key_msg_services", STR_LIST, "[]",
           "etherscan|cryptocompare|beaconchain|opensea|blockscout|thegraph|gnosis pay|"
           "monerium|defillama|coingecko|alchemy|moralis|helius|routescan|jupiter"),
    S_("auto_create_profit_events", BOOL, "False"),
    S_("use_asset_collections_in_cost_basis", BOOL, "True"),
    MIN("internal_txs_to_repull", INT, "100", 1),
    MIN("internal_tx_conflict_repull_frequency", INT, "900", 30), /* seconds */
    ONE_OF("mcp_privacy_mode", ENUM, "balanced", "balanced|strict|raw"),
    ONE_OF("evm_transactions_source", ENUM, "indexer", "indexer|node"), /* pipit's: docs/evm-transactions.md */
    RO("last_balance_save", INT, IN_KV_CACHE, "0"),   /* unix s of the last snapshot */
    RO("last_data_upload_ts", INT, IN_KV_CACHE, "0"), /* unix s of the last premium sync */
};
const size_t db_settings_defs_count = COUNT_OF(db_settings_defs);

const db_setting_def_t *db_schema_setting_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < db_settings_defs_count; i++)
        if (strcmp(db_settings_defs[i].name, name) == 0) return &db_settings_defs[i];
    return NULL;
}
