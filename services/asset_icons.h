/* asset_icons — pipit keeps no asset icons (rotki downloads them from CoinGecko and others into
 * its data directory). GET/HEAD /colibri/assets/icon?asset_id=…: colibri's answer for an icon it
 * does not have, 404 with no body; the app then draws the asset's initials (its HEAD check
 * takes 200, 202 and 404). POST /api/1/cache/icons/clear and /api/1/cache/avatars/clear: true
 * (nothing cached). /api/1/assets/icon/modify (upload, set from a file, refresh): 409 saying
 * pipit keeps no icons. */
#ifndef PIPIT_ASSET_ICONS_H
#define PIPIT_ASSET_ICONS_H

int asset_icons_init(void);

#endif
