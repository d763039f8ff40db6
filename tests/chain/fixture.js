// fixture.js — a local EVM chain with known balances for pipit's chain-client tests.
//
//   node fixture.js [--accounts N] [--tokens M] [--no-multicall] [--odd-tokens] [--port P]
//
// Starts ganache (chain id 1337) on 127.0.0.1, deploys M TestTokens, places the Multicall
// contract at Multicall3's canonical address, funds N fresh addresses with ETH and tokens, reads
// every balance back from the node and prints ONE JSON line describing it all to stdout. Then it
// serves until SIGTERM/SIGINT, or, when stdin is a pipe, until that closes (so a chain started
// with a pipe from its test never outlives the test; /dev/null or a terminal as stdin is not
// watched). Diagnostics go to stderr. --odd-tokens also deploys tokens with unusual metadata for
// the asset registry tests (listed as odd_tokens, no balances): a unicode name with spaces, a
// bytes32 name and symbol.
'use strict';
// ganache and solc may print; stdout belongs to the one JSON line
console.log = console.info = console.error;

const fs = require('fs');
const ethers = require('ethers');
const ganache = require('ganache');
const memdown = require('memdown');
const { compile } = require('./compile');

const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';
const CHAIN_ID = 1337;
const DECIMALS = [18, 6, 8, 0, 18, 2, 9, 24, 12, 1]; // cycled over the tokens
const MINT_CHUNK = 400; // holders per mintMany transaction, well under the block gas limit
const BALANCES_SLOT = 4; // TestToken's storage slot of balanceOf (after name, symbol, decimals, totalSupply)

// stdin is watched for EOF only when a parent holds its other end (pipe or socket)
function watchStdin() {
  const st = fs.fstatSync(0);
  return st.isFIFO() || st.isSocket();
}

