/* names — see names.h. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include "../../db/snapshots.h"

static const char *const entry_type_names[HIST_ENTRY_TYPE_COUNT + 1] = {
    NULL, "history event", "evm event", "eth withdrawal event", "eth block event", "eth deposit event",
    "asset movement event", "swap event", "evm swap event", "solana event", "solana swap event", "bitcoin event",
};

static const char *const type_names[HT_COUNT] = {
    "trade", "staking", "deposit", "withdrawal", "transfer", "spend", "receive", "adjustment", "informational",
    "migrate", "renew", "deploy", "fail", "loss", "mint", "burn", "multi trade", "margin", "transaction to self",
    "exchange adjustment", "exchange transfer",
};

static const char *const subtype_names[HS_COUNT] = {
    "reward", "deposit asset", "remove asset", "fee", "spend", "receive", "approve", "airdrop", "bridge",
    "governance", "none", "generate debt", "payback debt", "receive wrapped", "return wrapped", "donate", "nft",
    "place order", "liquidate", "interest payment", "cancel order", "refund", "block production", "mev reward",
    "apply", "update", "create", "attest", "payment", "grant", "interest", "cashback", "hack", "clawback",
    "deposit for wrapped", "redeem wrapped", "consolidate", "delegate", "liquidity provision loss", "burn",
    "message", "profit", "loss", "deposit to protocol", "withdraw from protocol", "spam",
};

static const char *const state_names[HIST_STATE_COUNT + 1] = {
    NULL, "customized", "profit adjustment", "matched", "imported from csv", "synthetic",
};

/* EventCategory, in enum order */
enum {
    EC_SEND, EC_RECEIVE, EC_SWAP_OUT, EC_SWAP_IN, EC_MIGRATE_OUT, EC_MIGRATE_IN, EC_APPROVAL, EC_DEPOSIT,
    EC_WITHDRAW, EC_AIRDROP, EC_BORROW, EC_REPAY, EC_DEPLOY, EC_DEPLOY_WITH_SPEND, EC_BRIDGE_DEPOSIT,
    EC_BRIDGE_WITHDRAWAL, EC_GOVERNANCE, EC_DONATE, EC_RECEIVE_DONATION, EC_RENEW, EC_PLACE_ORDER, EC_TRANSFER,
    EC_CLAIM_REWARD, EC_LIQUIDATION_REWARD, EC_LIQUIDATION_LOSS, EC_INFORMATIONAL, EC_CANCEL_ORDER, EC_REFUND,
    EC_FEE, EC_MEV_REWARD, EC_STAKING_REWARD, EC_CREATE_BLOCK, EC_CREATE_PROJECT, EC_UPDATE, EC_APPLY,
    EC_STAKE_DEPOSIT, EC_UNSTAKE, EC_ATTEST, EC_STAKE_EXIT, EC_FAIL, EC_PAY, EC_RECEIVE_PAYMENT,
    EC_RECEIVE_GRANT, EC_INTEREST, EC_CEX_DEPOSIT, EC_CEX_WITHDRAWAL, EC_CASHBACK, EC_HACK_LOSS, EC_CLAWBACK,
    EC_MINT_NFT, EC_BURN, EC_COMBINE, EC_DELEGATE, EC_LOSS, EC_LIQUIDITY_PROVISION_LOSS, EC_RETURN, EC_MESSAGE,
    EC_ACCOUNT_DEPOSIT, EC_ACCOUNT_WITHDRAWAL, EC_PROFIT, EC_SELF_TRANSACTION, EC_PROTOCOL_DEPOSIT,
    EC_PROTOCOL_WITHDRAWAL, EC_SPAM, EC_BRIDGE_SPEND, EC_BRIDGE_RECEIVE, EC_COUNT
};

