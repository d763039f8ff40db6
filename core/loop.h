/* loop — the one poll loop that drives everything: socket readiness, timers, protothread
 * tasks, events and semaphores between them, and completions posted from other threads.
 *
 * A turn: wait in pal_poll() (no longer than the nearest timer, not at all if a task is
 * ready) → dispatch socket readiness → fire due timers → run the tasks that were ready.
 * Everything runs on the thread that called loop_run(); only loop_post() and
 * loop_job_submit()'s worker side may be used from other threads.
 */
#ifndef PIPIT_LOOP_H
#define PIPIT_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "../platform/pal.h"
#include "pt.h"

typedef struct loop loop_t;

/* ---- timers ---- */
typedef struct loop_timer loop_timer_t;
struct loop_timer {
    uint64_t due_us;
    size_t heap_idx; /* 0 = not armed; else 1-based position in the heap */
    void (*fn)(loop_timer_t *t);
    void *ud;
};
void loop_timer_start(loop_t *l, loop_timer_t *t, uint64_t ms);
void loop_timer_start_us(loop_t *l, loop_timer_t *t, uint64_t us);
void loop_timer_stop(loop_t *l, loop_timer_t *t);
#define loop_timer_armed(t) ((t)->heap_idx != 0)

/* ---- socket readiness ---- */
typedef void (*loop_io_fn)(loop_t *l, pal_sock_t sock, unsigned revents, void *ud);
int loop_io_add(loop_t *l, pal_sock_t sock, unsigned events, loop_io_fn fn, void *ud);
int loop_io_modify(loop_t *l, pal_sock_t sock, unsigned events);
int loop_io_del(loop_t *l, pal_sock_t sock); /* PAL_ENOENT when the socket is not watched */
size_t loop_io_count(loop_t *l);

/* ---- tasks: protothreads scheduled by the loop ---- */
#define LOOP_WAKE_TIMER 0x1
#define LOOP_WAKE_IO 0x2
#define LOOP_WAKE_EVENT 0x4
#define LOOP_WAKE_DONE 0x8   /* a job or cross-thread completion finished */
#define LOOP_WAKE_CANCEL 0x10

typedef struct loop_task loop_task_t;
typedef int (*loop_task_fn)(loop_task_t *t);
struct loop_task {
    pt_t pt;
    loop_task_fn fn;
    void (*on_end)(loop_task_t *t); /* after fn ended or exited; may free the task */
    loop_t *loop;
    void *ud;
    loop_task_t *next_ready;
    loop_task_t *next_wait; /* in an event's or semaphore's waiter list */
    loop_timer_t timer;     /* for sleeps and timeouts */
    unsigned wake;          /* LOOP_WAKE_* reasons since the task last waited */
    unsigned io_revents;
    pal_sock_t io_sock;
    const char *name;       /* for the slow-turn log; set by the owner after starting */
    struct alloc_account_s *account; /* the starter's allocator account, set while it runs */
    uint8_t queued, running, ended;
};
void loop_task_start(loop_t *l, loop_task_t *t, loop_task_fn fn, void (*on_end)(loop_task_t *), void *ud);
void loop_task_wake(loop_task_t *t, unsigned reason);
/* Stops a task that has not ended: unqueues it, disarms its timer and socket wait. */
void loop_task_abort(loop_task_t *t);

/* Waits, for use inside a task's protothread function. */
#define LOOP_SLEEP(t, ms)                                                                              \
    do {                                                                                               \
        (t)->wake = 0;                                                                                 \
        loop_timer_start((t)->loop, &(t)->timer, (ms));                                                \
        PT_WAIT_UNTIL(&(t)->pt, (t)->wake & LOOP_WAKE_TIMER);                                          \
    } while (0)

/* Waits for socket readiness or timeout_ms (0 = none); afterwards (t)->io_revents is 0 on
 * timeout. */
#define LOOP_WAIT_SOCK(t, sock, events, timeout_ms)                                                    \
    do {                                                                                               \
        loop_task_wait_sock_arm((t), (sock), (events), (timeout_ms));                                  \
        PT_WAIT_UNTIL(&(t)->pt, (t)->wake & (LOOP_WAKE_IO | LOOP_WAKE_TIMER));                         \
        loop_task_wait_sock_disarm(t);                                                                 \
    } while (0)
int loop_task_wait_sock_arm(loop_task_t *t, pal_sock_t sock, unsigned events, uint64_t timeout_ms);
void loop_task_wait_sock_disarm(loop_task_t *t);