// a bad command line: message and usage, exit 2
function usage(msg) {
  console.error(`fixture.js: ${msg}\nusage: node fixture.js [--accounts N] [--tokens M] [--no-multicall] [--odd-tokens] [--port P]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { accounts: 100, tokens: 20, multicall: true, oddTokens: false, port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) usage(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === '--accounts') o.accounts = num();
    else if (a === '--tokens') o.tokens = num();
    else if (a === '--port') o.port = num();
    else if (a === '--no-multicall') o.multicall = false;
    else if (a === '--odd-tokens') o.oddTokens = true;
    else usage(`unknown option ${a}`);
  }
  return o;
}

// a deterministic pseudo-random 256-bit number per label
const rnd = (label) => BigInt(ethers.keccak256(ethers.toUtf8Bytes(label)));
// a value with 1..maxDigits decimal digits, from a label
const digits = (label, maxDigits) => {
  const r = rnd(label);
  return (r >> 16n) % 10n ** (1n + (r % BigInt(maxDigits)));
};

// fresh addresses nobody holds a key for: the last 20 bytes of keccak("pipit-test-account-<i>")
const accountAddress = (i) =>
  ethers.getAddress(ethers.dataSlice(ethers.keccak256(ethers.toUtf8Bytes(`pipit-test-account-${i}`)), 12));

// wei of account i: the first few cover the edges, the rest vary in magnitude
function ethAmount(i) {
  const fixed = [
    0n, // nothing
    1n, // one wei: "0.000000000000000001"
    10n ** 18n, // exactly one ether: "1"
    10n ** 18n - 1n, // all eighteen fraction digits
    1000n * 10n ** 18n, // trailing zeros in the integer part stay
    12n * 10n ** 18n + 5n * 10n ** 17n, // "12.5": trailing fraction zeros go
    10n ** 39n + rnd('eth-big') % 10n ** 39n, // forty significant digits
    // bit 255 set, as for the tokens; every total still fits in a uint256
    2n ** 255n + 7n,
  ];
  if (i < fixed.length) return fixed[i];
  if (i % 9 === 0) return 0n;
  return digits(`eth-${i}`, 30);
}

// base units of token j held by account i
function tokenAmount(i, j, accounts) {
  // one holder per token sits near 2^255 (the rest together stay far below 2^255, so the total
  // supply fits in a uint256)
  if (i === j % accounts) return j % 2 ? 2n ** 255n - 1n - BigInt(j) : 2n ** 255n + BigInt(j);
  if ((i + 3 * j) % 7 === 0) return 0n;
  if ((i + j) % 11 === 1) return 1n + BigInt(i % 9); // a few smallest units
  return digits(`token-${j}-${i}`, 40);
}

// base units as a decimal string: "0", "12", "12.5", "0.000001" (no exponent, no trailing zeros)
function formatUnits(v, decimals) {
  const s = v.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const { artifacts } = compile();
  const server = ganache.server({
    wallet: { deterministic: true },
    chain: { chainId: CHAIN_ID },
    logging: { quiet: true },
    // in memory: ganache's default LevelDB in a temp dir makes funding and calls twice as slow
    database: { db: memdown() },
    // big aggregate3 eth_calls (thousands of balanceOf) need far more than the default gas
    miner: { callGasLimit: '0x1fffffffffffff' },
  });
  await new Promise((resolve, reject) => server.listen(opt.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  const port = server.address().port;

  const stop = async (code) => {
    try {
      await server.close();
    } finally {
      process.exit(code);
    }
  };
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => stop(0));

  try {
    await setUp(server.provider, artifacts, opt, port);
  } catch (e) {
    console.error(`fixture.js: ${e.stack || e}`);
    await stop(1);
  }
  if (watchStdin()) {
    process.stdin.on('end', () => stop(0));
    process.stdin.on('error', () => stop(0));
    process.stdin.resume();
  }
}

// Before announcing the multicall, check it keeps Multicall3's contract: results in call order,
// a failed call with allowFailure = true reported as such, one with allowFailure = false reverting
// the whole batch.
async function checkMulticall(rpc, mc, holder) {
  const call = (calls) => rpc('eth_call', { to: MULTICALL3, data: mc.encodeFunctionData('aggregate3', [calls]) }, 'latest');
  const balance = { target: MULTICALL3, allowFailure: false, callData: mc.encodeFunctionData('getEthBalance', [holder]) };
  const failing = { target: MULTICALL3, allowFailure: true, callData: '0xdeadbeef' }; // no such function: reverts
  const [res] = mc.decodeFunctionResult('aggregate3', await call([failing, balance]));
  const want = BigInt(await rpc('eth_getBalance', holder, 'latest'));
  if (res.length !== 2 || res[0].success || !res[1].success || BigInt(res[1].returnData) !== want) {
    throw new Error(`aggregate3 answered ${res} for a failing call and a balance of ${want}`);
  }
  const reverted = await call([balance, { ...failing, allowFailure: false }]).then(() => false, () => true);
  if (!reverted) throw new Error('aggregate3 did not revert on a failed call with allowFailure = false');
}

async function setUp(provider, artifacts, opt, port) {
  const rpc = (method, ...params) => provider.request({ method, params });
  const [from] = await rpc('eth_accounts');
  // ganache mines each transaction as it arrives; this waits for it and checks it went through
  const send = async (tx) => {
    const hash = await rpc('eth_sendTransaction', { from, ...tx });
    const receipt = await rpc('eth_getTransactionReceipt', hash);
    if (!receipt || receipt.status !== '0x1') throw new Error(`transaction ${hash} failed`);
    return receipt;
  };

  const t0 = Date.now();
  const token = new ethers.Interface(artifacts.TestToken.abi);
  const tokens = [];
  for (let j = 0; j < opt.tokens; j++) {
    const t = { symbol: `TK${j}`, name: `Test Token ${j}`, decimals: DECIMALS[j % DECIMALS.length] };
    const data = ethers.concat([artifacts.TestToken.bytecode, token.encodeDeploy([t.name, t.symbol, t.decimals])]);
    const r = await send({ data, gas: ethers.toQuantity(3_000_000) });
    tokens.push({ address: ethers.getAddress(r.contractAddress), ...t });
  }

  // after the regular tokens, so their addresses stay what they are without this option
  const oddTokens = [];
  if (opt.oddTokens) {
    const odd = { name: '  Ünïcødé Tøken — spaced  ', symbol: 'ÖDD', decimals: 7 };
    const data = ethers.concat([artifacts.TestToken.bytecode, token.encodeDeploy([odd.name, odd.symbol, odd.decimals])]);
    const r = await send({ data, gas: ethers.toQuantity(3_000_000) });
    oddTokens.push({ address: ethers.getAddress(r.contractAddress), kind: 'string', ...odd });
    const b32 = { name: 'Maker Old', symbol: 'MKO', decimals: 18 };
    const iface = new ethers.Interface(artifacts.Bytes32Token.abi);
    const enc = iface.encodeDeploy([ethers.encodeBytes32String(b32.name), ethers.encodeBytes32String(b32.symbol), b32.decimals]);
    const r2 = await send({ data: ethers.concat([artifacts.Bytes32Token.bytecode, enc]), gas: ethers.toQuantity(3_000_000) });
    oddTokens.push({ address: ethers.getAddress(r2.contractAddress), kind: 'bytes32', ...b32 });
  }

  let multicall = null;
  if (opt.multicall) {
    await rpc('evm_setAccountCode', MULTICALL3, artifacts.Multicall.deployedBytecode);
    if ((await rpc('eth_getCode', MULTICALL3, 'latest')) !== artifacts.Multicall.deployedBytecode) {
      throw new Error('evm_setAccountCode did not place the multicall code');
    }
    await checkMulticall(rpc, new ethers.Interface(artifacts.Multicall.abi), from);
    multicall = MULTICALL3;
  }

  const t1 = Date.now();
  const accounts = Array.from({ length: opt.accounts }, (_, i) => accountAddress(i));
  await Promise.all(accounts.map((a, i) => rpc('evm_setAccountBalance', a, ethers.toQuantity(ethAmount(i)))));
  for (let j = 0; j < tokens.length; j++) {
    for (let k = 0; k < accounts.length; k += MINT_CHUNK) {
      const to = accounts.slice(k, k + MINT_CHUNK);
      const amounts = to.map((_, n) => tokenAmount(k + n, j, accounts.length));
      const gas = 100_000 + 40_000 * to.length;
      await send({ to: tokens[j].address, data: token.encodeFunctionData('mintMany', [to, amounts]), gas: ethers.toQuantity(gas) });
    }
  }

  // The expected balances are what the node holds, read back from its state: ETH with
  // eth_getBalance, tokens from balanceOf's storage slots (eth_getStorageAt is ~5x faster than an
  // eth_call in ganache), checked against balanceOf() for one holder per token.
  const t2 = Date.now();
  // ganache answers an unset slot with "0x" rather than 32 zero bytes
  const word = (h) => (h === '0x' ? 0n : BigInt(h));
  const slot = (a) => ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [a, BALANCES_SLOT]));
  const raw = await Promise.all(accounts.map(async (a) => [
    BigInt(await rpc('eth_getBalance', a, 'latest')),
    ...(await Promise.all(tokens.map(async (t) => word(await rpc('eth_getStorageAt', t.address, slot(a), 'latest'))))),
  ]));
  for (let j = 0; j < tokens.length && accounts.length; j++) {
    const i = j % accounts.length;
    const data = token.encodeFunctionData('balanceOf', [accounts[i]]);
    const v = BigInt(await rpc('eth_call', { to: tokens[j].address, data }, 'latest'));
    if (v !== raw[i][1 + j]) throw new Error(`${tokens[j].symbol}.balanceOf(${accounts[i]}) = ${v} but its storage holds ${raw[i][1 + j]}`);
  }
  const balances = {};
  accounts.forEach((a, i) => {
    const row = {};
    const put = (key, v, want, decimals) => {
      if (v !== want) throw new Error(`${a} holds ${v} of ${key}, not the ${want} it was given`);
      const s = formatUnits(v, decimals);
      // cross-check the formatting with ethers' own parser
      if (ethers.parseUnits(s, decimals) !== v) throw new Error(`formatUnits(${v}, ${decimals}) gave ${s}`);
      row[key] = s;
    };
    put('ETH', raw[i][0], ethAmount(i), 18);
    tokens.forEach((t, j) => put(t.address, raw[i][1 + j], tokenAmount(i, j, accounts.length), t.decimals));
    balances[a] = row;
  });
  const t3 = Date.now();

  const line = JSON.stringify({
    rpc_url: `http://127.0.0.1:${port}`, chain_id: CHAIN_ID, multicall, tokens, accounts, balances,
    ...(opt.oddTokens ? { odd_tokens: oddTokens } : {}),
  }) + '\n';
  // a pipe takes 64 KiB at a time and node writes the rest later: wait until all of it is out,
  // so that an exit right after cannot cut the line
  await new Promise((resolve) => process.stdout.write(line, resolve));
  console.error(`fixture.js: ${accounts.length} accounts x ${tokens.length} tokens ready at http://127.0.0.1:${port} ` +
    `in ${process.uptime().toFixed(1)} s (deploy ${t1 - t0} ms, fund ${t2 - t1} ms, read back ${t3 - t2} ms)`);
}

main().catch((e) => {
  console.error(`fixture.js: ${e.stack || e}`);
  process.exit(1);
});
