// The plugins page: every analyzer plugin the daemon found (ListPlugins) with its state, version,
// ABI, where it runs, its counters and the reason it failed or is disabled; then the quarantine
// (ListQuarantine): content a plugin version crashed or timed out on.
import { call } from './api.js';
import { formatTime, h, replace } from './dom.js';

const STATES = { LOADED: 'loaded', FAILED: 'failed', DISABLED: 'disabled' };

// A table in a focusable, labelled region that scrolls sideways on a narrow screen.
function scrollTable(label, head, rows) {
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: 0 },
    h('table', {},
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

function pluginRows(p) {
  const state = STATES[p.state] ?? 'unknown';
  const rows = [h('tr', { class: `plugin state-${state}`, 'data-plugin': p.name },
    h('th', { scope: 'row' }, p.name),
    h('td', {}, p.version || '–'),
    h('td', {}, p.abiVersion || '–'),
    h('td', {}, h('span', { class: `badge state-${state}` }, state)),
    h('td', {}, p.stage || '–'),
    h('td', {}, p.isolation || '–'),
    h('td', { class: 'num' }, p.calls ?? '0'),
    h('td', { class: 'num' }, p.errors ?? '0'),
    h('td', { class: 'num' }, p.crashes ?? '0'),
    h('td', { class: 'num' }, p.timeouts ?? '0'),
    h('td', { class: 'num' }, p.quarantined ?? '0'),
    h('td', { class: 'num' }, `${(Number(p.totalTimeUs ?? 0) / 1000).toFixed(1)} ms`))];
  const notes = [p.reason, ...(p.sandboxWarnings ?? [])].filter(Boolean);
  if (notes.length) {
    rows.push(h('tr', { class: `plugin-reason state-${state}` },
      h('td', { colspan: 12 }, notes.map((n) => h('div', {}, n)))));
  }
  return rows;
}

export async function renderPlugins(main, params, isCurrent) {
  replace(main, h('h1', {}, 'Plugins'), h('p', { class: 'status' }, 'Loading…'));
  document.title = 'Plugins – Archivum';
  const [plugins, quarantine] = await Promise.all([call('/v1/plugins'), call('/v1/quarantine')]);
  if (!isCurrent()) return;
  const entries = quarantine.entries ?? [];
  replace(main,
    h('h1', {}, 'Plugins'),
    h('p', {}, `Host ABI ${plugins.hostAbiVersion ?? '?'}; ${(plugins.plugins ?? []).length} plugins.`),
    scrollTable('Plugins',
      ['Plugin', 'Version', 'ABI', 'State', 'Stage', 'Runs', 'Calls', 'Errors', 'Crashes',
       'Timeouts', 'Quarantined', 'Time'],
      (plugins.plugins ?? []).map(pluginRows)),
    h('h2', {}, 'Quarantine'),
    entries.length === 0
      ? h('p', { class: 'quarantine-empty' }, 'No quarantined content.')
      : scrollTable('Quarantine', ['Plugin', 'SHA-256', 'Reason', 'Path', 'Recorded'],
          entries.map((e) => h('tr', {},
            h('td', {}, `${e.plugin}@${e.pluginVersion}`),
            h('td', {}, h('code', { class: 'hash' }, e.sha256)),
            h('td', {}, e.reason),
            h('td', {}, e.path),
            h('td', {}, formatTime(e.atNs))))));
}
