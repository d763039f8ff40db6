/* notes — rotki's user notes (the notes panel of every screen) in the user DB's user_notes:
 * POST /api/1/notes query (title_substring, location, from/to_timestamp, limit/offset; newest
 * update first) → {"entries": [{"identifier", "title", "content", "location",
 * "last_update_timestamp", "is_pinned"}], "entries_found", "entries_total", "entries_limit": -1},
 * PUT {"title", "content", "location", "is_pinned"} → the new identifier, PATCH the same with
 * "identifier" (and rotki's "last_update_timestamp", which the node sets to now) → true, DELETE
 * {"identifier"} → true; an unknown identifier is rotki's 409. pipit has no free-plan limit. */
#ifndef PIPIT_NOTES_H
#define PIPIT_NOTES_H

int notes_init(void);

#endif
