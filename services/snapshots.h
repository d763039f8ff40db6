/* snapshots — rotki's balance snapshots at /api/1/snapshots:
 *   PUT    /api/1/snapshots              import the two CSV files of rotki's snapshot export
 *                                        (paths on the node's disk; async_query supported)
 *   POST   /api/1/snapshots              rotki's multipart upload: not supported, says so (400)
 *   DELETE /api/1/snapshots              {"timestamp": ts}: both tables' rows at ts
 *   GET    /api/1/snapshots/<timestamp>  the snapshot as JSON, for editing
 */
#ifndef PIPIT_SNAPSHOTS_H
#define PIPIT_SNAPSHOTS_H

int snapshots_init(void);

#endif
