/* colibri — rotki's companion service, which rotki's web app reaches on the API's origin under
 * /colibri/…, served by pipit itself from the same user DB and price layer (rotki runs it as
 * a separate Rust process over the same files: colibri/src in rotki's tree).
 *
 * colibri holds its own handle on the user DB: POST /colibri/user {"username", "password"}
 * opens it (400 "The DB is already unlocked" when it holds one, which the app answers with a
 * logout and a retry), POST /colibri/user/logout drops it (400 "DB not unlocked"). pipit's
 * colibri serves the DB core has open, so unlocking names the logged-in user (another name is
 * a 400); like colibri it does not check the password itself (colibri's PRAGMA key cannot fail;
 * the session gate and core's login did that). The handle is the login's: it is there from
 * core's login on (a resumed session never unlocks colibri, in rotki either) until the logout
 * call, and a new login starts with it again.
 *
 * Routes, in colibri's shapes: GET /colibri/health ("healthy", text), GET/PUT
 * /colibri/settings/configuration (the log level, shared with core's: one process), GET
 * /colibri/assets/ignored (the user DB's ignored assets), GET/HEAD /colibri/assets/icon (see
 * asset_icons.h), GET
 * /colibri/assets/collections ([]: no global asset DB), GET /colibri/prices/oracle (no
 * historical oracle prices kept: an empty collection), POST /colibri/prices/oracle/existence
 * (false for each), and POST /colibri/assets/mappings and /colibri/assets/search/levenshtein,
 * which are core's routes of the same names and shapes (forwarded to them). */
#ifndef PIPIT_COLIBRI_H
#define PIPIT_COLIBRI_H

int colibri_init(void);

#endif
