/* loop — see loop.h. Small enough to read in one sitting. */
#include "loop.h"

#include <stdatomic.h>
#include <string.h>

#include "alloc.h"
#include "log.h"

#define MAX_HOOKS 8

typedef struct {
    loop_io_fn fn;
    void *ud;
} io_entry_t;

struct loop {
    /* sockets: dense arrays handed to pal_poll, and a map socket -> index */
    pal_pollfd_t *pfds;
    io_entry_t *ents;
    size_t n_io, cap_io;
    size_t *map; /* open addressing: slot holds index+1, 0 = empty */
    size_t map_cap;

    loop_timer_t **heap; /* 1-based min-heap on due_us */
    size_t n_timers, cap_timers;

    loop_task_t *ready_head, *ready_tail;
    size_t n_ready;

    _Atomic(loop_completion_t *) posted;
    pal_wakeup_t *wakeup;
    pal_worker_t *workers[LOOP_MAX_WORKERS]; /* [0] is the shared one */
    int n_workers;
    int role_worker[LOOP_MAX_WORKERS]; /* role -> worker index; 0 = not started */
    int worker_absent;

    struct {
        void (*fn)(loop_t *, int *, void *);
        void *ud;
    } hooks[MAX_HOOKS];
    int n_hooks;
    void (*on_stop)(loop_t *, void *);
    void *on_stop_ud;
    int stop_signalled;

    int stopping;
    uint64_t now_us;
    loop_stats_t stats;
    uint64_t slow_turn_us;
    struct { /* what the current turn did, for the slow-turn log */
        uint32_t io, timers, tasks;
        uint64_t io_us, timers_us, tasks_us, slowest_us;
        const char *slowest;
    } turn;
};

const uint64_t loop_turn_bounds_us[LOOP_TURN_BUCKETS] = {100, 500, 1000, 5000, 10000, 20000, 50000, 100000, 1000000};

void loop_set_slow_turn_ms(loop_t *l, uint32_t ms) { l->slow_turn_us = (uint64_t)ms * 1000u; }

/* ---------------------------------------------------------------- socket map */
static size_t sock_hash(pal_sock_t s, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 32) & (cap - 1);
}

static size_t *map_find(loop_t *l, pal_sock_t s)
{
    if (!l->map_cap) return NULL;
    for (size_t i = sock_hash(s, l->map_cap);; i = (i + 1) & (l->map_cap - 1)) {
        if (!l->map[i]) return NULL;
        if (l->pfds[l->map[i] - 1].sock == s) return &l->map[i];
    }
}

static void map_put(loop_t *l, pal_sock_t s, size_t idx)
{
    size_t i = sock_hash(s, l->map_cap);
    while (l->map[i]) i = (i + 1) & (l->map_cap - 1);
    l->map[i] = idx + 1;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void map_remove_slot(loop_t *l, size_t *slot)
{
    size_t mask = l->map_cap - 1, i = (size_t)(slot - l->map), j = i;
    for (;;) {
        l->map[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!l->map[j]) return;
            size_t home = sock_hash(l->pfds[l->map[j] - 1].sock, l->map_cap);
            /* move j back into i unless its home lies cyclically in (i, j] */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j)) continue;
            break;
        }
        l->map[i] = l->map[j];
        i = j;
    }
}

static int map_grow(loop_t *l)
{
    size_t cap = l->map_cap ? l->map_cap * 2 : 64;
    size_t *m = alloc_sys_get(ALLOC_CORE, cap * sizeof *m);
    if (!m) return PAL_ENOMEM;
    memset(m, 0, cap * sizeof *m);
    alloc_free(l->map);
    l->map = m;
    l->map_cap = cap;
    for (size_t i = 0; i < l->n_io; i++) map_put(l, l->pfds[i].sock, i);
    return PAL_OK;
}