/* EventCategory: its name, direction and group (EventCategoryGroup) */
static const struct {
    const char *name, *direction, *group;
} categories[EC_COUNT] = {
    {"send", "out", "transfer"},
    {"receive", "in", "transfer"},
    {"swap out", "out", "trade"},
    {"swap in", "in", "trade"},
    {"migrate out", "out", "transfer"},
    {"migrate in", "in", "transfer"},
    {"approval", "neutral", "approval"},
    {"deposit", "out", "defi deposit withdraw"},
    {"withdraw", "in", "defi deposit withdraw"},
    {"airdrop", "in", "income"},
    {"borrow", "in", "defi borrow repay"},
    {"repay", "out", "defi borrow repay"},
    {"deploy", "neutral", "other"},
    {"deploy with spend", "out", "expense"},
    {"bridge deposit", "out", "bridge"},
    {"bridge withdrawal", "in", "bridge"},
    {"governance", "neutral", "governance"},
    {"donate", "out", "donation"},
    {"receive donation", "in", "donation"},
    {"renew", "out", "expense"},
    {"place order", "neutral", "trade"},
    {"transfer", "neutral", "transfer"},
    {"claim reward", "in", "income"},
    {"liquidation reward", "in", "income"},
    {"liquidation loss", "out", "loss"},
    {"informational", "neutral", "other"},
    {"cancel order", "in", "trade"},
    {"refund", "in", "income"},
    {"fee", "out", "expense"},
    {"mev reward", "in", "validator"},
    {"staking reward", "in", "income"},
    {"create block", "in", "validator"},
    {"create project", "neutral", "other"},
    {"update", "neutral", "other"},
    {"apply", "neutral", "other"},
    {"stake deposit", "out", "staking"},
    {"unstake", "in", "staking"},
    {"attest", "neutral", "validator"},
    {"stake exit", "in", "staking"},
    {"fail", "out", "loss"},
    {"pay", "out", "expense"},
    {"receive payment", "in", "income"},
    {"receive grant", "in", "income"},
    {"interest", "in", "income"},
    {"cex deposit", "neutral", "cex"},
    {"cex withdrawal", "neutral", "cex"},
    {"cashback", "in", "income"},
    {"hack loss", "out", "loss"},
    {"clawback", "out", "loss"},
    {"mint nft", "in", "nft"},
    {"burn", "out", "loss"},
    {"combine", "neutral", "other"},
    {"delegate", "neutral", "governance"},
    {"loss", "out", "loss"},
    {"liquidity provision loss", "out", "loss"},
    {"return", "out", "defi borrow repay"},
    {"message", "neutral", "other"},
    {"account deposit", "neutral", "cex"},
    {"account withdrawal", "neutral", "cex"},
    {"profit", "in", "income"},
    {"self transaction", "neutral", "transfer"},
    {"protocol deposit", "neutral", "defi deposit withdraw"},
    {"protocol withdrawal", "neutral", "defi deposit withdraw"},
    {"spam", "in", "other"},
    {"bridge spend", "out", "bridge"},
    {"bridge receive", "in", "bridge"},
};

/* EVENT_CATEGORY_MAPPINGS: the pairs rotki knows, with the category by default and, where rotki
 * tells exchanges apart, on an exchange (-1: none) */
