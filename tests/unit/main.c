/* The unit-test runner: every suite, one line per failure, then "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../../platform/pal.h"
#include "unit.h"

extern const unit_suite_t suite_pt, suite_loop, suite_alloc, suite_json, suite_config, suite_schema, suite_sqlcipher,
    suite_db, suite_migrations, suite_arena, suite_keccak, suite_multicall, suite_sign;

static const unit_suite_t *const suites[] = {&suite_pt,     &suite_loop,      &suite_alloc, &suite_json, &suite_config,
                                             &suite_schema, &suite_sqlcipher, &suite_db, &suite_migrations, &suite_arena, &suite_keccak, &suite_multicall, &suite_sign};

int unit_current_failed;

void unit_fail(const char *file, int line, const char *expr)
{
    printf("    FAIL %s:%d: %s\n", file, line, expr);
    unit_current_failed = 1;
}

static void *pal_alloc(size_t n) { return alloc_sys_get(ALLOC_PAL, n); }

int main(int argc, char **argv)
{
    pal_hooks_t hooks = {pal_alloc, alloc_free};
    pal_init(&hooks);
    log_set_level(LOG_CRITICAL);
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        for (int i = 0; i < suites[s]->count; i++) {
            const unit_case_t *c = &suites[s]->cases[i];
            if (only && !strstr(c->name, only) && !strstr(suites[s]->name, only)) continue;
            unit_current_failed = 0;
            size_t live_before = alloc_live();
            c->fn();
            alloc_configure(0, 0); /* a test may have set a budget */
            if (!unit_current_failed && alloc_live() != live_before) {
                char m[96];
                snprintf(m, sizeof m, "test leaked %zu bytes", alloc_live() - live_before);
                unit_fail(suites[s]->name, 0, m);
            }
            printf("%s %s.%s\n", unit_current_failed ? "not ok" : "ok", suites[s]->name, c->name);
            if (unit_current_failed) failed++;
            else passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
