/* tasks — see tasks.h. */
#include "tasks.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "api.h"

#define OUTCOME_TTL_MS (3600u * 1000u)

typedef enum { T_QUEUED, T_RUNNING, T_COMPLETED } task_state_t;

typedef struct task {
    loop_task_t lt;
    struct task *next;
    uint64_t id;
    task_state_t state;
    api_req_t *req;        /* the detached request while queued or running */
    int replied;
    int cancelled;
    /* outcome */
    int status;
    char *outcome;         /* the envelope the endpoint produced */
    size_t outcome_len;
    uint64_t done_ms, started_ms;
    alloc_account_t account; /* what its handler, jobs and completions allocated */
} task_t;

static struct {
    const config_t *cfg;
    loop_t *loop;
    loop_sem_t slots;
    task_t *list, *tail; /* oldest first: ids ascend */
    uint64_t next_id;
    tasks_stats_t stats;
} tm;

void tasks_get_stats(tasks_stats_t *out) { *out = tm.stats; }

static void unlink_task(task_t *t)
{
    task_t *prev = NULL;
    for (task_t **pp = &tm.list; *pp; prev = *pp, pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            if (tm.tail == t) tm.tail = prev;
            return;
        }
}

static void free_task(task_t *t)
{
    if (t->state == T_COMPLETED) tm.stats.outcomes_kept--;
    unlink_task(t);
    alloc_free(t->outcome);
    alloc_free(t);
}

static task_t *find(uint64_t id)
{
    for (task_t *t = tm.list; t; t = t->next)
        if (t->id == id) return t;
    return NULL;
}

/* Old outcomes nobody read go after an hour, and the oldest when there are too many. */
static void prune(void)
{
    uint64_t now = pal_mono_ms();
    for (task_t *t = tm.list, *next; t; t = next) {
        next = t->next;
        if (t->state == T_COMPLETED &&
            (now - t->done_ms > OUTCOME_TTL_MS || tm.stats.outcomes_kept > (uint32_t)tm.cfg->max_task_outcomes))
            free_task(t);
    }
}

/* ------------------------------------------------------------------ running */
/* The detached request's reply: keep it as the outcome (api frees the request after). */
static void on_task_reply(api_req_t *r)
{
    task_t *t = r->task;
    t->replied = 1;
    t->req = NULL;
    if (!t->cancelled) {
        t->status = r->status;
        if (r->out) {
            t->outcome = alloc_strndup(ALLOC_TASK, r->out + r->out_off, r->out_len);
            t->outcome_len = r->out_len;
        }
        if (!t->outcome) { /* the endpoint could not even make its reply: the 503 envelope */
            size_t n;
            const char *s = api_static_503(&n);
            t->outcome = alloc_strndup(ALLOC_TASK, s, n);
            t->outcome_len = t->outcome ? n : 0;
            t->status = 503;
        }
    }
    loop_task_wake(&t->lt, LOOP_WAKE_DONE);
}

static int task_pt(loop_task_t *lt)
{
    task_t *t = lt->ud;
    PT_BEGIN(&lt->pt);
    LOOP_SEM_ACQUIRE(lt, &tm.slots);
    tm.stats.queued--;
    tm.stats.running++;
    if (tm.stats.running > tm.stats.max_running_seen) tm.stats.max_running_seen = tm.stats.running;
    t->state = T_RUNNING;
    t->started_ms = pal_mono_ms();
    {
        alloc_account_t *outer = alloc_set_account(&t->account);
        api_req_run(t->req); /* may reply at once, or later from its jobs (they carry the account) */
        alloc_set_account(outer);
    }
    PT_WAIT_UNTIL(&lt->pt, t->replied);
    tm.stats.running--;
    loop_sem_release(&tm.slots);
    PT_END(&lt->pt);
}

static void task_end(loop_task_t *lt)
{
    task_t *t = lt->ud;
    if (t->cancelled) {
        free_task(t);
        return;
    }
    t->state = T_COMPLETED;
    t->done_ms = pal_mono_ms();
    tm.stats.completed++;
    tm.stats.outcomes_kept++;
    prune();
}

/* api's hook: take an async request over */
static int submit(api_req_t *req)
{
    task_t *t = alloc_zget(ALLOC_TASK, sizeof *t);
    api_req_t *d = t ? api_req_detach(req) : NULL;
    if (!d) {
        alloc_free(t);
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return 0;
    }
    t->id = tm.next_id++;
    t->req = d;
    d->task = t;
    if (tm.tail) tm.tail->next = t;
    else tm.list = t;
    tm.tail = t;
    tm.stats.submitted++;
    tm.stats.queued++;
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "task_id");
    json_write_uint64(w, t->id);
    json_end_object(w);
    api_reply_end(req, 200, "");
    loop_task_start(tm.loop, &t->lt, task_pt, task_end, t);
    return 0;
}

static int cancel(task_t *t)
{
    if (t->state == T_COMPLETED) return -1; /* finished: nothing left to stop */
    t->cancelled = 1;
    tm.stats.cancelled++;
    if (t->state == T_QUEUED) { /* never started: it simply goes */
        /* handed a slot but not yet run: the slot goes back, or the cap would shrink for good */
        if (!loop_sem_forget(&tm.slots, &t->lt) && (t->lt.wake & LOOP_WAKE_EVENT)) loop_sem_release(&tm.slots);
        loop_task_abort(&t->lt);
        tm.stats.queued--;
        api_req_t *r = t->req;
        t->req = NULL;
        api_req_free(r);
        free_task(t);
        return 0;
    }
    /* running: its jobs see the flag (a write not yet committed rolls back); the reply it
     * still makes is dropped when it comes */
    if (t->req) {
        t->req->cancelled = 1;
        if (t->req->on_gone) t->req->on_gone(t->req);
    }
    return 0;
}

