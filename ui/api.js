// The daemon's JSON/HTTP API (the gateway's proto3 JSON mapping of aichemist_archivum.proto).
//
// With authentication on, the bearer token lives in sessionStorage (never a cookie, so no CSRF)
// and goes out as `Authorization: Bearer`. A 401 opens the token prompt (the <dialog> of
// index.html); the request is retried with the token entered. Callers get an ApiError for any
// other failure, carrying the HTTP status and google.rpc.Status's code and message.

const TOKEN_KEY = 'archivum.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

// One pending prompt shared by every request that got a 401 meanwhile.
let prompting = null;

function askForToken(refused) {
  if (prompting) return prompting;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const message = document.getElementById('token-message');
  message.textContent = refused
    ? 'The daemon refused this token. Enter a valid token.'
    : 'This daemon requires an access token.';
  input.value = '';
  prompting = new Promise((resolve) => {
    // Nothing on the page works without a token: Escape does not dismiss the prompt.
    const onCancel = (event) => event.preventDefault();
    const onSubmit = (event) => {
      event.preventDefault();
      if (!input.value) return;
      sessionStorage.setItem(TOKEN_KEY, input.value);
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      prompting = null;
      resolve();
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
  });
  dialog.showModal();
  input.focus();
  return prompting;
}

async function errorOf(response) {
  let code = 0;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (typeof body.message === 'string' && body.message) message = body.message;
    if (typeof body.code === 'number') code = body.code;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, code, message);
}

// fetch() with the token; resolves with the Response once it is not a 401 (after prompting for
// a token as often as the daemon refuses one), rejects with ApiError when it is not ok.
export async function request(url, init = {}) {
  let refused = false;
  for (;;) {
    const headers = new Headers(init.headers ?? {});
    const t = token();
    if (t) headers.set('Authorization', `Bearer ${t}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status === 401) {
      await response.body?.cancel();
      await askForToken(refused || t !== '');
      refused = true;
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

// GET url, or POST `body` as JSON when given; resolves with the decoded JSON.
export async function call(url, body) {
  const init = body === undefined ? {} : {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
  return (await request(url, init)).json();
}

// GET url as a Blob (thumbnails, content downloads), with the token.
export async function blob(url) {
  return (await request(url)).blob();
}

// POST `body` as JSON to a streaming route (newline-delimited JSON) and call onMessage with each
// decoded `result`; rejects with ApiError on an HTTP error or an `error` line.
export async function stream(url, body, onMessage) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const handle = (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.error) {
      throw new ApiError(response.status, message.error.code ?? 0, message.error.message ?? '');
    }
    if (message.result) onMessage(message.result);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      handle(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  }
  handle(buffered);
}

// Analyze: {query, limit, offset, sort, facets} -> AnalyzeResponse.
export function analyze(request) {
  return call('/v1/analyze', request);
}
