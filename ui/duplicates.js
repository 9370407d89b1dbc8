// The duplicates page: the documents of `dup:` (content seen more than once) grouped by content
// (the hash plugin's sha256 finding, which the query's `hash.sha256:*` term returns with each
// hit), largest waste first, with the bytes wasted per group: size × (copies − 1).
import { analyze } from './api.js';
import { docLink, formatSize, h, replace } from './dom.js';

// Hits fetched; the page says when the catalog has more duplicated files than this.
const LIMIT = 1000;

export async function renderDuplicates(main, params, isCurrent) {
  replace(main, h('h1', {}, 'Duplicates'), h('p', { class: 'status' }, 'Looking…'));
  document.title = 'Duplicates – Archivum';
  const answer = await analyze({ query: 'dup: hash.sha256:*', limit: LIMIT, sort: 'SORT_SIZE_DESC' });
  if (!isCurrent()) return;
  const groups = new Map();
  for (const hit of answer.hits ?? []) {
    const sha = (hit.findings ?? []).find((f) => f.plugin === 'hash' && f.key === 'sha256')?.value;
    if (!sha) continue;
    if (!groups.has(sha)) groups.set(sha, { sha, size: Number(hit.size ?? 0), paths: [] });
    groups.get(sha).paths.push(hit.path);
  }
  const list = [...groups.values()]
    .filter((g) => g.paths.length > 1)
    .map((g) => ({ ...g, wasted: g.size * (g.paths.length - 1) }))
    .sort((a, b) => b.wasted - a.wasted || a.sha.localeCompare(b.sha));
  const wasted = list.reduce((sum, g) => sum + g.wasted, 0);
  const total = Number(answer.total ?? 0);
  replace(main,
    h('h1', {}, 'Duplicates'),
    h('p', { class: 'summary', role: 'status' },
      list.length === 0
        ? 'No duplicated content.'
        : `${list.length} group${list.length === 1 ? '' : 's'} of identical content; ` +
          `${formatSize(wasted)} (${wasted} bytes) wasted.`),
    total > LIMIT ? h('p', {}, `The first ${LIMIT} of ${total} duplicated files are grouped.`) : null,
    h('ol', { class: 'dup-groups' }, list.map((g) => h('li', { class: 'card dup-group' },
      h('h2', {},
        `${g.paths.length} copies of ${formatSize(g.size)}`,
        h('span', { class: 'wasted' }, ` · ${formatSize(g.wasted)} wasted`)),
      h('p', { class: 'hash-line' }, 'SHA-256 ', h('code', { class: 'hash' }, g.sha)),
      h('p', { class: 'wasted-bytes' }, `${g.wasted} bytes wasted`),
      h('ul', {}, g.paths.map((p) => h('li', {}, docLink(p))))))));
}
