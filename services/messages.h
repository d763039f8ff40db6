/* messages — one function per rotki WebSocket message type pipit sends, so each payload's
 * shape is written down once (../shared/spec/websocket.md §5). Each returns the number of
 * clients reached, or -1 when it could not be encoded. */
#ifndef PIPIT_MESSAGES_H
#define PIPIT_MESSAGES_H

#include <stdint.h>

/* legacy: {"verbosity": "warning"|"error", "value": text} (kept for GET /messages if no client) */
int messages_legacy(int is_error, const char *text);
/* db_upgrade_status: {"start_version", "target_version", "current_upgrade": {"to_version",
 * "total_steps", "current_step", "description"}} */
int messages_db_upgrade_status(int start, int target, int to_version, int step, int total, const char *description);
/* progress_updates: {"subtype": subtype, "total": n, "processed": k, "step": what} — pipit's own
 * subtypes (db_maintenance) next to rotki's */
int messages_progress(const char *subtype, int processed, int total, const char *step);

/* exchange_unknown_asset: {"location", "name", "identifier" (the exchange's symbol), "details"} */
int messages_exchange_unknown_asset(const char *location, const char *name, const char *identifier, const char *details);
/* history_events_status: {"status": querying_events_started|querying_events_status_update|
 * querying_events_finished, "location", "event_type": "history_query", "name"} + "period"
 * [from, to] when from_ts >= 0 */
int messages_history_events_status(const char *status, const char *location, const char *name, int64_t from_ts,
                                   int64_t to_ts);
/* transaction_status (EVM): {"address", "chain": "ETH", "subtype": "evm", "period": [from, to],
 * "status": querying_transactions_started|…|querying_transactions_finished} */
int messages_transaction_status(const char *address, const char *chain, int64_t from_ts, int64_t to_ts, const char *status);

#endif
