/* The pure EVM decoder (services/evmtx/decode.c): one transaction with its receipt and logs
 * against a tracked set, the events rotki's decoder gives for it. */
#include <stdint.h>
#include <string.h>

#include "../../core/keccak.h"
#include "../../services/evmtx/decode.h"
#include "unit.h"

static const char MAX_U256[] = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

static uint8_t tracked_addr[2][20];
static evmtx_tracked_t tracked = {tracked_addr, 2};

/* A1, A2 tracked; U, V not; T6/T0/T24 ERC-20s with 6, 0, 24 decimals; X no token */
static void addr(uint8_t out[20], uint8_t fill) { memset(out, fill, 20); }
#define A1 0x11
#define A2 0x22
#define U 0x99
#define V 0x98
#define T6 0x06
#define T0 0x01
#define T24 0x24
#define X 0x55

static void setup(void)
{
    addr(tracked_addr[0], A2); /* unsorted on purpose */
    addr(tracked_addr[1], A1);
    tracked.addr = tracked_addr;
    tracked.n = 2;
    evmtx_tracked_sort(&tracked);
}

static void tokens(void *ud, const uint8_t a[20], evmtx_token_info_t *out)
{
    int *calls = ud;
    if (calls) (*calls)++;
    memset(out, 0, sizeof *out);
    int d = a[0] == T6 ? 6 : a[0] == T0 ? 0 : a[0] == T24 ? 24 : -1;
    if (d < 0) return;
    out->known = 1;
    out->decimals = d;
    snprintf(out->symbol, sizeof out->symbol, "TK%d", d);
}

static void u256(uint8_t be[32], const char *dec) { evmtx_u256_from_dec(dec, be); }

static evmtx_tx_t base_tx(uint8_t from, uint8_t to, const char *value)
{
    evmtx_tx_t tx;
    memset(&tx, 0, sizeof tx);
    for (int i = 0; i < 32; i++) tx.hash[i] = (uint8_t)(0xa0 + i);
    tx.chain_id = 1;
    tx.timestamp = 1700000000;
    addr(tx.from, from);
    if (to) {
        addr(tx.to, to);
        tx.has_to = 1;
    }
    u256(tx.value, value);
    u256(tx.gas_used, "21000");
    u256(tx.gas_price, "1000000000");
    tx.status = 1;
    return tx;
}

static void word_of(uint8_t out[32], uint8_t a) /* an address as a topic */
{
    memset(out, 0, 32);
    memset(out + 12, a, 20);
}

static evmtx_log_t transfer_log(uint32_t index, uint8_t token, uint8_t from, uint8_t to, const uint8_t *amount, int erc721)
{
    static const uint8_t t0[32] = {0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
                                   0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};
    evmtx_log_t l;
    memset(&l, 0, sizeof l);
    l.log_index = index;
    addr(l.address, token);
    memcpy(l.topics[0], t0, 32);
    word_of(l.topics[1], from);
    word_of(l.topics[2], to);
    l.ntopics = 3;
    if (erc721) {
        memcpy(l.topics[3], amount, 32);
        l.ntopics = 4;
    } else {
        l.data = amount;
        l.data_len = 32;
    }
    return l;
}

static evmtx_log_t approval_log(uint32_t index, uint8_t token, uint8_t owner, uint8_t spender, const uint8_t *amount)
{
    static const uint8_t t0[32] = {0x8c, 0x5b, 0xe1, 0xe5, 0xeb, 0xec, 0x7d, 0x5b, 0xd1, 0x4f, 0x71, 0x42, 0x7d, 0x1e, 0x84, 0xf3,
                                   0xdd, 0x03, 0x14, 0xc0, 0xf7, 0xb2, 0x29, 0x1e, 0x5b, 0x20, 0x0a, 0xc8, 0xc7, 0xc3, 0xb9, 0x25};
    evmtx_log_t l = transfer_log(index, token, owner, spender, amount, 0);
    memcpy(l.topics[0], t0, 32);
    return l;
}

static history_event_t ev[16];

