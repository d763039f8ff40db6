// compile.js — compiles contracts/*.sol with the pinned solc-js and returns
// {Name: {abi, bytecode, deployedBytecode}}. The output is cached in build/ under a hash of the
// sources, the compiler version and the settings, so only the first run pays for loading solc.
// `node compile.js` compiles and prints the cache file's path.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const DIR = path.join(__dirname, 'contracts');
const BUILD = path.join(__dirname, 'build');
const SETTINGS = {
  // ganache 7.9.2 knows Shanghai at most: newer targets emit opcodes (MCOPY, TSTORE) it rejects
  evmVersion: 'shanghai',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function compile() {
  const sources = {};
  for (const f of fs.readdirSync(DIR).filter((f) => f.endsWith('.sol')).sort()) {
    sources[f] = { content: fs.readFileSync(path.join(DIR, f), 'utf8') };
  }
  const solcVersion = require('solc/package.json').version;
  const key = crypto.createHash('sha256')
    .update(JSON.stringify({ solcVersion, SETTINGS, sources })).digest('hex').slice(0, 16);
  const cache = path.join(BUILD, `contracts-${key}.json`);
  if (fs.existsSync(cache)) return { artifacts: JSON.parse(fs.readFileSync(cache, 'utf8')), cache };

  const solc = require('solc'); // slow to load (a wasm compiler): only on a cache miss
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS })));
  const problems = out.errors || [];
  for (const e of problems) process.stderr.write(e.formattedMessage);
  if (problems.some((e) => e.severity === 'error')) throw new Error('compile.js: solc reported errors');

  const artifacts = {};
  for (const file of Object.keys(out.contracts)) {
    for (const [name, c] of Object.entries(out.contracts[file])) {
      artifacts[name] = {
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      };
    }
  }
  fs.mkdirSync(BUILD, { recursive: true });
  // outputs of earlier sources are of no more use
  for (const f of fs.readdirSync(BUILD)) if (/^contracts-[0-9a-f]+\.json$/.test(f)) fs.rmSync(path.join(BUILD, f), { force: true });
  // write then rename: a concurrent reader never sees half a file
  const tmp = `${cache}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(artifacts));
  fs.renameSync(tmp, cache);
  return { artifacts, cache };
}

module.exports = { compile };

if (require.main === module) {
  try {
    console.log(compile().cache);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
