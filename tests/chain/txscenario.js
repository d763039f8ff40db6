// txscenario.js — a local EVM chain full of transactions, for pipit's EVM transaction tests and bench.
//
//   node txscenario.js [--txs N] [--per-block K] [--seed S] [--port P] [--no-block-receipts]
//                      [--max-log-range R] [--log-error size|range]
//
// Runs ganache (chain id 1337) in this process behind its own HTTP JSON-RPC front on 127.0.0.1,
// deploys four ERC-20s with different decimals (contracts/TxToken.sol), an ERC-721
// (contracts/TestNft.sol) and a contract no decoder knows (contracts/Sink.sol), funds 10 tracked
// addresses (ganache's unlocked wallet accounts 1..10) and 5 untracked senders (11..15) with tokens
// and NFTs, then sends N scenario transactions with the miner stopped, K to a block (evm_mine):
// ETH and token transfers between tracked and untracked addresses, between two tracked ones,
// between two untracked ones, self-transfers (also of 0 ETH), approvals and revokes, NFT moves,
// reverted transactions, calls of the unknown contract, a fake Transfer from it and contract
// creations. Prints ONE JSON line (url, chain_id, addresses, tokens, blocks) on stdout, then
// serves until SIGTERM/SIGINT or, when stdin is a pipe, until it closes.
//
// The front answers JSON-RPC (single and batch) on POST / from ganache's provider, and adds:
//   eth_getBlockReceipts(block)  geth's method (ganache 7.9.2 has none), from ganache's receipts;
//                                --no-block-receipts (or /control) answers "method not found"
//   --max-log-range R            eth_getLogs over more than R blocks is refused with a node-style
//                                error: --log-error size (default) -32005 "query returned more than
//                                10000 results", range -32000 "exceed maximum block range: R"
// and control requests:
//   POST /control {"block_receipts": bool, "max_log_range": R|null, "log_error": "size"|"range"}
//   POST /more {"txs": N, "seed": S}  sends N more scenario transactions (K to a block), answers
//                                     {"first_block", "last_block", "txs"}
//   GET /stats  {"round_trips", "calls", "methods": {name: n}, "refused_logs"};  POST /reset zeroes it
//               (requests with an X-Pipit-Test-Peer header, the tests' own reads, are not counted)
// Diagnostics go to stderr.
'use strict';
console.log = console.info = console.error; // stdout belongs to the one JSON line

const fs = require('fs');
const http = require('http');
const ethers = require('ethers');
const ganache = require('ganache');
const memdown = require('memdown');
const { compile } = require('./compile');

const CHAIN_ID = 1337;
const TRACKED = 10;
const UNTRACKED_SENDERS = 5;
const TOKENS = [ // decimals differ: 18, 6, 0 and 2
  { name: 'Tx Token Eighteen', symbol: 'TXA', decimals: 18 },
  { name: 'Tx Token Six', symbol: 'TXB', decimals: 6 },
  { name: 'Tx Token Zero', symbol: 'TXC', decimals: 0 },
  { name: 'Tx Token Two', symbol: 'TXD', decimals: 2 },
];
const NFTS_PER_HOLDER = 3;
const MAX_UINT = 2n ** 256n - 1n;

function watchStdin() {
  const st = fs.fstatSync(0);
  return st.isFIFO() || st.isSocket();
}

function usage(msg) {
  console.error(`txscenario.js: ${msg}\nusage: node txscenario.js [--txs N] [--per-block K] [--seed S] [--port P] ` +
    '[--no-block-receipts] [--max-log-range R] [--log-error size|range]');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { txs: 300, perBlock: 50, seed: 'pipit', port: 0, blockReceipts: true, maxLogRange: null, logError: 'size' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (min) => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < min) usage(`${a} needs an integer >= ${min}`);
      return v;
    };
    if (a === '--txs') o.txs = num(0);
    else if (a === '--per-block') o.perBlock = num(1);
    else if (a === '--seed') o.seed = String(argv[++i]);
    else if (a === '--port') o.port = num(0);
    else if (a === '--no-block-receipts') o.blockReceipts = false;
    else if (a === '--max-log-range') o.maxLogRange = num(1);
    else if (a === '--log-error') {
      o.logError = argv[++i];
      if (!['size', 'range'].includes(o.logError)) usage('--log-error is size or range');
    } else usage(`unknown option ${a}`);
  }
  return o;
}

