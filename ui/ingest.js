// The ingest page: ingest a path on the daemon's machine (under its ingest roots) with a live
// progress bar fed by IngestStream (POST /v1/ingest_stream, newline-delimited JSON events with
// running totals), and upload files by drag and drop (or a file picker) through Upload
// (POST /v1/upload?name=NAME with the bytes as the body; cataloged as "upload:NAME").
import { request, stream } from './api.js';
import { docLink, formatSize, h, replace } from './dom.js';

function ingestForm() {
  const input = h('input', { type: 'text', id: 'ingest-path', name: 'path', required: true,
                             autocomplete: 'off', spellcheck: 'false',
                             placeholder: '/srv/documents' });
  const button = h('button', { type: 'submit' }, 'Ingest');
  const bar = h('progress', { id: 'ingest-progress', max: 1, value: 0,
                              'aria-label': 'Ingest progress' });
  const counts = h('p', { id: 'ingest-counts', role: 'status' });
  const current = h('p', { class: 'current-file' });
  const failures = h('ul', { class: 'failures' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'h-ingest' },
    h('h2', { id: 'h-ingest' }, 'Ingest a path'),
    h('label', { for: 'ingest-path' }, 'A file or directory on the daemon’s machine'),
    h('div', { class: 'search-row' }, input, button),
    bar, counts, current, failures);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    bar.max = 1;
    bar.value = 0;
    failures.replaceChildren();
    counts.textContent = 'Starting…';
    let last = null;
    try {
      await stream('/v1/ingest_stream', { path: input.value.trim() }, (e) => {
        last = e;
        const t = e.totals ?? {};
        const seen = Number(t.filesSeen ?? 0);
        bar.max = Math.max(1, Number(e.filesDiscovered ?? 0), seen);
        bar.value = seen;
        counts.textContent = `${seen} of ${bar.max} files`;
        current.textContent = e.path ?? '';
        if (e.outcome === 'FAILED') {
          failures.append(h('li', {}, `${e.path}: ${e.message}`));
        }
      });
      const t = last?.totals ?? {};
      bar.max = Math.max(1, Number(t.filesSeen ?? 0));
      bar.value = bar.max;
      current.textContent = '';
      counts.textContent = `Done: ${t.filesSeen ?? 0} files, ${t.filesIngested ?? 0} ingested, ` +
        `${t.filesUnchanged ?? 0} unchanged, ${t.filesFailed ?? 0} failed, ` +
        `${t.filesRemoved ?? 0} removed (${formatSize(t.bytesIngested ?? 0)}).`;
    } catch (e) {
      counts.textContent = `Ingest failed: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

async function upload(file, list) {
  const item = h('li', {}, `${file.name}: uploading…`);
  list.append(item);
  try {
    const response = await request('/v1/upload?' + new URLSearchParams({ name: file.name }), {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
    });
    const summary = await response.json();
    const failed = Number(summary.filesFailed ?? 0) > 0;
    replace(item, docLink(`upload:${file.name}`, file.name), failed
      ? `: failed (${summary.errors?.[0]?.message ?? 'unknown error'})`
      : `: uploaded, ${formatSize(file.size)}`);
    item.classList.add(failed ? 'failed' : 'done');
  } catch (e) {
    replace(item, `${file.name}: ${e.message}`);
    item.classList.add('failed');
  }
}

function uploadZone() {
  const list = h('ul', { class: 'uploads', 'aria-live': 'polite' });
  const picker = h('input', { type: 'file', id: 'upload-input', multiple: true });
  const uploadAll = async (files) => {
    for (const file of files) await upload(file, list);
  };
  picker.addEventListener('change', () => {
    uploadAll([...picker.files]);
    picker.value = '';
  });
  const zone = h('div', { class: 'dropzone', id: 'dropzone' },
    h('p', {}, 'Drop files here to upload them, or '),
    h('label', { for: 'upload-input' }, 'choose files'),
    picker);
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    uploadAll([...(event.dataTransfer?.files ?? [])]);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'h-upload' },
    h('h2', { id: 'h-upload' }, 'Upload files'),
    h('p', {}, 'Uploaded files are cataloged as upload:NAME.'),
    zone, list);
}

export async function renderIngest(main) {
  document.title = 'Ingest – Archivum';
  replace(main, h('h1', {}, 'Ingest'), ingestForm(), uploadZone());
}
