// The API explorer in a real browser: Debian's chromium, headless, driven by playwright-core
// (pinned in package.json), against a daemon the caller started.
//
// Usage: node docs_check.mjs --url http://HOST:PORT [--token TOKEN] [--screenshot FILE.png]
// Checks that /docs renders one operation per (path, method) of /openapi.json, that no request
// leaves the daemon, that the console shows no error (a Content-Security-Policy violation is
// one); with --token, that the Authorize button takes the bearer token and "Try it out" on
// GET /v1/plugins then gets 200 (without it the daemon answers 401). Exit status 0 when every
// check passes, 1 naming the failures otherwise, 2 on bad usage.
import { chromium } from 'playwright-core';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] =
    process.argv[i + 1];
if (!args.url) {
  console.error('usage: node docs_check.mjs --url URL [--token TOKEN] [--screenshot FILE]');
  process.exit(2);
}
const base = new URL(args.url).origin;
const failures = [];
const fail = (what) => failures.push(what);

const document = await (await fetch(`${base}/openapi.json`)).json();
let operations = 0;
for (const item of Object.values(document.paths)) operations += Object.keys(item).length;

const browser = await chromium.launch({
  executablePath: process.env.ARCHIVUM_CHROMIUM ?? '/usr/bin/chromium',
  // The sandbox needs user namespaces, which a container running as root usually lacks.
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) fail(`${r.request().method()} ${r.url()} answered ${r.status()}`);
  });
  page.on('pageerror', (error) => fail(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base + '/') && !url.startsWith('data:')) fail(`request left: ${url}`);
  });
  // Every Content-Security-Policy violation, as the page's own event reports it (an init script
  // runs outside the page's policy).
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const response = await page.goto(`${base}/docs`);
  const csp = response.headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'") || csp.includes("'unsafe-eval'")) {
    fail(`unexpected Content-Security-Policy: ${csp}`);
  }
  await page.waitForSelector('.opblock', { timeout: 30000 });
  const rendered = await page.locator('.opblock').count();
  if (rendered !== operations) fail(`rendered ${rendered} operations, the document has ${operations}`);
  const title = await page.locator('.info .title').innerText();
  if (!title.includes('Archivum API')) fail(`title: ${title}`);

  // A request body's example and schema, and the schemas section, render too.
  const analyze = page.locator('#operations-Analyze-post_v1_analyze');
  await analyze.locator('.opblock-summary').click();
  await analyze.locator('.body-param__example, .highlight-code').first().waitFor({ timeout: 30000 });
  await analyze.locator('.opblock-summary').click();
  const schema = page.locator('section.models article[data-json-schema-level="0"]')
      .filter({ has: page.getByText('aichemist_archivum.AnalyzeRequest', { exact: true }) });
  await schema.locator('.json-schema-2020-12-expand-deep-button').first().click();
  await schema.locator('.json-schema-2020-12-property').first().waitFor({ timeout: 30000 });
  await schema.scrollIntoViewIfNeeded();
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: false });

  if (args.token) {
    await page.locator('.auth-wrapper .authorize').click();
    const modal = page.locator('.dialog-ux .modal-ux');
    await modal.locator('input').first().fill(args.token);
    await modal.locator('button.authorize').click();
    await modal.locator('button.btn-done').click();
    const op = page.locator('#operations-ListPlugins-get_v1_plugins');
    await op.locator('.opblock-summary').click();
    await op.locator('.try-out__btn').click();
    await op.locator('.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 30000 });
    const code = (await status.innerText()).trim();
    if (code !== '200') fail(`Try it out on GET /v1/plugins with the token answered ${code}`);
  }
  for (const v of await page.evaluate(() => window.cspViolations)) fail(`CSP violation: ${v}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`/docs rendered ${operations} operations` + (args.token ? '; authorized call ok' : ''));
