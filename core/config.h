/* config — the node's settings: defaults < config file < PIPIT_* environment < command line.
 * Names follow rotki's flags where rotki has one (--data-dir, --api-host, --rest-api-port,
 * --loglevel, --api-cors). Feature flags go to flags.h's overrides. */
#ifndef PIPIT_CONFIG_H
#define PIPIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define PIPIT_VERSION "0.1.0"

typedef struct {
    char data_dir[512];
    char api_host[64];
    int rest_api_port;
    int loglevel;            /* log_level_t */
    size_t heap_budget;      /* bytes; 0 = unlimited */
    size_t max_body_size;    /* request bodies larger than this get 413 */
    char api_cors[512];      /* comma-separated origins, '*' matches any run of characters */
    int max_connections;     /* sockets lws may hold (HTTP + WebSocket) */
    int ws_queue_max;        /* messages queued per WebSocket client before it is dropped */
    size_t ws_queue_bytes;   /* bytes queued per WebSocket client before it is dropped */
    int ws_ping_interval;    /* seconds of silence before a ping; no pong in as long again: hang up */
    char db_driver[16];      /* "threaded" (worker threads) or "sliced" (on the loop) */
    int db_slice_steps;      /* sliced driver: sqlite3_step calls per job per loop turn */
    size_t db_cache;         /* SQLite page cache per connection, bytes */
    int db_maintenance_interval; /* seconds between runs of the db_maintenance job */
    int slow_turn_ms;        /* a loop turn longer than this is logged with what ran in it */
    int max_tasks;           /* async tasks running at once; more wait in a queue */
    int max_task_outcomes;   /* completed outcomes kept until read */
    int exchange_history_interval; /* seconds between periodic refreshes of exchange history */
    int rpc_timeout_ms;      /* JSON-RPC: a node that has not answered in this long is failed over */
    int rpc_rate_limit;      /* JSON-RPC calls per second sent to any one node (0 = no limit) */
    int price_ttl;           /* seconds an oracle price is reused before it is asked again */
    char etherscan_url[256]; /* the indexer source's Etherscan-compatible API (chainid= is added) */
    char frontend_dir[512];  /* a built web app served on the API's port; "" = none */
    char config_file[512];
} config_t;

/* 0 = run; 1 = --help/--version printed (exit 0); -1 = error in err (exit 2). */
int config_load(config_t *c, int argc, char **argv, char *err, size_t errlen);
void config_defaults(config_t *c);
void config_usage(void);
/* "16M", "512k", "1GiB", "4096" -> bytes; -1 on error. */
int config_parse_size(const char *s, size_t *out);

#endif
