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
];
