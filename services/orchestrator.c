/* orchestrator — see orchestrator.h. Each periodic job is a protothread woken by its own timer;
 * a tick finds it either idle (it starts a run) or still running (the tick is counted as
 * skipped): a run never overlaps the previous one. */
#include "orchestrator.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/flags.h"
#include "../core/log.h"
#include "../db/query.h"
#include "api.h"
#include "auth.h"
#include "exchanges/exchanges.h"
#include "messages.h"

typedef struct periodic periodic_t;
struct periodic {
    const char *name;        /* also the flag "task.<name>" */
    const char *description;
    int flag;
    uint32_t interval_s;
    loop_task_t task;
    loop_timer_t tick;
    int due, running;
    uint64_t runs, skipped_busy, skipped_idle, failures;
    int64_t last_run_ts;
    /* a job another service runs: start it, it calls finished(p, error or NULL) at its end */
    int (*start_ext)(void (*finished)(void *ud, const char *error), void *ud);
    /* the run's state */
    db_batch_t batch;
    db_query_t query;
    int step, job_done;
    char error[300];
};

static struct {
    loop_t *loop;
    const config_t *cfg;
    int enabled;
} orc;

static periodic_t maintenance = {.name = "db_maintenance",
                                 .description = "checkpoint the write-ahead log, refresh the query planner's statistics "
                                                "and check the user database's integrity"};
static periodic_t exchange_history = {.name = "exchange_history",
                                      .description = "read new trades, deposits and withdrawals of every exchange account "
                                                     "into history events",
                                      .start_ext = exchanges_history_refresh};
static periodic_t *const jobs[] = {&maintenance, &exchange_history};
#define N_JOBS (sizeof jobs / sizeof jobs[0])

static void on_tick(loop_timer_t *tm)
{
    periodic_t *p = tm->ud;
    loop_timer_start(orc.loop, &p->tick, (uint64_t)p->interval_s * 1000u);
    if (!orc.enabled || !flags_on(p->flag) || !auth_db()) {
        p->skipped_idle++; /* paused, switched off, or nobody logged in */
        return;
    }
    if (p->running) { /* the last run is still going: never two at once */
        p->skipped_busy++;
        return;
    }
    p->due = 1;
    loop_task_wake(&p->task, LOOP_WAKE_TIMER);
}

static void job_done(db_job_t *j)
{
    periodic_t *p = j->ud;
    p->job_done = 1;
}

#define RUN_JOB(t, p, jobp)                                                                            \
    do {                                                                                               \
        (p)->job_done = 0;                                                                             \
        (jobp)->waiter = (t);                                                                          \
        if (!auth_db()) break;                                                                         \
        db_job_submit(auth_db(), (jobp));                                                              \
        PT_WAIT_UNTIL(&(t)->pt, (p)->job_done);                                                        \
    } while (0)

/* db_maintenance: three steps, each reported with a progress_updates message */
static const char *const maintenance_steps[] = {"checkpoint", "optimize", "integrity_check"};

