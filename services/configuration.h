/* configuration — the run-time configuration rotki's settings screen shows and changes: core's
 * GET/PUT /api/1/settings/configuration and colibri's GET/PUT /colibri/settings/configuration.
 *
 * Both are {"<name>": {"value": …, "is_default": bool}}; PUT takes {"loglevel": "DEBUG"} (rotki's
 * names TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL; pipit has no TRACE and logs it as DEBUG)
 * and answers the new configuration. pipit is one process, so the two share one log level.
 * Core's also has rotki's log-file settings, which pipit has none of (it logs to stderr):
 * max_size_in_mb_all_logs and max_logfiles_num are 0; sqlite_instructions is what comes closest,
 * the sliced DB driver's --db-slice-steps. */
#ifndef PIPIT_CONFIGURATION_H
#define PIPIT_CONFIGURATION_H

#include "../core/config.h"

int configuration_init(const config_t *cfg);

#endif
