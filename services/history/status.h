/* status — GET /api/1/history/status/summary: rotki's summary of where the history stands, read
 * from the user DB as rotki reads it: the last end of the queried EVM transaction ranges and of
 * the exchanges' history ranges (used_query_ranges; pipit's exchange importers keep rotki's
 * `<location>_history_events_<name>` ranges), whether there are EVM and exchange accounts, and
 * the transactions waiting to be decoded (pipit stores and decodes no transactions: 0).
 * GET /api/1/history/skipped_external_events: rotki's {"locations": {"kraken": 5}, "total": 5},
 * the skipped_external_events rows counted per location. */
#ifndef PIPIT_HISTORY_STATUS_H
#define PIPIT_HISTORY_STATUS_H

int history_status_init(void);

#endif
