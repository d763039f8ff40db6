/* periodic — GET /api/1/periodic, rotki's frequently polled session data: last_balance_save
 * (the newest balance snapshot, timed_location_data), connected_nodes per chain and
 * last_data_upload_ts (the last premium DB upload: pipit has no premium sync, 0).
 * connected_nodes: pipit keeps no standing node connections (it connects for each query), so
 * it names, per chain, the node that answered the last balance query. */
#ifndef PIPIT_PERIODIC_H
#define PIPIT_PERIODIC_H

int periodic_init(void);

#endif