/* ---------------------------------------------------------------- sockets */
int loop_io_add(loop_t *l, pal_sock_t sock, unsigned events, loop_io_fn fn, void *ud)
{
    if (map_find(l, sock)) return loop_io_modify(l, sock, events) == PAL_OK ? PAL_OK : PAL_EIO;
    if (l->n_io == l->cap_io) {
        size_t cap = l->cap_io ? l->cap_io * 2 : 32;
        pal_pollfd_t *p = alloc_sys_reget(ALLOC_CORE, l->pfds, cap * sizeof *p);
        if (!p) return PAL_ENOMEM;
        l->pfds = p;
        io_entry_t *e = alloc_sys_reget(ALLOC_CORE, l->ents, cap * sizeof *e);
        if (!e) return PAL_ENOMEM;
        l->ents = e;
        l->cap_io = cap;
    }
    if ((l->n_io + 1) * 2 > l->map_cap && map_grow(l) != PAL_OK) return PAL_ENOMEM;
    size_t i = l->n_io++;
    l->pfds[i] = (pal_pollfd_t){sock, (uint16_t)events, 0};
    l->ents[i] = (io_entry_t){fn, ud};
    map_put(l, sock, i);
    return PAL_OK;
}

int loop_io_modify(loop_t *l, pal_sock_t sock, unsigned events)
{
    size_t *slot = map_find(l, sock);
    if (!slot) return PAL_ENOENT;
    l->pfds[*slot - 1].events = (uint16_t)events;
    return PAL_OK;
}

int loop_io_del(loop_t *l, pal_sock_t sock)
{
    size_t *slot = map_find(l, sock);
    if (!slot) return PAL_ENOENT;
    size_t i = *slot - 1, last = l->n_io - 1;
    map_remove_slot(l, slot);
    if (i != last) { /* move the last entry into the hole (dispatch copes, see loop_turn) */
        size_t *ls = map_find(l, l->pfds[last].sock);
        l->pfds[i] = l->pfds[last];
        l->ents[i] = l->ents[last];
        *ls = i + 1;
    }
    l->n_io--;
    return PAL_OK;
}

size_t loop_io_count(loop_t *l) { return l->n_io; }

/* ---------------------------------------------------------------- timers */
static void heap_set(loop_t *l, size_t pos, loop_timer_t *t)
{
    l->heap[pos] = t;
    t->heap_idx = pos;
}

static void heap_up(loop_t *l, size_t pos)
{
    loop_timer_t *t = l->heap[pos];
    while (pos > 1 && l->heap[pos / 2]->due_us > t->due_us) {
        heap_set(l, pos, l->heap[pos / 2]);
        pos /= 2;
    }
    heap_set(l, pos, t);
}

static void heap_down(loop_t *l, size_t pos)
{
    loop_timer_t *t = l->heap[pos];
    for (;;) {
        size_t c = pos * 2;
        if (c > l->n_timers) break;
        if (c < l->n_timers && l->heap[c + 1]->due_us < l->heap[c]->due_us) c++;
        if (l->heap[c]->due_us >= t->due_us) break;
        heap_set(l, pos, l->heap[c]);
        pos = c;
    }
    heap_set(l, pos, t);
}

void loop_timer_stop(loop_t *l, loop_timer_t *t)
{
    if (!t->heap_idx) return;
    size_t pos = t->heap_idx;
    loop_timer_t *last = l->heap[l->n_timers--];
    t->heap_idx = 0;
    if (last == t) return;
    heap_set(l, pos, last);
    heap_up(l, pos);
    heap_down(l, last->heap_idx);
}

void loop_timer_start_us(loop_t *l, loop_timer_t *t, uint64_t us)
{
    loop_timer_stop(l, t);
    if (l->n_timers + 1 >= l->cap_timers) {
        size_t cap = l->cap_timers ? l->cap_timers * 2 : 64;
        loop_timer_t **h = alloc_sys_reget(ALLOC_CORE, l->heap, cap * sizeof *h);
        if (!h) { /* cannot queue it: fire on the next turn instead of never */
            log_error("loop: out of memory for a timer; firing it early");
            us = 0;
            if (!l->heap) return;
        } else {
            l->heap = h;
            l->cap_timers = cap;
        }
    }
    t->due_us = pal_mono_us() + us;
    l->n_timers++;
    heap_set(l, l->n_timers, t);
    heap_up(l, l->n_timers);
}

