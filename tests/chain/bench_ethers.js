// bench_ethers.js — the baseline for pipit's chain client: reads every ETH balance and every
// (account, token) balance of a fixture with ethers 6, two ways, and checks each value against the
// fixture's expected balances.
//
//   node bench_ethers.js --fixture FILE|- [--rpc URL] [--way naive|multicall3|both] [--chunk N]
//
// FILE is fixture.js's JSON line ("-": stdin); --rpc defaults to its rpc_url (pass a proxy's URL
// to go through it). Ways:
//   naive       one eth_getBalance per account and one balanceOf eth_call per (account, token),
//               all at once under Promise.all; ethers batches them, at most 100 per HTTP request
//   multicall3  the same reads packed into Multicall3 aggregate3 (getEthBalance + balanceOf):
//               one eth_call for everything, or calls of at most N reads with --chunk N
// Prints one JSON line per way: {"way": "ethers-naive"|"ethers-multicall3", "wall_s": …, "ok": …};
// exits 1 when any value differs.
'use strict';
const fs = require('fs');
const ethers = require('ethers');

const ERC20 = ['function balanceOf(address owner) view returns (uint256)'];
const MULTICALL3 = [
  'function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)',
  'function getEthBalance(address addr) view returns (uint256 balance)',
];

// a bad command line: message and usage, exit 2
function usage(msg) {
  console.error(`bench_ethers.js: ${msg}\nusage: node bench_ethers.js --fixture FILE|- [--rpc URL] [--way naive|multicall3|both] [--chunk N]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { rpc: null, fixture: null, way: 'both', chunk: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rpc') o.rpc = argv[++i];
    else if (a === '--fixture') o.fixture = argv[++i];
    else if (a === '--way') o.way = argv[++i];
    else if (a === '--chunk') o.chunk = Number(argv[++i]);
    else if (!a.startsWith('--') && !o.fixture) o.fixture = a;
    else usage(`unknown option ${a}`);
  }
  if (!o.fixture) usage('--fixture FILE is required');
  if (!['naive', 'multicall3', 'both'].includes(o.way)) usage('--way is naive, multicall3 or both');
  if (!Number.isInteger(o.chunk) || o.chunk < 0) usage('--chunk needs a non-negative integer');
  return o;
}

// a fresh provider per way: ethers' default batching (up to 100 calls per request); a static
// network so it never asks for the chain id
function provider(url, chainId) {
  const network = ethers.Network.from(chainId);
  return new ethers.JsonRpcProvider(url, network, { staticNetwork: network, batchMaxCount: 100 });
}

// both ways return [account, "ETH" | token address, base units] triples
async function naive(p, fx) {
  const tokens = fx.tokens.map((t) => new ethers.Contract(t.address, ERC20, p));
  const reads = [];
  for (const a of fx.accounts) {
    reads.push(p.getBalance(a).then((v) => [a, 'ETH', v]));
    fx.tokens.forEach((t, j) => reads.push(tokens[j].balanceOf(a).then((v) => [a, t.address, v])));
  }
  return Promise.all(reads);
}

async function multicall3(p, fx, chunk) {
  const mc = new ethers.Contract(fx.multicall, MULTICALL3, p);
  const erc20 = new ethers.Interface(ERC20);
  const calls = [];
  const keys = [];
  for (const a of fx.accounts) {
    calls.push({ target: fx.multicall, allowFailure: false, callData: mc.interface.encodeFunctionData('getEthBalance', [a]) });
    keys.push([a, 'ETH']);
    for (const t of fx.tokens) {
      calls.push({ target: t.address, allowFailure: false, callData: erc20.encodeFunctionData('balanceOf', [a]) });
      keys.push([a, t.address]);
    }
  }
  const size = chunk || calls.length;
  const parts = [];
  for (let k = 0; k < calls.length; k += size) parts.push(mc.aggregate3.staticCall(calls.slice(k, k + size)));
  const results = (await Promise.all(parts)).flat();
  const coder = ethers.AbiCoder.defaultAbiCoder();
  return results.map((r, i) => {
    if (!r.success) throw new Error(`aggregate3 call ${i} failed`);
    return [...keys[i], coder.decode(['uint256'], r.returnData)[0]];
  });
}

// the differences between what was read and the fixture's expected balances
function compare(fx, got) {
  const decimals = { ETH: 18 };
  for (const t of fx.tokens) decimals[t.address] = t.decimals;
  const bad = [];
  const want = fx.accounts.length * (fx.tokens.length + 1);
  if (got.length !== want) bad.push(`${got.length} values read, ${want} expected`);
  const seen = new Set();
  for (const [a, key, v] of got) {
    seen.add(`${a} ${key}`);
    const expect = ethers.parseUnits(fx.balances[a][key], decimals[key]);
    if (v !== expect) bad.push(`${a} ${key}: read ${v}, expected ${expect}`);
  }
  if (seen.size !== want) bad.push(`${seen.size} distinct values read, ${want} expected`);
  return bad;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const fx = JSON.parse(fs.readFileSync(opt.fixture === '-' ? 0 : opt.fixture, 'utf8'));
  const url = opt.rpc || fx.rpc_url;
  const ways = opt.way === 'both' ? ['naive', 'multicall3'] : [opt.way];
  if (ways.includes('multicall3') && !fx.multicall) usage('the fixture has no multicall (started with --no-multicall): use --way naive');

  let failed = false;
  for (const way of ways) {
    const p = provider(url, fx.chain_id);
    const t0 = process.hrtime.bigint();
    const got = way === 'naive' ? await naive(p, fx) : await multicall3(p, fx, opt.chunk);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    p.destroy();
    const bad = compare(fx, got);
    for (const b of bad.slice(0, 10)) console.error(`bench_ethers.js: ${way}: ${b}`);
    failed ||= bad.length > 0;
    console.log(JSON.stringify({ way: `ethers-${way}`, wall_s: Number(wall.toFixed(3)), ok: bad.length === 0 }));
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`bench_ethers.js: ${e.stack || e}`);
  process.exit(2);
});