// a deterministic stream of pseudo-random numbers from a seed (keccak in counter mode)
class Rng {
  constructor(seed) {
    this.seed = seed;
    this.n = 0;
  }

  big() {
    return BigInt(ethers.keccak256(ethers.toUtf8Bytes(`${this.seed}-${this.n++}`)));
  }

  int(n) {
    return Number(this.big() % BigInt(n));
  }

  pick(list) {
    return list[this.int(list.length)];
  }

  // a value of 1..maxDigits decimal digits (never 0)
  digits(maxDigits) {
    const r = this.big();
    return 1n + ((r >> 16n) % 10n ** BigInt(1 + this.int(maxDigits)));
  }
}

// fresh untracked addresses nobody holds a key for (they only receive)
const keyless = (i) =>
  ethers.getAddress(ethers.dataSlice(ethers.keccak256(ethers.toUtf8Bytes(`pipit-tx-receiver-${i}`)), 12));

class Scenario {
  constructor(provider, artifacts, opt) {
    this.provider = provider;
    this.opt = opt;
    this.iface = {
      token: new ethers.Interface(artifacts.TxToken.abi),
      nft: new ethers.Interface(artifacts.TestNft.abi),
      sink: new ethers.Interface(artifacts.Sink.abi),
    };
    this.artifacts = artifacts;
    this.nonces = new Map();
    this.pending = []; // hashes sent since the last mined block
  }

  rpc(method, ...params) {
    return this.provider.request({ method, params });
  }

  async init() {
    const wallet = await this.rpc('eth_accounts');
    this.deployer = ethers.getAddress(wallet[0]);
    this.tracked = wallet.slice(1, 1 + TRACKED).map((a) => ethers.getAddress(a));
    this.senders = wallet.slice(1 + TRACKED, 1 + TRACKED + UNTRACKED_SENDERS).map((a) => ethers.getAddress(a));
    this.receivers = Array.from({ length: 5 }, (_, i) => keyless(i));
    for (const a of [this.deployer, ...this.tracked, ...this.senders]) {
      this.nonces.set(a, BigInt(await this.rpc('eth_getTransactionCount', a, 'latest')));
    }
    await this.rpc('miner_stop');
  }

  // sends one transaction (explicit nonce and gas, so nothing is estimated against the pending
  // state); every third one is a legacy transaction, the others EIP-1559 with varying tips
  async send(from, tx) {
    const nonce = this.nonces.get(from);
    this.nonces.set(from, nonce + 1n);
    const price = this.pending.length % 3 === 0
      ? { gasPrice: ethers.toQuantity(ethers.parseUnits(String(3 + (this.pending.length % 5)), 'gwei')) }
      : { maxFeePerGas: ethers.toQuantity(ethers.parseUnits('60', 'gwei')),
          maxPriorityFeePerGas: ethers.toQuantity(ethers.parseUnits(String(1 + (this.pending.length % 4)), 'gwei')) };
    const hash = await this.rpc('eth_sendTransaction', { from, nonce: ethers.toQuantity(nonce), ...price, ...tx });
    this.pending.push(hash);
    if (this.pending.length >= this.opt.perBlock) await this.mine();
    return hash;
  }

  // mines until every sent transaction is in a block (a block takes what fits its gas limit)
  async mine() {
    const receipts = [];
    for (let rounds = 0; this.pending.length; rounds++) {
      if (rounds > 50) throw new Error(`${this.pending.length} transactions stay pending`);
      await this.rpc('evm_mine');
      const left = [];
      for (const h of this.pending) {
        const r = await this.rpc('eth_getTransactionReceipt', h);
        if (r) receipts.push(r);
        else left.push(h);
      }
      this.pending = left;
    }
    this.onBlock(receipts);
    return receipts;
  }

  onBlock() {
    this.nftMovedInBlock = new Set();
  }

  async deploy(from, name, args, iface) {
    const data = ethers.concat([this.artifacts[name].bytecode, iface.encodeDeploy(args)]);
    return this.send(from, { data, gas: ethers.toQuantity(2_000_000) });
  }

