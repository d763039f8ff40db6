/* tags — rotki's tags (name, description, colors) at /api/1/tags: list, add, edit (renames
 * carry their mappings along), delete; every change answers with the full map of tags. */
#ifndef PIPIT_TAGS_H
#define PIPIT_TAGS_H

int tags_init(void);

#endif
