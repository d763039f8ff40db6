/* system — the node's own endpoints: /ping, /info (version, data dir, services, flags,
 * allocator and loop figures) and /flags (list and switch feature flags at run time). */
#ifndef PIPIT_SYSTEM_H
#define PIPIT_SYSTEM_H

#include "../core/config.h"
#include "../core/loop.h"

int system_init(const config_t *cfg, loop_t *loop);

#endif