void loop_timer_start(loop_t *l, loop_timer_t *t, uint64_t ms) { loop_timer_start_us(l, t, ms * 1000u); }

static void fire_timers(loop_t *l)
{
    uint64_t now = pal_mono_us();
    while (l->n_timers && l->heap[1]->due_us <= now) {
        loop_timer_t *t = l->heap[1];
        loop_timer_stop(l, t);
        t->fn(t); /* may re-arm itself */
        l->turn.timers++;
    }
    l->turn.timers_us += pal_mono_us() - now;
}

/* ---------------------------------------------------------------- tasks */
static void task_timer_fired(loop_timer_t *tm) { loop_task_wake(tm->ud, LOOP_WAKE_TIMER); }

void loop_task_start(loop_t *l, loop_task_t *t, loop_task_fn fn, void (*on_end)(loop_task_t *), void *ud)
{
    memset(t, 0, sizeof *t);
    t->loop = l;
    t->fn = fn;
    t->on_end = on_end;
    t->ud = ud;
    t->io_sock = PAL_SOCK_INVALID;
    t->account = alloc_account(); /* work a task starts is counted where its starter's is */
    t->timer.fn = task_timer_fired;
    t->timer.ud = t;
    loop_task_wake(t, 0);
}

void loop_task_wake(loop_task_t *t, unsigned reason)
{
    t->wake |= reason;
    if (t->queued || t->ended) return;
    loop_t *l = t->loop;
    t->queued = 1;
    t->next_ready = NULL;
    if (l->ready_tail) l->ready_tail->next_ready = t;
    else l->ready_head = t;
    l->ready_tail = t;
    l->n_ready++;
}

static void unqueue(loop_task_t *t)
{
    loop_t *l = t->loop;
    loop_task_t **pp = &l->ready_head, *prev = NULL;
    while (*pp && *pp != t) {
        prev = *pp;
        pp = &(*pp)->next_ready;
    }
    if (!*pp) return;
    *pp = t->next_ready;
    if (l->ready_tail == t) l->ready_tail = prev;
    t->queued = 0;
    l->n_ready--;
}

static void task_io_ready(loop_t *l, pal_sock_t sock, unsigned revents, void *ud)
{
    (void)l;
    (void)sock;
    loop_task_t *t = ud;
    t->io_revents = revents;
    loop_task_wake(t, LOOP_WAKE_IO);
}

int loop_task_wait_sock_arm(loop_task_t *t, pal_sock_t sock, unsigned events, uint64_t timeout_ms)
{
    t->wake = 0;
    t->io_revents = 0;
    t->io_sock = sock;
    int st = loop_io_add(t->loop, sock, events, task_io_ready, t);
    if (st != PAL_OK) { /* report as a timeout: the caller sees io_revents == 0 */
        loop_task_wake(t, LOOP_WAKE_TIMER);
        t->io_sock = PAL_SOCK_INVALID;
        return st;
    }
    if (timeout_ms) loop_timer_start(t->loop, &t->timer, timeout_ms);
    return PAL_OK;
}

void loop_task_wait_sock_disarm(loop_task_t *t)
{
    if (t->io_sock != PAL_SOCK_INVALID) loop_io_del(t->loop, t->io_sock);
    t->io_sock = PAL_SOCK_INVALID;
    loop_timer_stop(t->loop, &t->timer);
}

void loop_task_abort(loop_task_t *t)
{
    if (t->ended) return;
    unqueue(t);
    loop_task_wait_sock_disarm(t);
    t->ended = 1;
}

