/* alloc — budgeted, tagged allocation over the C library's malloc (or the fixed arena of
 * arena.c when built with -DPIPIT_ALLOC_ARENA).
 *
 * Each block carries a 16-byte header (its size and tag) so frees and reallocs can be charged
 * back to the right tag and SQLite's xSize can be answered exactly. The charged size is the
 * payload plus the header: the budget bounds what the process really asks of the heap.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(PIPIT_ALLOC_ARENA) /* no system malloc: the fixed arena */
#include "arena.h"
#define sys_malloc(n) arena_malloc(n)
#define sys_calloc(n) arena_calloc(n)
#define sys_realloc(p, n) arena_realloc(p, n)
#define sys_free(p) arena_free(p)
#else
#define sys_malloc(n) malloc(n)
#define sys_calloc(n) calloc(1, n)
#define sys_realloc(p, n) realloc(p, n)
#define sys_free(p) free(p)
#endif

#define HDR 16u
#define MAGIC 0x70697069u /* "pipi": catches frees of foreign pointers in debug runs */

typedef struct {
    size_t size;    /* payload bytes */
    uint32_t tag;
    uint32_t magic;
} hdr_t;
_Static_assert(sizeof(hdr_t) <= HDR, "allocation header must fit its slot");

typedef struct {
    _Atomic size_t live, peak;
    _Atomic uint64_t count, failures;
} tag_counters_t;

static tag_counters_t tags[ALLOC_TAG_COUNT];
static _Atomic size_t total_live, total_peak;
static size_t budget, reserve;
static _Thread_local alloc_account_t *account;
static int (*fault_hook)(int tag, size_t size);

void alloc_set_fault_hook(int (*refuse)(int tag, size_t size)) { fault_hook = refuse; }

/* 1 when the fault hook refuses this allocation (counted as a failure of tag). */
static int refused(alloc_tag_t tag, size_t size)
{
    if (!fault_hook || !fault_hook((int)tag, size)) return 0;
    atomic_fetch_add_explicit(&tags[tag].failures, 1, memory_order_relaxed);
    return 1;
}

alloc_account_t *alloc_set_account(alloc_account_t *a)
{
    alloc_account_t *old = account;
    account = a;
    return old;
}

alloc_account_t *alloc_account(void) { return account; }

static const char *const tag_names[ALLOC_TAG_COUNT] = {
    "core", "json", "http", "ws", "lws", "tls", "db", "task", "pal", "client", "test",
};

void alloc_configure(size_t b, size_t r)
{
#if defined(PIPIT_ALLOC_ARENA) /* the arena is the hard limit: no budget may promise more */
    if (b == 0 || b > arena_capacity()) b = arena_capacity();
#endif
    budget = b;
    reserve = (b && r < b) ? r : 0;
}

size_t alloc_budget(void) { return budget; }

static void raise_peak(_Atomic size_t *peak, size_t now)
{
    size_t p = atomic_load_explicit(peak, memory_order_relaxed);
    while (now > p && !atomic_compare_exchange_weak_explicit(peak, &p, now, memory_order_relaxed,
                                                             memory_order_relaxed)) {}
}

/* Charges n bytes against the budget; 0 if that would pass the limit for this class. */
static int charge(alloc_tag_t tag, size_t n, int sys)
{
    size_t limit = budget ? (sys ? budget : budget - reserve) : (size_t)-1;
    size_t cur = atomic_load_explicit(&total_live, memory_order_relaxed);
    do {
        if (cur + n < cur || cur + n > limit) {
            atomic_fetch_add_explicit(&tags[tag].failures, 1, memory_order_relaxed);
            return 0;
        }
    } while (!atomic_compare_exchange_weak_explicit(&total_live, &cur, cur + n, memory_order_relaxed,
                                                    memory_order_relaxed));
    raise_peak(&total_peak, cur + n);
    size_t t = atomic_fetch_add_explicit(&tags[tag].live, n, memory_order_relaxed) + n;
    raise_peak(&tags[tag].peak, t);
    if (account) {
        atomic_fetch_add_explicit(&account->bytes, n, memory_order_relaxed);
        atomic_fetch_add_explicit(&account->count, 1, memory_order_relaxed);
    }
    return 1;
}

