/* server — the HTTP + WebSocket server (libwebsockets in external-poll mode) on the loop. */
#ifndef PIPIT_SERVER_H
#define PIPIT_SERVER_H

#include "../core/config.h"
#include "../core/loop.h"

int server_start(loop_t *loop, const config_t *cfg);
int server_port(void); /* the port really listened on (--rest-api-port 0 picks one) */
/* Closes WebSocket clients (1001), stops serving, destroys the context, then calls stopped. */
void server_stop(void (*stopped)(void *ud), void *ud);

/* The lws context and protocol list, for the outbound client (NULL once stopping). */
struct lws_context;
struct lws_protocols;
struct lws_context *server_lws_context(void);
const struct lws_protocols *server_lws_protocols(void);

#endif
