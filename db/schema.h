/* schema — rotki's user DB (v53) as data: the create script, its table names and the user
 * settings with their defaults. A rotki user DB must open in pipit and a pipit one in rotki,
 * whose login runs a schema sanity check that compares every table's DDL (whitespace,
 * comments and case aside) and refuses the DB on any difference; so the statements here are
 * rotki's text, not a paraphrase. Pure data: no I/O, no SQLite dependency. */
#ifndef PIPIT_DB_SCHEMA_H
#define PIPIT_DB_SCHEMA_H

#include <stddef.h>

/* ROTKEHLCHEN_DB_VERSION, stored as TEXT in settings(name='version'). A DB reporting a
 * higher version is refused; lower ones need rotki's step-by-step upgrades. */
#define DB_SCHEMA_VERSION 53
/* ROTKEHLCHEN_TRANSIENT_DB_VERSION (rotkehlchen_transient.db); not created by this module. */
#define DB_SCHEMA_TRANSIENT_VERSION 2

/* rotki's DB_SCRIPT_CREATE_TABLES, one statement per entry, in rotki's order: CREATE TABLE
 * (with their seed INSERTs right after), then the CREATE [UNIQUE] INDEX block. Every
 * statement is idempotent (IF NOT EXISTS / INSERT OR IGNORE). rotki runs the script as
 * "PRAGMA foreign_keys=off; BEGIN; ...; COMMIT; PRAGMA foreign_keys=on;" — the pragmas and
 * the transaction are left to the caller; the statements also run fine with keys on. */
extern const char *const db_schema_create[];
extern const size_t db_schema_create_count;

/* Run by rotki right after the script on a fresh DB (dbhandler), not part of the script. */
extern const char db_schema_set_version_sql[];

/* Every table the script creates, in creation order (login checks, tests). */
extern const char *const db_schema_table_names[];
extern const size_t db_schema_table_names_count;

/* How a setting's value is typed in the API and serialized as TEXT in settings.value. */
typedef enum {
    DB_SETTING_BOOL,        /* 'True' / 'False'                 API: true / false */
    DB_SETTING_INT,         /* decimal integer                  API: number */
    DB_SETTING_INT_OR_NULL, /* integer, or SQL NULL = disabled  API: number / null */
    DB_SETTING_STR,         /* raw text                         API: string */
    DB_SETTING_DECIMAL,     /* exact decimal text ('0.005')     API: string */
    DB_SETTING_ASSET,       /* asset identifier ('USD')         API: string */
    DB_SETTING_ENUM,        /* one of `choices`                 API: string */
    DB_SETTING_STR_LIST,    /* JSON array of strings            API: array */
    DB_SETTING_JSON,        /* JSON array of objects / object   API: that JSON */
} db_setting_type_t;

/* Where the value lives. */
typedef enum {
    DB_SETTING_IN_SETTINGS, /* settings(name, value); a missing row means the default */
    DB_SETTING_IN_KV_CACHE, /* key_value_cache(name, value); appended to GET /settings */
    DB_SETTING_COMPUTED,    /* not stored (have_premium: premium credentials present) */
} db_setting_store_t;

typedef struct {
    const char *name;          /* API key == row name: rotki uses one name for both */
    db_setting_type_t type;
    db_setting_store_t store;
    const char *default_value; /* TEXT exactly as rotki would write it; never NULL */
    unsigned char read_only;   /* absent from rotki's ModifiableSettingsSchema */
    unsigned char has_min, has_max;
    unsigned char empty_unsets; /* '' in PUT deletes the row so the default applies again */
    long long min, max;        /* inclusive bounds validated on PUT (ints) */
    const char *choices;       /* DB_SETTING_ENUM / list items: '|'-separated, else NULL */
} db_setting_def_t;

/* In the order of GET /api/1/settings (DBSettings fields, then the two cache keys). */
extern const db_setting_def_t db_settings_defs[];
extern const size_t db_settings_defs_count;

/* The def for `name`, or NULL. */
const db_setting_def_t *db_schema_setting_find(const char *name);

#endif
