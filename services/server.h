/* server — the HTTP + WebSocket server (libwebsockets in external-poll mode) on the loop. */
#ifndef PIPIT_SERVER_H
#define PIPIT_SERVER_H

#include "../core/config.h"
#include "../core/loop.h"

int server_start(loop_t *loop, const config_t *cfg);
int server_port(void); /* the port really listened on (--rest-api-port 0 picks one) */
/* Closes WebSocket clients (1001), stops serving, destroys the context, then calls stopped. */
void server_stop(void (*stopped)(void *ud), void *ud);

#endif
