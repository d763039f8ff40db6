/* The loop: timers, tasks that sleep and wait on sockets, events, semaphores, jobs on the
 * worker thread completing back on the loop, and removal of sockets during dispatch. */
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/loop.h"
#include "unit.h"

static int order[16], n_order;
static void record(loop_timer_t *t) { order[n_order++] = (int)(intptr_t)t->ud; }

static void run_until(loop_t *l, int *done, int max_ms)
{
    uint64_t end = pal_mono_ms() + (uint64_t)max_ms;
    while (!*done && pal_mono_ms() < end) loop_turn(l, 10);
}

UNIT_TEST(timers_fire_in_due_order_and_stop)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    loop_timer_t t[5];
    int delays[5] = {30, 10, 20, 5, 40};
    n_order = 0;
    for (int i = 0; i < 5; i++) {
        t[i].heap_idx = 0;
        t[i].fn = record;
        t[i].ud = (void *)(intptr_t)i;
        loop_timer_start(l, &t[i], (uint64_t)delays[i]);
    }
    loop_timer_stop(l, &t[2]);
    CHECK(!loop_timer_armed(&t[2]));
    uint64_t t0 = pal_mono_ms();
    while (n_order < 4 && pal_mono_ms() - t0 < 2000) loop_turn(l, 100);
    loop_destroy(l);
    CHECK_EQ_INT(n_order, 4);
    CHECK_EQ_INT(order[0], 3);
    CHECK_EQ_INT(order[1], 1);
    CHECK_EQ_INT(order[2], 0);
    CHECK_EQ_INT(order[3], 4);
    CHECK(pal_mono_ms() - t0 >= 40);
}

typedef struct {
    loop_task_t task;
    int ticks, done;
    uint64_t started;
} sleeper_t;

static int sleeper_pt(loop_task_t *t)
{
    sleeper_t *s = t->ud;
    PT_BEGIN(&t->pt);
    s->started = pal_mono_ms();
    for (s->ticks = 0; s->ticks < 3; s->ticks++) LOOP_SLEEP(t, 15);
    PT_END(&t->pt);
}

static void sleeper_end(loop_task_t *t) { ((sleeper_t *)t->ud)->done = 1; }

UNIT_TEST(task_sleeps_without_blocking_others)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    sleeper_t a = {0}, b = {0};
    loop_task_start(l, &a.task, sleeper_pt, sleeper_end, &a);
    loop_task_start(l, &b.task, sleeper_pt, sleeper_end, &b);
    int both = 0;
    uint64_t t0 = pal_mono_ms();
    while (!both && pal_mono_ms() - t0 < 2000) {
        loop_turn(l, 50);
        both = a.done && b.done;
    }
    uint64_t took = pal_mono_ms() - t0;
    loop_destroy(l);
    CHECK(both);
    CHECK_EQ_INT(a.ticks, 3);
    CHECK(took >= 45);
    CHECK(took < 1000); /* the two slept side by side, not one after the other */
}

/* Echo over real loopback sockets: a server task and a client task, both on the loop. */
typedef struct {
    loop_task_t task;
    pal_sock_t listener, sock;
    char buf[64];
    long got;
    int done, ok;
} peer_t;

static int server_pt(loop_task_t *t)
{
    peer_t *p = t->ud;
    PT_BEGIN(&t->pt);
    LOOP_WAIT_SOCK(t, p->listener, PAL_POLL_IN, 2000);
    if (pal_tcp_accept(p->listener, &p->sock) != PAL_OK) PT_EXIT(&t->pt);
    while (p->got < 5) {
        LOOP_WAIT_SOCK(t, p->sock, PAL_POLL_IN, 2000);
        if (!t->io_revents) PT_EXIT(&t->pt);
        long n = pal_sock_read(p->sock, p->buf + p->got, sizeof p->buf - (size_t)p->got);
        if (n > 0) p->got += n;
        else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
    }
    LOOP_WAIT_SOCK(t, p->sock, PAL_POLL_OUT, 2000);
    p->ok = pal_sock_write(p->sock, p->buf, (size_t)p->got) == p->got;
    PT_END(&t->pt);
}