static int decode(const evmtx_tx_t *tx)
{
    memset(ev, 0, sizeof ev);
    return evmtx_decode_tx(tx, &tracked, tokens, NULL, ev, sizeof ev / sizeof ev[0]);
}

static const char *cs(uint8_t fill) /* the checksummed address of a filled one */
{
    static char s[4][43];
    static int k;
    uint8_t a[20];
    addr(a, fill);
    k = (k + 1) % 4;
    evm_address_checksum(a, s[k]);
    return s[k];
}

UNIT_TEST(eth_send_one_wei_pays_gas)
{
    setup();
    evmtx_tx_t tx = base_tx(A1, U, "1");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_INT(ev[0].entry_type, 2);
    CHECK_EQ_STR(ev[0].group_identifier, "10xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    CHECK_EQ_INT(ev[0].timestamp_ms, 1700000000000LL);
    CHECK_EQ_INT(ev[0].sequence_index, 0);
    CHECK_EQ_STR(ev[0].type, "spend");
    CHECK_EQ_STR(ev[0].subtype, "fee");
    CHECK_EQ_STR(ev[0].asset, "ETH");
    CHECK_EQ_STR(ev[0].amount, "0.000021");
    CHECK_EQ_STR(ev[0].counterparty, "gas");
    CHECK_EQ_STR(ev[0].location_label, cs(A1));
    CHECK_EQ_STR(ev[0].address, "");
    CHECK_EQ_STR(ev[0].notes, "Burn 0.000021 ETH for gas");
    CHECK(!memcmp(ev[0].tx_ref, tx.hash, 32));
    CHECK_EQ_INT(ev[1].sequence_index, 1);
    CHECK_EQ_STR(ev[1].type, "spend");
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_STR(ev[1].amount, "0.000000000000000001");
    CHECK_EQ_STR(ev[1].location_label, cs(A1));
    CHECK_EQ_STR(ev[1].address, cs(U));
    CHECK_EQ_STR(ev[1].counterparty, "");
    char notes[200];
    snprintf(notes, sizeof notes, "Send 0.000000000000000001 ETH to %s", cs(U));
    CHECK_EQ_STR(ev[1].notes, notes);
}

UNIT_TEST(eth_receive_max_amount_no_gas)
{
    setup();
    evmtx_tx_t tx = base_tx(U, A1, MAX_U256);
    CHECK_EQ_INT(decode(&tx), 1);
    CHECK_EQ_INT(ev[0].sequence_index, 0);
    CHECK_EQ_STR(ev[0].type, "receive");
    CHECK_EQ_STR(ev[0].subtype, "none");
    CHECK_EQ_STR(ev[0].amount, "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    CHECK_EQ_STR(ev[0].location_label, cs(A1));
    CHECK_EQ_STR(ev[0].address, cs(U));
}

UNIT_TEST(eth_transfer_between_tracked)
{
    setup();
    evmtx_tx_t tx = base_tx(A1, A2, "1000000000000000000");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[0].subtype, "fee");
    CHECK_EQ_STR(ev[1].type, "transfer");
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_STR(ev[1].amount, "1");
    CHECK_EQ_STR(ev[1].location_label, cs(A1));
    CHECK_EQ_STR(ev[1].address, cs(A2));
}

UNIT_TEST(failed_tx_only_gas_on_tracked_sender)
{
    setup();
    evmtx_tx_t tx = base_tx(A1, U, "5");
    tx.status = 0;
    u256(tx.gas_price, "3");
    CHECK_EQ_INT(decode(&tx), 1);
    CHECK_EQ_STR(ev[0].type, "fail");
    CHECK_EQ_STR(ev[0].subtype, "fee");
    CHECK_EQ_STR(ev[0].amount, "0.000000000000063");
    CHECK_EQ_STR(ev[0].notes, "Burn 0.000000000000063 ETH for gas of a failed transaction");
    tx = base_tx(U, A1, "5"); /* someone else's failed tx to us moved nothing */
    tx.status = 0;
    CHECK_EQ_INT(decode(&tx), 0);
}

UNIT_TEST(self_transfer)
{
    setup();
    evmtx_tx_t tx = base_tx(A1, A1, "0");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].type, "transaction to self");
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_STR(ev[1].amount, "0");
    CHECK_EQ_STR(ev[1].notes, "No value transaction to self");
    CHECK_EQ_STR(ev[1].address, cs(A1));
    tx = base_tx(A2, A2, "2500000000000000000");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].amount, "2.5");
    CHECK_EQ_STR(ev[1].notes, "Transaction to self of 2.5 ETH");
}

