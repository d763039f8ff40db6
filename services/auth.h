/* auth — users, login and logout, password change, and the session of the one logged-in user
 * (rotki allows one at a time). Key derivation and every DB touch are jobs; a login is a
 * protothread that waits on them, so the loop keeps serving meanwhile.
 *
 * Wrong passwords are slowed down per client address: after n failures the next attempt from
 * that address waits min(250 ms × 2^(n-1), 30 s) before it is even looked at; nobody else waits.
 * When the API listens on a non-loopback address every endpoint except ping, info, users
 * listing, creation and login needs the `rotki_session` cookie that login sets (and /ws too);
 * on loopback rotki's behaviour is kept: no sessions.
 */
#ifndef PIPIT_AUTH_H
#define PIPIT_AUTH_H

#include "../core/config.h"
#include "../core/loop.h"
#include "../db/db.h"
#include "api.h"

int auth_init(const config_t *cfg, loop_t *loop);
/* Logs the user out (closing the DB) and calls done; at once if nobody is logged in. */
void auth_shutdown(void (*done)(void *ud), void *ud);

/* The logged-in user's DB, or NULL. */
db_t *auth_db(void);
const char *auth_user(void);
/* The session's id (a new one at each login and authenticate takeover), or NULL: lets a
 * service tell one login from the next. */
const char *auth_session_id(void);
/* For handlers that need a user: replies 401 "No user is currently logged in" and returns -1
 * when there is none. */
int auth_require_user(api_req_t *req);
/* Submits a job for req to the user's DB, tied to req's cancellation (async tasks). */
void auth_submit(api_req_t *req, db_job_t *job);

/* The parse step of the session check (used by the API and /ws gates and by its fuzz target):
 * 0 when the Cookie header value carries "rotki_session=<payload>.<mac>" whose MAC under key
 * is right and whose payload names user and sid and expires after now (unix seconds). */
int auth_session_verify(const char *cookie, const unsigned char key[32], const char *user, const char *sid, int64_t now);

#endif