void tasks_cancel_all(void)
{
    for (task_t *t = tm.list, *next; t; t = next) {
        next = t->next;
        if (t->state != T_COMPLETED) cancel(t);
    }
}

/* ------------------------------------------------------------------ endpoints */
static int api_tasks_list(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    for (int completed = 0; completed < 2; completed++) {
        json_write_key(w, completed ? "completed" : "pending");
        json_begin_array(w);
        for (task_t *t = tm.list; t; t = t->next)
            if ((t->state == T_COMPLETED) == completed && !t->cancelled) json_write_uint64(w, t->id);
        json_end_array(w);
    }
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static int task_id_arg(api_req_t *req, uint64_t *id)
{
    const char *s = api_path_param(req, "task_id");
    uint64_t v = 0;
    if (!s || !*s) return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *id = v;
    return 0;
}

static void reply_not_found(api_req_t *req, const char *id_text)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "status");
    json_write_str(w, "not-found");
    json_write_key(w, "outcome");
    json_write_null(w);
    json_end_object(w);
    char msg[96];
    snprintf(msg, sizeof msg, "No task with id %s found", id_text);
    api_reply_end(req, 404, msg);
}

static int api_task_get(api_req_t *req)
{
    uint64_t id;
    task_t *t = task_id_arg(req, &id) == 0 ? find(id) : NULL;
    if (!t || t->cancelled) {
        reply_not_found(req, api_path_param(req, "task_id"));
        return API_DONE;
    }
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "status");
    if (t->state != T_COMPLETED) {
        json_write_str(w, "pending");
        json_write_key(w, "outcome");
        json_write_null(w);
        json_end_object(w);
        char msg[96];
        snprintf(msg, sizeof msg, "The task with id %llu is still pending", (unsigned long long)id);
        api_reply_end(req, 200, msg);
        return API_DONE;
    }
    json_write_str(w, "completed");
    json_write_key(w, "outcome");
    json_write_raw(w, t->outcome, t->outcome_len);
    json_write_key(w, "status_code");
    json_write_int64(w, t->status);
    json_write_key(w, "pipit"); /* pipit's accounting of the task; rotki clients ignore it */
    json_begin_object(w);
    json_write_key(w, "allocated_bytes");
    json_write_uint64(w, atomic_load(&t->account.bytes));
    json_write_key(w, "allocations");
    json_write_uint64(w, atomic_load(&t->account.count));
    json_write_key(w, "run_ms");
    json_write_uint64(w, t->done_ms - t->started_ms);
    json_end_object(w);
    json_end_object(w);
    api_reply_end(req, 200, "");
    if (req->status == 200) free_task(t); /* read once, as rotki */
    return API_DONE;
}

static int api_task_delete(api_req_t *req)
{
    uint64_t id;
    task_t *t = task_id_arg(req, &id) == 0 ? find(id) : NULL;
    if (!t || t->cancelled || cancel(t) != 0) {
        api_reply_error(req, 404, "Did not cancel task with id %s because it could not be found",
                        api_path_param(req, "task_id"));
        return API_DONE;
    }
    api_reply_true(req);
    return API_DONE;
}

/* POST /tasks/trigger {"task"}: rotki's on-demand tasks. The matching ones need premium (403 as
 * rotki's for a free user); historical_balance_processing derives balances over time from the
 * events, which pipit does not do: there is nothing to run, true. */
static int api_task_trigger(api_req_t *req)
{
    static const char *const allowed[] = {"task", "async_query", NULL};
    int obj, t;
    if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
    t = obj >= 0 ? json_obj_get(&req->doc, obj, "task") : -1;
    if (t >= 0 && json_str_eq(&req->doc, t, "historical_balance_processing")) {
        api_reply_true(req);
    } else if (t >= 0 && (json_str_eq(&req->doc, t, "asset_movement_matching") || json_str_eq(&req->doc, t, "bridge_matching"))) {
        api_reply_error(req, 403, "Automatic matching is not available for your current premium tier.");
    } else {
        api_reply_error(req, 400, "{\"task\": [\"%s\"]}", t < 0 ? "Missing data for required field."
                                                                 : "Must be one of: historical_balance_processing, asset_movement_matching, bridge_matching.");
    }
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_POST, "/api/1/tasks/trigger", api_task_trigger, NULL, API_ASYNC},
    {API_GET, "/api/1/tasks", api_tasks_list, NULL, 0},
    {API_GET, "/api/1/tasks/<task_id>", api_task_get, NULL, 0},
    {API_DELETE, "/api/1/tasks/<task_id>", api_task_delete, NULL, 0},
};

int tasks_init(const config_t *cfg, loop_t *loop)
{
    memset(&tm, 0, sizeof tm);
    tm.cfg = cfg;
    tm.loop = loop;
    loop_sem_init(&tm.slots, cfg->max_tasks);
    api_set_async(submit, on_task_reply);
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void tasks_shutdown(void)
{
    tasks_cancel_all();
    while (tm.list) free_task(tm.list); /* what is left has completed or is being dropped */
}