static const struct {
    signed char type, subtype, category, exchange;
} pairs[] = {
    {HT_INFORMATIONAL, HS_NONE, EC_INFORMATIONAL, -1},
    {HT_INFORMATIONAL, HS_GOVERNANCE, EC_GOVERNANCE, -1},
    {HT_INFORMATIONAL, HS_DEPOSIT_ASSET, EC_INFORMATIONAL, -1},
    {HT_INFORMATIONAL, HS_REMOVE_ASSET, EC_WITHDRAW, -1},
    {HT_INFORMATIONAL, HS_PLACE_ORDER, EC_PLACE_ORDER, -1},
    {HT_INFORMATIONAL, HS_CREATE, EC_CREATE_PROJECT, -1},
    {HT_INFORMATIONAL, HS_UPDATE, EC_UPDATE, -1},
    {HT_INFORMATIONAL, HS_APPLY, EC_APPLY, -1},
    {HT_INFORMATIONAL, HS_APPROVE, EC_APPROVAL, -1},
    {HT_INFORMATIONAL, HS_ATTEST, EC_ATTEST, -1},
    {HT_INFORMATIONAL, HS_MEV_REWARD, EC_MEV_REWARD, -1},
    {HT_INFORMATIONAL, HS_BLOCK_PRODUCTION, EC_CREATE_BLOCK, -1},
    {HT_INFORMATIONAL, HS_CONSOLIDATE, EC_COMBINE, -1},
    {HT_INFORMATIONAL, HS_DELEGATE, EC_DELEGATE, -1},
    {HT_INFORMATIONAL, HS_MESSAGE, EC_MESSAGE, -1},
    {HT_RECEIVE, HS_REWARD, EC_CLAIM_REWARD, -1},
    {HT_RECEIVE, HS_RECEIVE_WRAPPED, EC_RECEIVE, -1},
    {HT_RECEIVE, HS_GENERATE_DEBT, EC_BORROW, -1},
    {HT_RECEIVE, HS_RETURN_WRAPPED, EC_RECEIVE, -1},
    {HT_RECEIVE, HS_AIRDROP, EC_AIRDROP, -1},
    {HT_RECEIVE, HS_DONATE, EC_RECEIVE_DONATION, -1},
    {HT_RECEIVE, HS_NONE, EC_RECEIVE, -1},
    {HT_RECEIVE, HS_LIQUIDATE, EC_LIQUIDATION_REWARD, -1},
    {HT_RECEIVE, HS_PAYMENT, EC_RECEIVE_PAYMENT, -1},
    {HT_RECEIVE, HS_GRANT, EC_RECEIVE_GRANT, -1},
    {HT_RECEIVE, HS_INTEREST, EC_INTEREST, -1},
    {HT_RECEIVE, HS_CASHBACK, EC_CASHBACK, -1},
    {HT_RECEIVE, HS_REFUND, EC_REFUND, -1},
    {HT_RECEIVE, HS_SPAM, EC_SPAM, -1},
    {HT_RECEIVE, HS_BRIDGE, EC_BRIDGE_RECEIVE, -1},
    {HT_DEPOSIT, HS_DEPOSIT_ASSET, EC_ACCOUNT_DEPOSIT, EC_CEX_DEPOSIT},
    {HT_DEPOSIT, HS_DEPOSIT_FOR_WRAPPED, EC_DEPOSIT, -1},
    {HT_DEPOSIT, HS_DEPOSIT_TO_PROTOCOL, EC_PROTOCOL_DEPOSIT, -1},
    {HT_DEPOSIT, HS_BRIDGE, EC_BRIDGE_DEPOSIT, -1},
    {HT_DEPOSIT, HS_PLACE_ORDER, EC_DEPOSIT, -1},
    {HT_DEPOSIT, HS_FEE, EC_FEE, -1},
    {HT_SPEND, HS_RETURN_WRAPPED, EC_RETURN, -1},
    {HT_SPEND, HS_PAYBACK_DEBT, EC_REPAY, -1},
    {HT_SPEND, HS_FEE, EC_FEE, -1},
    {HT_SPEND, HS_DONATE, EC_DONATE, -1},
    {HT_SPEND, HS_PAYMENT, EC_PAY, -1},
    {HT_SPEND, HS_NONE, EC_SEND, -1},
    {HT_SPEND, HS_CLAWBACK, EC_CLAWBACK, -1},
    {HT_SPEND, HS_BURN, EC_BURN, -1},
    {HT_SPEND, HS_REFUND, EC_REFUND, -1},
    {HT_SPEND, HS_BRIDGE, EC_BRIDGE_SPEND, -1},
    {HT_LOSS, HS_LIQUIDATE, EC_LIQUIDATION_LOSS, -1},
    {HT_LOSS, HS_HACK, EC_HACK_LOSS, -1},
    {HT_LOSS, HS_LIQUIDITY_PROVISION_LOSS, EC_LIQUIDITY_PROVISION_LOSS, -1},
    {HT_LOSS, HS_NONE, EC_LOSS, -1},
    {HT_WITHDRAWAL, HS_REMOVE_ASSET, EC_ACCOUNT_WITHDRAWAL, EC_CEX_WITHDRAWAL},
    {HT_WITHDRAWAL, HS_REDEEM_WRAPPED, EC_WITHDRAW, -1},
    {HT_WITHDRAWAL, HS_WITHDRAW_FROM_PROTOCOL, EC_PROTOCOL_WITHDRAWAL, -1},
    {HT_WITHDRAWAL, HS_BRIDGE, EC_BRIDGE_WITHDRAWAL, -1},
    {HT_WITHDRAWAL, HS_CANCEL_ORDER, EC_CANCEL_ORDER, -1},
    {HT_WITHDRAWAL, HS_REFUND, EC_REFUND, -1},
    {HT_WITHDRAWAL, HS_GENERATE_DEBT, EC_BORROW, -1},
    {HT_WITHDRAWAL, HS_FEE, EC_FEE, -1},
    {HT_TRADE, HS_SPEND, EC_SWAP_OUT, -1},
    {HT_TRADE, HS_RECEIVE, EC_SWAP_IN, -1},
    {HT_TRADE, HS_NONE, EC_INFORMATIONAL, -1},
    {HT_TRADE, HS_FEE, EC_FEE, -1},
    {HT_RENEW, HS_NONE, EC_RENEW, -1},
    {HT_STAKING, HS_DEPOSIT_ASSET, EC_STAKE_DEPOSIT, -1},
    {HT_STAKING, HS_DEPOSIT_FOR_WRAPPED, EC_STAKE_DEPOSIT, -1},
    {HT_STAKING, HS_REWARD, EC_STAKING_REWARD, -1},
    {HT_STAKING, HS_REMOVE_ASSET, EC_UNSTAKE, -1},
    {HT_STAKING, HS_REDEEM_WRAPPED, EC_UNSTAKE, -1},
    {HT_STAKING, HS_BLOCK_PRODUCTION, EC_CREATE_BLOCK, -1},
    {HT_STAKING, HS_MEV_REWARD, EC_MEV_REWARD, -1},
    {HT_STAKING, HS_FEE, EC_FEE, -1},
    {HT_TRANSFER, HS_DONATE, EC_DONATE, -1},
    {HT_TRANSFER, HS_NONE, EC_TRANSFER, -1},
    {HT_TRANSFER, HS_FEE, EC_FEE, -1},
    {HT_ADJUSTMENT, HS_SPEND, EC_SEND, -1},
    {HT_ADJUSTMENT, HS_RECEIVE, EC_RECEIVE, -1},
    {HT_DEPLOY, HS_NONE, EC_DEPLOY, -1},
    {HT_DEPLOY, HS_SPEND, EC_DEPLOY_WITH_SPEND, -1},
    {HT_DEPLOY, HS_NFT, EC_MINT_NFT, -1},
    {HT_MIGRATE, HS_SPEND, EC_MIGRATE_OUT, -1},
    {HT_MIGRATE, HS_RECEIVE, EC_MIGRATE_IN, -1},
    {HT_FAIL, HS_FEE, EC_FAIL, -1},
    {HT_MINT, HS_NFT, EC_MINT_NFT, -1},
    {HT_MINT, HS_FEE, EC_FEE, -1},
    {HT_BURN, HS_NFT, EC_BURN, -1},
    {HT_MULTI_TRADE, HS_SPEND, EC_SWAP_OUT, -1},
    {HT_MULTI_TRADE, HS_RECEIVE, EC_SWAP_IN, -1},
    {HT_MULTI_TRADE, HS_FEE, EC_FEE, -1},
    {HT_MARGIN, HS_PROFIT, EC_PROFIT, -1},
    {HT_MARGIN, HS_LOSS, EC_LOSS, -1},
    {HT_MARGIN, HS_FEE, EC_FEE, -1},
    {HT_TRANSACTION_TO_SELF, HS_NONE, EC_SELF_TRANSACTION, -1},
    {HT_EXCHANGE_ADJUSTMENT, HS_SPEND, EC_SEND, -1},
    {HT_EXCHANGE_ADJUSTMENT, HS_RECEIVE, EC_RECEIVE, -1},
    {HT_EXCHANGE_TRANSFER, HS_SPEND, EC_ACCOUNT_WITHDRAWAL, EC_CEX_WITHDRAWAL},
    {HT_EXCHANGE_TRANSFER, HS_RECEIVE, EC_ACCOUNT_DEPOSIT, EC_CEX_DEPOSIT},
    {HT_EXCHANGE_TRANSFER, HS_FEE, EC_FEE, -1},
};

