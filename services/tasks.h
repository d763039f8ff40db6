/* tasks — rotki's async queries and the task manager.
 *
 * A request with async_query=true to a route marked API_ASYNC is answered at once with
 * {"task_id": N}; a detached copy of it then waits for one of --max-tasks running slots (FIFO)
 * and runs its handler; the reply it makes is kept as the task's outcome until GET
 * /api/1/tasks/<id> reads it (at most --max-task-outcomes kept, each for an hour at most).
 * DELETE /api/1/tasks/<id> cancels: a queued task never starts, a running one has its DB jobs
 * stopped (a write not yet committed is rolled back) and its result dropped. Logout cancels
 * every task. Each task's allocations are counted while its handler runs.
 */
#ifndef PIPIT_TASKS_H
#define PIPIT_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/loop.h"

int tasks_init(const config_t *cfg, loop_t *loop);
void tasks_shutdown(void);
void tasks_cancel_all(void);

typedef struct {
    uint64_t submitted, completed, cancelled;
    uint32_t queued, running, outcomes_kept, max_running_seen;
} tasks_stats_t;
void tasks_get_stats(tasks_stats_t *out);

#endif