  // contracts and the starting holdings, in blocks of their own before the scenario
  async setUp() {
    const hashes = [];
    for (const t of TOKENS) hashes.push(await this.deploy(this.deployer, 'TxToken', [t.name, t.symbol, t.decimals], this.iface.token));
    hashes.push(await this.deploy(this.deployer, 'TestNft', ['Pipit Test Nft', 'PTN'], this.iface.nft));
    hashes.push(await this.deploy(this.deployer, 'Sink', [], this.iface.sink));
    await this.mine();
    const addr = async (h) => ethers.getAddress((await this.rpc('eth_getTransactionReceipt', h)).contractAddress);
    this.tokens = [];
    for (let j = 0; j < TOKENS.length; j++) this.tokens.push({ address: await addr(hashes[j]), ...TOKENS[j] });
    this.nft = { address: await addr(hashes[TOKENS.length]), name: 'Pipit Test Nft', symbol: 'PTN' };
    this.sink = await addr(hashes[TOKENS.length + 1]);

    const holders = [...this.tracked, ...this.senders];
    for (const t of this.tokens) {
      // plenty for every later transfer: 10^(decimals + 9) base units each
      const amounts = holders.map((_, i) => 10n ** BigInt(t.decimals + 9) + BigInt(i));
      await this.send(this.deployer, { to: t.address, gas: ethers.toQuantity(1_500_000),
        data: this.iface.token.encodeFunctionData('mintMany', [holders, amounts]) });
    }
    this.nftOwner = new Map();
    let id = 1;
    for (const h of holders) {
      for (let k = 0; k < NFTS_PER_HOLDER; k++, id++) {
        await this.send(this.deployer, { to: this.nft.address, gas: ethers.toQuantity(150_000),
          data: this.iface.nft.encodeFunctionData('mint', [h, id]) });
        this.nftOwner.set(id, h);
      }
    }
    await this.mine();
  }

  // one scenario transaction of a kind chosen by rng; returns its kind
  async step(rng) {
    const T = this.tracked, U = this.senders, K = this.receivers;
    const anyone = () => rng.pick([T, T, U, K]);
    const eth = (v) => ethers.toQuantity(v);
    const gas = (g) => ethers.toQuantity(g);
    const kind = rng.pick(['eth', 'eth', 'eth', 'erc20', 'erc20', 'erc20', 'erc20', 'nft', 'approve', 'self',
      'untracked', 'poke', 'fail', 'fake', 'create']);
    const from = rng.int(4) === 0 ? rng.pick(U) : rng.pick(T);
    const token = rng.pick(this.tokens);
    const tokenAmount = () => rng.digits(token.decimals + 3);
    const callToken = (f, args) => this.send(from, { to: token.address, gas: gas(90_000),
      data: this.iface.token.encodeFunctionData(f, args) });
    switch (kind) {
      case 'eth': {
        const to = rng.pick(anyone());
        const v = rng.int(6) === 0 ? 10n ** 18n : rng.digits(18);
        await this.send(from, { to, value: eth(v), gas: gas(21_000) });
        break;
      }
      case 'erc20':
        await callToken('transfer', [rng.pick(anyone()), tokenAmount()]);
        break;
      case 'self': { // to oneself: ETH (also 0) or tokens
        const who = rng.pick(T);
        const c = rng.int(3);
        if (c === 2) {
          await this.send(who, { to: token.address, gas: gas(90_000),
            data: this.iface.token.encodeFunctionData('transfer', [who, tokenAmount()]) });
        } else {
          await this.send(who, { to: who, value: eth(c === 0 ? 0n : rng.digits(17)), gas: gas(21_000) });
        }
        break;
      }
      case 'untracked': { // between two untracked addresses: no event
        const a = rng.pick(U);
        const to = rng.pick([...K, ...U.filter((x) => x !== a)]);
        if (rng.int(2)) await this.send(a, { to, value: eth(rng.digits(16)), gas: gas(21_000) });
        else await this.send(a, { to: token.address, gas: gas(90_000), data: this.iface.token.encodeFunctionData('transfer', [to, tokenAmount()]) });
        break;
      }
      case 'approve': { // an approval, a revoke (0) or an unlimited one, by a tracked owner
        const c = rng.int(4);
        const amount = c === 0 ? 0n : c === 1 ? MAX_UINT : tokenAmount();
        await this.send(rng.pick(T), { to: token.address, gas: gas(90_000),
          data: this.iface.token.encodeFunctionData('approve', [rng.pick(anyone()), amount]) });
        break;
      }
      case 'nft': { // a token nobody moved yet in this block (its owner is certain)
        const ids = [...this.nftOwner.keys()].filter((i) => !this.nftMovedInBlock.has(i) && !K.includes(this.nftOwner.get(i)));
        if (!ids.length) return this.step(rng);
        const id = rng.pick(ids);
        const owner = this.nftOwner.get(id);
        let to = rng.pick(anyone());
        if (to === owner) to = rng.pick(K);
        await this.send(owner, { to: this.nft.address, gas: gas(120_000),
          data: this.iface.nft.encodeFunctionData('transferFrom', [owner, to, id]) });
        this.nftOwner.set(id, to);
        this.nftMovedInBlock.add(id);
        break;
      }
      case 'poke':
        await this.send(from, { to: this.sink, gas: gas(60_000), data: this.iface.sink.encodeFunctionData('poke', [rng.digits(9)]) });
        break;
      case 'fail': // reverted: the unknown contract's fail, or a token transfer beyond the balance
        if (rng.int(2)) await this.send(from, { to: this.sink, gas: gas(60_000), data: this.iface.sink.encodeFunctionData('fail', [7]) });
        else await callToken('transfer', [rng.pick(anyone()), 10n ** 70n]);
        break;
      case 'fake': { // a Transfer-shaped log from a contract that is no token
        const a = rng.pick(U);
        await this.send(a, { to: this.sink, gas: gas(60_000),
          data: this.iface.sink.encodeFunctionData('fakeTransfer', [rng.pick(K), rng.pick(T), rng.digits(9)]) });
        break;
      }
      case 'create': // a contract creation by a tracked address: to is null
        await this.send(rng.pick(T), { data: this.artifacts.Sink.bytecode, gas: gas(400_000) });
        break;
      default:
        throw new Error(kind);
    }
    return kind;
  }

