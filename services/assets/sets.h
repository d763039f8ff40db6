/* sets — the user's lists about assets, read in one query: ignored assets (rotki's
 * multisettings rows 'ignored_asset'), the spam whitelist (key_value_cache
 * 'pipit_spam_whitelist:<id>'; rotki keeps it in its global DB) and the assets the user owns
 * or owned (balance snapshots and manual balances). */
#ifndef PIPIT_ASSETS_SETS_H
#define PIPIT_ASSETS_SETS_H

#include "../../db/query.h"

#define WHITELIST_PREFIX "pipit_spam_whitelist:"

enum { SET_IGNORED = 'i', SET_WHITELISTED = 'w', SET_OWNED = 'o' };

/* Prepares (does not submit) the read: rows (kind, identifier), ordered by kind, identifier. */
void asset_sets_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud);
/* Whether the read found identifier in the set `kind`. */
int asset_sets_has(const db_query_t *q, int kind, const char *identifier);

#endif
