/* Protothreads: waits, yields, spawning children, state across resumptions. */
#include "../../core/pt.h"
#include "unit.h"

typedef struct {
    pt_t pt;
    int step, gate, i, sum;
} counter_t;

static PT_THREAD(counter_pt(counter_t *c))
{
    PT_BEGIN(&c->pt);
    c->step = 1;
    PT_WAIT_UNTIL(&c->pt, c->gate);
    c->step = 2;
    for (c->i = 0; c->i < 3; c->i++) {
        c->sum += c->i;
        PT_YIELD(&c->pt);
    }
    c->step = 3;
    PT_END(&c->pt);
}

UNIT_TEST(wait_until_parks_until_condition)
{
    counter_t c = {0};
    PT_INIT(&c.pt);
    CHECK_EQ_INT(counter_pt(&c), PT_WAITING);
    CHECK_EQ_INT(c.step, 1);
    CHECK_EQ_INT(counter_pt(&c), PT_WAITING); /* still closed */
    c.gate = 1;
    CHECK_EQ_INT(counter_pt(&c), PT_YIELDED);
    CHECK_EQ_INT(c.step, 2);
}

UNIT_TEST(yield_resumes_loop_state_from_struct)
{
    counter_t c = {0};
    c.gate = 1;
    PT_INIT(&c.pt);
    int r, runs = 0;
    while ((r = counter_pt(&c)) == PT_YIELDED) runs++;
    CHECK_EQ_INT(r, PT_ENDED);
    CHECK_EQ_INT(runs, 3);
    CHECK_EQ_INT(c.sum, 0 + 1 + 2);
    CHECK_EQ_INT(c.step, 3);
    /* an ended thread starts over when run again */
    c.gate = 0;
    CHECK_EQ_INT(counter_pt(&c), PT_WAITING);
    CHECK_EQ_INT(c.step, 1);
}

typedef struct {
    pt_t pt;
    counter_t child;
    int children_done;
} parent_t;

static PT_THREAD(parent_pt(parent_t *p))
{
    PT_BEGIN(&p->pt);
    p->child.gate = 1;
    PT_SPAWN(&p->pt, &p->child.pt, counter_pt(&p->child));
    p->children_done++;
    PT_SPAWN(&p->pt, &p->child.pt, counter_pt(&p->child));
    p->children_done++;
    PT_END(&p->pt);
}

UNIT_TEST(spawn_runs_child_to_completion_each_time)
{
    parent_t p = {0};
    PT_INIT(&p.pt);
    int runs = 0;
    while (PT_SCHEDULE(parent_pt(&p))) runs++;
    CHECK_EQ_INT(p.children_done, 2);
    CHECK_EQ_INT(p.child.sum, 6); /* 0+1+2 twice */
    CHECK(runs >= 6);
}

typedef struct {
    pt_t pt;
    int n;
} exiter_t;

static PT_THREAD(exiter_pt(exiter_t *e))
{
    PT_BEGIN(&e->pt);
    e->n++;
    if (e->n < 3) PT_EXIT(&e->pt);
    PT_YIELD(&e->pt);
    e->n = 100;
    PT_END(&e->pt);
}

UNIT_TEST(exit_and_restart_from_the_top)
{
    exiter_t e = {0};
    PT_INIT(&e.pt);
    CHECK_EQ_INT(exiter_pt(&e), PT_EXITED);
    CHECK_EQ_INT(exiter_pt(&e), PT_EXITED);
    CHECK_EQ_INT(exiter_pt(&e), PT_YIELDED);
    CHECK_EQ_INT(exiter_pt(&e), PT_ENDED);
    CHECK_EQ_INT(e.n, 100);
}

UNIT_SUITE(suite_pt, UNIT_CASE(wait_until_parks_until_condition), UNIT_CASE(yield_resumes_loop_state_from_struct),
           UNIT_CASE(spawn_runs_child_to_completion_each_time), UNIT_CASE(exit_and_restart_from_the_top));