UNIT_TEST(erc20_in_odd_decimals)
{
    setup();
    uint8_t raw[32];
    u256(raw, "1234567");
    evmtx_log_t logs[3] = {transfer_log(4, T0, U, A1, raw, 0), transfer_log(5, T6, U, A2, raw, 0),
                           transfer_log(9, T24, V, A1, raw, 0)};
    evmtx_tx_t tx = base_tx(U, X, "0"); /* someone else's call: no gas for us */
    u256(tx.gas_used, "50000");
    tx.logs = logs;
    tx.nlogs = 3;
    int calls = 0;
    memset(ev, 0, sizeof ev);
    CHECK_EQ_INT(evmtx_decode_tx(&tx, &tracked, tokens, &calls, ev, 16), 3);
    CHECK_EQ_INT(calls, 3);
    CHECK_EQ_INT(ev[0].sequence_index, 4);
    CHECK_EQ_STR(ev[0].type, "receive");
    CHECK_EQ_STR(ev[0].amount, "1234567");
    char id[80];
    snprintf(id, sizeof id, "eip155:1/erc20:%s", cs(T0));
    CHECK_EQ_STR(ev[0].asset, id);
    CHECK_EQ_STR(ev[0].location_label, cs(A1));
    CHECK_EQ_STR(ev[0].address, cs(U));
    CHECK_EQ_INT(ev[1].sequence_index, 5);
    CHECK_EQ_STR(ev[1].amount, "1.234567");
    CHECK_EQ_STR(ev[1].location_label, cs(A2));
    CHECK_EQ_INT(ev[2].sequence_index, 9);
    CHECK_EQ_STR(ev[2].amount, "0.000000000000000001234567");
    char notes[300];
    snprintf(notes, sizeof notes, "Receive 0.000000000000000001234567 TK24 from %s to %s", cs(V), cs(A1));
    CHECK_EQ_STR(ev[2].notes, notes);
    uint8_t need[4][20];
    CHECK_EQ_INT(evmtx_tokens_needed(&tx, &tracked, need, 0, 4), 3);
    CHECK_EQ_INT(evmtx_tokens_needed(&tx, &tracked, need, 3, 4), 3); /* once each */
}

UNIT_TEST(erc20_out_max_raw_after_gas)
{
    setup();
    uint8_t raw[32];
    u256(raw, MAX_U256);
    evmtx_log_t logs[1] = {transfer_log(0, T24, A1, U, raw, 0)};
    evmtx_tx_t tx = base_tx(A1, T24, "0");
    tx.input = (const uint8_t *)"\xa9\x05\x9c\xbb";
    tx.input_len = 4;
    tx.logs = logs;
    tx.nlogs = 1;
    CHECK_EQ_INT(decode(&tx), 2); /* gas, the transfer: the call is explained, no informational event */
    CHECK_EQ_STR(ev[0].subtype, "fee");
    CHECK_EQ_INT(ev[1].sequence_index, 1);
    CHECK_EQ_STR(ev[1].type, "spend");
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_STR(ev[1].amount, "115792089237316195423570985008687907853269984665640564.039457584007913129639935");
    CHECK_EQ_STR(ev[1].location_label, cs(A1));
    CHECK_EQ_STR(ev[1].address, cs(U));
    /* a zero transfer gives nothing (rotki), so the call stays unexplained */
    u256(raw, "0");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].type, "informational");
}