/* EVENT_CATEGORY_DETAILS, in rotki's order: per category and counterparty ("default", or "gas"
 * for the gas fee) the label, icon and color */
static const struct {
    signed char category;
    const char *counterparty, *label, *icon, *color;
} details[] = {
    {EC_SEND, "default", "send", "lu-arrow-up", NULL},
    {EC_RECEIVE, "default", "receive", "lu-arrow-down", "success"},
    {EC_SWAP_OUT, "default", "swap", "lu-redo-2", NULL},
    {EC_SWAP_IN, "default", "swap", "lu-undo-2", "success"},
    {EC_MIGRATE_OUT, "default", "migrate", "lu-redo-2", NULL},
    {EC_MIGRATE_IN, "default", "migrate", "lu-undo-2", "success"},
    {EC_APPROVAL, "default", "approval", "lu-lock-keyhole-open", NULL},
    {EC_DEPOSIT, "default", "deposit", "lu-upload", "success"},
    {EC_WITHDRAW, "default", "withdraw", "lu-download", NULL},
    {EC_CEX_DEPOSIT, "default", "exchange deposit", "lu-upload", "success"},
    {EC_CEX_WITHDRAWAL, "default", "exchange withdraw", "lu-download", NULL},
    {EC_AIRDROP, "default", "airdrop", "lu-gift", NULL},
    {EC_BORROW, "default", "borrow", "lu-hand-coins", NULL},
    {EC_REPAY, "default", "repay", "lu-history", NULL},
    {EC_DEPLOY, "default", "deploy", "lu-rocket", NULL},
    {EC_DEPLOY_WITH_SPEND, "default", "deploy with spend", "lu-rocket", NULL},
    {EC_BRIDGE_DEPOSIT, "default", "bridge out", "lu-upload", "error"},
    {EC_BRIDGE_WITHDRAWAL, "default", "bridge in", "lu-download", "success"},
    {EC_BRIDGE_SPEND, "default", "bridge send", "lu-upload", "error"},
    {EC_BRIDGE_RECEIVE, "default", "bridge receive", "lu-download", "success"},
    {EC_GOVERNANCE, "default", "governance", "lu-scale", NULL},
    {EC_DONATE, "default", "donate", "lu-donate-fill", NULL},
    {EC_RECEIVE_DONATION, "default", "receive donation", "lu-receive-donation-fill", NULL},
    {EC_RENEW, "default", "renew", "lu-refresh-cw", NULL},
    {EC_PLACE_ORDER, "default", "place order", "lu-briefcase", NULL},
    {EC_TRANSFER, "default", "transfer", "lu-arrow-up-down", NULL},
    {EC_STAKING_REWARD, "default", "staking reward", "lu-trophy", NULL},
    {EC_CLAIM_REWARD, "default", "claim reward", "lu-gift", NULL},
    {EC_LIQUIDATION_REWARD, "default", "liquidation reward", "lu-droplet-fill", NULL},
    {EC_LIQUIDATION_LOSS, "default", "liquidation loss", "lu-droplet-half-fill", NULL},
    {EC_INFORMATIONAL, "default", "informational", "lu-info", NULL},
    {EC_CANCEL_ORDER, "default", "cancel order", "lu-file-x", "error"},
    {EC_REFUND, "default", "refund", "lu-refund", NULL},
    {EC_FEE, "default", "fee", "lu-banknote", NULL},
    {EC_FEE, "gas", "gas fee", "lu-flame", NULL},
    {EC_FAIL, "default", "failed", "lu-circle-x", "error"},
    {EC_MEV_REWARD, "default", "mev", "lu-medal", NULL},
    {EC_CREATE_BLOCK, "default", "new block", "lu-box", NULL},
    {EC_CREATE_PROJECT, "default", "new project", "lu-file-plus", NULL},
    {EC_UPDATE, "default", "update", "lu-square-pen", NULL},
    {EC_APPLY, "default", "apply", "lu-circle-arrow-out-up-right", NULL},
    {EC_STAKE_DEPOSIT, "default", "stake", "lu-layers-in", NULL},
    {EC_UNSTAKE, "default", "unstake", "lu-layers-out", NULL},
    {EC_STAKE_EXIT, "default", "exit", "lu-layers-out", NULL},
    {EC_ATTEST, "default", "attest", "lu-feather", NULL},
    {EC_PAY, "default", "pay", "lu-upload", NULL},
    {EC_RECEIVE_PAYMENT, "default", "receive payment", "lu-download", NULL},
    {EC_RECEIVE_GRANT, "default", "receive grant", "lu-hand-coins", NULL},
    {EC_INTEREST, "default", "receive interest", "lu-sprout", NULL},
    {EC_CASHBACK, "default", "cashback", "lu-badge-dollar-sign", NULL},
    {EC_HACK_LOSS, "default", "hack", "lu-skull", NULL},
    {EC_CLAWBACK, "default", "clawback", "lu-undo-2", NULL},
    {EC_MINT_NFT, "default", "mint nft", "lu-file-image", NULL},
    {EC_BURN, "default", "burn", "lu-flame-kindling", NULL},
    {EC_COMBINE, "default", "combine", "lu-combine", NULL},
    {EC_DELEGATE, "default", "delegate", "lu-handshake", NULL},
    {EC_LOSS, "default", "loss", "lu-trending-down", NULL},
    {EC_LIQUIDITY_PROVISION_LOSS, "default", "liquidity provision loss", "lu-droplet-trending-down", NULL},
    {EC_RETURN, "default", "return", "lu-undo-2", NULL},
    {EC_MESSAGE, "default", "message", "lu-message-square-text", NULL},
    {EC_ACCOUNT_DEPOSIT, "default", "account deposit", "lu-upload", "success"},
    {EC_ACCOUNT_WITHDRAWAL, "default", "account withdraw", "lu-download", NULL},
    {EC_PROFIT, "default", "profit", "lu-trending-up", NULL},
    {EC_SELF_TRANSACTION, "default", "self transaction", "lu-repeat-2", NULL},
    {EC_PROTOCOL_DEPOSIT, "default", "protocol deposit", "lu-upload", NULL},
    {EC_PROTOCOL_WITHDRAWAL, "default", "protocol withdrawal", "lu-download", NULL},
    {EC_SPAM, "default", "spam", "lu-shield-alert", "error"},
};

