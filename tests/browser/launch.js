// launch.js — Debian's headless chromium through playwright-core, for the browser tests:
// launch(viewport) → {ctx, page, log, close()}. log collects the console's errors, uncaught
// exceptions, failed requests and every response. Exits 2 when chromium will not start.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.PIPIT_CHROMIUM || '/usr/bin/chromium';
// no internet here: nothing may phone home (QUIC, component or safe-browsing updates, sync)
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(viewport = { width: 1000, height: 600 }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pipit-chromium-'));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    console.error(`chromium did not start: ${e.message}`);
    process.exit(2);
  }
  const log = { console_errors: [], failed_requests: [], responses: [] };
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') log.console_errors.push(m.text()); });
  page.on('pageerror', (e) => log.console_errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => log.failed_requests.push(`${r.method()} ${r.url()}: ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => log.responses.push({ url: r.url(), status: r.status() }));
  const close = async () => {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { ctx, page, log, close };
}

module.exports = { launch };
