/* What a fuzz target that reaches the PAL (files, loops, clocks) sets up first, as the node's
 * main does: PAL objects allocated through the core allocator. */
#ifndef PIPIT_FUZZ_PAL_H
#define PIPIT_FUZZ_PAL_H

#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "platform/pal.h"

static void *fuzz_pal_alloc(size_t n) { return alloc_sys_get(ALLOC_PAL, n); }

static inline void fuzz_pal_init(void)
{
    static const pal_hooks_t hooks = {fuzz_pal_alloc, alloc_free};
    if (pal_init(&hooks) != PAL_OK) {
        fprintf(stderr, "pal_init failed: %s\n", pal_last_error());
        abort();
    }
}

#endif