static int maintenance_pt(loop_task_t *t)
{
    periodic_t *p = t->ud;
    PT_BEGIN(&t->pt);
    for (;;) {
        PT_WAIT_UNTIL(&t->pt, p->due);
        p->due = 0;
        p->running = 1;
        p->runs++;
        p->error[0] = 0;
        for (p->step = 0; p->step < 3 && !p->error[0]; p->step++) {
            messages_progress(p->name, p->step, 3, maintenance_steps[p->step]);
            if (p->step < 2) {
                db_batch_init(&p->batch, job_done, p);
                p->batch.job.flags |= DB_JOB_NO_TXN; /* pragmas that manage their own writes */
                db_batch_add(&p->batch, p->step == 0 ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA optimize");
                RUN_JOB(t, p, &p->batch.job);
                if (!p->job_done || p->batch.job.rc != DB_JOB_DONE)
                    snprintf(p->error, sizeof p->error, "%s", p->job_done ? p->batch.job.errmsg : "the user logged out");
            } else {
                db_query_init(&p->query, "PRAGMA quick_check", job_done, p);
                RUN_JOB(t, p, &p->query.job);
                if (!p->job_done || p->query.job.rc != DB_JOB_DONE)
                    snprintf(p->error, sizeof p->error, "%s", p->job_done ? p->query.job.errmsg : "the user logged out");
                else if (p->query.nrows != 1 || strcmp(db_query_cell(&p->query, 0, 0), "ok") != 0)
                    snprintf(p->error, sizeof p->error, "the integrity check found: %s", db_query_cell(&p->query, 0, 0));
                db_query_clear(&p->query);
            }
        }
        if (p->error[0]) {
            p->failures++;
            log_error("%s failed: %s", p->name, p->error);
            messages_legacy(1, p->error);
        } else {
            messages_progress(p->name, 3, 3, "done");
        }
        p->last_run_ts = pal_wall_ms() / 1000;
        p->running = 0;
    }
    PT_END(&t->pt);
}

/* A job run by another service: the tick starts it, its completion ends the run. */
static void ext_finished(void *ud, const char *error)
{
    periodic_t *p = ud;
    if (error) {
        p->failures++;
        snprintf(p->error, sizeof p->error, "%s", error);
    }
    p->last_run_ts = pal_wall_ms() / 1000;
    p->running = 0;
    loop_task_wake(&p->task, LOOP_WAKE_DONE);
}

static int external_pt(loop_task_t *t)
{
    periodic_t *p = t->ud;
    PT_BEGIN(&t->pt);
    for (;;) {
        PT_WAIT_UNTIL(&t->pt, p->due);
        p->due = 0;
        p->error[0] = 0;
        p->running = 1;
        p->runs++;
        if (p->start_ext(ext_finished, p) != 0) { /* already running on request, or logged out */
            p->running = 0;
            p->runs--;
            p->skipped_busy++;
            continue;
        }
        PT_WAIT_UNTIL(&t->pt, !p->running);
    }
    PT_END(&t->pt);
}

/* ------------------------------------------------------------------ endpoints */
static void write_state(json_writer_t *w)
{
    json_begin_object(w);
    json_write_key(w, "enabled");
    json_write_bool(w, orc.enabled);
    json_write_key(w, "jobs");
    json_begin_object(w);
    for (size_t i = 0; i < N_JOBS; i++) {
        periodic_t *p = jobs[i];
        json_write_key(w, p->name);
        json_begin_object(w);
        json_write_key(w, "description");
        json_write_str(w, p->description);
        json_write_key(w, "enabled");
        json_write_bool(w, flags_on(p->flag));
        json_write_key(w, "interval");
        json_write_uint64(w, p->interval_s);
        json_write_key(w, "running");
        json_write_bool(w, p->running);
        json_write_key(w, "runs");
        json_write_uint64(w, p->runs);
        json_write_key(w, "failures");
        json_write_uint64(w, p->failures);
        json_write_key(w, "skipped_busy");
        json_write_uint64(w, p->skipped_busy);
        json_write_key(w, "skipped_idle");
        json_write_uint64(w, p->skipped_idle);
        json_write_key(w, "last_run_ts");
        if (p->last_run_ts) json_write_int64(w, p->last_run_ts);
        else json_write_null(w);
        json_end_object(w);
    }
    json_end_object(w);
    json_end_object(w);
}

static int api_scheduler_get(api_req_t *req)
{
    write_state(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* rotki's PUT /api/1/tasks/scheduler {"enabled": bool}: pauses or resumes every periodic job */
static int api_scheduler_put(api_req_t *req)
{
    int obj, on;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, "enabled") : -1;
    if (t < 0 || json_get_bool(&req->doc, t, &on) != JSON_OK) {
        api_reply_error(req, 400, "{\"enabled\": [\"%s\"]}", t < 0 ? "Missing data for required field." : "Not a valid boolean.");
        return API_DONE;
    }
    if (orc.enabled != on) log_info("periodic jobs %s", on ? "resumed" : "paused");
    orc.enabled = on;
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "enabled");
    json_write_bool(w, on);
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/tasks/scheduler", api_scheduler_get, NULL, 0},
    {API_PUT, "/api/1/tasks/scheduler", api_scheduler_put, NULL, 0},
};

int orchestrator_init(const config_t *cfg, loop_t *loop)
{
    orc.loop = loop;
    orc.cfg = cfg;
    orc.enabled = 1;
    maintenance.interval_s = (uint32_t)cfg->db_maintenance_interval;
    exchange_history.interval_s = (uint32_t)cfg->exchange_history_interval;
    for (size_t i = 0; i < N_JOBS; i++) {
        periodic_t *p = jobs[i];
        char flag[64];
        snprintf(flag, sizeof flag, "task.%s", p->name);
        p->flag = flags_register(flag, 1, p->description);
        loop_task_start(loop, &p->task, p->start_ext ? external_pt : maintenance_pt, NULL, p);
        p->task.name = p->name;
        p->tick.fn = on_tick;
        p->tick.ud = p;
        loop_timer_start(loop, &p->tick, (uint64_t)p->interval_s * 1000u);
    }
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void orchestrator_shutdown(void)
{
    if (!orc.loop) return; /* start-up failed before orchestrator_init */
    for (size_t i = 0; i < N_JOBS; i++) {
        loop_timer_stop(orc.loop, &jobs[i]->tick);
        loop_task_abort(&jobs[i]->task);
        db_query_clear(&jobs[i]->query);
    }
}
