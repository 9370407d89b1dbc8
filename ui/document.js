// The document page: `/doc?path=PATH[&q=QUERY]`. Metadata, every finding grouped by plugin, the
// beginning of the text (the query's words highlighted), the container and members, the
// near-duplicates (similar:) and copies (same SHA-256), the thumbnail, and a download of the
// content through GET /v1/content (fetched with the token, saved under the document's name).
import { analyze, blob, call } from './api.js';
import { baseName, docLink, formatSize, formatTime, h, highlight, replace } from './dom.js';

const TEXT_BYTES = 64 * 1024;

// The words of a query worth highlighting in the text: free words and phrases, without
// operators, exclusions and field filters; a prefix loses its `*`.
export function queryTerms(query) {
  const terms = [];
  const re = /(-?)"([^"]*)"|(\S+)/g;
  for (let m; (m = re.exec(query)); ) {
    if (m[2] !== undefined) {
      if (!m[1]) terms.push(m[2]);
      continue;
    }
    const word = m[3].replace(/^[()]+|[()]+$/g, '');
    if (!word || word.startsWith('-') || word === 'OR' || /[:<>=]/.test(word)) continue;
    terms.push(word.replace(/\*$/, ''));
  }
  return terms;
}

function definitionList(rows) {
  return h('dl', { class: 'fields' },
    rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function download(path, button, status) {
  button.disabled = true;
  status.textContent = 'Downloading…';
  try {
    const content = await blob('/v1/content?' + new URLSearchParams({ path }));
    const url = URL.createObjectURL(content);
    const a = h('a', { href: url, download: baseName(path), class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status.textContent = `Downloaded ${formatSize(content.size)}.`;
  } catch (e) {
    status.textContent = `Download failed: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

// A list of the documents `query` finds, other than `self`, into `section`.
async function relatedList(section, query, self, describe) {
  try {
    const answer = await analyze({ query, limit: 50 });
    const others = (answer.hits ?? []).filter((hit) => hit.path !== self);
    replace(section.querySelector('.related'), others.length === 0
      ? h('p', {}, 'None.')
      : h('ul', {}, others.map((hit) => h('li', {}, docLink(hit.path), ' ', describe(hit)))));
  } catch (e) {
    replace(section.querySelector('.related'), h('p', { class: 'error' }, e.message));
  }
}

export async function renderDocument(main, params, isCurrent) {
  const path = params.get('path') ?? '';
  const query = params.get('q') ?? '';
  if (!path) {
    replace(main, h('h1', {}, 'Document'), h('p', {}, 'No document given.'));
    return;
  }
  replace(main, h('h1', {}, baseName(path)), h('p', { class: 'status' }, 'Loading…'));
  const doc = await call('/v1/documents?' + new URLSearchParams({ path, text_bytes: TEXT_BYTES }));
  if (!isCurrent()) return;
  document.title = `${baseName(path)} – Archivum`;

  const downloadStatus = h('span', { class: 'download-status', role: 'status' });
  const downloadButton = h('button', { type: 'button', id: 'download' }, 'Download');
  downloadButton.addEventListener('click', () => download(doc.path, downloadButton, downloadStatus));

  const byPlugin = new Map();
  for (const f of doc.findings ?? []) {
    if (!byPlugin.has(f.plugin)) byPlugin.set(f.plugin, []);
    byPlugin.get(f.plugin).push(f);
  }

  const thumb = doc.hasThumbnail ? h('img', { class: 'doc-thumb', alt: `Preview of ${baseName(path)}` })
                                 : null;
  if (thumb) {
    blob('/v1/thumbnail?' + new URLSearchParams({ path: doc.path }))
      .then((b) => { thumb.src = URL.createObjectURL(b); })
      .catch(() => thumb.remove());
  }

  const children = doc.children ?? [];
  const childrenTotal = Number(doc.childrenTotal ?? children.length);
  const textSize = Number(doc.textSize ?? 0);
  const similar = h('section', { class: 'card', 'aria-labelledby': 'h-similar' },
    h('h2', { id: 'h-similar' }, 'Near-duplicates'), h('div', { class: 'related' }, 'Looking…'));
  const copies = h('section', { class: 'card', 'aria-labelledby': 'h-copies' },
    h('h2', { id: 'h-copies' }, 'Copies'), h('div', { class: 'related' }, 'Looking…'));

  replace(main,
    h('h1', {}, baseName(doc.path)),
    h('p', { class: 'doc-path' }, doc.path),
    h('div', { class: 'actions' }, downloadButton, downloadStatus),
    thumb,
    h('section', { class: 'card', 'aria-labelledby': 'h-about' },
      h('h2', { id: 'h-about' }, 'About'),
      definitionList([
        ['Type', doc.mime],
        ['Size', `${formatSize(doc.size)} (${doc.size} bytes)`],
        ['Modified', formatTime(doc.mtimeNs)],
        ['Ingested', formatTime(doc.ingestedAtNs)],
        ['SHA-256', doc.sha256 ? h('code', { class: 'hash' }, doc.sha256) : ''],
        ['Container', doc.parent ? docLink(doc.parent, doc.parent, query) : ''],
        ['Analyzers', (doc.analyzers ?? []).join(', ')],
      ])),
    (doc.metadata ?? []).length
      ? h('section', { class: 'card', 'aria-labelledby': 'h-metadata' },
          h('h2', { id: 'h-metadata' }, 'Metadata'),
          definitionList(doc.metadata.map((m) => [m.key, m.value])))
      : null,
    childrenTotal > 0
      ? h('section', { class: 'card', 'aria-labelledby': 'h-children' },
          h('h2', { id: 'h-children' }, `Members (${childrenTotal})`),
          h('ul', { class: 'children' }, children.map((c) => h('li', {}, docLink(c, c, query)))),
          childrenTotal > children.length
            ? h('p', {}, `The first ${children.length} of ${childrenTotal} are listed.`) : null)
      : null,
    h('section', { class: 'card', 'aria-labelledby': 'h-text' },
      h('h2', { id: 'h-text' }, 'Text'),
      textSize === 0
        ? h('p', {}, 'No text was extracted.')
        : [h('pre', { class: 'text', tabindex: 0, 'aria-labelledby': 'h-text' },
             highlight(doc.text ?? '', queryTerms(query))),
           textSize > new TextEncoder().encode(doc.text ?? '').length
             ? h('p', {}, `The first ${formatSize(TEXT_BYTES)} of ${formatSize(textSize)}.`)
             : null]),
    h('section', { class: 'card', 'aria-labelledby': 'h-findings' },
      h('h2', { id: 'h-findings' }, 'Findings'),
      [...byPlugin].map(([plugin, findings]) => h('div', { class: 'plugin-findings' },
        h('h3', {}, plugin),
        h('table', { class: 'findings' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'),
                           h('th', { scope: 'col' }, 'Value'))),
          h('tbody', {}, findings.map((f) => h('tr', {}, h('td', {}, f.key),
                                               h('td', {}, f.value)))))))),
    similar,
    copies);

  // similar: answers NOT_FOUND for a document the similar plugin has no signature of.
  if ((doc.findings ?? []).some((f) => f.plugin === 'similar' && f.key === 'signature')) {
    // Quoted, so that a path with spaces stays one argument.
    const target = doc.path.includes('"') ? doc.path : `"${doc.path}"`;
    relatedList(similar, `similar:${target}`, doc.path,
                (hit) => h('span', { class: 'score' }, `similarity ${Number(hit.score).toFixed(2)}`));
  } else {
    replace(similar.querySelector('.related'), h('p', {}, 'Not indexed for near-duplicates.'));
  }
  if (doc.sha256) {
    relatedList(copies, `sha256:${doc.sha256}`, doc.path,
                (hit) => h('span', { class: 'score' }, formatSize(hit.size)));
  } else {
    replace(copies.querySelector('.related'), h('p', {}, 'No content hash recorded.'));
  }
}
