/* events — rotki's history events (the history_events table of the user DB): the storage API the
 * exchange importers write through, and rotki's /api/1/history/events endpoints:
 *   POST   query with rotki's filters, paging and ordering (one page read per request, the
 *          filters in SQL on rotki's indexes), rotki's per-entry wrapper
 *   PUT    add a manual "history event", "swap event" (spend/receive/fees) or "asset movement
 *          event" (with its optional fee), marked customized as rotki does
 *   PATCH  edit one (or a swap's / movement's group) by identifier
 *   DELETE by identifiers and/or filters, with rotki's last-event-of-a-transaction guard
 *   GET    /history/events/type_mappings: rotki's type/subtype/category tables
 * Every route needs a logged-in user; every write is one transaction (all or nothing).
 */
#ifndef PIPIT_HISTORY_EVENTS_H
#define PIPIT_HISTORY_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../../db/db.h"

typedef struct {
    int entry_type;              /* rotki's HistoryBaseEntryType: 1 history event, 2 evm event, 6 asset movement event,
                                  * 7 swap event */
    char group_identifier[80];
    int sequence_index;
    int64_t timestamp_ms;
    char location;               /* DB code: 'B' kraken, 'E' binance, 'A' external … */
    char location_label[64];     /* e.g. the exchange account's name; "" = NULL */
    char asset[160];             /* rotki asset identifier (an ERC-721 one holds the token id) */
    char amount[80];             /* exact decimal string, non-negative */
    char notes[320];             /* "" = NULL */
    char type[24], subtype[24];  /* rotki's lowercase values: "trade"/"spend"/"receive"/"fee"/"deposit"/"withdrawal"/… */
    char extra_data[200];        /* JSON text, "" = NULL */
    /* entry type 2 only: its chain_events_info row */
    uint8_t tx_ref[32];          /* the transaction hash, raw */
    char counterparty[32];       /* e.g. "gas"; "" = NULL */
    char address[43];            /* the other side, EIP-55 "0x…"; "" = NULL */
} history_event_t;

/* The statements a history write job keeps while it runs (finalized when it ends). */
typedef struct {
    sqlite3_stmt *asset, *insert, *state, *update, *chain;
} hist_stmts_t;

typedef struct {
    db_job_t job;
    /* set up by history_insert_init; the events stay the caller's and must outlive the job */
    const history_event_t *events;
    size_t n, next;
    /* optional, set after init: one more statement in the same transaction, after the events
     * (e.g. marking the transactions they came from decoded), with after_param bound as ?1 */
    const char *after_sql, *after_param;
    hist_stmts_t st;
    /* results */
    size_t inserted;
    long bad_index;              /* the event refused by the checks below, else -1 */
} history_insert_t;

/* A write job storing events once: a row whose (group_identifier, sequence_index) exists is left
 * as it is; the assets are added to `assets` first (INSERT OR IGNORE). All or nothing: one
 * transaction. `inserted` tells how many rows were new.
 *
 * Each event is checked as rotki's classes would take it: entry type 1, 2, 6 or 7; a non-empty
 * group identifier; timestamp >= 0; a known location code; a non-empty asset; a non-negative
 * decimal amount (stored in rotki's str(FVal) form: "1.50" -> "1.5"); type and subtype one of
 * rotki's pairs (asset movements: "exchange transfer" with receive/spend/fee; swaps: "trade" with
 * spend/receive/fee); extra_data "" or valid JSON; an evm event's address "" or "0x" + 40 hex digits
 * (its chain_events_info row goes in with it). The first event that is not fails the job
 * (job.rc != DB_JOB_DONE, job.errmsg names it, bad_index is its index) and nothing is written.
 * `ignored` is set as rotki does (the asset is in the ignored assets), and last_write_ts is
 * bumped. Works in slices (two sqlite3_step calls an event) with both drivers. Submit with
 * db_job_submit/auth_submit; call history_insert_clear in done. */
void history_insert_init(history_insert_t *h, const history_event_t *events, size_t n, void (*done)(db_job_t *), void *ud);
size_t history_insert_count(const history_insert_t *h);
void history_insert_clear(history_insert_t *h);

/* Registers the /api/1/history/events routes. */
int history_events_init(void);

/* rotki's hash_id (its group identifiers): SHA3-256 hex (64 + NUL) of text. */
void history_hash_id(const char *text, size_t len, char out[65]);

#endif