static void uncharge(alloc_tag_t tag, size_t n)
{
    atomic_fetch_sub_explicit(&total_live, n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&tags[tag].live, n, memory_order_relaxed);
}

static void *get(alloc_tag_t tag, size_t size, int sys, int zero)
{
    if ((unsigned)tag >= ALLOC_TAG_COUNT || size > (size_t)-1 - 2 * HDR) return NULL;
    if (refused(tag, size) || !charge(tag, size + HDR, sys)) return NULL;
    unsigned char *raw = zero ? sys_calloc(size + HDR) : sys_malloc(size + HDR);
    if (!raw) {
        uncharge(tag, size + HDR);
        atomic_fetch_add_explicit(&tags[tag].failures, 1, memory_order_relaxed);
        return NULL;
    }
    hdr_t *h = (hdr_t *)raw;
    h->size = size;
    h->tag = tag;
    h->magic = MAGIC;
    atomic_fetch_add_explicit(&tags[tag].count, 1, memory_order_relaxed);
    return raw + HDR;
}

static hdr_t *header_of(const void *p) { return (hdr_t *)((unsigned char *)p - HDR); }

static void *reget(alloc_tag_t tag, void *ptr, size_t size, int sys)
{
    if (!ptr) return get(tag, size, sys, 0);
    if (size > (size_t)-1 - 2 * HDR) return NULL;
    hdr_t *h = header_of(ptr);
    size_t old = h->size;
    alloc_tag_t otag = (alloc_tag_t)h->tag;
    if (size > old && (refused(otag, size) || !charge(otag, size - old, sys))) return NULL;
    hdr_t *nh = sys_realloc(h, size + HDR);
    if (!nh) {
        if (size > old) uncharge(otag, size - old);
        atomic_fetch_add_explicit(&tags[otag].failures, 1, memory_order_relaxed);
        return NULL;
    }
    if (size < old) uncharge(otag, old - size);
    nh->size = size;
    return (unsigned char *)nh + HDR;
}

void *alloc_get(alloc_tag_t tag, size_t size) { return get(tag, size, 0, 0); }
void *alloc_zget(alloc_tag_t tag, size_t size) { return get(tag, size, 0, 1); }
void *alloc_reget(alloc_tag_t tag, void *ptr, size_t size) { return reget(tag, ptr, size, 0); }
void *alloc_sys_get(alloc_tag_t tag, size_t size) { return get(tag, size, 1, 0); }
void *alloc_sys_reget(alloc_tag_t tag, void *ptr, size_t size) { return reget(tag, ptr, size, 1); }

void alloc_free(void *ptr)
{
    if (!ptr) return;
    hdr_t *h = header_of(ptr);
    if (h->magic != MAGIC) abort(); /* not ours, or freed twice: fail loudly, never corrupt */
    h->magic = 0;
    uncharge((alloc_tag_t)h->tag, h->size + HDR);
    sys_free(h);
}

size_t alloc_size(const void *ptr) { return ptr ? header_of(ptr)->size : 0; }

char *alloc_strndup(alloc_tag_t tag, const char *s, size_t n)
{
    char *p = alloc_get(tag, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

size_t alloc_live(void) { return atomic_load(&total_live); }
size_t alloc_peak(void) { return atomic_load(&total_peak); }

void alloc_tag_stats(alloc_tag_t tag, alloc_stats_t *out)
{
    out->live = atomic_load(&tags[tag].live);
    out->peak = atomic_load(&tags[tag].peak);
    out->count = atomic_load(&tags[tag].count);
    out->failures = atomic_load(&tags[tag].failures);
}

const char *alloc_tag_name(alloc_tag_t tag)
{
    return (unsigned)tag < ALLOC_TAG_COUNT ? tag_names[tag] : "?";
}

int alloc_has_room(size_t size)
{
    if (!budget) return 1;
    return alloc_live() + size + HDR <= budget - reserve;
}
