// Starts a real archivumd for the browser tests and the UI bench, the way tests/support/daemon.cc
// does: a temporary directory holding its YAML config, its store and the ingest root, both ports
// 0, the HTTP address read from the log line "HTTP listening on HOST:PORT".
//
// Contract: startDaemon() resolves once the daemon serves HTTP, or rejects with its log. The
// caller owns the returned handle and must call stop(), which kills the daemon and removes the
// temporary directory. The daemon is also killed when this process exits. Not for concurrent use
// of one handle from several tasks that stop it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

function yamlQuote(s) {
  return '"' + String(s).replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

// options: archivumd (path to the binary), plugins (the bundled plugins directory), roots
// (ingest roots; default: the temporary directory's "files"), tokens (plain tokens; empty: auth
// off), dir (parent of the temporary directory; default the system's).
export async function startDaemon(options) {
  const dir = fs.mkdtempSync(path.join(options.dir ?? os.tmpdir(), 'archivum-ui-'));
  const files = path.join(dir, 'files');
  fs.mkdirSync(files);
  const roots = options.roots ?? [files];
  let auth = '';
  if (options.tokens?.length) {
    fs.writeFileSync(path.join(dir, 'tokens'), options.tokens.join('\n') + '\n', { mode: 0o600 });
    auth = `auth:\n  tokens_file: ${yamlQuote(path.join(dir, 'tokens'))}\n`;
  }
  const yaml =
    'server:\n  grpc:\n    listen: 127.0.0.1:0\n  http:\n    enabled: true\n' +
    '    listen: 127.0.0.1:0\n  shutdown_deadline: 2s\nstore:\n  path: store\n' +
    `plugins:\n  directories: [${yamlQuote(options.plugins)}]\n` +
    `ingest:\n  roots: [${roots.map(yamlQuote).join(', ')}]\n` +
    auth +
    'log:\n  level: info\n';
  fs.writeFileSync(path.join(dir, 'archivum.yaml'), yaml);

  const child = spawn(options.archivumd, ['--config', path.join(dir, 'archivum.yaml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let closed = false;
  const closing = new Promise((r) => child.once('close', () => { closed = true; r(); }));
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('daemon did not serve within 60 s:\n' + log)),
                             60000);
    const onData = (chunk) => {
      log += chunk;
      const m = /HTTP listening on (\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code ?? signal}) before serving:\n${log}`));
    });
  });
  return {
    dir,
    files,
    url: `http://${address}`,
    log: () => log,
    // Resolves with the exit code (null if a signal ended it) once the daemon and its output
    // are closed, so that log() then holds everything it wrote (sanitizer reports at exit too).
    async stop() {
      process.off('exit', onExit);
      if (!closed) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await closing;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

// A zip archive (stored, no compression) of {name: content} entries, as a Buffer.
export function makeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const centralBuf = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBuf, end]);
}

// An RGB PNG of width x height with a diagonal gradient, as a Buffer.
export function makePng(width, height) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 2;  // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 255) / width;
      raw[row + 2 + x * 3] = (y * 255) / height;
      raw[row + 3 + x * 3] = 128;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Writes the browser tests' corpus under `root` and returns what the tests check against.
export function writeCorpus(root) {
  const w = (rel, content, mtime) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    if (mtime) fs.utimesSync(p, mtime, mtime);
    return p;
  };
  const copy = 'Minutes of the lighthouse keepers meeting: the lamp needs a new wick.\n'.repeat(40);
  const corpus = {
    whale: w('notes/whale.txt', 'The humpback whale sings a long song in the cold ocean.\n',
             new Date('2023-05-04T10:00:00Z')),
    dolphin: w('notes/dolphin.md', '# Dolphins\n\nA dolphin is not a whale, but it sings too.\n',
               new Date('2024-02-01T10:00:00Z')),
    copyA: w('copies/a/minutes.txt', copy),
    copyB: w('copies/b/minutes-copy.txt', copy),
    copySize: Buffer.byteLength(copy),
    html: w('web/page.html',
            '<!doctype html><html lang="en"><head><title>Harbour guide</title>' +
                '<meta name="author" content="Ada Lovelace"></head><body><p>The harbour ' +
                'has a whale watching pier.</p><script>alert(1)</script></body></html>\n'),
    zip: w('bundle.zip', makeZip({
      'inner/zebra.txt': 'A zebra crossing near the quay.\n',
      'inner/readme.txt': 'Readme of the bundle.\n',
    })),
    png: w('pictures/gradient.png', makePng(320, 200)),
    // 25 documents with one shared word, for paging (20 a page).
    pebbles: Array.from({ length: 25 }, (_, i) =>
      w(`pebbles/pebble-${String(i).padStart(2, '0')}.txt`, `Pebble ${i} of ${i * 7919} grains.\n`)),
  };
  return corpus;
}