static void run_task(loop_t *l, loop_task_t *t)
{
    t->queued = 0;
    t->running = 1;
    uint64_t t0 = pal_mono_us();
    const char *name = t->name;
    alloc_account_t *outer = alloc_set_account(t->account);
    int r = t->fn(t);
    alloc_set_account(outer);
    uint64_t dt = pal_mono_us() - t0;
    t->running = 0;
    l->stats.tasks_run++;
    l->turn.tasks++;
    l->turn.tasks_us += dt;
    if (dt >= l->turn.slowest_us) {
        l->turn.slowest_us = dt;
        l->turn.slowest = name ? name : "task";
    }
    if (r == PT_YIELDED) {
        loop_task_wake(t, 0);
    } else if (r >= PT_EXITED) {
        loop_task_abort(t);
        if (t->on_end) t->on_end(t);
    }
}

/* ---------------------------------------------------------------- events, semaphores */
void loop_event_init(loop_event_t *e) { memset(e, 0, sizeof *e); }

void loop_event_arm(loop_event_t *e, loop_task_t *t)
{
    for (loop_task_t *w = e->waiters; w; w = w->next_wait)
        if (w == t) return;
    t->next_wait = e->waiters;
    e->waiters = t;
}

void loop_event_signal(loop_event_t *e)
{
    loop_task_t *w = e->waiters;
    e->waiters = NULL;
    e->signalled++;
    while (w) {
        loop_task_t *next = w->next_wait;
        w->next_wait = NULL;
        loop_task_wake(w, LOOP_WAKE_EVENT);
        w = next;
    }
}

void loop_event_forget(loop_event_t *e, loop_task_t *t)
{
    for (loop_task_t **pp = &e->waiters; *pp; pp = &(*pp)->next_wait)
        if (*pp == t) {
            *pp = t->next_wait;
            t->next_wait = NULL;
            return;
        }
}

void loop_sem_init(loop_sem_t *s, int count)
{
    s->count = count;
    s->waiters_head = s->waiters_tail = NULL;
}

int loop_sem_try(loop_sem_t *s, loop_task_t *t)
{
    if (s->count > 0 && !s->waiters_head) {
        s->count--;
        return 1;
    }
    t->next_wait = NULL;
    if (s->waiters_tail) s->waiters_tail->next_wait = t;
    else s->waiters_head = t;
    s->waiters_tail = t;
    return 0;
}

void loop_sem_release(loop_sem_t *s)
{
    loop_task_t *w = s->waiters_head;
    if (!w) {
        s->count++;
        return;
    }
    /* hand the unit straight to the oldest waiter */
    s->waiters_head = w->next_wait;
    if (!s->waiters_head) s->waiters_tail = NULL;
    w->next_wait = NULL;
    loop_task_wake(w, LOOP_WAKE_EVENT);
}