static int client_pt(loop_task_t *t)
{
    peer_t *p = t->ud;
    PT_BEGIN(&t->pt);
    LOOP_WAIT_SOCK(t, p->sock, PAL_POLL_OUT, 2000);
    if (pal_tcp_connect_result(p->sock) != PAL_OK) PT_EXIT(&t->pt);
    if (pal_sock_write(p->sock, "hello", 5) != 5) PT_EXIT(&t->pt);
    while (p->got < 5) {
        LOOP_WAIT_SOCK(t, p->sock, PAL_POLL_IN, 2000);
        if (!t->io_revents) PT_EXIT(&t->pt);
        long n = pal_sock_read(p->sock, p->buf + p->got, sizeof p->buf - (size_t)p->got);
        if (n > 0) p->got += n;
        else if (n != PAL_EAGAIN) PT_EXIT(&t->pt);
    }
    p->ok = memcmp(p->buf, "hello", 5) == 0;
    PT_END(&t->pt);
}

static void peer_end(loop_task_t *t) { ((peer_t *)t->ud)->done = 1; }

UNIT_TEST(tasks_wait_on_socket_readiness)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    peer_t srv = {0}, cli = {0};
    uint16_t port;
    CHECK_EQ_INT(pal_tcp_listen("127.0.0.1", 0, 8, &srv.listener), PAL_OK);
    CHECK_EQ_INT(pal_sock_local_port(srv.listener, &port), PAL_OK);
    int st = pal_tcp_connect("127.0.0.1", port, &cli.sock);
    CHECK(st == PAL_OK || st == PAL_EINPROGRESS);
    loop_task_start(l, &srv.task, server_pt, peer_end, &srv);
    loop_task_start(l, &cli.task, client_pt, peer_end, &cli);
    int both = 0;
    uint64_t t0 = pal_mono_ms();
    while (!both && pal_mono_ms() - t0 < 3000) {
        loop_turn(l, 50);
        both = srv.done && cli.done;
    }
    size_t watched = loop_io_count(l);
    pal_sock_close(srv.sock);
    pal_sock_close(srv.listener);
    pal_sock_close(cli.sock);
    loop_destroy(l);
    CHECK(both);
    CHECK(srv.ok);
    CHECK(cli.ok);
    CHECK_EQ_INT(watched, 1); /* only the loop's own wake-up is left watched */
}

UNIT_TEST(socket_wait_times_out)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    peer_t srv = {0};
    CHECK_EQ_INT(pal_tcp_listen("127.0.0.1", 0, 8, &srv.listener), PAL_OK);
    srv.sock = PAL_SOCK_INVALID;
    loop_task_start(l, &srv.task, server_pt, peer_end, &srv); /* nobody connects */
    uint64_t t0 = pal_mono_ms();
    run_until(l, &srv.done, 5000);
    uint64_t took = pal_mono_ms() - t0;
    pal_sock_close(srv.listener);
    loop_destroy(l);
    CHECK(srv.done);
    CHECK(!srv.ok);
    CHECK(took >= 1900 && took < 4000);
}

/* Events and semaphores */
static int acquired;
typedef struct {
    loop_task_t task;
    loop_event_t *ev;
    loop_sem_t *sem;
    int *running, *max_running, *finished;
    int id;
} worker_t;

static int waiter_pt(loop_task_t *t)
{
    worker_t *w = t->ud;
    PT_BEGIN(&t->pt);
    LOOP_WAIT_EVENT(t, w->ev);
    (*w->finished)++;
    PT_END(&t->pt);
}

static int limited_pt(loop_task_t *t)
{
    worker_t *w = t->ud;
    PT_BEGIN(&t->pt);
    LOOP_SEM_ACQUIRE(t, w->sem);
    order[acquired++ % 16] = w->id;
    (*w->running)++;
    if (*w->running > *w->max_running) *w->max_running = *w->running;
    LOOP_SLEEP(t, 5);
    (*w->running)--;
    (*w->finished)++;
    loop_sem_release(w->sem);
    PT_END(&t->pt);
}

