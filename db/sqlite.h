/* sqlite — the one place that names the SQLite header: SQLCipher 4's, from the pinned build. */
#ifndef PIPIT_SQLITE_H
#define PIPIT_SQLITE_H

#include <sqlcipher/sqlite3.h>

#endif
