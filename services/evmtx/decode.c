/* decode — the pure part of decode.h: one transaction into rotki's events, following rotki's
 * EVMTransactionDecoder (_maybe_decode_simple_transactions, the ERC-20/721 transfer and approval
 * rules, the no-event fallback) for what pipit decodes; docs/evm-decoding.md has the rules. */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/keccak.h"
#include "../../core/u256.h"
#include "../../db/snapshots.h"
#include "../history/names.h"

/* keccak("Transfer(address,address,uint256)") and keccak("Approval(address,address,uint256)") */
static const uint8_t topic_transfer[32] = {0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
                                           0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
                                           0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};
static const uint8_t topic_approval[32] = {0x8c, 0x5b, 0xe1, 0xe5, 0xeb, 0xec, 0x7d, 0x5b, 0xd1, 0x4f, 0x71,
                                           0x42, 0x7d, 0x1e, 0x84, 0xf3, 0xdd, 0x03, 0x14, 0xc0, 0xf7, 0xb2,
                                           0x29, 0x1e, 0x5b, 0x20, 0x0a, 0xc8, 0xc7, 0xc3, 0xb9, 0x25};

/* ------------------------------------------------------------------ tracked set */
static int addr_cmp(const void *a, const void *b) { return memcmp(a, b, 20); }

void evmtx_tracked_sort(evmtx_tracked_t *t)
{
    if (t->n > 1) qsort(t->addr, t->n, 20, addr_cmp);
}

int evmtx_is_tracked(const evmtx_tracked_t *t, const uint8_t a[20])
{
    return t->n && bsearch(a, t->addr, t->n, 20, addr_cmp) != NULL;
}

/* ------------------------------------------------------------------ 256-bit numbers */
int evmtx_u256_from_dec(const char *s, uint8_t be[32])
{
    uint32_t limb[8] = {0}; /* little-endian 32-bit limbs */
    size_t n = strlen(s);
    if (n == 0 || n > 78) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        uint64_t carry = (uint64_t)(s[i] - '0');
        for (int k = 0; k < 8; k++) {
            uint64_t v = (uint64_t)limb[k] * 10 + carry;
            limb[k] = (uint32_t)v;
            carry = v >> 32;
        }
        if (carry) return -1;
    }
    for (int k = 0; k < 8; k++)
        for (int b = 0; b < 4; b++) be[31 - (k * 4 + b)] = (uint8_t)(limb[k] >> (8 * b));
    return 0;
}

/* a × b into out; -1 when the product needs more than 256 bits */
static int u256_mul(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint32_t x[8], y[8];
    uint64_t r[16] = {0};
    for (int k = 0; k < 8; k++) {
        x[k] = y[k] = 0;
        for (int i = 0; i < 4; i++) {
            x[k] |= (uint32_t)a[31 - (k * 4 + i)] << (8 * i);
            y[k] |= (uint32_t)b[31 - (k * 4 + i)] << (8 * i);
        }
    }
    for (int i = 0; i < 8; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 8; j++) {
            uint64_t v = r[i + j] + (uint64_t)x[i] * y[j] + carry;
            r[i + j] = v & 0xffffffffu;
            carry = v >> 32;
        }
        r[i + 8] += carry;
    }
    for (int k = 8; k < 16; k++)
        if (r[k]) return -1;
    for (int k = 0; k < 8; k++)
        for (int i = 0; i < 4; i++) out[31 - (k * 4 + i)] = (uint8_t)(r[k] >> (8 * i));
    return 0;
}

static int is_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* ------------------------------------------------------------------ direction */
enum { DIR_NONE, DIR_TRANSFER, DIR_SPEND, DIR_RECEIVE };

typedef struct {
    int kind;
    const uint8_t *label, *address; /* location_label (the tracked side) and the other side */
} dir_t;

/* rotki's decode_transfer_direction, without exchanges (pipit knows none of their addresses) */
static dir_t direction(const evmtx_tracked_t *t, const uint8_t *from, const uint8_t *to)
{
    int tf = from && evmtx_is_tracked(t, from), tt = to && evmtx_is_tracked(t, to);
    dir_t d = {DIR_NONE, NULL, NULL};
    if (tf && tt) d = (dir_t){DIR_TRANSFER, from, to};
    else if (tf) d = (dir_t){DIR_SPEND, from, to};
    else if (tt) d = (dir_t){DIR_RECEIVE, to, from};
    return d;
}

