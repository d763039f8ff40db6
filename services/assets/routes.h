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

/* Levenshtein distance of two UTF-8 strings over their code points (as Python's str), the
 * first 128 of each (assets.c). */
int asset_levenshtein(const char *a, const char *b);

#endif
