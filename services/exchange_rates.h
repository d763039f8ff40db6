/* exchange_rates — GET /api/1/exchange_rates (async): rotki's rates of the given currencies
 * against the US dollar, {"EUR": "0.9", "BTC": "0.0000158"}: how much of each one dollar buys,
 * 1 / its USD price from the price layer (prices.h; fiat rates come from the same oracle
 * request), "0" for a currency without a price, as rotki. `currencies` is a list or a
 * comma-separated string, in the body or the query string (repeated or not); no user needed. */
#ifndef PIPIT_EXCHANGE_RATES_H
#define PIPIT_EXCHANGE_RATES_H

int exchange_rates_init(void);

#endif
