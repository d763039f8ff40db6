/* locations — rotki's Location values for the frontend.
 *
 * GET /api/1/locations/all: rotki's LOCATION_DETAILS, each location (by its serialized name,
 * "polygon pos") with its image or icon and, where rotki has one, its label. rotki marks the
 * exchanges it can talk to with "exchange_details": {"is_exchange_with_key": true, …} and the
 * ones it only imports with "is_exchange": true; pipit marks with exchange_details the
 * exchanges it can talk to (kraken, binance) and every other exchange of rotki's with
 * is_exchange, so the app offers API keys only where pipit can use them.
 * GET /api/1/locations/associated: the locations the user's data is at (exchange accounts,
 * history events, margin positions), GET /api/1/locations/labels: the history events'
 * location labels that are tracked accounts or exchange accounts, most used first — both read
 * from the user DB as rotki reads them. */
#ifndef PIPIT_LOCATIONS_H
#define PIPIT_LOCATIONS_H

int locations_init(void);

#endif
