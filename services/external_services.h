/* external_services — rotki's API keys of external services (etherscan, coingecko, …) at
 * /api/1/external_services, in rotki's external_service_credentials table of the user DB
 * (encrypted with it): GET {"etherscan": {"api_key": "…"}, "monerium": {"username", "password"}},
 * PUT {"services": [{"name", "api_key", "api_secret"?}]} replaces each named one, DELETE
 * {"services": ["etherscan"]} removes; both answer the whole map. A name rotki does not know is
 * a 400 and nothing changes. pipit itself uses none of them yet; they are kept for the app and
 * for rotki, which reads the same DB. */
#ifndef PIPIT_EXTERNAL_SERVICES_H
#define PIPIT_EXTERNAL_SERVICES_H

int external_services_init(void);

#endif
