// End-to-end tests of the browser UI: Debian's chromium, headless, driven by playwright-core,
// against real archivumd daemons this test starts on port 0 with real files it writes and
// ingests. Every page is also checked with axe-core (no serious or critical violation, light and
// dark, 1280 px and 375 px wide) and for console errors (CSP violations are console errors), and
// screenshotted into the directory given.
//
//   node tests/browser/ui_test.mjs --archivumd BUILD/bin/archivumd \
//     --plugins BUILD/lib/archivum/plugins --screenshots BUILD/tests/browser/screenshots
//
// ARCHIVUM_UI_DEV_SERVER (development only): a module exporting startDevServer(daemonUrl) that
// serves ui/ from the source tree and proxies the API; the pages are then loaded through it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { startDaemon, writeCorpus } from './daemon.mjs';

const { values: args } = parseArgs({
  options: {
    archivumd: { type: 'string' },
    plugins: { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
for (const name of ['archivumd', 'plugins', 'screenshots']) {
  if (!args[name]) throw new Error(`--${name} is required`);
  // The daemon resolves relative paths in its config against the config's directory.
  args[name] = path.resolve(args[name]);
}
fs.mkdirSync(args.screenshots, { recursive: true });
const AXE = fs.readFileSync(
  path.join(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/axe-core/axe.min.js'),
  'utf8');
const TOKEN = 'browser-test-token-7f3a';

let browser;
let daemon;  // authentication off: the corpus ingested
let secured;  // authentication on (TOKEN)
let corpus;
let later;  // files for the ingest page, not ingested beforehand
let base;
let securedBase;
const devClosers = [];

async function pageBase(d) {
  if (!process.env.ARCHIVUM_UI_DEV_SERVER) return d.url;
  const { startDevServer } = await import(process.env.ARCHIVUM_UI_DEV_SERVER);
  const dev = await startDevServer(d.url);
  devClosers.push(dev.close);
  return dev.url;
}

async function api(d, route, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(d.url + route, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await response.json();
  assert.equal(response.status, 200, `${route}: ${JSON.stringify(json)}`);
  return json;
}

before(async () => {
  [daemon, secured] = await Promise.all([
    startDaemon({ archivumd: args.archivumd, plugins: args.plugins }),
    startDaemon({ archivumd: args.archivumd, plugins: args.plugins, tokens: [TOKEN] }),
  ]);
  corpus = writeCorpus(path.join(daemon.files, 'corpus'));
  later = [];
  for (let i = 0; i < 12; i++) {
    const p = path.join(daemon.files, 'later', `batch-${i}.txt`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, `Quokka report number ${i}.\n`);
    later.push(p);
  }
  const loaded = await (await fetch(`${daemon.url}/v1/plugins`)).json();
  assert.ok(loaded.plugins?.some((p) => p.name === 'hash' && p.state === 'LOADED'),
            `the bundled plugins in ${args.plugins} are not loaded: ` +
                loaded.plugins?.map((p) => `${p.name} ${p.state} ${p.reason}`).join('; '));
  const summary = await api(daemon, '/v1/ingest', { path: path.join(daemon.files, 'corpus') });
  assert.equal(summary.filesFailed, '0', JSON.stringify(summary));
  writeCorpus(path.join(secured.files, 'corpus'));
  await api(secured, '/v1/ingest', { path: path.join(secured.files, 'corpus') }, TOKEN);
  base = await pageBase(daemon);
  securedBase = await pageBase(secured);
  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  for (const close of devClosers) close();
  const codes = await Promise.all([daemon?.stop(), secured?.stop()]);
  // In the sanitizer build, a report (written when it happens, leaks at exit) fails the test.
  for (const d of [daemon, secured]) {
    assert.doesNotMatch(d?.log() ?? '', /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/,
                        'sanitizer report in the daemon log');
  }
  assert.deepEqual(codes, [0, 0], 'the daemons exit cleanly on SIGTERM');
});

// A new page in its own context. Console errors are collected; check() asserts there were none
// but those `allowed` matches (a 400 of a malformed query is logged by the browser).
async function open({ colorScheme = 'light', width = 1280, height = 900, acceptDownloads } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width, height },
                                             acceptDownloads });
  // Short enough that a failing run stays fast; a slow (sanitizer) daemon answers well within.
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.check = (allowed = []) => {
    const unexpected = errors.filter((e) => !allowed.some((re) => re.test(e)));
    assert.deepEqual(unexpected, [], 'console errors');
  };
  page.done = async (allowed) => {
    page.check(allowed);
    await context.close();
  };
  return page;
}

// Waits until the page in `page` has drawn what it loads first (main loses aria-busy).
async function settled(page) {
  await page.locator('main:not([aria-busy])').waitFor({ state: 'attached' });
}

// Waits for `n` results on the page; fails with the number shown.
async function expectHits(page, n) {
  await settled(page);
  try {
    await page.waitForFunction((k) => document.querySelectorAll('.hit').length === k, n,
                               { timeout: 5000 });
  } catch {
    assert.equal(await page.locator('.hit').count(), n, 'results shown');
  }
}

async function search(page, query) {
  await page.locator('#q').fill(query);
  await page.locator('#q').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === query);
  await settled(page);
}

const hitPaths = (page) => page.locator('.hit-title a').evaluateAll(
  (links) => links.map((a) => new URL(a.href).searchParams.get('path')));

describe('browser UI', { concurrency: 1 }, () => {
  test('search highlights matches; a permalink reloads and Back returns', async () => {
    const page = await open();
    await page.goto(base + '/');
    await search(page, 'whale');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'whale');
    assert.deepEqual((await hitPaths(page)).sort(),
                     [corpus.whale, corpus.dolphin, corpus.html].sort());
    const marks = await page.locator('.hit .snippet mark').allTextContents();
    assert.ok(marks.length >= 3 && marks.every((m) => m.toLowerCase() === 'whale'), String(marks));
    assert.match(await page.locator('.status').textContent(), /3 results/);

    await search(page, 'zebra');
    assert.deepEqual(await hitPaths(page), [`${corpus.zip}!/inner/zebra.txt`]);
    // An archive member names its container.
    assert.equal(await page.locator('.hit-path a').textContent(), corpus.zip);

    await page.goBack();
    await expectHits(page, 3);
    assert.equal(await page.locator('#q').inputValue(), 'whale');
    await page.reload();
    await expectHits(page, 3);
    assert.equal(await page.locator('#q').inputValue(), 'whale');
    await page.screenshot({ path: path.join(args.screenshots, 'search.png'), fullPage: true });
    await page.done();
  });

  test('a facet value refines the query to its count', async () => {
    const page = await open();
    await page.goto(base + '/?q=whale');
    const value = page.locator('.facet-value[data-facet="mime"]', { hasText: 'text/plain' });
    await value.waitFor();
    assert.equal(await value.locator('.count').textContent(), '2');
    await value.click();
    await expectHits(page, 2);
    assert.match(new URL(page.url()).searchParams.get('q'), /^whale mime:/);
    assert.deepEqual((await hitPaths(page)).sort(), [corpus.whale, corpus.dolphin].sort());
    await page.done();
  });

  test('sort by size and paging', async () => {
    const page = await open();
    await page.goto(base + '/?q=whale&sort=size_desc');
    await page.locator('.hit').first().waitFor();
    assert.equal(await page.locator('#sort').inputValue(), 'size_desc');
    assert.equal((await hitPaths(page))[0], corpus.html);  // the largest of the three

    await page.goto(base + '/?q=pebble');
    await expectHits(page, 20);
    assert.match(await page.locator('.status').textContent(), /25 results/);
    const first = await hitPaths(page);
    await page.getByRole('link', { name: 'Next' }).click();
    await expectHits(page, 5);
    assert.equal(new URL(page.url()).searchParams.get('offset'), '20');
    const second = await hitPaths(page);
    assert.equal(new Set([...first, ...second]).size, 25);
    await page.getByRole('link', { name: 'Previous' }).click();
    await expectHits(page, 20);
    await page.done();
  });

  test('the document page: metadata, findings by plugin, highlighted text, members', async () => {
    const page = await open();
    await page.goto(base + '/?q=harbour');
    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/doc\?/);
    await page.locator('#h-findings').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('path'), corpus.html);
    const metadata = await page.locator('section[aria-labelledby="h-metadata"]').innerText();
    assert.match(metadata, /author\s+Ada Lovelace/);
    assert.match(metadata, /title\s+Harbour guide/);
    const plugins = await page.locator('.plugin-findings h3').allTextContents();
    for (const p of ['filetype', 'text', 'hash']) assert.ok(plugins.includes(p), String(plugins));
    assert.deepEqual([...new Set((await page.locator('.text mark').allTextContents())
      .map((m) => m.toLowerCase()))], ['harbour']);
    // The script of the HTML file is neither run nor shown.
    assert.doesNotMatch(await page.locator('.text').textContent(), /alert/);
    await page.screenshot({ path: path.join(args.screenshots, 'document.png'), fullPage: true });

    await page.goto(base + '/doc?' + new URLSearchParams({ path: corpus.zip }));
    const members = page.locator('section[aria-labelledby="h-children"] li a');
    await members.first().waitFor();
    assert.deepEqual(await members.allTextContents(),
                     [`${corpus.zip}!/inner/readme.txt`, `${corpus.zip}!/inner/zebra.txt`]);
    await members.nth(1).click();
    await page.waitForFunction(() => /zebra/.test(document.querySelector('h1').textContent));
    await page.locator('section[aria-labelledby="h-about"]').getByRole('link', { name: corpus.zip })
      .waitFor();
    assert.match(await page.locator('.text').textContent(), /A zebra crossing near the quay/);

    await page.goto(base + '/doc?' + new URLSearchParams({ path: corpus.copyA }));
    const copies = page.locator('section[aria-labelledby="h-copies"] li a');
    await copies.first().waitFor();
    assert.deepEqual(await copies.allTextContents(), [corpus.copyB]);
    const similar = page.locator('section[aria-labelledby="h-similar"] li a');
    await similar.first().waitFor();
    assert.ok((await similar.allTextContents()).includes(corpus.copyB));
    await page.done();
  });

  test('download saves the bytes of a file and of an archive member', async () => {
    const page = await open({ acceptDownloads: true });
    for (const [p, expected] of [
      [corpus.whale, fs.readFileSync(corpus.whale)],
      [`${corpus.zip}!/inner/zebra.txt`, Buffer.from('A zebra crossing near the quay.\n')],
    ]) {
      await page.goto(base + '/doc?' + new URLSearchParams({ path: p }));
      await page.locator('#download').waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'),
                                            page.locator('#download').click()]);
      assert.equal(download.suggestedFilename(), path.basename(p));
      assert.deepEqual(fs.readFileSync(await download.path()), expected);
    }
    await page.done();
  });

  test('image hits and the document page show the thumbnail', async () => {
    const page = await open();
    await page.goto(base + '/?q=' + encodeURIComponent('mime:image/*'));
    const thumb = page.locator('.hit img.thumb');
    await page.waitForFunction(() => document.querySelector('.hit img.thumb')?.naturalWidth > 0);
    assert.equal(await thumb.count(), 1);
    await page.goto(base + '/doc?' + new URLSearchParams({ path: corpus.png }));
    await page.waitForFunction(() => document.querySelector('img.doc-thumb')?.naturalWidth > 0);
    assert.equal(await page.locator('img.doc-thumb').evaluate((img) => img.naturalWidth), 256);
    await page.done();
  });

  test('duplicates are grouped with the bytes wasted', async () => {
    const page = await open();
    await page.goto(base + '/duplicates');
    const group = page.locator('.dup-group');
    await group.first().waitFor();
    assert.equal(await group.count(), 1);
    assert.deepEqual((await group.locator('ul a').allTextContents()).sort(),
                     [corpus.copyA, corpus.copyB].sort());
    assert.equal(await group.locator('.wasted-bytes').textContent(),
                 `${corpus.copySize} bytes wasted`);
    await page.screenshot({ path: path.join(args.screenshots, 'duplicates.png'), fullPage: true });
    await page.done();
  });

  test('plugins show state, version, ABI and counters', async () => {
    const page = await open();
    await page.goto(base + '/plugins');
    const hash = page.locator('tr.plugin[data-plugin="hash"]');
    await hash.waitFor();
    const cells = await hash.locator('th, td').allTextContents();
    assert.equal(cells[0], 'hash');
    assert.match(cells[1], /^\d+\.\d+\.\d+$/);
    assert.match(cells[2], /^\d+\.\d+$/);
    assert.equal(cells[3], 'loaded');
    assert.ok(Number(cells[6]) > 0, `calls: ${cells[6]}`);
    for (const name of ['filetype', 'text', 'archive', 'image']) {
      await page.locator(`tr.plugin[data-plugin="${name}"]`).waitFor();
    }
    assert.equal(await page.locator('.quarantine-empty').count(), 1);
    await page.screenshot({ path: path.join(args.screenshots, 'plugins.png'), fullPage: true });
    await page.done();
  });

  test('ingest streams progress to the total; drag and drop uploads', async () => {
    const page = await open();
    await page.goto(base + '/ingest');
    // Every value the bar takes, to check it only grows and ends at the total.
    await page.evaluate(() => {
      window.progressValues = [];
      const bar = document.getElementById('ingest-progress');
      new MutationObserver(() => window.progressValues.push([bar.value, bar.max]))
        .observe(bar, { attributes: true });
    });
    await page.locator('#ingest-path').fill(path.dirname(later[0]));
    await page.getByRole('button', { name: 'Ingest' }).click();
    await page.waitForFunction(() => /^Done/.test(document.getElementById('ingest-counts')
      .textContent));
    assert.match(await page.locator('#ingest-counts').textContent(),
                 /^Done: 12 files, 12 ingested, 0 unchanged, 0 failed/);
    assert.deepEqual(await page.locator('#ingest-progress').evaluate((b) => [b.value, b.max]),
                     [12, 12]);
    const values = await page.evaluate(() => window.progressValues.map(([v]) => v));
    assert.ok(values.length > 1 && values.every((v, i) => i === 0 || v >= values[i - 1]),
              String(values));

    await page.locator('#dropzone').evaluate((zone) => {
      const data = new DataTransfer();
      data.items.add(new File(['A kiwifruit arrived by drag and drop.\n'], 'dropped.txt',
                              { type: 'text/plain' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true,
                                                 cancelable: true }));
    });
    await page.locator('.uploads li.done').waitFor();
    await page.screenshot({ path: path.join(args.screenshots, 'ingest.png'), fullPage: true });

    await page.goto(base + '/?q=kiwifruit');
    await page.locator('.hit').first().waitFor();
    assert.deepEqual(await hitPaths(page), ['upload:dropped.txt']);
    await page.goto(base + '/?q=quokka');
    await expectHits(page, 12);
    await page.done();
  });

  test('with tokens on, a 401 asks for the token and keeps it for the session', async () => {
    const page = await open();
    await page.goto(securedBase + '/?q=whale');
    const input = page.locator('#token-dialog input[type=password]');
    await input.waitFor();
    await input.fill('wrong-token');
    await input.press('Enter');
    await page.locator('#token-message', { hasText: 'refused' }).waitFor();
    await input.fill(TOKEN);
    await input.press('Enter');
    await expectHits(page, 3);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('archivum.token')), TOKEN);
    assert.equal(await page.locator('#token-dialog').isVisible(), false);
    await page.reload();
    await expectHits(page, 3);
    assert.equal(await page.locator('#token-dialog').isVisible(), false);
    await page.done([/status of 401/]);
  });

  test('a malformed query shows the message and marks its column', async () => {
    const page = await open();
    await page.goto(base + '/');
    await search(page, 'sha256:12x');
    const error = page.locator('#q-error');
    await error.locator('p').waitFor();
    assert.equal(await error.locator('p').textContent(),
                 "column 10: expected a hexadecimal digit, got 'x'");
    assert.equal(await page.locator('#q').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await page.locator('#q').evaluate((q) => [q.selectionStart, q.selectionEnd]),
                     [9, 10]);
    assert.equal(await error.locator('.caret').textContent(), 'sha256:12x\n         ^');
    await page.screenshot({ path: path.join(args.screenshots, 'malformed-query.png') });
    // The syntax help opens from its button.
    await page.getByRole('button', { name: 'Query syntax' }).click();
    await page.locator('#syntax-help', { hasText: 'similar:' }).waitFor();
    await page.keyboard.press('Escape');

    // Another refusal (NOT_FOUND) shows its message and keeps the search box.
    await search(page, 'similar:/no/such/document.txt');
    assert.match(await page.locator('#q-error p').textContent(), /document\.txt/);
    assert.equal(await page.locator('#q').inputValue(), 'similar:/no/such/document.txt');
    await page.done([/status of 400/, /status of 404/]);
  });

  test('keyboard: / focuses the search, arrows move through results, Enter opens', async () => {
    const page = await open();
    await page.goto(base + '/?q=whale');
    await page.locator('.hit').first().waitFor();
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
    const paths = await hitPaths(page);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    const focused = await page.evaluate(() => [document.activeElement.closest('.hit.selected') !== null,
      new URL(document.activeElement.href).searchParams.get('path')]);
    assert.deepEqual(focused, [true, paths[1]]);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/doc\?/);
    assert.equal(new URL(page.url()).searchParams.get('path'), paths[1]);
    await page.locator('#h-findings').waitFor();
    await page.keyboard.press('/');
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
    await page.done();
  });

  test('no serious or critical axe-core violation: light and dark, and at 375 px', async () => {
    const pages = {
      search: ['/?q=whale', '.hit'],
      document: ['/doc?' + new URLSearchParams({ path: corpus.html, q: 'whale' }), '#h-findings'],
      duplicates: ['/duplicates', '.dup-group'],
      plugins: ['/plugins', 'tr.plugin'],
      ingest: ['/ingest', '#dropzone'],
    };
    const configurations = [['light', 1280], ['dark', 1280], ['dark', 375]];
    const page = await open();
    await page.addInitScript(AXE);  // CSP governs the page's scripts, not the test's
    for (const [name, [route, ready]] of Object.entries(pages)) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(base + route);
      await page.locator(ready).first().waitFor();
      await settled(page);
      await page.waitForFunction(() => !/Looking/.test(document.querySelector('main').textContent));
      for (const [colorScheme, width] of configurations) {
        await page.emulateMedia({ colorScheme });
        await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ['violations'] });
          return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        });
        assert.deepEqual(violations, [], `${name}, ${colorScheme}, ${width} px`);
        // Nothing wider than the viewport (wide tables scroll inside their own region).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth -
                                                   document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} at ${width} px overflows by ${overflow} px`);
        await page.screenshot({
          path: path.join(args.screenshots, `${name}-${colorScheme}-${width}.png`), fullPage: true });
      }
    }
    await page.done();
  });

  test('the first load of / transfers less than 100 KB', async () => {
    const page = await open();
    const responses = [];
    page.on('response', (r) => responses.push(r));
    await page.goto(base + '/', { waitUntil: 'networkidle' });
    await page.locator('#q').waitFor();
    let bytes = 0;
    for (const r of responses) {
      const sizes = await r.request().sizes();
      bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    assert.ok(responses.length >= 4, `${responses.length} responses`);
    assert.ok(bytes < 100 * 1024, `${bytes} bytes`);
    console.log(`first load of /: ${responses.length} responses, ${bytes} bytes`);
    await page.done();
  });
});
