/* asset_known — see asset_known.h. */
#include "asset_known.h"

#include <string.h>

#include "assets/registry.h"
#include "chain/tokens.h"
#include "prices.h"

int asset_known(const char *identifier)
{
    if (!identifier || !*identifier) return 0;
    asset_info_t a;
    chain_token_t t;
    /* stored as given, so only its canonical spelling (the registry also matches other cases) */
    if (asset_registry_find(identifier, &a) && !strcmp(a.identifier, identifier)) return 1;
    /* any well-formed EVM token is taken: the registry learns its metadata when it is looked up */
    return prices_asset_known(identifier) || chain_token_parse_identifier(identifier, &t) == 0;
}
