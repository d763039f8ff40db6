/* settings — the user's settings (rotki's `settings` table and defaults): GET/PUT
 * /api/1/settings, and the pieces login and user creation use (the settings object of their
 * reply, initial_settings). PUT validates every key first — an unknown or read-only key, a
 * wrong type or a value out of range is a 400 naming the field — and writes nothing then. */
#ifndef PIPIT_SETTINGS_H
#define PIPIT_SETTINGS_H

#include "../core/json.h"
#include "../db/query.h"
#include "api.h"

typedef struct {
    struct {
        const char *name;  /* the def's name (static) */
        char *value;       /* TEXT to store; NULL = store SQL NULL */
        int remove;        /* delete the row: the default applies again */
    } items[64];
    size_t n;
} settings_update_t;

int settings_init(void);
/* Validates the object at tok into u; replies 400 and returns -1 on the first bad key. */
int settings_parse_update(api_req_t *req, int tok, settings_update_t *u);
void settings_update_clear(settings_update_t *u);
/* A write job applying u (and last_write_ts) in one transaction. */
void settings_update_job(db_batch_t *b, const settings_update_t *u, void (*done)(db_job_t *), void *ud);
/* A read job for every stored setting; then settings_write_json() makes rotki's object. */
void settings_query_job(db_query_t *q, void (*done)(db_job_t *), void *ud);
void settings_write_json(json_writer_t *w, const db_query_t *rows);

#endif
