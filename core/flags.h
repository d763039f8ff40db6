/* flags — named on/off switches for services and endpoints, set at start (--enable/--disable,
 * PIPIT_FLAGS, the config file) and at run time (PUT /api/1/flags). Services register the
 * flags they honour; a watcher hears every change made at run time. */
#ifndef PIPIT_FLAGS_H
#define PIPIT_FLAGS_H

#include <stddef.h>

#define FLAGS_MAX 64

typedef void (*flags_watch_fn)(int id, int on, void *ud);

/* Returns the flag's id (registering twice returns the same id), or -1 when the table is full. */
int flags_register(const char *name, int default_on, const char *help);
int flags_find(const char *name);             /* id or -1 */
int flags_on(int id);                          /* 0 for -1, so unregistered means off */
int flags_set(int id, int on);                 /* calls the watchers when it changes */
int flags_count(void);
const char *flags_name(int id);
const char *flags_help(int id);
void flags_watch(int id, flags_watch_fn fn, void *ud);

/* Start-up overrides, recorded before services register: "name" or "name=on|off|true|false|1|0". */
int flags_override(const char *spec, int on, char *err, size_t errlen);
/* After every service registered: an error naming any override for an unknown flag. */
int flags_check_overrides(char *err, size_t errlen);
void flags_reset(void); /* tests */

#endif