UNIT_TEST(erc721_transfer)
{
    setup();
    uint8_t id[32];
    u256(id, "42");
    evmtx_log_t logs[1] = {transfer_log(3, X, U, A2, id, 1)};
    evmtx_tx_t tx = base_tx(U, X, "0");
    tx.logs = logs;
    tx.nlogs = 1;
    CHECK_EQ_INT(decode(&tx), 1);
    char asset[160];
    snprintf(asset, sizeof asset, "eip155:1/erc721:%s/42", cs(X));
    CHECK_EQ_STR(ev[0].asset, asset);
    CHECK_EQ_STR(ev[0].amount, "1");
    CHECK_EQ_STR(ev[0].type, "receive");
    CHECK_EQ_INT(ev[0].sequence_index, 3);
    CHECK_EQ_STR(ev[0].location_label, cs(A2));
    uint8_t need[2][20];
    CHECK_EQ_INT(evmtx_tokens_needed(&tx, &tracked, need, 0, 2), 0); /* no ERC-20 metadata needed */
}

UNIT_TEST(approval_and_revoke)
{
    setup();
    uint8_t raw[32];
    u256(raw, "100");
    evmtx_log_t logs[1] = {approval_log(0, T6, A1, U, raw)};
    evmtx_tx_t tx = base_tx(A1, T6, "0");
    tx.input = (const uint8_t *)"\x09\x5e\xa7\xb3";
    tx.input_len = 4;
    tx.logs = logs;
    tx.nlogs = 1;
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].type, "informational");
    CHECK_EQ_STR(ev[1].subtype, "approve");
    CHECK_EQ_STR(ev[1].amount, "0.0001");
    CHECK_EQ_STR(ev[1].location_label, cs(A1));
    CHECK_EQ_STR(ev[1].address, cs(U));
    char notes[300];
    snprintf(notes, sizeof notes, "Set TK6 spending approval of %s by %s to 0.0001", cs(A1), cs(U));
    CHECK_EQ_STR(ev[1].notes, notes);
    u256(raw, "0");
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].amount, "0");
    snprintf(notes, sizeof notes, "Revoke TK6 spending approval of %s by %s", cs(A1), cs(U));
    CHECK_EQ_STR(ev[1].notes, notes);
    /* an approval between others, in a tx of ours: only gas (and the call stays unexplained) */
    logs[0] = approval_log(0, T6, U, V, raw);
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].type, "informational");
    CHECK_EQ_STR(ev[1].subtype, "none");
}

UNIT_TEST(unknown_contract_call)
{
    setup();
    evmtx_tx_t tx = base_tx(A1, X, "0");
    tx.input = (const uint8_t *)"\xde\xad\xbe\xef\x00";
    tx.input_len = 5;
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].type, "informational");
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_STR(ev[1].asset, "ETH");
    CHECK_EQ_STR(ev[1].amount, "0");
    CHECK_EQ_INT(ev[1].sequence_index, 1);
    CHECK_EQ_STR(ev[1].address, cs(X));
    CHECK(strstr(ev[1].notes, "0xdeadbeef") && strstr(ev[1].notes, cs(X)));
    /* a transfer log of a contract that is no ERC-20 explains nothing */
    uint8_t raw[32];
    u256(raw, "7");
    evmtx_log_t logs[1] = {transfer_log(2, X, A1, U, raw, 0)};
    tx.logs = logs;
    tx.nlogs = 1;
    CHECK_EQ_INT(decode(&tx), 2);
    CHECK_EQ_STR(ev[1].subtype, "none");
    CHECK_EQ_INT(ev[1].sequence_index, 4); /* after the logs: counter 1 + last log index 2 + 1 */
}

UNIT_TEST(untracked_pair_gives_nothing)
{
    setup();
    uint8_t raw[32];
    u256(raw, "5");
    evmtx_log_t logs[2] = {transfer_log(0, T6, U, V, raw, 0), approval_log(1, T6, U, V, raw)};
    evmtx_tx_t tx = base_tx(U, V, "1000");
    tx.logs = logs;
    tx.nlogs = 2;
    int calls = 0;
    CHECK_EQ_INT(evmtx_decode_tx(&tx, &tracked, tokens, &calls, ev, 16), 0);
    CHECK_EQ_INT(calls, 0);
    uint8_t need[2][20];
    CHECK_EQ_INT(evmtx_tokens_needed(&tx, &tracked, need, 0, 2), 0);
}

