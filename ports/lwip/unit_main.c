/* The lwIP port's unit runner (build/lwip/unit): the core suites whose code runs on a device
 * without libwebsockets or the DB — protothreads, the loop (its socket tests then run over
 * lwIP through platform/pal_lwip.c), allocator and its fixed arena, JSON, config — plus lwip_net (HTTP and
 * JSON-RPC between two tasks through lwIP's TCP). Same output as tests/unit/main.c. */
#include "tests/unit/unit.h"

extern const unit_suite_t suite_pt, suite_loop, suite_alloc, suite_arena, suite_json, suite_config, suite_lwip_net;

static const unit_suite_t *const suites[] = {&suite_pt,   &suite_loop,   &suite_alloc, &suite_arena,
                                             &suite_json, &suite_config, &suite_lwip_net};

int main(int argc, char **argv) { return unit_run(suites, sizeof suites / sizeof suites[0], argc, argv); }
