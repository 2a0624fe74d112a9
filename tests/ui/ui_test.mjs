// Headless Chromium test of the local mode's UI (issue 5, "Must be shown").
// Starts `cdc-consumer broker`, `run` (embedded store) and `simulate` on free loopback ports,
// opens the UI in Debian's Chromium and checks that: events appear; the search finds a known row;
// the table and operation filters work; the hostile values `<img src=x onerror=alert(1)>` and
// `</script><script>alert(1)</script>` are shown as text, no script runs (no dialog, no
// window.__xss, no CSP violation, no page error); the stats and the pie are filled. Saves a
// screenshot to artifacts/ui.png. Prints "N passed, M failed"; exit 1 on any failure.
//
// Usage: node tests/ui/ui_test.mjs [--binary PATH] [--artifacts DIR]
//   default binary: $CDC_BINARY, else consumer/build/release/cdc-consumer
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const binary = opt('--binary', process.env.CDC_BINARY ||
                   path.join(root, 'consumer/build/release/cdc-consumer'));
const artifacts = opt('--artifacts', path.join(root, 'artifacts'));
const scale = Number(process.env.CDC_TEST_TIMEOUT_MULTIPLIER || 1);
const HOSTILE = ['<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>'];

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
}

async function waitFor(what, fn, ms) {
  const deadline = Date.now() + ms * scale;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const children = [];
function start(name, args, dir) {
  const out = fs.openSync(path.join(dir, `${name}.log`), 'w');
  const child = spawn(binary, args, { stdio: ['ignore', out, out] });
  child.exitCode_ = null;
  child.on('exit', (code, signal) => { child.exitCode_ = code ?? 128; child.signal_ = signal; });
  children.push(child);
  return child;
}
async function stopAll() {
  for (const c of children.reverse()) {
    if (c.exitCode_ === null) c.kill('SIGTERM');
  }
  await waitFor('children to exit', () => children.every((c) => c.exitCode_ !== null), 30000)
    .catch(() => children.forEach((c) => c.exitCode_ === null && c.kill('SIGKILL')));
}

async function getJson(base, p) {
  const res = await fetch(base + p);
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
  return res.json();
}

async function main() {
  if (!fs.existsSync(binary)) throw new Error(`no cdc-consumer at ${binary}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-ui-test-'));
  console.log(`state and logs in ${dir}`);

  start('broker', ['broker', '--partitions', '3', '--state-dir', dir], dir);
  const bootstrapFile = path.join(dir, 'bootstrap.servers');
  await waitFor('the broker', () => fs.existsSync(bootstrapFile), 20000);
  const brokers = fs.readFileSync(bootstrapFile, 'utf8').trim();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  start('consumer', ['run', '--brokers', brokers, '--es-url', '', '--store-path',
                     path.join(dir, 'events.db'), '--listen', `127.0.0.1:${port}`], dir);
  await waitFor('/healthz', async () => (await fetch(base + '/healthz')).ok, 30000);
  const sim = start('simulate', ['simulate', '--brokers', brokers, '--rate', '0', '--count',
                                 '300', '--seed', '11', '--hostile-every', '5'], dir);
  await waitFor('the simulator', () => sim.exitCode_ !== null, 60000);
  check('simulator finished cleanly', sim.exitCode_ === 0, `exit ${sim.exitCode_}`);
  await waitFor('300 row changes in the store', async () => {
    const c = await getJson(base, '/api/counts');
    return c.counts.filter((x) => x.op !== 'ddl').reduce((s, x) => s + x.count, 0) === 300;
  }, 90000);
  // A known row: the newest users insert with an ordinary username.
  const inserts = await getJson(base, '/api/events?database=appdb&table=users&op=insert&limit=500');
  const known = inserts.map((e) => e.doc.data.username).find((u) => /^[a-z]+_\d+$/.test(u));
  check('the feed holds a known users row', Boolean(known));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const dialogs = [];
    const pageErrors = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation',
                                (e) => window.__cspViolations.push(e.violatedDirective));
      window.alert = () => { window.__xss = true; };
    });
    const response = await page.goto(base + '/');
    const csp = response.headers()['content-security-policy'] || '';
    check('page is served with a strict CSP', csp.includes("script-src 'self'") &&
          csp.includes("default-src 'none'"), csp);

    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0,
                               null, { timeout: 20000 * scale });
    check('events appear in the live table', true);
    const total = (await getJson(base, '/api/counts')).total;
    await page.waitForFunction((t) => document.getElementById('stat-total').textContent === String(t),
                               total, { timeout: 10000 * scale });
    check('stored-events stat matches /api/counts', true);
    check('pie of operations is drawn',
          (await page.locator('#pie path, #pie circle').count()) > 0);
    // The stats come from separate requests of one refresh (counts from the store, latency from
    // /metrics), so the first refresh that shows every row may predate the metrics of its last
    // batch: the latency must be filled within a few refreshes, not at that instant.
    const latencyFilled = await page.waitForFunction(
        () => !document.getElementById('stat-latency').textContent.startsWith('–'), null,
        { timeout: 10000 * scale }).then(() => true, () => false);
    check('latency stat is filled', latencyFilled, await page.textContent('#stat-latency'));

    // Search finds the known row, and only rows that contain it.
    await page.fill('#search', known);
    await page.waitForFunction((k) => {
      const rows = [...document.querySelectorAll('#rows tr')];
      return rows.length > 0 && rows.every((r) => r.textContent.includes(k));
    }, known, { timeout: 10000 * scale });
    check(`search finds the known row (${known})`, true);

    // Hostile values: found by search, shown as the literal text, never as markup.
    for (const [i, value] of HOSTILE.entries()) {
      await page.fill('#search', i === 0 ? 'onerror' : '</script><script>');
      const shown = await page.waitForFunction((v) => {
        const cells = [...document.querySelectorAll('#rows td.changes span.after')];
        return cells.some((c) => c.textContent === v);
      }, value, { timeout: 10000 * scale }).then(() => true, () => false);
      check(`hostile value is shown as text: ${value}`, shown);
    }
    const injected = await page.evaluate(() => document.querySelectorAll(
      '#rows img, #rows script, #rows iframe, #rows svg').length);
    check('no element was created from a value', injected === 0, `${injected} elements`);

    // Filters.
    await page.fill('#search', '');
    const usersIndex = await page.evaluate(() => [...document.querySelectorAll(
      '#table-filter option')].find((o) => o.textContent === 'appdb.users')?.value);
    await page.selectOption('#table-filter', usersIndex);
    await page.selectOption('#op-filter', 'update');
    const filtered = await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#rows tr')];
      return rows.length > 0 && rows.every((r) => r.querySelector('.tbl').textContent === 'users' &&
                                               r.querySelector('.op').textContent === 'update');
    }, null, { timeout: 10000 * scale }).then(() => true, () => false);
    check('table and operation filters narrow the table', filtered);
    const arrow = await page.locator('#rows .change .arrow').count();
    check('updates show before → after', arrow > 0);

    await page.selectOption('#table-filter', '');
    await page.selectOption('#op-filter', '');
    await page.fill('#search', 'onerror');
    await page.waitForTimeout(1000);  // let the filtered table settle for the screenshot
    await page.screenshot({ path: path.join(artifacts, 'ui.png'), fullPage: false });
    console.log(`screenshot: ${path.join(artifacts, 'ui.png')}`);

    const state = await page.evaluate(() => ({ xss: window.__xss === true,
                                               csp: window.__cspViolations }));
    check('no dialog opened', dialogs.length === 0, dialogs.join(', '));
    check('no injected script ran (window.__xss unset)', !state.xss);
    check('no CSP violation', state.csp.length === 0, state.csp.join(', '));
    check('no page error', pageErrors.length === 0, pageErrors.join(' | '));
  } finally {
    await browser.close();
  }
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  check('ui test ran to the end', false, e.message);
}
await stopAll();
const failed = results.filter((r) => !r.ok).length;
if (failed > 0) exitCode = 1;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(exitCode);
