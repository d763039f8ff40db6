/* historical_prices — POST /api/1/assets/prices/historical (async): rotki's historical prices,
 * {"assets": {"BTC": {"1579543935": "24361.55"}}, "target_asset": "USD"}, a timestamp without
 * a price left out (rotki's answer when it finds none).
 *
 * pipit has no historical price oracle; the prices it has are the ones its own balance
 * snapshots imply: usd_value / amount of the asset's snapshot row (timed_balances) nearest the
 * timestamp, within only_cache_period seconds (the app's price seed asks with ±6 h) or, without
 * one, within an hour. The target is USD, or the asset itself (1); other targets have no price.
 * The other methods of the route (rotki's manual historical prices, kept in its global DB,
 * which pipit does not have) answer an empty list (GET) or a 409 saying so, and so do rotki's
 * per-oracle historical price caches (/api/1/oracles/<oracle>/cache). */
#ifndef PIPIT_HISTORICAL_PRICES_H
#define PIPIT_HISTORICAL_PRICES_H

int historical_prices_init(void);

#endif
