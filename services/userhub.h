/* userhub — the logged-in user's hub: domain modules (settings, exchanges, manual balances…)
 * register here at init what they add to the user's session, so that auth and the balance
 * aggregator call them without knowing them, and no domain module includes another.
 *
 *   login parts   what the login/create answer carries: {"<key>": <part>, …}; each part is a
 *                 DB read (query_init) auth runs on the user's DB after opening it, then
 *                 write() turns its rows into the part's JSON. Parts appear in registration
 *                 order; a failed read fails the login with "Could not read the <what>: …".
 *   session       logged_in(user) after a login or create; logging_out(user) before the DB
 *                 closes (drop per-user caches there).
 *   balances      a contributor to GET /api/1/balances and its snapshot: refresh() brings its
 *                 balances up to date (DB reads, remote calls) and calls finished(ud, NULL or
 *                 an error) later on the loop, or returns -1 when it has nothing to do (then
 *                 finished is not called); each() then lists every (location, asset, amount,
 *                 liability) it holds for the logged-in user. Locations are rotki's Location
 *                 names (snapshot_location_name in db/snapshots.h).
 *
 * Registrations are static tables kept by pointer (not copied); at most USERHUB_MAX of each. */
#ifndef PIPIT_USERHUB_H
#define PIPIT_USERHUB_H

#include "../core/json.h"
#include "../db/query.h"

#define USERHUB_MAX 8

typedef struct {
    const char *key;  /* the answer's key: "settings" */
    const char *what; /* for the error message: "settings" */
    void (*query_init)(db_query_t *q, void (*done)(db_job_t *), void *ud);
    void (*write)(json_writer_t *w, const db_query_t *rows);
} userhub_login_part_t;

typedef struct {
    void (*logged_in)(const char *user);   /* may be NULL */
    void (*logging_out)(const char *user); /* may be NULL */
} userhub_session_t;

typedef void (*userhub_balance_fn)(const char *location, const char *asset, const char *amount, int liability, void *ud);

typedef struct {
    const char *what; /* for the error message: "Could not query the <what> balances: …" */
    int (*refresh)(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud);
    void (*each)(userhub_balance_fn fn, void *ud);
} userhub_balances_t;

/* Registration (at init): 0, or -1 when the table is full. */
int userhub_add_login_part(const userhub_login_part_t *p);
int userhub_add_session(const userhub_session_t *s);
int userhub_add_balances(const userhub_balances_t *b);

/* --- for auth --- */
size_t userhub_login_part_count(void);
const userhub_login_part_t *userhub_login_part(size_t i);
void userhub_logged_in(const char *user);
void userhub_logging_out(const char *user);

/* --- for the balance aggregator --- */
typedef struct userhub_refresh userhub_refresh_t;
struct userhub_refresh {
    /* inputs */
    int ignore_cache;
    void (*done)(userhub_refresh_t *r); /* when the last contributor finished */
    void *ud;
    /* result: the contributors' errors, "Could not query the <what> balances: …; …" */
    char error[600];
    /* private */
    int pending;
    struct userhub_slot {
        userhub_refresh_t *r;
        const userhub_balances_t *b;
    } slots[USERHUB_MAX];
};
/* Starts every contributor's refresh at once: 1 when some run (done follows), 0 when none
 * had anything to do (done is not called). r must stay put until done. */
int userhub_balances_refresh(userhub_refresh_t *r);
/* Every contributor's balances, in registration order. */
void userhub_balances_each(userhub_balance_fn fn, void *ud);

#endif