UNIT_TEST(event_wakes_every_waiter)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    loop_event_t ev;
    loop_event_init(&ev);
    worker_t w[4];
    int finished = 0;
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ev = &ev;
        w[i].finished = &finished;
        loop_task_start(l, &w[i].task, waiter_pt, NULL, &w[i]);
    }
    for (int i = 0; i < 5; i++) loop_turn(l, 0);
    int before = finished;
    loop_event_signal(&ev);
    for (int i = 0; i < 5; i++) loop_turn(l, 0);
    loop_destroy(l);
    CHECK_EQ_INT(before, 0);
    CHECK_EQ_INT(finished, 4);
}

UNIT_TEST(semaphore_bounds_concurrency_in_fifo_order)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    loop_sem_t sem;
    loop_sem_init(&sem, 3);
    worker_t w[12];
    int running = 0, max_running = 0, finished = 0;
    acquired = 0;
    for (int i = 0; i < 12; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].sem = &sem;
        w[i].running = &running;
        w[i].max_running = &max_running;
        w[i].finished = &finished;
        w[i].id = i;
        loop_task_start(l, &w[i].task, limited_pt, NULL, &w[i]);
    }
    uint64_t t0 = pal_mono_ms();
    while (finished < 12 && pal_mono_ms() - t0 < 3000) loop_turn(l, 20);
    loop_destroy(l);
    CHECK_EQ_INT(finished, 12);
    CHECK_EQ_INT(max_running, 3);
    CHECK_EQ_INT(sem.count, 3);
    for (int i = 0; i < 12; i++) CHECK_EQ_INT(order[i], i); /* units go out first come, first served */
}

UNIT_TEST(a_waiter_dropped_after_being_handed_a_unit_can_give_it_back)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    loop_sem_t sem;
    loop_sem_init(&sem, 1);
    loop_task_t a, b;
    loop_task_start(l, &a, limited_pt, NULL, NULL);
    loop_task_start(l, &b, limited_pt, NULL, NULL);
    CHECK_EQ_INT(loop_sem_try(&sem, &a), 1);
    CHECK_EQ_INT(loop_sem_try(&sem, &b), 0); /* b waits */
    loop_sem_release(&sem);                  /* ... and is handed the unit before it runs */
    CHECK_EQ_INT(loop_sem_forget(&sem, &b), 0);
    CHECK(b.wake & LOOP_WAKE_EVENT);
    loop_sem_release(&sem); /* what the task manager does when it drops b */
    CHECK_EQ_INT(sem.count, 1);
    loop_task_abort(&a);
    loop_task_abort(&b);
    loop_destroy(l);
}

/* Jobs on the worker thread */
typedef struct {
    loop_job_t job;
    volatile unsigned long result;
    int done;
    loop_task_t task;
} sum_job_t;

static void sum_run(pal_job_t *pj)
{
    sum_job_t *j = (sum_job_t *)pj;
    unsigned long s = 0;
    for (unsigned long i = 0; i < 2000000; i++) s += i % 7;
    pal_sleep_ms(20); /* long enough that the loop would notice if it were blocked */
    j->result = s;
}

static void sum_done(loop_job_t *lj)
{
    sum_job_t *j = (sum_job_t *)lj;
    j->done = 1;
    loop_task_wake(&j->task, LOOP_WAKE_DONE);
}

static int ticker_pt(loop_task_t *t)
{
    int *ticks = t->ud;
    PT_BEGIN(&t->pt);
    for (;;) {
        LOOP_SLEEP(t, 1);
        (*ticks)++;
    }
    PT_END(&t->pt);
}

static int job_waiter_pt(loop_task_t *t) /* waits for its job like a DB caller would */
{
    sum_job_t *j = t->ud;
    PT_BEGIN(&t->pt);
    PT_WAIT_UNTIL(&t->pt, j->done);
    PT_END(&t->pt);
}

