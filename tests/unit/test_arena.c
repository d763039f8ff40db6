/* The fixed arena: blocks never overlap, freed neighbours merge, exhaustion is a clean NULL,
 * realloc keeps the bytes, and after everything is freed the arena is one block again. */
#include <stdint.h>
#include <stdlib.h>

#include "../../core/arena.h"
#include "unit.h"

#define SLOTS 512

UNIT_TEST(random_churn_keeps_blocks_apart_and_tags_consistent)
{
    static unsigned char *p[SLOTS];
    static size_t len[SLOTS];
    size_t free0, used0;
    CHECK_EQ_INT(arena_check(&free0, &used0), 0);
    srand(7);
    for (int round = 0; round < 20000; round++) {
        int i = rand() % SLOTS;
        if (p[i]) {
            for (size_t k = 0; k < len[i]; k++) CHECK(p[i][k] == (unsigned char)(i + k)); /* nobody wrote over it */
            arena_free(p[i]);
            p[i] = NULL;
        } else {
            len[i] = (size_t)(rand() % (rand() % 8 ? 200 : 5000)) + 1;
            p[i] = arena_malloc(len[i]);
            if (!p[i]) continue;
            CHECK(((uintptr_t)p[i] & 15) == 0);
            for (size_t k = 0; k < len[i]; k++) p[i][k] = (unsigned char)(i + k);
        }
        if (round % 1000 == 0) CHECK_EQ_INT(arena_check(NULL, NULL), 0);
    }
    for (int i = 0; i < SLOTS; i++) {
        arena_free(p[i]);
        p[i] = NULL;
    }
    size_t fr, used;
    CHECK_EQ_INT(arena_check(&fr, &used), 0);
    CHECK_EQ_INT(used, used0);
    CHECK_EQ_INT(fr, free0); /* everything merged back */
}

UNIT_TEST(exhaustion_is_null_and_recovers)
{
    size_t cap = arena_capacity();
    CHECK(arena_malloc(cap + 1) == NULL);
    void *big = arena_malloc(cap / 2);
    CHECK(big != NULL);
    CHECK(arena_malloc(cap / 2 + 4096) == NULL);
    arena_free(big);
    big = arena_malloc(cap - 64); /* the whole arena is one block again */
    CHECK(big != NULL);
    arena_free(big);
    CHECK_EQ_INT(arena_check(NULL, NULL), 0);
}

UNIT_TEST(realloc_moves_and_keeps_contents)
{
    unsigned char *a = arena_malloc(100), *fence = arena_malloc(16);
    CHECK(a && fence);
    for (int k = 0; k < 100; k++) a[k] = (unsigned char)k;
    unsigned char *b = arena_realloc(a, 10000);
    CHECK(b != NULL);
    for (int k = 0; k < 100; k++) CHECK_EQ_INT(b[k], k);
    CHECK(arena_realloc(b, 50) == b); /* shrinking stays put */
    unsigned char *z = arena_calloc(300);
    CHECK(z);
    for (int k = 0; k < 300; k++) CHECK_EQ_INT(z[k], 0);
    arena_free(z);
    arena_free(b);
    arena_free(fence);
    CHECK_EQ_INT(arena_check(NULL, NULL), 0);
}

UNIT_SUITE(suite_arena, UNIT_CASE(random_churn_keeps_blocks_apart_and_tags_consistent),
           UNIT_CASE(exhaustion_is_null_and_recovers), UNIT_CASE(realloc_moves_and_keeps_contents));
