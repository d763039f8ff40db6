/* defi_modules — rotki's Ethereum modules (uniswap, sushiswap, liquity, makerdao, …), of which
 * pipit runs none. GET /api/1/blockchains/eth/modules/<module>/balances (and uniswap/v2,
 * liquity/stats) and GET /api/1/nfts[/balances] (the nfts module): rotki's answer for a module
 * that is not activated, 409 "<module> module is not activated"; DELETE /api/1/blockchains/eth/modules[/<module>]/data: true (there is no module
 * data to purge). The addresses each module is limited to are kept as rotki keeps them
 * (multisettings queried_address_<module>): GET /api/1/queried_addresses {module: [addresses]},
 * PUT/DELETE {"module", "address"} add/remove one and answer the whole map (409 when it is
 * already there / not there, as rotki). GET /api/1/protocols/data/refresh: the protocols whose
 * cached data can be refreshed, none ([]); a refresh is a 400. */
#ifndef PIPIT_DEFI_MODULES_H
#define PIPIT_DEFI_MODULES_H

int defi_modules_init(void);

#endif
