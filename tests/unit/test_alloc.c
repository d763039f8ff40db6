/* The allocator: counters per tag, the hard budget, the reserve, realloc accounting. */
#include "../../core/alloc.h"
#include "unit.h"

UNIT_TEST(counts_live_and_peak_per_tag)
{
    alloc_stats_t before, after;
    alloc_tag_stats(ALLOC_TEST, &before);
    void *a = alloc_get(ALLOC_TEST, 100);
    void *b = alloc_zget(ALLOC_TEST, 50);
    CHECK(a && b);
    CHECK_EQ_INT(alloc_size(a), 100);
    CHECK_EQ_INT(((unsigned char *)b)[49], 0);
    alloc_tag_stats(ALLOC_TEST, &after);
    CHECK_EQ_INT(after.live - before.live, 150 + 2 * 16);
    CHECK_EQ_INT(after.count - before.count, 2);
    alloc_free(a);
    alloc_free(b);
    alloc_tag_stats(ALLOC_TEST, &after);
    CHECK_EQ_INT(after.live, before.live);
    CHECK(after.peak >= before.live + 150);
    CHECK_EQ_STR(alloc_tag_name(ALLOC_DB), "db");
}

UNIT_TEST(budget_refuses_and_recovers)
{
    size_t base = alloc_live();
    alloc_configure(base + 10000, 0);
    void *a = alloc_get(ALLOC_TEST, 6000);
    CHECK(a);
    alloc_stats_t s0, s1;
    alloc_tag_stats(ALLOC_TEST, &s0);
    void *b = alloc_get(ALLOC_TEST, 6000); /* would pass the budget */
    alloc_tag_stats(ALLOC_TEST, &s1);
    if (b) alloc_free(b);
    CHECK(b == NULL);
    CHECK_EQ_INT(s1.failures - s0.failures, 1);
    CHECK(!alloc_has_room(6000));
    alloc_free(a);
    CHECK(alloc_has_room(6000));
    b = alloc_get(ALLOC_TEST, 6000); /* room again once the first block went */
    CHECK(b);
    alloc_free(b);
}

UNIT_TEST(reserve_is_for_system_class_only)
{
    size_t base = alloc_live();
    alloc_configure(base + 10000, 4000);
    void *w = alloc_get(ALLOC_TEST, 7000); /* work class: limit is budget - reserve = 6000 */
    CHECK(w == NULL);
    void *s = alloc_sys_get(ALLOC_TEST, 7000); /* system class may use the reserve */
    CHECK(s != NULL);
    void *w2 = alloc_get(ALLOC_TEST, 100); /* and now work class has nothing left */
    if (w2) alloc_free(w2);
    alloc_free(s);
    CHECK(w2 == NULL);
}

UNIT_TEST(realloc_charges_the_difference)
{
    size_t base = alloc_live();
    alloc_configure(base + 5000, 0);
    char *p = alloc_get(ALLOC_TEST, 1000);
    CHECK(p);
    memset(p, 'x', 1000);
    char *q = alloc_reget(ALLOC_TEST, p, 4000);
    CHECK(q);
    CHECK_EQ_INT(q[999], 'x');
    CHECK_EQ_INT(alloc_live() - base, 4000 + 16);
    char *r = alloc_reget(ALLOC_TEST, q, 6000); /* over budget: NULL, q untouched */
    CHECK(r == NULL);
    CHECK_EQ_INT(alloc_size(q), 4000);
    q = alloc_reget(ALLOC_TEST, q, 10); /* shrinking gives bytes back */
    CHECK(q);
    CHECK_EQ_INT(alloc_live() - base, 10 + 16);
    alloc_free(q);
    CHECK_EQ_INT(alloc_live(), base);
}

UNIT_TEST(huge_requests_fail_cleanly)
{
    CHECK(alloc_get(ALLOC_TEST, (size_t)-1) == NULL);
    CHECK(alloc_get(ALLOC_TEST, (size_t)-1 - 8) == NULL);
    void *p = alloc_get(ALLOC_TEST, 8);
    CHECK(p);
    CHECK(alloc_reget(ALLOC_TEST, p, (size_t)-1 - 4) == NULL);
    alloc_free(p);
    alloc_free(NULL);
}

UNIT_TEST(strndup_terminates)
{
    char *s = alloc_strndup(ALLOC_TEST, "abcdef", 3);
    CHECK(s);
    CHECK_EQ_STR(s, "abc");
    alloc_free(s);
}


/* The fault hook (the fault build's PIPIT_FAULT_ALLOC_NTH): a refusal is a clean NULL, counted
 * as a failure of the tag, and a refused realloc keeps the old block. */
static int hook_calls, hook_refuse_at;
static int refuse_nth(int tag, size_t size)
{
    (void)tag;
    (void)size;
    return ++hook_calls == hook_refuse_at;
}

UNIT_TEST(fault_hook_refuses_the_nth_allocation)
{
    alloc_stats_t s0, s1;
    alloc_tag_stats(ALLOC_TEST, &s0);
    hook_calls = 0;
    hook_refuse_at = 2;
    alloc_set_fault_hook(refuse_nth);
    void *a = alloc_get(ALLOC_TEST, 64);
    void *b = alloc_get(ALLOC_TEST, 64); /* the 2nd: refused */
    void *c = alloc_get(ALLOC_TEST, 64);
    hook_refuse_at = hook_calls + 1;
    void *grown = alloc_reget(ALLOC_TEST, a, 128); /* refused: a stays valid */
    alloc_set_fault_hook(NULL);
    alloc_tag_stats(ALLOC_TEST, &s1);
    CHECK(a && !b && c && !grown);
    CHECK_EQ_INT(alloc_size(a), 64);
    CHECK_EQ_INT(s1.failures - s0.failures, 2);
    alloc_free(a);
    alloc_free(c);
}

UNIT_SUITE(suite_alloc, UNIT_CASE(counts_live_and_peak_per_tag), UNIT_CASE(budget_refuses_and_recovers),
           UNIT_CASE(reserve_is_for_system_class_only), UNIT_CASE(realloc_charges_the_difference),
           UNIT_CASE(huge_requests_fail_cleanly), UNIT_CASE(strndup_terminates),
           UNIT_CASE(fault_hook_refuses_the_nth_allocation));
