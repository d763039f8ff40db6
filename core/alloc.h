/* alloc — the one allocator of the process.
 *
 * Every allocation (pipit's own, libwebsockets', mbedtls', later SQLite's) goes through here,
 * with a tag naming the subsystem. A hard byte budget (--heap-budget) bounds the total; per-tag
 * live/peak/failure counters feed /api/1/info and the metrics.
 *
 * Two classes of request: "work" allocations (per-request buffers, queued messages; the default)
 * fail once live bytes would pass the budget minus a reserve, so that the "system" allocations
 * libwebsockets and TLS need to write a 503 and close connections still succeed from the reserve.
 * Thread-safe (the DB worker allocates too): counters are C11 atomics.
 */
#ifndef PIPIT_ALLOC_H
#define PIPIT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ALLOC_CORE = 0, /* loop, timers, config */
    ALLOC_JSON,     /* parsed documents and JSON writers */
    ALLOC_HTTP,     /* API requests: bodies, responses */
    ALLOC_WS,       /* notifier clients and queued messages */
    ALLOC_LWS,      /* libwebsockets internals */
    ALLOC_TLS,      /* mbedtls */
    ALLOC_DB,       /* SQLite / SQLCipher */
    ALLOC_TASK,     /* tasks and their results */
    ALLOC_PAL,      /* platform objects (worker, wake-up) */
    ALLOC_CLIENT,   /* outbound HTTP requests, JSON-RPC and balance queries */
    ALLOC_TEST,     /* unit tests */
    ALLOC_TAG_COUNT
} alloc_tag_t;

typedef struct {
    size_t live;      /* bytes currently allocated (payload sizes) */
    size_t peak;      /* highest live seen */
    uint64_t count;   /* allocations made */
    uint64_t failures;/* allocations refused (budget or system) */
} alloc_stats_t;

/* Budget in bytes; 0 = unlimited. reserve = bytes only system-class requests may use. */
void alloc_configure(size_t budget, size_t reserve);
size_t alloc_budget(void);

/* Work-class allocation: NULL when the budget (less the reserve) would be passed. */
void *alloc_get(alloc_tag_t tag, size_t size);
void *alloc_zget(alloc_tag_t tag, size_t size);               /* zeroed */
void *alloc_reget(alloc_tag_t tag, void *ptr, size_t size);    /* realloc; NULL keeps ptr */
/* System-class allocation: may use the reserve (lws, TLS, DB engine internals). */
void *alloc_sys_get(alloc_tag_t tag, size_t size);
void *alloc_sys_reget(alloc_tag_t tag, void *ptr, size_t size);
void alloc_free(void *ptr);                                    /* NULL is fine */
size_t alloc_size(const void *ptr);                            /* usable size of ptr */
char *alloc_strndup(alloc_tag_t tag, const char *s, size_t n); /* NUL-terminated copy */

size_t alloc_live(void);
size_t alloc_peak(void);
void alloc_tag_stats(alloc_tag_t tag, alloc_stats_t *out);
const char *alloc_tag_name(alloc_tag_t tag);
/* True while work-class allocations of `size` would still succeed. */
int alloc_has_room(size_t size);

/* A fault hook (the reliability tests' fault build): called before every allocation, a nonzero
 * answer refuses it as if the heap were exhausted. NULL removes it. */
void alloc_set_fault_hook(int (*refuse)(int tag, size_t size));

/* An account that allocations made on this thread are also counted to while it is set (an
 * async task's use of the allocator: its handler, its DB jobs, their completions). */
typedef struct alloc_account_s {
    _Atomic uint64_t bytes;  /* allocated in all, not net of frees */
    _Atomic uint64_t count;
} alloc_account_t;
/* Sets this thread's account (NULL for none); returns the previous one to restore. */
alloc_account_t *alloc_set_account(alloc_account_t *a);
alloc_account_t *alloc_account(void);

#endif