static const char *dir_type(int kind) { return kind == DIR_TRANSFER ? "transfer" : kind == DIR_SPEND ? "spend" : "receive"; }
static const char *dir_verb(int kind) { return kind == DIR_TRANSFER ? "Transfer" : kind == DIR_SPEND ? "Send" : "Receive"; }

/* ------------------------------------------------------------------ events */
typedef struct {
    const evmtx_tx_t *tx;
    history_event_t *out;
    size_t cap, n;
    char location;
} sink_t;

static void put_addr(char *dst, size_t len, const uint8_t *a)
{
    if (!a) {
        dst[0] = 0;
        return;
    }
    char s[43];
    evm_address_checksum(a, s);
    snprintf(dst, len, "%s", s);
}

static history_event_t *event(sink_t *k, int seq, const char *type, const char *subtype, const char *asset,
                              const char *amount, const uint8_t *label, const uint8_t *address, const char *counterparty)
{
    if (k->n == k->cap) return NULL;
    history_event_t *e = &k->out[k->n++];
    memset(e, 0, sizeof *e);
    static const char hex[] = "0123456789abcdef";
    e->entry_type = HIST_ENTRY_EVM;
    int o = snprintf(e->group_identifier, sizeof e->group_identifier, "%llu0x", (unsigned long long)k->tx->chain_id);
    for (int i = 0; i < 32 && o + 2 < (int)sizeof e->group_identifier; i++, o += 2) {
        e->group_identifier[o] = hex[k->tx->hash[i] >> 4];
        e->group_identifier[o + 1] = hex[k->tx->hash[i] & 15];
    }
    e->group_identifier[o] = 0;
    e->sequence_index = seq;
    e->timestamp_ms = k->tx->timestamp * 1000;
    e->location = k->location;
    put_addr(e->location_label, sizeof e->location_label, label);
    snprintf(e->asset, sizeof e->asset, "%s", asset);
    snprintf(e->amount, sizeof e->amount, "%s", amount);
    snprintf(e->type, sizeof e->type, "%s", type);
    snprintf(e->subtype, sizeof e->subtype, "%s", subtype);
    memcpy(e->tx_ref, k->tx->hash, 32);
    snprintf(e->counterparty, sizeof e->counterparty, "%s", counterparty ? counterparty : "");
    put_addr(e->address, sizeof e->address, address);
    return e;
}

/* rotki's "{verb} {amount} ETH {to|from} {address}" of a native transfer */
static int eth_transfer(sink_t *k, int seq, dir_t d, const uint8_t value[32])
{
    char amount[80];
    if (u256_to_decimal(value, 18, amount, sizeof amount) < 0) return -1;
    history_event_t *e = event(k, seq, dir_type(d.kind), "none", "ETH", amount, d.label, d.address, NULL);
    if (!e) return -1;
    snprintf(e->notes, sizeof e->notes, "%s %s ETH %s %s", dir_verb(d.kind), amount, d.kind == DIR_RECEIVE ? "from" : "to",
             e->address[0] ? e->address : "None");
    return 0;
}

static int topic_address(const uint8_t topic[32], uint8_t out[20])
{
    memcpy(out, topic + 12, 20);
    return 0;
}

/* ERC-20 Transfer / Approval logs: the token's amount (data, one word) */
static int token_amount(const evmtx_log_t *l, int decimals, char *out, size_t len)
{
    uint8_t word[32] = {0};
    if (l->data_len > 32) {
        if (!is_zero(l->data, l->data_len - 32)) return -1; /* beyond 256 bits: not an amount */
        memcpy(word, l->data + l->data_len - 32, 32);
    } else {
        memcpy(word + 32 - l->data_len, l->data, l->data_len);
    }
    return u256_to_decimal(word, (unsigned)decimals, out, len) < 0 ? -1 : 0;
}