/* EVENT_CATEGORY_GROUP_DETAILS */
static const struct {
    const char *group, *icon;
    int order;
} groups[] = {
    {"trade", "lu-arrow-left-right", 10},
    {"transfer", "lu-arrow-right", 20},
    {"defi deposit withdraw", "lu-piggy-bank", 30},
    {"defi borrow repay", "lu-hand-coins", 40},
    {"staking", "lu-coins", 50},
    {"income", "lu-trending-up", 60},
    {"expense", "lu-receipt", 70},
    {"donation", "lu-heart-handshake", 80},
    {"nft", "lu-image", 90},
    {"bridge", "lu-arrow-left-right", 100},
    {"cex", "lu-building-2", 110},
    {"validator", "lu-shield", 120},
    {"governance", "lu-landmark", 130},
    {"approval", "lu-check", 140},
    {"loss", "lu-trending-down", 150},
    {"other", "lu-circle-question-mark", 999},
};

/* ACCOUNTING_EVENTS_ICONS (AccountingEventType) */
static const struct {
    const char *type, *icon;
} accounting_icons[] = {
    {"trade", "lu-send-to-back"},
    {"fee", "lu-banknote"},
    {"asset movement", "lu-coins-exchange"},
    {"margin position", "lu-percent"},
    {"loan", "lu-handshake"},
    {"prefork acquisition", "lu-git-branch"},
    {"staking", "lu-layers"},
    {"history event", "lu-history-events-fill"},
    {"transaction event", "lu-arrow-left-right"},
};

