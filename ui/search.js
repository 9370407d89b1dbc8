// The search page: `/?q=QUERY&sort=SORT&offset=N`. Every search is a URL (a permalink; Back
// returns to the previous one). Results show the snippet's matches in <mark>, MIME type, size,
// date, the container of archive members and the thumbnail of images; the facets sidebar refines
// the query; `/` focuses the box and the arrow keys move through the results.
import { analyze, blob } from './api.js';
import { navigate } from './app.js';
import { baseName, docLink, formatSize, formatTime, h, markedSnippet, parentOf, replace }
  from './dom.js';

const PAGE = 20;

// URL value -> AnalyzeRequest.Sort, in the select's order.
const SORTS = [
  ['relevance', 'SORT_RELEVANCE', 'Relevance'],
  ['modified_desc', 'SORT_MODIFIED_DESC', 'Newest first'],
  ['modified_asc', 'SORT_MODIFIED_ASC', 'Oldest first'],
  ['size_desc', 'SORT_SIZE_DESC', 'Largest first'],
  ['size_asc', 'SORT_SIZE_ASC', 'Smallest first'],
  ['name_asc', 'SORT_NAME_ASC', 'Name A–Z'],
  ['name_desc', 'SORT_NAME_DESC', 'Name Z–A'],
];

const FACET_TITLES = { mime: 'Type', extension: 'Extension', year: 'Year', month: 'Month',
                       size: 'Size' };

// The query syntax (README.md's query table), for the help popover.
const SYNTAX = [
  ['whale song', 'both words (text and path), ranked'],
  ['"exact phrase"', 'the words adjacent, in order'],
  ['sing*', 'a word prefix'],
  ['whale OR dolphin', 'either; OR binds tighter than AND'],
  ['-draft', 'excludes; ( … ) groups'],
  ['mime:text/* ext:pdf name:*.h', 'MIME type glob, extension, base-name glob'],
  ['path:/some/dir', 'documents under a directory'],
  ['size>1M modified>2024-01-01', 'size (k/M/G) and modification time (UTC)'],
  ['sha256:HEX dup:', 'exact content; content seen more than once'],
  ['title:report author:doe lang:pt', 'a word of the document’s metadata'],
  ['pages>10 created>2024-01-01', 'page count, creation time'],
  ['camera:canon taken>2024-06-01', 'photo camera and time taken'],
  ['width>1920 near:48.85,2.29,5', 'image size; photos within KM of LAT,LON'],
  ['hash.sha256:ab12*', 'a plugin finding (PLUGIN.KEY:VALUE)'],
  ['similar:/path/to/doc.txt', 'near-duplicates of a document'],
];

function searchUrl(q, sort, offset = 0) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (sort && sort !== 'relevance') params.set('sort', sort);
  if (offset > 0) params.set('offset', String(offset));
  const s = params.toString();
  return s ? '/?' + s : '/';
}

// The UTF-16 index in `text` of the 1-based UTF-8 byte column the server names.
function charIndexOfByteColumn(text, column) {
  const encoder = new TextEncoder();
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= column - 1) return i;
    bytes += encoder.encode(ch).length;
    i += ch.length;
  }
  return text.length;
}

function helpPopover() {
  return h('div', { id: 'syntax-help', popover: 'auto', class: 'help' },
    h('h2', {}, 'Query syntax'),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'You type'),
                       h('th', { scope: 'col' }, 'It matches'))),
      h('tbody', {}, SYNTAX.map(([example, meaning]) =>
        h('tr', {}, h('td', {}, h('code', {}, example)), h('td', {}, meaning))))));
}

function thumbnail(path) {
  const img = h('img', { class: 'thumb', alt: '', width: 64, height: 64, decoding: 'async' });
  blob('/v1/thumbnail?' + new URLSearchParams({ path }))
    .then((b) => {
      const url = URL.createObjectURL(b);
      img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      img.src = url;
    })
    .catch(() => img.remove());
  return img;
}

function hitItem(hit, query) {
  const parent = parentOf(hit.path);
  const author = (hit.metadata ?? []).find((m) => m.key === 'author');
  const title = (hit.metadata ?? []).find((m) => m.key === 'title');
  return h('li', { class: 'hit' },
    hit.mime?.startsWith('image/') ? thumbnail(hit.path) : null,
    h('div', { class: 'hit-body' },
      h('h2', { class: 'hit-title' }, docLink(hit.path, baseName(hit.path), query)),
      h('div', { class: 'hit-path' },
        parent ? ['in ', docLink(parent, parent, query)] : hit.path),
      hit.snippet ? h('p', { class: 'snippet' }, markedSnippet(hit.snippet)) : null,
      h('div', { class: 'hit-meta' },
        h('span', { class: 'mime' }, hit.mime || 'unknown type'),
        h('span', {}, formatSize(hit.size)),
        hit.mtimeNs && hit.mtimeNs !== '0' ? h('time', {}, formatTime(hit.mtimeNs)) : null,
        title ? h('span', {}, title.value) : null,
        author ? h('span', {}, 'by ', author.value) : null)));
}

function facetSidebar(facets, q, sort) {
  if (!facets?.length) return [];
  return [
    h('h2', {}, 'Refine'),
    facets.map((f) => h('section', { class: 'facet' },
      h('h3', {}, FACET_TITLES[f.name] ?? f.name.charAt(0).toUpperCase() + f.name.slice(1)),
      h('ul', {}, (f.values ?? []).map((v) => h('li', {},
        h('a', { href: searchUrl(`${q} ${v.query}`, sort), class: 'facet-value',
                 'data-facet': f.name },
          h('span', { class: 'facet-label' }, v.value || '(none)'),
          h('span', { class: 'count' }, String(v.count ?? 0)))))),
      Number(f.other ?? 0) > 0 ? h('p', { class: 'other' }, `${f.other} more`) : null)),
  ];
}

