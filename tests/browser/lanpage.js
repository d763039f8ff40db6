// lanpage.js CONFIG_JSON — walks pipit's built-in page (web/) in headless chromium as a person
// would: create an account, log out, log in with the keyboard, add an RPC node, an address, a
// manual balance and exchange keys, read history, refresh balances (watching the progress bar
// and the total), look at every screen on a desktop and a phone-sized viewport, lose the session
// (401) and the node (unreachable). Screenshots go to CONFIG.shots/lanpage-*.png.
//
// The test driving it (tests/integration/test_lanpage.py) does what a browser cannot: it is
// asked through stdout lines {"ask": what, "data": …} and answers with one stdin line (JSON).
// The last stdout line is {"result": {...}, console_errors, failed_requests, responses}.
const path = require('path');
const readline = require('readline');
const { launch } = require('./launch');

const cfg = JSON.parse(process.argv[2]);
const T = 60000;
const result = { steps: [], notes: [], progress: [], phone: {}, shots: [] };

const lines = [];
let waiter = null;
readline.createInterface({ input: process.stdin }).on('line', (l) => {
  if (waiter) { const w = waiter; waiter = null; w(l); } else lines.push(l);
});
function ask(what, data) {
  process.stdout.write(JSON.stringify({ ask: what, data }) + '\n');
  return new Promise((r) => (lines.length ? r(lines.shift()) : (waiter = r))).then((l) => JSON.parse(l));
}