UNIT_TEST(worker_jobs_complete_on_the_loop_while_it_keeps_turning)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    if (!loop_has_worker(l)) { /* a port without threads: nothing to test here */
        loop_destroy(l);
        return;
    }
    sum_job_t jobs[4];
    memset(jobs, 0, sizeof jobs);
    int ticks = 0, waiters_done = 0;
    loop_task_t ticker;
    loop_task_start(l, &ticker, ticker_pt, NULL, &ticks);
    for (int i = 0; i < 4; i++) {
        loop_task_start(l, &jobs[i].task, job_waiter_pt, NULL, &jobs[i]);
        CHECK_EQ_INT(loop_job_submit(l, &jobs[i].job, sum_run, sum_done), PAL_OK);
    }
    uint64_t t0 = pal_mono_ms();
    while (pal_mono_ms() - t0 < 5000) {
        loop_turn(l, 20);
        waiters_done = 0;
        for (int i = 0; i < 4; i++) waiters_done += jobs[i].task.ended;
        if (waiters_done == 4) break;
    }
    loop_task_abort(&ticker);
    loop_destroy(l);
    CHECK_EQ_INT(waiters_done, 4);
    for (int i = 0; i < 4; i++) CHECK(jobs[i].result > 0);
    CHECK(ticks >= 20); /* the loop kept turning while the worker computed */
}

/* Removing other watched sockets from inside a handler must not skip or repeat anyone. */
static loop_t *del_loop;
static pal_sock_t del_socks[8];
static int del_calls[8];

static void del_handler(loop_t *l, pal_sock_t sock, unsigned revents, void *ud)
{
    int i = (int)(intptr_t)ud;
    del_calls[i]++;
    char c;
    while (pal_sock_read(sock, &c, 1) > 0) {}
    if (i == 7) /* the first one dispatched (backwards order): remove three others */
        for (int k = 0; k < 3; k++) loop_io_del(l, del_socks[k * 2]);
    (void)revents;
}

UNIT_TEST(handlers_may_remove_sockets_during_dispatch)
{
    loop_t *l;
    CHECK_EQ_INT(loop_create(&l), PAL_OK);
    del_loop = l;
    pal_sock_t listener, peers[8];
    uint16_t port;
    CHECK_EQ_INT(pal_tcp_listen("127.0.0.1", 0, 16, &listener), PAL_OK);
    CHECK_EQ_INT(pal_sock_local_port(listener, &port), PAL_OK);
    for (int i = 0; i < 8; i++) {
        int st = pal_tcp_connect("127.0.0.1", port, &peers[i]);
        CHECK(st == PAL_OK || st == PAL_EINPROGRESS);
        pal_pollfd_t pf = {listener, PAL_POLL_IN, 0};
        pal_poll(&pf, 1, 1000);
        CHECK_EQ_INT(pal_tcp_accept(listener, &del_socks[i]), PAL_OK);
        del_calls[i] = 0;
    }
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(loop_io_add(l, del_socks[i], PAL_POLL_IN, del_handler, (void *)(intptr_t)i), PAL_OK);
    for (int i = 0; i < 8; i++) pal_sock_write(peers[i], "x", 1);
    pal_sleep_ms(20);
    loop_turn(l, 100);
    int total = 0;
    for (int i = 0; i < 8; i++) total += del_calls[i];
    size_t left = loop_io_count(l);
    for (int i = 0; i < 8; i++) {
        loop_io_del(l, del_socks[i]);
        pal_sock_close(del_socks[i]);
        pal_sock_close(peers[i]);
    }
    pal_sock_close(listener);
    loop_destroy(l);
    CHECK_EQ_INT(del_calls[7], 1);
    for (int i = 0; i < 8; i++) CHECK(del_calls[i] <= 1);
    CHECK_EQ_INT(total, 5); /* 8 ready, 3 removed before their turn */
    CHECK_EQ_INT(left, 1 + 5);
}

UNIT_SUITE(suite_loop, UNIT_CASE(timers_fire_in_due_order_and_stop), UNIT_CASE(task_sleeps_without_blocking_others),
           UNIT_CASE(tasks_wait_on_socket_readiness), UNIT_CASE(socket_wait_times_out),
           UNIT_CASE(event_wakes_every_waiter), UNIT_CASE(semaphore_bounds_concurrency_in_fifo_order),
           UNIT_CASE(a_waiter_dropped_after_being_handed_a_unit_can_give_it_back),
           UNIT_CASE(worker_jobs_complete_on_the_loop_while_it_keeps_turning),
           UNIT_CASE(handlers_may_remove_sockets_during_dispatch));