// Moves focus among the result links with ArrowUp/ArrowDown (one of them is tabbable: roving
// tabindex); Enter follows the focused link.
function onResultsKey(event, list) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = [...list.querySelectorAll('.hit-title a')];
  if (links.length === 0) return;
  const at = links.indexOf(document.activeElement);
  let next = event.key === 'ArrowDown' ? at + 1 : at - 1;
  if (at < 0) next = 0;
  if (next < 0 || next >= links.length) return;
  event.preventDefault();
  select(links, next);
}

function select(links, index) {
  links.forEach((a, i) => {
    a.tabIndex = i === index ? 0 : -1;
    a.closest('.hit').classList.toggle('selected', i === index);
    if (i === index) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  });
  links[index].focus();
}

export async function renderSearch(main, params, isCurrent) {
  const q = params.get('q') ?? '';
  const sort = SORTS.some(([v]) => v === params.get('sort')) ? params.get('sort') : 'relevance';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);

  const input = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off',
                             spellcheck: 'false', 'aria-describedby': 'q-error' });
  input.value = q;
  const sortSelect = h('select', { id: 'sort', name: 'sort' },
    SORTS.map(([value, , label]) => h('option', { value, selected: value === sort }, label)));
  const error = h('div', { id: 'q-error', class: 'query-error', role: 'alert' });
  const form = h('form', { role: 'search', class: 'search', id: 'search-form' },
    h('label', { for: 'q', class: 'visually-hidden' }, 'Query'),
    h('div', { class: 'search-row' },
      input,
      h('button', { type: 'submit' }, 'Search'),
      h('button', { type: 'button', class: 'help-button', popovertarget: 'syntax-help',
                    'aria-label': 'Query syntax' }, '?')),
    h('div', { class: 'sort-row' }, h('label', { for: 'sort' }, 'Sort by'), sortSelect));
  const go = (event) => {
    event?.preventDefault();
    navigate(searchUrl(input.value.trim(), sortSelect.value));
  };
  form.addEventListener('submit', go);
  sortSelect.addEventListener('change', () => { if (input.value.trim()) go(); });
  input.addEventListener('input', () => {
    input.removeAttribute('aria-invalid');
    error.replaceChildren();
  });

  const facets = h('aside', { class: 'facets', 'aria-label': 'Facets' });
  const status = h('p', { class: 'status', role: 'status' });
  const list = h('ol', { class: 'hits', start: offset + 1 });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Result pages' });
  const results = h('section', { class: 'results', 'aria-label': 'Results' }, status, list, pager);
  list.addEventListener('keydown', (e) => onResultsKey(e, list));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && list.querySelector('.hit-title a')) {
      e.preventDefault();
      select([...list.querySelectorAll('.hit-title a')], 0);
    }
  });

  replace(main, h('h1', { class: 'visually-hidden' }, 'Search'), form, helpPopover(), error,
          h('div', { class: 'layout' }, facets, results));
  document.title = q ? `${q} – Archivum` : 'Archivum';

  if (!q) {
    status.textContent = 'Type a query and press Enter; the ? button shows the syntax, and / ' +
                         'comes back to the search box from any page.';
    input.focus();
    return;
  }
  status.textContent = 'Searching…';
  let answer;
  try {
    answer = await analyze({ query: q, limit: PAGE, offset,
                             sort: SORTS.find(([v]) => v === sort)[1], facets: true });
  } catch (e) {
    if (!isCurrent()) return;
    status.textContent = '';
    const m = /^column (\d+):/.exec(e.message ?? '');
    if (e.code !== 3 || !m) {
      // Other refusals (an unknown document for similar:, a daemon error) keep the search box.
      replace(error, h('p', {}, e.message ?? String(e)));
      return;
    }
    const at = charIndexOfByteColumn(q, Number(m[1]));
    input.setAttribute('aria-invalid', 'true');
    replace(error, h('p', {}, e.message),
            h('pre', { class: 'caret', 'aria-hidden': 'true' }, q, '\n', ' '.repeat(at) + '^'));
    input.focus();
    input.setSelectionRange(at, Math.min(at + 1, q.length));
    return;
  }
  if (!isCurrent()) return;
  const hits = answer.hits ?? [];
  const total = Number(answer.total ?? hits.length);
  status.textContent = total === 0
    ? 'No results.'
    : `${total} result${total === 1 ? '' : 's'}` +
      (total > hits.length ? `, ${offset + 1}–${offset + hits.length} shown` : '');
  replace(list, hits.map((hit) => hitItem(hit, q)));
  const links = [...list.querySelectorAll('.hit-title a')];
  links.forEach((a, i) => { a.tabIndex = i === 0 ? 0 : -1; });
  replace(facets, facetSidebar(answer.facets, q, sort));
  const prev = offset > 0;
  const next = offset + hits.length < total;
  replace(pager,
    prev ? h('a', { href: searchUrl(q, sort, Math.max(0, offset - PAGE)), rel: 'prev' },
             'Previous') : null,
    next ? h('a', { href: searchUrl(q, sort, offset + PAGE), rel: 'next' }, 'Next') : null);
}
