/* arena — the heap for targets without a system malloc (-DPIPIT_ALLOC_ARENA): one fixed,
 * statically reserved region (PIPIT_ARENA_SIZE bytes, untouched pages cost no RAM) managed
 * with boundary tags, power-of-two bins of free blocks and coalescing on free. Thread-safe
 * with a spinlock (the DB worker allocates too). alloc.c sits on top of it. */
#ifndef PIPIT_ARENA_H
#define PIPIT_ARENA_H

#include <stddef.h>

void *arena_malloc(size_t n);
void *arena_calloc(size_t n);
void *arena_realloc(void *p, size_t n);
void arena_free(void *p);
size_t arena_capacity(void);
/* Walks every block checking the tags; 0 when consistent (tests). */
int arena_check(size_t *free_bytes, size_t *used_bytes);

#endif
