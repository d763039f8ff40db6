/* statistics — rotki's /api/1/statistics endpoints, from the balance snapshots in the user DB
 * (timed_balances, timed_location_data):
 *   GET  /api/1/statistics/netvalue            {"times": [ts…], "data": [usd value…]}: the
 *        snapshots' "total" location rows, ignored assets (and with include_nfts=false the
 *        _nft_ assets) taken out, as rotki's get_netvalue_data; from the start of the UTC day
 *        14 days ago, rotki's window for users without premium
 *   POST /api/1/statistics/balance             rotki's premium components only: pipit has no
 *   GET  /api/1/statistics/value_distribution  premium, so these answer what rotki answers a
 *   GET  /api/1/statistics/renderer            user without it (403)
 */
#ifndef PIPIT_STATISTICS_H
#define PIPIT_STATISTICS_H

int statistics_init(void);

#endif
