/* names — rotki's vocabulary for history events: entry types (HistoryBaseEntryType), event types
 * and subtypes (HistoryEventType / HistoryEventSubType, stored in the DB as their serialized
 * names: "trade", "exchange transfer", "deposit asset"), the valid type/subtype pairs and their
 * event categories (EVENT_CATEGORY_MAPPINGS), the mapping states, and how a location is named in
 * rotki's auto notes. Matching is rotki's deserialize(): ' ' and '_' alike, any case.
 *
 * The tables are rotki's (rotkehlchen/history/events/structures/types.py,
 * rotkehlchen/accounting/constants.py at the spec's commit), in rotki's order. */
#ifndef PIPIT_HISTORY_NAMES_H
#define PIPIT_HISTORY_NAMES_H

#include <stddef.h>

#include "../../core/json.h"

/* HistoryBaseEntryType: the DB value, 1 .. HIST_ENTRY_TYPE_COUNT */
enum {
    HIST_ENTRY_HISTORY = 1, HIST_ENTRY_EVM = 2, HIST_ENTRY_ETH_WITHDRAWAL = 3, HIST_ENTRY_ETH_BLOCK = 4,
    HIST_ENTRY_ETH_DEPOSIT = 5, HIST_ENTRY_ASSET_MOVEMENT = 6, HIST_ENTRY_SWAP = 7, HIST_ENTRY_EVM_SWAP = 8,
    HIST_ENTRY_SOLANA = 9, HIST_ENTRY_SOLANA_SWAP = 10, HIST_ENTRY_BITCOIN = 11,
};
#define HIST_ENTRY_TYPE_COUNT 11

/* HistoryEventType, in enum order */
enum {
    HT_TRADE, HT_STAKING, HT_DEPOSIT, HT_WITHDRAWAL, HT_TRANSFER, HT_SPEND, HT_RECEIVE, HT_ADJUSTMENT,
    HT_INFORMATIONAL, HT_MIGRATE, HT_RENEW, HT_DEPLOY, HT_FAIL, HT_LOSS, HT_MINT, HT_BURN, HT_MULTI_TRADE,
    HT_MARGIN, HT_TRANSACTION_TO_SELF, HT_EXCHANGE_ADJUSTMENT, HT_EXCHANGE_TRANSFER, HT_COUNT
};

/* HistoryEventSubType, in enum order */
enum {
    HS_REWARD, HS_DEPOSIT_ASSET, HS_REMOVE_ASSET, HS_FEE, HS_SPEND, HS_RECEIVE, HS_APPROVE, HS_AIRDROP,
    HS_BRIDGE, HS_GOVERNANCE, HS_NONE, HS_GENERATE_DEBT, HS_PAYBACK_DEBT, HS_RECEIVE_WRAPPED,
    HS_RETURN_WRAPPED, HS_DONATE, HS_NFT, HS_PLACE_ORDER, HS_LIQUIDATE, HS_INTEREST_PAYMENT, HS_CANCEL_ORDER,
    HS_REFUND, HS_BLOCK_PRODUCTION, HS_MEV_REWARD, HS_APPLY, HS_UPDATE, HS_CREATE, HS_ATTEST, HS_PAYMENT,
    HS_GRANT, HS_INTEREST, HS_CASHBACK, HS_HACK, HS_CLAWBACK, HS_DEPOSIT_FOR_WRAPPED, HS_REDEEM_WRAPPED,
    HS_CONSOLIDATE, HS_DELEGATE, HS_LIQUIDITY_PROVISION_LOSS, HS_BURN, HS_MESSAGE, HS_PROFIT, HS_LOSS,
    HS_DEPOSIT_TO_PROTOCOL, HS_WITHDRAW_FROM_PROTOCOL, HS_SPAM, HS_COUNT
};

/* HistoryMappingState: DB value 1 .. HIST_STATE_COUNT ("customized", "profit adjustment", …) */
#define HIST_STATE_CUSTOMIZED 1
#define HIST_STATE_MATCHED 3
#define HIST_STATE_COUNT 5

/* Each parse takes rotki's API spelling (s[0..n)) and returns the value, or -1 (entry types: 0). */
int hist_entry_type_parse(const char *s, size_t n);
const char *hist_entry_type_name(int entry_type); /* NULL when out of range */
int hist_type_parse(const char *s, size_t n);
const char *hist_type_name(int type);
int hist_subtype_parse(const char *s, size_t n);
const char *hist_subtype_name(int subtype);
int hist_state_parse(const char *s, size_t n);
const char *hist_state_name(int state);

/* 1 when rotki's EVENT_CATEGORY_MAPPINGS has the pair (the combinations rotki's events accept). */
int hist_pair_valid(int type, int subtype);

/* rotki's get_formatted_location_name: the label ("Binance US", "OKX") or the name capitalized
 * ("Kraken", "Polygon pos"), into out. "" when code is not a location. */
void hist_location_label(char code, char *out, size_t outlen);

/* GET /history/events/type_mappings: rotki's get_types_mappings() result object. */
void hist_write_type_mappings(json_writer_t *w);

#endif