async function main() {
  const { page, log, close } = await launch({ width: 1280, height: 900 });
  page.on('dialog', (d) => d.accept());
  const step = (s) => { result.steps.push(s); };
  const ready = async (name) => {
    await page.locator(`.screen[data-screen="${name}"]:not([aria-busy])`).waitFor({ timeout: T });
  };
  const show = async (name) => {
    await page.evaluate((n) => { location.hash = '#/' + n; }, name);
    await ready(name);
  };
  const shot = async (name) => {
    const file = path.join(cfg.shots, `lanpage-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    result.shots.push(file);
  };
  const formOf = (title) => page.locator('form', { has: page.getByRole('heading', { name: title }) });
  const submitted = async (f) => {
    await f.locator('.form-status.ok, .form-status.error').waitFor({ timeout: T });
    const text = await f.locator('.form-status').textContent();
    if (await f.locator('.form-status.error').count()) throw new Error(`form failed: ${text}`);
    return text;
  };
  const loginWithKeyboard = async () => {
    await ready('login');
    // the password field has focus; typing and Enter is all it takes
    await page.keyboard.type(cfg.password);
    await page.keyboard.press('Enter');
    await ready('dashboard');
  };

  try {
    await page.goto(cfg.base, { waitUntil: 'load', timeout: T });
    await ready('login');
    await shot('login');
    step('login screen');

    const create = formOf('Create an account');
    await create.getByLabel('New user name').fill(cfg.user);
    await create.getByLabel('Password', { exact: true }).fill(cfg.password);
    await create.getByLabel('Repeat the password').fill(cfg.password);
    await create.getByRole('button', { name: 'Create account' }).click();
    await ready('dashboard');
    await page.locator('#live[data-state="live"]').waitFor({ timeout: T });
    step('account created, WebSocket live');

    await page.getByRole('button', { name: 'Log out' }).click();
    await ready('login');
    step('logged out');
    await ask('setup'); // the test adds the RPC node, tokens and more addresses as this user
    await loginWithKeyboard();
    step('logged in with the keyboard');
    // from the skip link (the first stop of the page) the keyboard walks the menu
    await page.focus('a.skip');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press('Tab');
    const second = await page.evaluate(() => document.activeElement.textContent);
    result.keyboard = [first, second];

    // settings: a second RPC node through the form, then switched off
    await show('settings');
    const nodeForm = formOf('Add an RPC node');
    await nodeForm.getByLabel('Name').fill('direct');
    await nodeForm.getByLabel(/^Endpoint/).fill(cfg.rpc_direct);
    await nodeForm.getByLabel('Weight (%)').fill('10');
    await nodeForm.getByLabel('Owned (tried first)').uncheck();
    await nodeForm.getByRole('button', { name: 'Add node' }).click();
    await submitted(nodeForm);
    const row = page.locator('#nodes-list tr', { hasText: 'direct' });
    await row.getByRole('button', { name: 'Active' }).click();
    await page.locator('#nodes-list tr', { hasText: 'direct' }).getByRole('button', { name: 'Inactive' }).waitFor({ timeout: T });
    result.nodes = await page.locator('#nodes-list tbody tr').allTextContents();
    await shot('settings');
    step('settings: node added and switched off');

    // accounts: one address with a label and a tag
    await show('accounts');
    const addAcct = formOf('Add an address');
    await addAcct.getByLabel('Ethereum address').fill(cfg.address);
    await addAcct.getByLabel('Label (optional)').fill('Cold wallet');
    await addAcct.getByLabel(/^Tags/).fill('savings');
    await addAcct.getByRole('button', { name: 'Add address' }).click();
    await submitted(addAcct);
    const card = page.locator('.account', { hasText: 'Cold wallet' });
    await card.waitFor({ timeout: T });
    result.account_card = await card.textContent();
    // one of the test's addresses removed again (the confirm dialog is accepted)
    await page.locator('.account', { hasText: cfg.remove_address }).getByRole('button', { name: 'Remove' }).click();
    await page.locator('.account', { hasText: cfg.remove_address }).waitFor({ state: 'detached', timeout: T });
    result.accounts_shown = await page.locator('.account').count();
    await shot('accounts');
    step('address added');

    // manual balances: built against rotki's API; a node without the route says so
    await show('manual');
    const missing = page.locator('#manual-list .error-box');
    if (await missing.count()) {
      result.manual = { missing: await missing.textContent() };
      result.notes.push('manual balances: ' + result.manual.missing);
    } else {
      const addManual = formOf('Add a manual balance');
      await addManual.getByLabel(/^Asset/).fill('USD');
      await addManual.getByLabel('Label (unique)').fill('Cash at home');
      await addManual.getByLabel('Amount').fill('1000');
      await addManual.getByRole('button', { name: 'Add balance' }).click();
      await submitted(addManual);
      await page.locator('#manual-list tr', { hasText: 'Cash at home' }).waitFor({ timeout: T });
      result.manual = { added: true };
    }
    await shot('manual');
    step('manual balances');

    // exchanges: Kraken keys (tried by the node against the local server), balances, history
    await show('exchanges');
    const addEx = formOf('Add exchange keys');
    await addEx.getByLabel('Name').fill(cfg.kraken.name);
    await addEx.getByLabel('Exchange').selectOption('kraken');
    await addEx.getByLabel('API key').fill(cfg.kraken.key);
    await addEx.getByLabel('API secret').fill(cfg.kraken.secret);
    await addEx.getByLabel('Kraken account tier').selectOption('pro');
    await addEx.getByRole('button', { name: 'Add exchange' }).click();
    await submitted(addEx);
    await page.getByRole('button', { name: 'Refresh exchange balances' }).click();
    await page.locator('#exchange-balances table').first().waitFor({ timeout: T });
    result.exchange_rows = await page.locator('#exchange-balances tbody tr').count();
    await page.getByRole('button', { name: 'Read new exchange history' }).click();
    await page.getByText('History read; see the History screen.').waitFor({ timeout: T });
    await shot('exchanges');
    step('exchange added, balances and history read');

    // history: the events, a page further
    await show('history');
    result.history_first = await page.locator('.pager [role=status]').textContent();
    if (await page.getByRole('button', { name: 'Older →' }).isEnabled()) {
      await page.getByRole('button', { name: 'Older →' }).click();
      await page.waitForFunction((t) => document.querySelector('.pager [role=status]').textContent !== t, result.history_first, { timeout: T });
      result.history_second = await page.locator('.pager [role=status]').textContent();
    }
    await page.locator('form.filters').getByLabel('Location').selectOption('kraken');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => /^1–/.test(document.querySelector('.pager [role=status]').textContent), null, { timeout: T });
    await shot('history');
    step('history paged and filtered');

    // dashboard: the total, a balance query with its progress bar, the total again
    await show('dashboard');
    const total = () => page.locator('#net-value').getAttribute('data-value');
    result.total_before = await total();
    await ask('more_eth'); // the chain now holds more ETH for the address
    await page.evaluate(() => {
      window.__seen = [];
      window.__watch = setInterval(() => {
        for (const p of document.querySelectorAll('#activity progress')) {
          const v = `${p.getAttribute('value')}/${p.getAttribute('max')}`;
          if (window.__seen[window.__seen.length - 1] !== v) window.__seen.push(v);
        }
      }, 20);
    });
    const url = page.url();
    await page.getByRole('button', { name: 'Refresh balances' }).click();
    await page.getByText(/^Updated /).waitFor({ timeout: 120000 });
    result.progress = await page.evaluate(() => { clearInterval(window.__watch); return window.__seen; });
    result.total_after = await total();
    result.same_page = page.url() === url && await page.evaluate(() => performance.getEntriesByType('navigation').length === 1);
    result.dashboard_text = await page.locator('#balances').textContent();
    await shot('dashboard');
    step('balances refreshed');

    await show('tasks');
    result.tasks_text = await page.locator('#my-tasks').textContent();
    result.messages_text = await page.locator('#ws-messages').textContent();
    await shot('tasks');
    await show('node');
    result.node_text = await page.locator('#node-info').textContent();
    await shot('node');
    step('tasks and node');

    // a phone: every screen without sideways scrolling
    await page.setViewportSize({ width: 375, height: 740 });
    for (const name of ['dashboard', 'accounts', 'manual', 'exchanges', 'history', 'tasks', 'settings', 'node']) {
      await show(name);
      // neither the page nor a table inside it scrolls sideways
      result.phone[name] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth,
        [...document.querySelectorAll('.scroll')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.querySelector('caption').textContent)]);
      await shot('phone-' + name);
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await ready('login');
    result.phone.login = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth, []]);
    await shot('phone-login');
    await page.setViewportSize({ width: 1280, height: 900 });
    step('phone viewport');

    // the node restarted (a Pi rebooted): its sessions are gone, the next request is a 401 and
    // the page says so, then takes the login again
    await loginWithKeyboard();
    await ask('restart_node');
    await show('accounts').catch(() => {});
    await page.locator('#banner.session').waitFor({ timeout: T });
    result.session_banner = await page.locator('#banner').textContent();
    await ready('login');
    await shot('session');
    await loginWithKeyboard();
    step('401 shown, logged in again');

    // the node gone: the page says it is unreachable
    await ask('stop_node');
    await page.evaluate(() => { location.hash = '#/node'; });
    await page.locator('#banner.unreachable').waitFor({ timeout: T });
    result.unreachable_banner = await page.locator('#banner').textContent();
    await shot('unreachable');
    step('unreachable shown');
  } catch (e) {
    result.error = String(e && e.stack || e);
    try { await shot('failure'); } catch (e2) { /* the page is gone */ }
  } finally {
    process.stdout.write(JSON.stringify(Object.assign({ result }, log)) + '\n');
    await close();
    process.exit(0);
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
