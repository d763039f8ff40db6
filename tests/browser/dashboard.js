// dashboard.js BASE_URL SCREENSHOT — opens BASE_URL (pipit serving tests/browser/app) in
// Debian's headless chromium, waits for the page's calls, saves a screenshot and prints one
// JSON line: {"result": <the page's pipitResult>, "console_errors": [...], "failed_requests":
// [...], "responses": [{url, status}]}. Exit 0 once printed; 2 when chromium would not start.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const [base, shot] = process.argv.slice(2);
const CHROMIUM = process.env.PIPIT_CHROMIUM || '/usr/bin/chromium';
// no internet here: nothing may phone home (QUIC, component or safe-browsing updates, sync)
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pipit-chromium-'));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 600 },
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    console.error(`chromium did not start: ${e.message}`);
    process.exit(2);
  }
  const consoleErrors = [];
  const failedRequests = [];
  const responses = [];
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => failedRequests.push(`${r.method()} ${r.url()}: ${r.failure() && r.failure().errorText}`));
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
    await page.goto(base, { waitUntil: 'load', timeout: 30000 });
    const result = await page.evaluate(() => window.pipitResult, null, { timeout: 60000 });
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(JSON.stringify({ result, console_errors: consoleErrors, failed_requests: failedRequests,
      responses }) + '\n');
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
