// The single-page application: one index.html for every page, routed by pathname with
// history.pushState so that every page (and every search) is a permalink and Back works.
import { renderSearch } from './search.js';

// pathname -> a function rendering the page into <main> from the URL's search parameters.
// Pages other than search load on first use, which keeps the first load of / small.
const routes = {
  '/': renderSearch,
  '/doc': async (...args) => (await import('./document.js')).renderDocument(...args),
  '/duplicates': async (...args) => (await import('./duplicates.js')).renderDuplicates(...args),
  '/plugins': async (...args) => (await import('./plugins.js')).renderPlugins(...args),
  '/ingest': async (...args) => (await import('./ingest.js')).renderIngest(...args),
};

// Increments on every navigation; a page's late answer checks it to not draw over a newer page.
let generation = 0;
export function currentGeneration() {
  return generation;
}

async function render() {
  const main = document.getElementById('main');
  const route = routes[location.pathname] ?? null;
  const mine = ++generation;
  for (const a of document.querySelectorAll('header nav a')) {
    if (new URL(a.href).pathname === location.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
    main.replaceChildren();
    const p = document.createElement('p');
    p.textContent = 'No such page.';
    main.append(p);
    return;
  }
  // Busy until the page has drawn what it loads first (a test or a screen reader waits on it).
  main.setAttribute('aria-busy', 'true');
  try {
    await route(main, new URLSearchParams(location.search), () => mine === generation);
  } catch (error) {
    if (mine !== generation) return;
    const p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = error?.message ?? String(error);
    main.replaceChildren(p);
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
}

// Goes to `url` (same origin) without reloading: a new history entry, unless `replace`.
export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, location.href);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.scrollTo(0, 0);
  return render();
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest?.('a[href]');
  if (!a || a.hasAttribute('download') || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !(url.pathname in routes)) return;
  event.preventDefault();
  navigate(url);
});

// `/` focuses the search box from anywhere but a text field.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const t = event.target;
  if (t.closest?.('input, textarea, select, [contenteditable]')) return;
  event.preventDefault();
  if (location.pathname !== '/') {
    navigate('/').then(() => document.getElementById('q')?.focus());
  } else {
    document.getElementById('q')?.focus();
  }
});

window.addEventListener('popstate', render);
render();