  // n scenario transactions; returns the blocks they span
  async run(n, seed) {
    const rng = new Rng(seed);
    const before = Number(await this.rpc('eth_blockNumber'));
    this.onBlock();
    const kinds = {};
    for (let i = 0; i < n; i++) {
      const k = await this.step(rng);
      kinds[k] = (kinds[k] || 0) + 1;
    }
    await this.mine();
    const after = Number(await this.rpc('eth_blockNumber'));
    return { first_block: before + 1, last_block: after, txs: n, kinds };
  }

  describe() {
    return {
      chain_id: CHAIN_ID, deployer: this.deployer, tracked: this.tracked, untracked_senders: this.senders,
      untracked_receivers: this.receivers, tokens: this.tokens, nft: this.nft, sink: this.sink,
    };
  }
}

// --- the JSON-RPC front --------------------------------------------------------------------------

class Front {
  constructor(provider, scenario, opt) {
    this.provider = provider;
    this.scenario = scenario;
    this.cfg = { block_receipts: opt.blockReceipts, max_log_range: opt.maxLogRange, log_error: opt.logError };
    this.reset();
    this.queue = Promise.resolve(); // /more runs one at a time
  }

  reset() {
    this.stats = { round_trips: 0, calls: 0, methods: {}, refused_logs: 0 };
    return this.stats;
  }

  rpc(method, params) {
    return this.provider.request({ method, params });
  }

  async blockNumberOf(tag) {
    if (tag === undefined || tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') {
      return Number(await this.rpc('eth_blockNumber', []));
    }
    if (tag === 'earliest') return 0;
    return Number(tag);
  }

