/* The unit runner both test programs share (tests/unit/main.c, the lwIP port's unit_main.c):
 * every case of the given suites (or those whose name contains argv[1]), one line each, a check
 * that no test leaked through the allocator, and the closing "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../../platform/pal.h"
#include "unit.h"

int unit_current_failed;

void unit_fail(const char *file, int line, const char *expr)
{
    printf("    FAIL %s:%d: %s\n", file, line, expr);
    unit_current_failed = 1;
}

static void *pal_alloc(size_t n) { return alloc_sys_get(ALLOC_PAL, n); }

static size_t allowed_leak;
void unit_allow_leak(size_t bytes) { allowed_leak += bytes; }

static const char *skip_reason;
void unit_skip(const char *why) { skip_reason = why; }

int unit_run(const unit_suite_t *const *suites, size_t n, int argc, char **argv)
{
    pal_hooks_t hooks = {pal_alloc, alloc_free};
    if (pal_init(&hooks) != PAL_OK) {
        printf("pal_init failed: %s\n0 passed, 1 failed\n", pal_last_error());
        return 1;
    }
    printf("# platform: %s\n", pal_name());
    log_set_level(LOG_CRITICAL);
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    for (size_t s = 0; s < n; s++) {
        for (int i = 0; i < suites[s]->count; i++) {
            const unit_case_t *c = &suites[s]->cases[i];
            if (only && !strstr(c->name, only) && !strstr(suites[s]->name, only)) continue;
            unit_current_failed = 0;
            allowed_leak = 0;
            skip_reason = NULL;
            size_t live_before = alloc_live();
            uint64_t t0 = pal_mono_ms();
            c->fn();
            alloc_configure(0, 0); /* a test may have set a budget */
            if (!unit_current_failed && alloc_live() != live_before + allowed_leak) {
                char m[96];
                snprintf(m, sizeof m, "test leaked %zu bytes", alloc_live() - live_before - allowed_leak);
                unit_fail(suites[s]->name, 0, m);
            }
            if (skip_reason && !unit_current_failed) {
                printf("skip %s.%s (%s)\n", suites[s]->name, c->name, skip_reason);
                skipped++;
                continue;
            }
            printf("%s %s.%s (%llu ms)\n", unit_current_failed ? "not ok" : "ok", suites[s]->name, c->name,
                   (unsigned long long)(pal_mono_ms() - t0));
            if (unit_current_failed) failed++;
            else passed++;
        }
    }
    pal_shutdown();
    if (skipped) printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
