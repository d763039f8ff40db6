/* metrics — GET /api/1/metrics in the Prometheus text exposition format: requests and latency
 * per route, loop turn durations (a long turn delays everyone), tasks, DB jobs, WebSocket
 * clients and drops, allocator live/peak per tag. */
#ifndef PIPIT_METRICS_H
#define PIPIT_METRICS_H

#include "../core/loop.h"

int metrics_init(loop_t *loop);

#endif