int loop_sem_forget(loop_sem_t *s, loop_task_t *t)
{
    loop_task_t *prev = NULL;
    for (loop_task_t *w = s->waiters_head; w; prev = w, w = w->next_wait) {
        if (w != t) continue;
        if (prev) prev->next_wait = w->next_wait;
        else s->waiters_head = w->next_wait;
        if (s->waiters_tail == w) s->waiters_tail = prev;
        w->next_wait = NULL;
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- other threads */
void loop_post(loop_t *l, loop_completion_t *c)
{
    loop_completion_t *head = atomic_load(&l->posted);
    do {
        c->next = head;
    } while (!atomic_compare_exchange_weak(&l->posted, &head, c));
    pal_wakeup_signal(l->wakeup);
}

static void run_posted(loop_t *l)
{
    loop_completion_t *list = atomic_exchange(&l->posted, NULL), *fifo = NULL;
    while (list) { /* the stack is newest first: reverse it */
        loop_completion_t *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo) {
        loop_completion_t *next = fifo->next;
        fifo->fn(fifo);
        fifo = next;
    }
}

static int start_worker(loop_t *l)
{
    if (l->worker_absent || l->n_workers == LOOP_MAX_WORKERS) return -1;
    int st = pal_worker_start(l->wakeup, &l->workers[l->n_workers]);
    if (st != PAL_OK) {
        if (st == PAL_ENOTSUP) l->worker_absent = 1;
        else log_warn("loop: cannot start a worker thread: %s", pal_last_error());
        return -1;
    }
    return l->n_workers++;
}

int loop_has_worker(loop_t *l) { return l->n_workers > 0 || start_worker(l) == 0; }

int loop_worker_for(loop_t *l, int role)
{
    if (role <= 0 || role >= LOOP_MAX_WORKERS || !loop_has_worker(l)) return -1;
    if (!l->role_worker[role]) {
        int w = start_worker(l);
        if (w < 0) return -1;
        l->role_worker[role] = w;
    }
    return l->role_worker[role];
}

int loop_job_submit_on(loop_t *l, int worker, loop_job_t *j, void (*run)(pal_job_t *), void (*done)(loop_job_t *))
{
    if (worker < 0 || worker >= l->n_workers) return PAL_ENOTSUP;
    j->pj.run = run;
    j->done = done;
    pal_worker_submit(l->workers[worker], &j->pj);
    return PAL_OK;
}

int loop_job_submit(loop_t *l, loop_job_t *j, void (*run)(pal_job_t *), void (*done)(loop_job_t *))
{
    if (!loop_has_worker(l)) return PAL_ENOTSUP;
    return loop_job_submit_on(l, 0, j, run, done);
}

static void reap_jobs(loop_t *l)
{
    for (int w = 0; w < l->n_workers; w++)
        for (pal_job_t *p = pal_worker_reap(l->workers[w]); p;) {
            pal_job_t *next = p->next;
            loop_job_t *j = (loop_job_t *)p;
            j->done(j);
            p = next;
        }
}

static void on_wakeup(loop_t *l, pal_sock_t sock, unsigned revents, void *ud)
{
    (void)sock;
    (void)revents;
    (void)ud;
    pal_wakeup_drain(l->wakeup);
    reap_jobs(l);
    run_posted(l);
    if (pal_stop_requested() && !l->stop_signalled) {
        l->stop_signalled = 1;
        if (l->on_stop) l->on_stop(l, l->on_stop_ud);
        else l->stopping = 1;
    }
}

/* ---------------------------------------------------------------- the loop */
int loop_create(loop_t **out)
{
    loop_t *l = alloc_sys_get(ALLOC_CORE, sizeof *l);
    if (!l) return PAL_ENOMEM;
    memset(l, 0, sizeof *l);
    atomic_init(&l->posted, NULL);
    int st = pal_wakeup_open(&l->wakeup);
    if (st == PAL_OK) st = loop_io_add(l, pal_wakeup_sock(l->wakeup), PAL_POLL_IN, on_wakeup, NULL);
    if (st != PAL_OK) {
        loop_destroy(l);
        return st;
    }
    *out = l;
    return PAL_OK;
}

void loop_destroy(loop_t *l)
{
    if (!l) return;
    for (int w = 0; w < l->n_workers; w++) pal_worker_stop(l->workers[w]);
    l->n_workers = 0;
    if (l->wakeup) {
        loop_io_del(l, pal_wakeup_sock(l->wakeup));
        pal_wakeup_close(l->wakeup);
    }
    pal_poll(NULL, 0, 0); /* lets the PAL release its per-thread scratch */
    alloc_free(l->pfds);
    alloc_free(l->ents);
    alloc_free(l->map);
    alloc_free(l->heap);
    alloc_free(l);
}

int loop_add_prepare_hook(loop_t *l, void (*fn)(loop_t *, int *, void *), void *ud)
{
    if (l->n_hooks == MAX_HOOKS) return PAL_ENOMEM;
    l->hooks[l->n_hooks].fn = fn;
    l->hooks[l->n_hooks].ud = ud;
    l->n_hooks++;
    return PAL_OK;
}

int loop_on_stop_signal(loop_t *l, void (*fn)(loop_t *, void *), void *ud)
{
    l->on_stop = fn;
    l->on_stop_ud = ud;
    return pal_signals_install(l->wakeup);
}

int loop_turn(loop_t *l, int max_wait_ms)
{
    int timeout = max_wait_ms;
    if (l->ready_head) {
        timeout = 0;
    } else if (l->n_timers) {
        uint64_t now = pal_mono_us(), due = l->heap[1]->due_us;
        uint64_t ms = due > now ? (due - now + 999) / 1000 : 0;
        if (timeout < 0 || ms < (uint64_t)timeout) timeout = (int)(ms > 86400000u ? 86400000u : ms);
    }
    for (int i = 0; i < l->n_hooks; i++) l->hooks[i].fn(l, &timeout, l->hooks[i].ud);

    int n = pal_poll(l->pfds, l->n_io, timeout);
    uint64_t t0 = l->now_us = pal_mono_us();
    if (n == PAL_ENOMEM) { /* the poll set could not grow this turn: nothing is ready, try again next turn */
        log_warn("loop: no memory to wait on %zu sockets this turn", l->n_io);
        n = 0;
    }
    if (n < 0) {
        log_error("loop: poll failed: %s", pal_last_error());
        return n;
    }
    memset(&l->turn, 0, sizeof l->turn);
    /* Backwards, clearing revents first: a handler may delete entries (the last one moves
     * into the hole, already handled) or add some (appended, not seen this turn). */
    for (size_t i = l->n_io; n > 0 && i-- > 0;) {
        if (i >= l->n_io) continue;
        unsigned re = l->pfds[i].revents;
        if (!re) continue;
        l->pfds[i].revents = 0;
        n--;
        l->ents[i].fn(l, l->pfds[i].sock, re, l->ents[i].ud);
        l->turn.io++;
    }
    l->turn.io_us = pal_mono_us() - t0;
    fire_timers(l);

    /* Run what is ready now; tasks readied meanwhile get the next turn (no starvation). */
    for (size_t k = l->n_ready; k > 0 && l->ready_head; k--) {
        loop_task_t *t = l->ready_head;
        l->ready_head = t->next_ready;
        if (!l->ready_head) l->ready_tail = NULL;
        l->n_ready--;
        run_task(l, t);
    }

    uint64_t dt = pal_mono_us() - t0;
    l->stats.turns++;
    l->stats.last_turn_us = dt;
    l->stats.turn_sum_us += dt;
    int b = 0;
    while (b < LOOP_TURN_BUCKETS && dt > loop_turn_bounds_us[b]) b++;
    l->stats.turn_buckets[b]++;
    if (dt > l->stats.longest_turn_us) l->stats.longest_turn_us = dt;
    if (l->slow_turn_us && dt > l->slow_turn_us) {
        l->stats.slow_turns++;
        log_warn("loop: a turn took %.1f ms: %u socket events (%.1f ms), %u timers (%.1f ms), %u tasks (%.1f ms, "
                 "slowest %s %.1f ms)",
                 (double)dt / 1000, l->turn.io, (double)l->turn.io_us / 1000, l->turn.timers,
                 (double)l->turn.timers_us / 1000, l->turn.tasks, (double)l->turn.tasks_us / 1000,
                 l->turn.slowest ? l->turn.slowest : "-", (double)l->turn.slowest_us / 1000);
    }
    return PAL_OK;
}

int loop_run(loop_t *l)
{
    while (!l->stopping) {
        int st = loop_turn(l, -1);
        if (st != PAL_OK) return st;
    }
    return PAL_OK;
}

void loop_stop(loop_t *l)
{
    l->stopping = 1;
    pal_wakeup_signal(l->wakeup);
}

uint64_t loop_now_us(loop_t *l) { return l->now_us; }

void loop_get_stats(loop_t *l, loop_stats_t *out) { *out = l->stats; }
