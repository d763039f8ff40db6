/* notifier — the /ws WebSocket push channel, rotki's message types, and the /messages
 * fallback.
 *
 * Every server→client frame is {"type": "<rotki type>", "data": …}. A message is encoded once
 * and shared by all clients; each client has a bounded queue (--ws-queue-max messages and
 * --ws-queue-bytes bytes). Slow-client policy, as rotki's: a client whose queue is full (or
 * for whom no queue entry can be allocated) is disconnected with close code 1013 (try again
 * later); the others never wait for it. The frontend reconnects and meanwhile polls
 * GET /api/1/messages. Text frames a client sends are echoed back to it (rotki's legacy
 * behaviour). Keep-alive: a ping after --ws-ping-interval seconds of silence; no pong within
 * as long again and the client is dropped.
 */
#ifndef PIPIT_NOTIFIER_H
#define PIPIT_NOTIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/json.h"

struct lws;

int notifier_init(const config_t *cfg);
void notifier_shutdown(void);

/* Building a message: begin writes {"type": T, "data": and returns the writer for the data
 * value; send closes it and queues it for every client. Returns the clients reached, or
 * -1 when it could not be encoded (out of memory). */
json_writer_t *notifier_message_begin(json_writer_t *w, const char *type);
int notifier_message_send(json_writer_t *w, const char *type);

/* rotki `legacy`: {"verbosity": "warning"|"error", "value": text}. Kept for GET /messages
 * when no client received it. */
int notifier_send_legacy(int is_error, const char *text);

/* Closes every client with code (1001 going away at shutdown). */
void notifier_close_all(int code, const char *reason);
size_t notifier_client_count(void);

typedef struct {
    uint64_t clients_total, messages_sent, messages_dropped, clients_dropped_slow;
    size_t clients;
} notifier_stats_t;
void notifier_get_stats(notifier_stats_t *out);

/* --- the server glue's entry points (libwebsockets callbacks) --- */
int notifier_ws_accept(struct lws *wsi, const char *path, const char *cookie); /* 0 = accept */
/* The session check for /ws when sessions are required (auth sets it): 0 = allowed. */
void notifier_set_gate(int (*gate)(const char *cookie));
int notifier_ws_established(struct lws *wsi, void **slot);
int notifier_ws_receive(struct lws *wsi, void *client, const void *in, size_t len);
int notifier_ws_writeable(struct lws *wsi, void *client); /* nonzero: close */
void notifier_ws_closed(struct lws *wsi, void *client);

#endif
