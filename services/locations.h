/* locations — rotki's Location enum in one table: the API name (rotki's serialized form,
 * "polygon pos") and the user DB's one-character code (chr(value + 64): external 'A', kraken
 * 'B', binance 'E', total 'H', banks 'I', blockchain 'J', …). */
#ifndef PIPIT_LOCATIONS_H
#define PIPIT_LOCATIONS_H

/* The DB code of an API name, 0 when rotki has no such location. */
char location_code(const char *name);
/* The API name of a DB code, NULL when unknown. */
const char *location_name(char code);

#endif