  // one call: {result} or {error: {code, message}}
  async call(method, params, stats = this.stats) {
    stats.methods[method] = (stats.methods[method] || 0) + 1;
    try {
      if (method === 'eth_getBlockReceipts') {
        if (!this.cfg.block_receipts) return { error: { code: -32601, message: 'the method eth_getBlockReceipts does not exist/is not available' } };
        const tag = params && params[0];
        const block = typeof tag === 'string' && tag.length === 66
          ? await this.rpc('eth_getBlockByHash', [tag, false])
          : await this.rpc('eth_getBlockByNumber', [typeof tag === 'string' ? tag : ethers.toQuantity(tag), false]);
        if (!block) return { result: null };
        return { result: await Promise.all(block.transactions.map((h) => this.rpc('eth_getTransactionReceipt', [h]))) };
      }
      if (method === 'eth_getLogs' && this.cfg.max_log_range != null) {
        const f = (params && params[0]) || {};
        if (!f.blockHash) {
          const span = (await this.blockNumberOf(f.toBlock)) - (await this.blockNumberOf(f.fromBlock)) + 1;
          if (span > this.cfg.max_log_range) {
            if (stats === this.stats) this.stats.refused_logs += 1;
            return { error: this.cfg.log_error === 'range'
              ? { code: -32000, message: `exceed maximum block range: ${this.cfg.max_log_range}` }
              : { code: -32005, message: 'query returned more than 10000 results' } };
          }
        }
      }
      return { result: await this.rpc(method, params || []) };
    } catch (e) {
      return { error: { code: Number.isInteger(e.code) ? e.code : -32000, message: e.message, ...(e.data ? { data: e.data } : {}) } };
    }
  }

  async jsonrpc(body, counted = true) {
    const stats = counted ? this.stats : { calls: 0, methods: {} };
    let req;
    try {
      req = JSON.parse(body);
    } catch {
      return { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } };
    }
    const one = async (r) => {
      if (!r || typeof r !== 'object' || typeof r.method !== 'string') {
        return { jsonrpc: '2.0', id: (r && r.id) ?? null, error: { code: -32600, message: 'invalid request' } };
      }
      const out = await this.call(r.method, r.params, stats);
      return { jsonrpc: '2.0', id: r.id ?? null, ...out };
    };
    if (Array.isArray(req)) {
      stats.calls += Math.max(1, req.length);
      return Promise.all(req.map(one));
    }
    stats.calls += 1;
    return one(req);
  }

  async control(path, body) {
    const args = body.length ? JSON.parse(body) : {};
    if (path === '/control') {
      for (const k of ['block_receipts', 'max_log_range', 'log_error']) if (k in args) this.cfg[k] = args[k];
      return this.cfg;
    }
    if (path === '/more') {
      const job = this.queue.then(() => this.scenario.run(Number(args.txs || 20), String(args.seed || `more-${Date.now()}`)));
      this.queue = job.catch(() => {});
      return job;
    }
    if (path === '/reset') return this.reset();
    throw new Error(`no control request ${path}`);
  }

  listen(port) {
    const reply = (res, status, obj) => {
      const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          if (req.method === 'GET' && req.url === '/stats') return reply(res, 200, this.stats);
          if (req.method === 'POST' && req.url !== '/') return reply(res, 200, await this.control(req.url, body));
          if (req.method !== 'POST') return reply(res, 405, '"JSON-RPC takes POST"');
          // the tests' own readers (truth, indexer) say so and are not counted
          const counted = !req.headers['x-pipit-test-peer'];
          if (counted) this.stats.round_trips += 1;
          return reply(res, 200, await this.jsonrpc(body, counted));
        } catch (e) {
          return reply(res, 500, { error: String(e.stack || e) });
        }
      });
    });
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 65_000;
    return new Promise((resolve, reject) => {
      server.on('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const { artifacts } = compile();
  const provider = ganache.provider({
    wallet: { deterministic: true, totalAccounts: 1 + TRACKED + UNTRACKED_SENDERS, defaultBalance: 1000 },
    chain: { chainId: CHAIN_ID },
    logging: { quiet: true },
    database: { db: memdown() },
  });
  const t0 = Date.now();
  const sc = new Scenario(provider, artifacts, opt);
  await sc.init();
  await sc.setUp();
  const t1 = Date.now();
  const run = await sc.run(opt.txs, opt.seed);
  const t2 = Date.now();
  const front = new Front(provider, sc, opt);
  const server = await front.listen(opt.port);
  const url = `http://127.0.0.1:${server.address().port}`;
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, stop);
  const line = JSON.stringify({ rpc_url: url, ...sc.describe(), scenario: run }) + '\n';
  await new Promise((resolve) => process.stdout.write(line, resolve));
  console.error(`txscenario.js: ${opt.txs} transactions in blocks ${run.first_block}..${run.last_block} at ${url} ` +
    `(set-up ${t1 - t0} ms, scenario ${t2 - t1} ms) ${JSON.stringify(run.kinds)}`);
  if (watchStdin()) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((e) => {
  console.error(`txscenario.js: ${e.stack || e}`);
  process.exit(1);
});
