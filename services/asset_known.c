/* asset_known — see asset_known.h. */
#include "asset_known.h"

#include <stdint.h>
#include <string.h>

#include "../core/keccak.h"
#include "prices.h"

/* "eip155:<digits>/erc20:<0x + 40 hex>" */
static int evm_token_id(const char *id)
{
    static const char pre[] = "eip155:";
    if (strncmp(id, pre, sizeof pre - 1)) return 0;
    const char *p = id + sizeof pre - 1, *digits = p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == digits || p - digits > 20 || strncmp(p, "/erc20:", 7)) return 0;
    p += 7;
    uint8_t raw[20];
    return evm_address_parse(p, strlen(p), 1, raw) == 0;
}

int asset_known(const char *identifier)
{
    if (!identifier || !*identifier) return 0;
    /* the token list's identifiers (built-in and the user's) are all of the eip155 form */
    return prices_asset_known(identifier) || evm_token_id(identifier);
}
