/* routes — the handlers of the asset endpoints (assets.c, ignored.c), registered by registry.c. */
#ifndef PIPIT_ASSETS_ROUTES_H
#define PIPIT_ASSETS_ROUTES_H

#include "../api.h"

int api_types(api_req_t *req);
int api_mappings(api_req_t *req);
int api_all(api_req_t *req);
int api_search(api_req_t *req);
int api_levenshtein(api_req_t *req);
int api_assets_ignored(api_req_t *req);
int api_assets_whitelist(api_req_t *req);

#endif
