// proxy.js — stands in front of a JSON-RPC URL and behaves like a public RPC node: slow and
// rate-limited.
//
//   node proxy.js --target URL [--port P] [--delay-ms 50] [--calls-per-second 50]
//
// Every HTTP request waits --delay-ms extra (network latency), and at most --calls-per-second
// JSON-RPC calls are served per second, each item of a batch counting as one call. Requests over
// the budget queue in arrival order (FIFO) instead of failing; a batch larger than the whole
// budget waits in proportion to its size. Bodies are forwarded and answered byte for byte.
//   GET /stats  -> {"round_trips": HTTP requests forwarded, "calls": JSON-RPC calls charged}
//   POST /reset -> zeroes both
// When listening it prints {"url": "http://127.0.0.1:PORT"} as one JSON line on stdout. It stops on
// SIGTERM/SIGINT, or when stdin is a pipe and closes.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

// stdin is watched for EOF only when a parent holds its other end (pipe or socket)
function watchStdin() {
  const st = fs.fstatSync(0);
  return st.isFIFO() || st.isSocket();
}

function usageError(msg) {
  throw new Error(msg);
}

function parseArgs(argv) {
  const o = { target: null, port: 0, delayMs: 50, cps: 50 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (min) => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min) usageError(`${a} needs a number >= ${min}`);
      return v;
    };
    if (a === '--target') o.target = new URL(argv[++i]);
    else if (a === '--port') o.port = num(0);
    else if (a === '--delay-ms') o.delayMs = num(0);
    else if (a === '--calls-per-second') o.cps = num(0) || usageError('--calls-per-second must be above 0');
    else usageError(`unknown option ${a}`);
  }
  if (!o.target) usageError('--target URL is required');
  return o;
}

// A token bucket of `rate` calls per second holding at most `rate` tokens (one second's burst).
// Requests are given start times in arrival order, so they are served FIFO; a request costing
// more than the bucket holds waits until the missing tokens have accumulated.
class RateLimiter {
  constructor(rate) {
    this.rate = rate;
    this.tokens = rate;
    this.at = Date.now() / 1000; // time `tokens` refers to: now, or the last scheduled start
  }

  // seconds from now until a request costing `cost` calls may start
  wait(cost) {
    const now = Date.now() / 1000;
    if (now > this.at) {
      this.tokens = Math.min(this.rate, this.tokens + (now - this.at) * this.rate);
      this.at = now;
    }
    const start = this.at + Math.max(0, (cost - this.tokens) / this.rate);
    this.tokens += (start - this.at) * this.rate - cost;
    this.at = start;
    return start - now;
  }
}

// JSON-RPC calls in a body: the items of a batch, otherwise one (a body the target cannot parse
// still costs a call, as a public node would charge it)
function callCount(body) {
  try {
    const v = JSON.parse(body);
    return Array.isArray(v) ? Math.max(1, v.length) : 1;
  } catch {
    return 1;
  }
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  const limiter = new RateLimiter(opt.cps);
  const stats = { round_trips: 0, calls: 0 };
  const client = opt.target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });

  const reply = (res, status, type, body) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'GET' && req.url === '/stats') return reply(res, 200, 'application/json', JSON.stringify(stats));
      if (req.method === 'POST' && req.url === '/reset') {
        stats.round_trips = stats.calls = 0;
        return reply(res, 200, 'application/json', JSON.stringify(stats));
      }
      if (req.method !== 'POST') return reply(res, 405, 'text/plain', 'JSON-RPC takes POST\n');

      const cost = callCount(body);
      stats.round_trips += 1;
      stats.calls += cost;
      const delay = opt.delayMs + limiter.wait(cost) * 1000;
      setTimeout(() => forward(body, res), delay);
    });
  });

  const forward = (body, res, retried = false) => {
    const up = client.request(opt.target, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
    }, (ur) => {
      const parts = [];
      ur.on('data', (c) => parts.push(c));
      ur.on('end', () => {
        const out = Buffer.concat(parts);
        res.writeHead(ur.statusCode, {
          'Content-Type': ur.headers['content-type'] || 'application/json',
          'Content-Length': out.length,
        });
        res.end(out);
      });
      ur.on('error', () => res.destroy());
    });
    up.on('error', (e) => {
      // the target may close a kept-alive connection just as it is reused: try once more
      if (up.reusedSocket && e.code === 'ECONNRESET' && !retried) return forward(body, res, true);
      if (res.headersSent) return res.destroy();
      // an unreachable target looks like a public node's broken backend: 502
      reply(res, 502, 'text/plain', `proxy: ${e.message}\n`);
    });
    up.end(body);
  };

  // clients keep connections open between polls; do not drop them sooner than a public node
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('error', (e) => {
    console.error(`proxy.js: ${e.message}`);
    process.exit(1);
  });
  server.listen(opt.port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }) + '\n');
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // started with a pipe as stdin (as chainpeers.py does), it goes when its parent does
  if (watchStdin()) {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}

try {
  main();
} catch (e) {
  // only a bad command line throws here
  console.error(`proxy.js: ${e.message}\nusage: node proxy.js --target URL [--port P] [--delay-ms 50] [--calls-per-second 50]`);
  process.exit(2);
}
