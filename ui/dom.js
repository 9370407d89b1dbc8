// DOM helpers. Server data only ever reaches the page as text nodes (textContent) or attribute
// values set through the DOM, never as HTML.

// Creates <tag> with attributes and children. attrs: plain attributes; `on*` keys with a
// function become event listeners; false/null/undefined values are skipped. Children: nodes,
// strings (text nodes), arrays of either, or null (skipped).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `el` by `children` (as h() takes them).
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// Text with the parts between `[` and `]` (the server's snippet markers) in <mark>.
export function markedSnippet(snippet) {
  const out = [];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  for (let m; (m = re.exec(snippet)); ) {
    if (m.index > last) out.push(snippet.slice(last, m.index));
    out.push(h('mark', {}, m[1]));
    last = re.lastIndex;
  }
  if (last < snippet.length) out.push(snippet.slice(last));
  return out;
}

// Text with every case-insensitive occurrence of any of `terms` in <mark>.
export function highlight(text, terms) {
  const words = terms.filter((t) => t.length > 0);
  if (words.length === 0) return [text];
  const escaped = words.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(escaped.join('|'), 'giu');
  const out = [];
  let last = 0;
  for (let m; (m = re.exec(text)); ) {
    if (m[0].length === 0) break;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(h('mark', {}, m[0]));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

// "1.5 MiB" for a byte count (a number or the JSON mapping's decimal string).
export function formatSize(bytes) {
  let n = Number(bytes ?? 0);
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

// "2024-03-01 14:02" (UTC) for nanoseconds since the epoch (a decimal string), or "".
export function formatTime(ns) {
  if (!ns || ns === '0') return '';
  const d = new Date(Number(BigInt(ns) / 1000000n));
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

// The last component of a catalog path (an archive member's own name for "a.zip!/dir/m.txt").
export function baseName(path) {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('!'));
  return path.slice(cut + 1) || path;
}

// The container of an archive member ("a.zip" for "a.zip!/dir/m.txt"), or "".
export function parentOf(path) {
  const cut = path.lastIndexOf('!/');
  return cut > 0 ? path.slice(0, cut) : '';
}

// A link to the document page of `path`, carrying the query for highlighting.
export function docLink(path, text = path, query = '') {
  const params = new URLSearchParams({ path });
  if (query) params.set('q', query);
  return h('a', { href: '/doc?' + params }, text);
}