static int log_event(sink_t *k, const evmtx_tracked_t *t, evmtx_token_fn token, void *ud, const evmtx_log_t *l, int seq)
{
    const evmtx_tx_t *tx = k->tx;
    char addr[43], amount[80];
    uint8_t a1[20], a2[20];
    if (l->ntopics < 3) return 0;
    topic_address(l->topics[1], a1);
    topic_address(l->topics[2], a2);
    int transfer = !memcmp(l->topics[0], topic_transfer, 32), approval = !memcmp(l->topics[0], topic_approval, 32);
    if (transfer && l->ntopics == 4) { /* ERC-721: the token id is the third indexed argument */
        dir_t d = direction(t, a1, a2);
        if (d.kind == DIR_NONE) return 0;
        char id[80], asset[160];
        if (u256_to_decimal(l->topics[3], 0, id, sizeof id) < 0) return -1;
        evm_address_checksum(l->address, addr);
        snprintf(asset, sizeof asset, "eip155:%llu/erc721:%s/%s", (unsigned long long)tx->chain_id, addr, id);
        history_event_t *e = event(k, seq, dir_type(d.kind), "none", asset, "1", d.label, d.address, NULL);
        if (!e) return -1;
        if (d.kind == DIR_RECEIVE)
            snprintf(e->notes, sizeof e->notes, "%s ERC721 token with id %s from %s to %s", dir_verb(d.kind), id, e->address,
                     e->location_label);
        else
            snprintf(e->notes, sizeof e->notes, "%s ERC721 token with id %s from %s to %s", dir_verb(d.kind), id,
                     e->location_label, e->address);
        return 1;
    }
    if ((!transfer && !approval) || l->ntopics != 3) return 0;
    int owner_tracked = evmtx_is_tracked(t, a1), other_tracked = evmtx_is_tracked(t, a2);
    if (!owner_tracked && !other_tracked) return 0;
    evmtx_token_info_t info = {0};
    token(ud, l->address, &info);
    if (!info.known) return 0; /* rotki: a contract that is no ERC-20 gives no event */
    if (token_amount(l, info.decimals, amount, sizeof amount) != 0) return 0;
    char asset[160];
    evm_address_checksum(l->address, addr);
    snprintf(asset, sizeof asset, "eip155:%llu/erc20:%s", (unsigned long long)tx->chain_id, addr);
    if (approval) { /* label the owner, address the spender, whichever of them is tracked */
        history_event_t *e = event(k, seq, "informational", "approve", asset, amount, a1, a2, NULL);
        if (!e) return -1;
        if (!strcmp(amount, "0"))
            snprintf(e->notes, sizeof e->notes, "Revoke %s spending approval of %s by %s", info.symbol, e->location_label,
                     e->address);
        else
            snprintf(e->notes, sizeof e->notes, "Set %s spending approval of %s by %s to %s", info.symbol,
                     e->location_label, e->address, amount);
        return 1;
    }
    if (!strcmp(amount, "0")) return 0; /* rotki: zero transfers are useless */
    dir_t d = direction(t, a1, a2);
    history_event_t *e = event(k, seq, dir_type(d.kind), "none", asset, amount, d.label, d.address, NULL);
    if (!e) return -1;
    if (d.kind == DIR_RECEIVE)
        snprintf(e->notes, sizeof e->notes, "%s %s %s from %s to %s", dir_verb(d.kind), amount, info.symbol, e->address,
                 e->location_label);
    else
        snprintf(e->notes, sizeof e->notes, "%s %s %s from %s to %s", dir_verb(d.kind), amount, info.symbol,
                 e->location_label, e->address);
    return 1;
}

size_t evmtx_events_max(const evmtx_tx_t *tx) { return 3 + tx->ninternals + tx->nlogs; }

size_t evmtx_tokens_needed(const evmtx_tx_t *tx, const evmtx_tracked_t *tracked, uint8_t (*list)[20], size_t n, size_t cap)
{
    if (!tx->status) return n;
    for (size_t i = 0; i < tx->nlogs; i++) {
        const evmtx_log_t *l = &tx->logs[i];
        uint8_t a1[20], a2[20];
        if (l->ntopics != 3 || (memcmp(l->topics[0], topic_transfer, 32) && memcmp(l->topics[0], topic_approval, 32)))
            continue;
        topic_address(l->topics[1], a1);
        topic_address(l->topics[2], a2);
        if (!evmtx_is_tracked(tracked, a1) && !evmtx_is_tracked(tracked, a2)) continue;
        size_t k = 0;
        while (k < n && memcmp(list[k], l->address, 20)) k++;
        if (k == n && n < cap) memcpy(list[n++], l->address, 20);
    }
    return n;
}