/* ---- events and semaphores between tasks ---- */
typedef struct {
    loop_task_t *waiters;
    unsigned signalled;
} loop_event_t;
void loop_event_init(loop_event_t *e);
void loop_event_arm(loop_event_t *e, loop_task_t *t); /* t is woken by the next signal */
void loop_event_signal(loop_event_t *e);               /* wakes every waiter */
void loop_event_forget(loop_event_t *e, loop_task_t *t);
#define LOOP_WAIT_EVENT(t, ev)                                                                         \
    do {                                                                                               \
        (t)->wake = 0;                                                                                 \
        loop_event_arm((ev), (t));                                                                     \
        PT_WAIT_UNTIL(&(t)->pt, (t)->wake & LOOP_WAKE_EVENT);                                          \
    } while (0)

typedef struct {
    int count;
    loop_task_t *waiters_head, *waiters_tail;
} loop_sem_t;
void loop_sem_init(loop_sem_t *s, int count);
int loop_sem_try(loop_sem_t *s, loop_task_t *t); /* 1 = acquired; 0 = t queued, woken later */
void loop_sem_release(loop_sem_t *s);
/* Removes t from the waiters; 0 when it was not waiting (it may already hold a unit). */
int loop_sem_forget(loop_sem_t *s, loop_task_t *t);
/* Acquires in FIFO order: a released unit goes straight to the oldest waiter. */
#define LOOP_SEM_ACQUIRE(t, sem)                                                                       \
    do {                                                                                               \
        (t)->wake = 0;                                                                                 \
        if (!loop_sem_try((sem), (t))) PT_WAIT_UNTIL(&(t)->pt, (t)->wake & LOOP_WAKE_EVENT);           \
    } while (0)

/* ---- work on other threads ---- */
/* A completion posted from any thread runs fn on the loop thread. */
typedef struct loop_completion loop_completion_t;
struct loop_completion {
    loop_completion_t *next;
    void (*fn)(loop_completion_t *c);
};
void loop_post(loop_t *l, loop_completion_t *c);

/* A job runs `run` on the PAL worker thread, then `done` on the loop thread. Returns
 * PAL_ENOTSUP on a port without threads (the caller then runs the work in slices). */
typedef struct loop_job loop_job_t;
struct loop_job {
    pal_job_t pj; /* first: the worker hands back this pointer */
    void (*done)(loop_job_t *j);
};
int loop_job_submit(loop_t *l, loop_job_t *j, void (*run)(pal_job_t *), void (*done)(loop_job_t *));
int loop_has_worker(loop_t *l);
/* A worker thread of one's own for a role (the DB's writer and reader), started on first
 * use and kept for the loop's life: its index, or -1 without threads. */
#define LOOP_MAX_WORKERS 4
enum { LOOP_WORKER_DB_WRITER = 1, LOOP_WORKER_DB_READER = 2 };
int loop_worker_for(loop_t *l, int role);
int loop_job_submit_on(loop_t *l, int worker, loop_job_t *j, void (*run)(pal_job_t *), void (*done)(loop_job_t *));

/* ---- the loop itself ---- */
#define LOOP_TURN_BUCKETS 9
extern const uint64_t loop_turn_bounds_us[LOOP_TURN_BUCKETS]; /* histogram upper bounds; +Inf after */
typedef struct {
    uint64_t turns;
    uint64_t longest_turn_us;
    uint64_t last_turn_us;
    uint64_t tasks_run;
    uint64_t slow_turns;
    uint64_t turn_buckets[LOOP_TURN_BUCKETS + 1];
    uint64_t turn_sum_us;
} loop_stats_t;
/* A turn that runs longer than ms is logged with what ran in it (0 = never). */
void loop_set_slow_turn_ms(loop_t *l, uint32_t ms);

int loop_create(loop_t **out);
void loop_destroy(loop_t *l);
/* Before each wait: a hook may lower *timeout_ms (e.g. libwebsockets' own timers). */
int loop_add_prepare_hook(loop_t *l, void (*fn)(loop_t *l, int *timeout_ms, void *ud), void *ud);
/* Installs the SIGINT/SIGTERM handlers; fn then runs once on the loop thread. */
int loop_on_stop_signal(loop_t *l, void (*fn)(loop_t *l, void *ud), void *ud);
int loop_run(loop_t *l);                      /* until loop_stop() */
int loop_turn(loop_t *l, int max_wait_ms);    /* one turn; for tests and embedding */
void loop_stop(loop_t *l);
uint64_t loop_now_us(loop_t *l);              /* time at the start of this turn's dispatch */
void loop_get_stats(loop_t *l, loop_stats_t *out);

#endif
