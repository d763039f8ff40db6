/* orchestrator — the periodic background jobs (rotki's TaskManager, as protothreads): each
 * with its cadence, never two runs of the same job at once, skipped while no user is logged
 * in, switchable at run time by its feature flag (task.<name>), and all paused or resumed by
 * rotki's PUT /api/1/tasks/scheduler {"enabled": bool}. GET /api/1/tasks/scheduler shows them.
 *
 * Today: db_maintenance (every --db-maintenance-interval seconds: WAL checkpoint, PRAGMA
 * optimize, quick_check), reporting each step as a progress_updates message; exchange_history
 * (every --exchange-history-interval seconds: every exchange account's new history, with
 * history_events_status messages). */
#ifndef PIPIT_ORCHESTRATOR_H
#define PIPIT_ORCHESTRATOR_H

#include "../core/config.h"
#include "../core/loop.h"

int orchestrator_init(const config_t *cfg, loop_t *loop);
void orchestrator_shutdown(void);

#endif
