/* manual_balances — rotki's manually tracked balances (`manually_tracked_balances`, their tags in
 * `tag_mappings` under the balance's id): GET/PUT/PATCH/DELETE /api/1/balances/manual, each
 * answering the full list with every balance's value from the price layer in the user's main
 * currency. Registered with the userhub as a /balances contributor: assets under their
 * location, liabilities as liabilities, both in the balance snapshot. */
#ifndef PIPIT_MANUAL_BALANCES_H
#define PIPIT_MANUAL_BALANCES_H

int manual_balances_init(void);
void manual_balances_shutdown(void);

#endif
