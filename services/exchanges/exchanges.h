/* exchanges — rotki's exchange accounts (Kraken, Binance): GET/PUT/PATCH/DELETE
 * /api/1/exchanges, balances (/api/1/exchanges/balances[/<location>]), and the history refresh
 * (POST /api/1/history/events/query with query_type "exchanges", and the periodic run). */
#ifndef PIPIT_EXCHANGES_H
#define PIPIT_EXCHANGES_H

#include "../../core/config.h"
#include "../../core/json.h"
#include "../../db/query.h"
#include "../../core/loop.h"

int exchanges_init(const config_t *cfg, loop_t *loop);
void exchanges_shutdown(void);
/* Starts a refresh of every account's history; finished(ud, NULL or the error) when done.
 * -1 when one is already running or nobody is logged in. */
int exchanges_history_refresh(void (*finished)(void *ud, const char *error), void *ud);
/* The accounts as GET /api/1/exchanges lists them (also the login answer's "exchanges",
 * registered with the userhub, as are the balances for /balances): a query whose rows
 * exchanges_write_list writes as [{"location", "name", "kraken_account_type"?}]. */
void exchanges_list_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud);
void exchanges_write_list(json_writer_t *w, const db_query_t *q);

/* GET /api/1/exchanges/binance/pairs/<name>: an account's selected markets (binance_pairs.c). */
int exchanges_binance_pairs_init(void);

#endif
