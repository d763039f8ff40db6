// dashboard.js BASE_URL SCREENSHOT — opens BASE_URL (pipit serving tests/browser/app) in
// Debian's headless chromium, waits for the page's calls, saves a screenshot and prints one
// JSON line: {"result": <the page's pipitResult>, "console_errors": [...], "failed_requests":
// [...], "responses": [{url, status}]}. Exit 0 once printed; 2 when chromium would not start.
const fs = require('fs');
const path = require('path');
const { launch } = require('./launch');

const [base, shot] = process.argv.slice(2);

async function main() {
  const { page, log, close } = await launch();
  try {
    await page.goto(base, { waitUntil: 'load', timeout: 30000 });
    const result = await page.evaluate(() => window.pipitResult, null, { timeout: 60000 });
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(JSON.stringify(Object.assign({ result }, log)) + '\n');
  } finally {
    await close();
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