int evmtx_decode_tx(const evmtx_tx_t *tx, const evmtx_tracked_t *tracked, evmtx_token_fn token, void *ud,
                    history_event_t *out, size_t cap)
{
    sink_t k = {tx, out, cap, 0, snapshot_location_code("ethereum", 8)};
    char amount[80];
    int seq = 0; /* rotki's pre-decoding counter */
    const uint8_t *to = tx->has_to ? tx->to : NULL;
    dir_t d = direction(tracked, tx->from, to);
    int from_tracked = evmtx_is_tracked(tracked, tx->from);
    if (from_tracked) { /* gas: rotki charges it when the direction is outgoing, i.e. the sender is tracked */
        uint8_t fee[32];
        if (u256_mul(tx->gas_used, tx->gas_price, fee) != 0 || u256_to_decimal(fee, 18, amount, sizeof amount) < 0) return -1;
        history_event_t *e = event(&k, seq++, tx->status ? "spend" : "fail", "fee", "ETH", amount, tx->from, NULL, "gas");
        if (!e) return -1;
        snprintf(e->notes, sizeof e->notes, "Burn %s ETH for gas%s", amount, tx->status ? "" : " of a failed transaction");
    }
    if (!tx->status) return (int)k.n; /* a failed tx moved nothing */
    for (size_t i = 0; i < tx->ninternals; i++) {
        const evmtx_internal_t *it = &tx->internals[i];
        if (!it->has_to || is_zero(it->value, 32)) continue;
        dir_t di = direction(tracked, it->from, it->to);
        if (di.kind != DIR_NONE && eth_transfer(&k, seq++, di, it->value) != 0) return -1;
    }
    if (d.kind != DIR_NONE) {
        if (to && !memcmp(tx->from, to, 20) && from_tracked) {
            if (u256_to_decimal(tx->value, 18, amount, sizeof amount) < 0) return -1;
            history_event_t *e = event(&k, seq++, "transaction to self", "none", "ETH", amount, tx->from, to, NULL);
            if (!e) return -1;
            if (!strcmp(amount, "0") && tx->input_len == 0) snprintf(e->notes, sizeof e->notes, "No value transaction to self");
            else snprintf(e->notes, sizeof e->notes, "Transaction to self of %s ETH", amount);
        } else if (!to) {
            if (from_tracked) { /* rotki: deploy/none, deploy/spend with value */
                if (u256_to_decimal(tx->value, 18, amount, sizeof amount) < 0) return -1;
                const uint8_t *c = tx->has_contract ? tx->contract_address : NULL;
                history_event_t *e =
                    event(&k, seq++, "deploy", strcmp(amount, "0") ? "spend" : "none", "ETH", amount, tx->from, c, NULL);
                if (!e) return -1;
                snprintf(e->notes, sizeof e->notes, "Deploy a new contract at %s", e->address[0] ? e->address : "None");
            }
        } else if (!is_zero(tx->value, 32) && eth_transfer(&k, seq++, d, tx->value) != 0) {
            return -1;
        }
    }
    size_t log_events = 0;
    for (size_t i = 0; i < tx->nlogs; i++) {
        int r = log_event(&k, tracked, token, ud, &tx->logs[i], seq + (int)tx->logs[i].log_index);
        if (r < 0) return -1;
        log_events += (size_t)r;
    }
    /* rotki's get_next_sequence_index: after every log's index */
    int next = seq + (tx->nlogs ? (int)tx->logs[tx->nlogs - 1].log_index + 1 : 0);
    if (from_tracked && to && memcmp(tx->from, to, 20) && tx->input_len >= 4 && !log_events) {
        /* pipit's own: a call nothing above explained stays visible as an informational event */
        history_event_t *e = event(&k, next, "informational", "none", "ETH", "0", tx->from, to, NULL);
        if (!e) return -1;
        snprintf(e->notes, sizeof e->notes, "Call function 0x%02x%02x%02x%02x of contract %s", tx->input[0], tx->input[1],
                 tx->input[2], tx->input[3], e->address);
    }
    if (k.n == 0 && d.kind != DIR_NONE && to && eth_transfer(&k, seq, d, tx->value) != 0) return -1; /* rotki's fallback */
    return (int)k.n;
}
