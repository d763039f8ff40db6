/* database_info — GET /api/1/database/info: rotki's {"globaldb": {"globaldb_assets_version",
 * "globaldb_schema_version"}, "userdb": {"info": {"filepath", "size", "version"}, "backups":
 * [{"size", "time", "version"}]}}. pipit has no global DB (both versions 0); the user's DB file
 * and the upgrade backups next to it (rotki's `<ts>_rotkehlchen_db_v<N>.backup` names) are read
 * on a worker; without a user "userdb" is {} as rotki's. */
#ifndef PIPIT_DATABASE_INFO_H
#define PIPIT_DATABASE_INFO_H

#include "../core/config.h"
#include "../core/loop.h"

int database_info_init(const config_t *cfg, loop_t *loop);

#endif