UNIT_TEST(zero_value_receive_is_rotkis_fallback)
{
    setup();
    evmtx_tx_t tx = base_tx(U, A1, "0");
    CHECK_EQ_INT(decode(&tx), 1);
    CHECK_EQ_STR(ev[0].type, "receive");
    CHECK_EQ_STR(ev[0].amount, "0");
}

UNIT_TEST(internal_txs_and_deploy)
{
    setup();
    evmtx_internal_t in[2];
    memset(in, 0, sizeof in);
    addr(in[0].from, X);
    addr(in[0].to, A2);
    in[0].has_to = 1;
    u256(in[0].value, "7");
    addr(in[1].from, X);
    addr(in[1].to, U);
    in[1].has_to = 1;
    u256(in[1].value, "9");
    evmtx_tx_t tx = base_tx(A1, X, "0");
    tx.internals = in;
    tx.ninternals = 2;
    tx.input = (const uint8_t *)"\x01\x02\x03\x04";
    tx.input_len = 4;
    CHECK_EQ_INT(decode(&tx), 3); /* gas, the internal receive, the unexplained call */
    CHECK_EQ_INT(ev[1].sequence_index, 1);
    CHECK_EQ_STR(ev[1].type, "receive");
    CHECK_EQ_STR(ev[1].amount, "0.000000000000000007");
    CHECK_EQ_STR(ev[1].location_label, cs(A2));
    CHECK_EQ_INT(ev[2].sequence_index, 2);
    evmtx_tx_t dep = base_tx(A1, 0, "3000000000000000000");
    dep.has_contract = 1;
    addr(dep.contract_address, X);
    CHECK_EQ_INT(decode(&dep), 2);
    CHECK_EQ_STR(ev[1].type, "deploy");
    CHECK_EQ_STR(ev[1].subtype, "spend");
    CHECK_EQ_STR(ev[1].amount, "3");
    CHECK_EQ_STR(ev[1].address, cs(X));
}

UNIT_TEST(amounts_that_do_not_fit)
{
    setup();
    uint8_t be[32];
    CHECK_EQ_INT(evmtx_u256_from_dec(MAX_U256, be), 0);
    for (int i = 0; i < 32; i++) CHECK_EQ_INT(be[i], 0xff);
    CHECK_EQ_INT(evmtx_u256_from_dec("115792089237316195423570985008687907853269984665640564039457584007913129639936", be), -1);
    CHECK_EQ_INT(evmtx_u256_from_dec("12a", be), -1);
    CHECK_EQ_INT(evmtx_u256_from_dec("", be), -1);
    evmtx_tx_t tx = base_tx(A1, U, "0");
    u256(tx.gas_used, MAX_U256);
    u256(tx.gas_price, "2");
    CHECK_EQ_INT(decode(&tx), -1);
    u256(tx.gas_price, "1");
    CHECK_EQ_INT(decode(&tx), 1);
    CHECK_EQ_STR(ev[0].amount, "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    /* the events' array too small: -1, never past its end */
    tx = base_tx(A1, A2, "1");
    CHECK_EQ_INT(evmtx_decode_tx(&tx, &tracked, tokens, NULL, ev, 1), -1);
}

UNIT_SUITE(suite_evmtx_decode, UNIT_CASE(eth_send_one_wei_pays_gas), UNIT_CASE(eth_receive_max_amount_no_gas),
           UNIT_CASE(eth_transfer_between_tracked), UNIT_CASE(failed_tx_only_gas_on_tracked_sender), UNIT_CASE(self_transfer),
           UNIT_CASE(erc20_in_odd_decimals), UNIT_CASE(erc20_out_max_raw_after_gas), UNIT_CASE(erc721_transfer),
           UNIT_CASE(approval_and_revoke), UNIT_CASE(unknown_contract_call), UNIT_CASE(untracked_pair_gives_nothing),
           UNIT_CASE(zero_value_receive_is_rotkis_fallback), UNIT_CASE(internal_txs_and_deploy),
           UNIT_CASE(amounts_that_do_not_fit));
