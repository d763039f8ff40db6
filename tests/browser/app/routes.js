// The dashboard's calls the browser test makes after logging in: [method, path, body?].
// Extend it as routes land; every entry must answer 2xx with rotki's {"result", "message"}.
export const ROUTES = [
  ['GET', '/api/1/ping'],
  ['GET', '/api/1/info'],
  ['GET', '/api/1/settings'],
  ['GET', '/api/1/tags'],
  ['GET', '/api/1/balances'],
  ['GET', '/api/1/blockchains/eth/accounts'],
  ['GET', '/api/1/exchanges'],
  ['GET', '/api/1/tasks'],
  ['POST', '/api/1/history/events', {}],
  ['GET', '/api/1/balances/manual'],
  ['GET', '/api/1/statistics/netvalue'],
  ['POST', '/api/1/assets/mappings', {identifiers: ['ETH', 'BTC', 'EUR']}],
  ['GET', '/api/1/assets/types'],
  ['GET', '/api/1/assets/ignored'],
  ['GET', '/api/1/assets/ignored/whitelist'],
  ['POST', '/api/1/assets/all', {limit: 10, offset: 0}],
  ['POST', '/api/1/assets/search/levenshtein', {value: 'eth', limit: 5}],
  ['GET', '/api/1/blockchains/eth/nodes'],
  ['GET', '/api/1/blockchains/eth/tokens'],
];
