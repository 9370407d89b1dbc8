// The browser UI's figures (issue 20, Performance): the bytes the first load of / transfers, and
// the time from Enter in the search box to the rendered results (the page's own clock: from the
// keydown to the first animation frame after the results are in the DOM), median of N searches,
// in headless chromium against a daemon holding a tree (default /usr/include). Prints figures;
// asserts nothing.
//
//   node bench/ui_bench.mjs --archivumd build/release/bin/archivumd \
//     --plugins build/release/lib/archivum/plugins [--tree /usr/include] [--runs 21]
//     [--chromium /usr/bin/chromium]
import path from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { startDaemon } from '../tests/browser/daemon.mjs';

const { values: args } = parseArgs({
  options: {
    archivumd: { type: 'string' },
    plugins: { type: 'string' },
    tree: { type: 'string', default: '/usr/include' },
    runs: { type: 'string', default: '21' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.archivumd || !args.plugins) throw new Error('--archivumd and --plugins are required');
// The daemon resolves relative paths in its config against the config's directory.
for (const name of ['archivumd', 'plugins', 'tree']) args[name] = path.resolve(args[name]);
const runs = Number(args.runs);
// Words of C headers of every frequency, so that both small and full pages of results count.
const QUERIES = ['struct', 'size_t', 'mutex', 'errno', 'socket', 'uint32_t', 'define', 'inline',
                 'template', 'namespace', 'pthread'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const daemon = await startDaemon({ archivumd: args.archivumd, plugins: args.plugins,
                                   roots: [args.tree] });
let browser;
try {
  const t0 = performance.now();
  const response = await fetch(daemon.url + '/v1/ingest', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ path: args.tree }),
  });
  const summary = await response.json();
  if (!response.ok) throw new Error(`ingest: ${JSON.stringify(summary)}`);
  console.log(`ingested ${args.tree}: ${summary.filesIngested} files in ` +
              `${((performance.now() - t0) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await page.goto(daemon.url + '/', { waitUntil: 'networkidle' });
  let bytes = 0;
  for (const r of responses) {
    const sizes = await r.request().sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
  }
  console.log(`first load of /: ${responses.length} responses, ${bytes} bytes ` +
              `(${(bytes / 1024).toFixed(1)} KiB) transferred`);

  const times = [];
  const hits = [];
  for (let i = 0; i < runs; i++) {
    const query = QUERIES[i % QUERIES.length];
    await page.locator('#q').fill(query);
    // Started at the Enter keydown; done at the first frame after the status shows the count.
    await page.evaluate(() => {
      window.benchDone = new Promise((resolve) => {
        let start = 0;
        document.getElementById('q').addEventListener('keydown', (e) => {
          if (e.key === 'Enter') start = performance.now();
        }, { once: true, capture: true });
        const observer = new MutationObserver(() => {
          const status = document.querySelector('main .status')?.textContent ?? '';
          if (start === 0 || !/results?\b|No results/.test(status)) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve([performance.now() - start,
                                               document.querySelectorAll('.hit').length]));
        });
        observer.observe(document.getElementById('main'), { childList: true, subtree: true,
                                                            characterData: true });
      });
    });
    await page.locator('#q').press('Enter');
    const [ms, n] = await page.evaluate(() => window.benchDone);
    if (i > 0) times.push(ms);  // the first search loads nothing new but warms the caches
    hits.push(n);
  }
  console.log(`Enter to rendered results: median ${median(times).toFixed(1)} ms, ` +
              `min ${Math.min(...times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms ` +
              `over ${times.length} searches (${Math.min(...hits)}-${Math.max(...hits)} hits shown, ` +
              'facets requested)');
} finally {
  await browser?.close();
  await daemon.stop();
}