/* ------------------------------------------------------------------ lookups */
static int find(const char *const *names, int count, const char *s, size_t n)
{
    for (int i = 0; i < count; i++)
        if (names[i] && snapshot_name_eq(names[i], s, n)) return i;
    return -1;
}

int hist_entry_type_parse(const char *s, size_t n)
{
    int i = find(entry_type_names, HIST_ENTRY_TYPE_COUNT + 1, s, n);
    return i > 0 ? i : 0;
}

const char *hist_entry_type_name(int t) { return t >= 1 && t <= HIST_ENTRY_TYPE_COUNT ? entry_type_names[t] : NULL; }
int hist_type_parse(const char *s, size_t n) { return find(type_names, HT_COUNT, s, n); }
const char *hist_type_name(int t) { return t >= 0 && t < HT_COUNT ? type_names[t] : NULL; }
int hist_subtype_parse(const char *s, size_t n) { return find(subtype_names, HS_COUNT, s, n); }
const char *hist_subtype_name(int t) { return t >= 0 && t < HS_COUNT ? subtype_names[t] : NULL; }
int hist_state_parse(const char *s, size_t n) { return find(state_names, HIST_STATE_COUNT + 1, s, n); }
const char *hist_state_name(int t) { return t >= 1 && t <= HIST_STATE_COUNT ? state_names[t] : NULL; }

int hist_pair_valid(int type, int subtype)
{
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].type == type && pairs[i].subtype == subtype) return 1;
    return 0;
}

