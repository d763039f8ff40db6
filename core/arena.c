/* arena — see arena.h. dlmalloc-style blocks:
 *   [prev_size][size | INUSE | PREV_INUSE][payload …]
 * prev_size is valid only while the block before is free, which is when coalescing needs it.
 * Sizes are multiples of 16, so payloads are 16-byte aligned like malloc's. */
#include "arena.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#ifndef PIPIT_ARENA_SIZE
#if defined(PIPIT_ALLOC_ARENA)
#define PIPIT_ARENA_SIZE (16u << 20)
#else
#define PIPIT_ARENA_SIZE (1u << 20) /* malloc builds keep a small one for the unit tests */
#endif
#endif

#define ALIGN 16u
#define HDR_SIZE 16u
#define MIN_BLOCK 32u /* header + the two free-list links */
#define INUSE 1u
#define PREV_INUSE 2u
#define FLAGS 15u
#define NBINS 40

typedef struct block {
    size_t prev_size;
    size_t size; /* with flags */
    struct block *next, *prev; /* free blocks only: their bin's list */
} block_t;

/* room for the end sentinel and a block header on top, so PIPIT_ARENA_SIZE bytes are usable */
static _Alignas(16) unsigned char region[PIPIT_ARENA_SIZE + MIN_BLOCK + HDR_SIZE];
static block_t *bins[NBINS];
static int ready;
static atomic_flag lock = ATOMIC_FLAG_INIT;

static void acquire(void)
{
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) {}
}
static void release(void) { atomic_flag_clear_explicit(&lock, memory_order_release); }

static size_t bsize(const block_t *b) { return b->size & ~(size_t)FLAGS; }
static block_t *next_block(block_t *b) { return (block_t *)((unsigned char *)b + bsize(b)); }
/* the sentinel sits a whole block_t before the end so every field access stays inside */
static block_t *end_block(void) { return (block_t *)(region + sizeof region - MIN_BLOCK); }

static int bin_of(size_t s)
{
    int b = 0;
    while (s > MIN_BLOCK && b < NBINS - 1) {
        s >>= 1;
        b++;
    }
    return b;
}

static void unlink_free(block_t *b)
{
    if (b->prev) b->prev->next = b->next;
    else bins[bin_of(bsize(b))] = b->next;
    if (b->next) b->next->prev = b->prev;
}

static void link_free(block_t *b)
{
    int i = bin_of(bsize(b));
    b->prev = NULL;
    b->next = bins[i];
    if (bins[i]) bins[i]->prev = b;
    bins[i] = b;
    next_block(b)->prev_size = bsize(b);
    next_block(b)->size &= ~(size_t)PREV_INUSE;
}

static void init(void)
{
    /* one free block spanning the region, and a zero-size in-use sentinel at the end */
    block_t *first = (block_t *)region;
    block_t *end = end_block();
    end->size = INUSE; /* size 0: walks stop here */
    first->size = (size_t)((unsigned char *)end - region) | PREV_INUSE;
    link_free(first);
    ready = 1;
}

/* Marks b (free, unlinked) used for `need` bytes, returning the tail to a bin. */
static void take(block_t *b, size_t need)
{
    size_t have = bsize(b);
    if (have - need >= MIN_BLOCK) {
        block_t *rest = (block_t *)((unsigned char *)b + need);
        rest->size = (have - need) | PREV_INUSE;
        b->size = need | (b->size & PREV_INUSE) | INUSE;
        link_free(rest);
    } else {
        b->size |= INUSE;
        next_block(b)->size |= PREV_INUSE;
    }
}

void *arena_malloc(size_t n)
{
    if (n > sizeof region) return NULL;
    size_t need = (n + HDR_SIZE + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < MIN_BLOCK) need = MIN_BLOCK;
    acquire();
    if (!ready) init();
    block_t *found = NULL;
    for (int i = bin_of(need); i < NBINS && !found; i++)
        for (block_t *b = bins[i]; b; b = b->next)
            if (bsize(b) >= need) {
                found = b;
                break;
            }
    if (found) {
        unlink_free(found);
        take(found, need);
    }
    release();
    return found ? (unsigned char *)found + HDR_SIZE : NULL;
}

void *arena_calloc(size_t n)
{
    void *p = arena_malloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void arena_free(void *p)
{
    if (!p) return;
    block_t *b = (block_t *)((unsigned char *)p - HDR_SIZE);
    acquire();
    b->size &= ~(size_t)INUSE;
    block_t *n = next_block(b);
    if (!(n->size & INUSE)) { /* merge with the free block after */
        unlink_free(n);
        b->size += bsize(n);
    }
    if (!(b->size & PREV_INUSE)) { /* and with the free block before */
        block_t *prev = (block_t *)((unsigned char *)b - b->prev_size);
        unlink_free(prev);
        prev->size += bsize(b);
        b = prev;
    }
    link_free(b);
    release();
}

void *arena_realloc(void *p, size_t n)
{
    if (!p) return arena_malloc(n);
    block_t *b = (block_t *)((unsigned char *)p - HDR_SIZE);
    size_t old = bsize(b) - HDR_SIZE;
    if (n <= old) return p; /* shrinking in place keeps the block (the tail is small or reused later) */
    void *q = arena_malloc(n);
    if (!q) return NULL;
    memcpy(q, p, old);
    arena_free(p);
    return q;
}

size_t arena_capacity(void) { return sizeof region - MIN_BLOCK - HDR_SIZE; }

int arena_check(size_t *free_bytes, size_t *used_bytes)
{
    acquire();
    if (!ready) init();
    size_t fr = 0, used = 0;
    int prev_used = 1, bad = 0;
    for (block_t *b = (block_t *)region; b != end_block(); b = next_block(b)) {
        size_t s = bsize(b);
        if (s < MIN_BLOCK || s % ALIGN || (unsigned char *)b + s > (unsigned char *)end_block()) {
            bad = 1;
            break;
        }
        if (!!(b->size & PREV_INUSE) != prev_used) bad = 1;
        if (!(b->size & INUSE) && !prev_used) bad = 1; /* two free neighbours: a missed merge */
        prev_used = (b->size & INUSE) != 0;
        if (prev_used) used += s;
        else fr += s;
    }
    release();
    if (free_bytes) *free_bytes = fr;
    if (used_bytes) *used_bytes = used;
    return bad ? -1 : 0;
}