/* LOCATION_DETAILS labels; the others are str(location).capitalize() */
static const struct {
    const char *name, *label;
} location_labels[] = {
    {"coinbaseprime", "Coinbase Prime"}, {"coinbasepro", "Coinbase Pro"}, {"binanceus", "Binance US"},
    {"bit2me", "Bit2Me"}, {"bitcoinde", "Bitcoin.de"}, {"ftx", "FTX"}, {"independentreserve", "Independent Reserve"},
    {"ftxus", "FTX US"}, {"okx", "OKX"}, {"htx", "HTX"}, {"gate", "Gate"}, {"coinex", "CoinEx"},
    {"bitcoin cash", "Bitcoin Cash"},
};

void hist_location_label(char code, char *out, size_t outlen)
{
    const char *name = snapshot_location_name(code);
    if (!outlen) return;
    out[0] = 0;
    if (!name) return;
    for (size_t i = 0; i < sizeof location_labels / sizeof location_labels[0]; i++)
        if (strcmp(location_labels[i].name, name) == 0) {
            snprintf(out, outlen, "%s", location_labels[i].label);
            return;
        }
    snprintf(out, outlen, "%s", name);
    if (out[0] >= 'a' && out[0] <= 'z') out[0] = (char)(out[0] - 32);
}

/* ------------------------------------------------------------------ type mappings */
void hist_write_type_mappings(json_writer_t *w)
{
    json_begin_object(w);
    json_write_key(w, "global_mappings"); /* type -> subtype -> {"default": category[, "exchange": …]} */
    json_begin_object(w);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (i == 0 || pairs[i].type != pairs[i - 1].type) {
            if (i) json_end_object(w);
            json_write_key(w, type_names[(int)pairs[i].type]);
            json_begin_object(w);
        }
        json_write_key(w, subtype_names[(int)pairs[i].subtype]);
        json_begin_object(w);
        json_write_key(w, "default");
        json_write_str(w, categories[(int)pairs[i].category].name);
        if (pairs[i].exchange >= 0) {
            json_write_key(w, "exchange");
            json_write_str(w, categories[(int)pairs[i].exchange].name);
        }
        json_end_object(w);
    }
    json_end_object(w);
    json_end_object(w);
    json_write_key(w, "entry_type_mappings"); /* ENTRY_TYPE_MAPPINGS: only eth withdrawals differ */
    json_begin_object(w);
    json_write_key(w, "eth withdrawal event");
    json_begin_object(w);
    json_write_key(w, "staking");
    json_begin_object(w);
    json_write_key(w, "remove asset");
    json_begin_object(w);
    json_write_key(w, "is_exit");
    json_write_str(w, categories[EC_STAKE_EXIT].name);
    json_write_key(w, "not_exit");
    json_write_str(w, categories[EC_WITHDRAW].name);
    json_end_object(w);
    json_end_object(w);
    json_end_object(w);
    json_end_object(w);
    json_write_key(w, "event_category_details");
    json_begin_object(w);
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
        int c = details[i].category, first = i == 0 || details[i - 1].category != c,
            last = i + 1 == sizeof details / sizeof details[0] || details[i + 1].category != c;
        if (first) {
            json_write_key(w, categories[c].name);
            json_begin_object(w);
            json_write_key(w, "counterparty_mappings");
            json_begin_object(w);
        }
        json_write_key(w, details[i].counterparty);
        json_begin_object(w);
        json_write_key(w, "label");
        json_write_str(w, details[i].label);
        json_write_key(w, "icon");
        json_write_str(w, details[i].icon);
        if (details[i].color) {
            json_write_key(w, "color");
            json_write_str(w, details[i].color);
        }
        json_end_object(w);
        if (last) {
            json_end_object(w);
            json_write_key(w, "direction");
            json_write_str(w, categories[c].direction);
            json_write_key(w, "group");
            json_write_str(w, categories[c].group);
            json_end_object(w);
        }
    }
    json_end_object(w);
    json_write_key(w, "event_category_groups");
    json_begin_object(w);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        json_write_key(w, groups[i].group);
        json_begin_object(w);
        json_write_key(w, "icon");
        json_write_str(w, groups[i].icon);
        json_write_key(w, "order");
        json_write_int64(w, groups[i].order);
        json_end_object(w);
    }
    json_end_object(w);
    json_write_key(w, "accounting_events_icons");
    json_begin_object(w);
    for (size_t i = 0; i < sizeof accounting_icons / sizeof accounting_icons[0]; i++) {
        json_write_key(w, accounting_icons[i].type);
        json_write_str(w, accounting_icons[i].icon);
    }
    json_end_object(w);
    json_end_object(w);
}
