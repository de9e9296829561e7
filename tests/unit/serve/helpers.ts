// Raw HTTP for the browser-mode server tests: node:http, so that tests can send any Host,
// method, path or body (fetch would normalise or refuse some of them). 127.0.0.1 only.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The connection failed (reset, closed early): the error message. */
  error?: string;
}

export function request(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve) => {
    // An explicit length: Node's client would send a DELETE/OPTIONS body unframed.
    const headers = o.body === undefined ? o.headers : { 'Content-Length': String(Buffer.byteLength(o.body)), ...o.headers };
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, text: '', error: e.message }));
    // A bound, not an assertion: a stream that never ends (an unguarded /api/events) fails the test instead of hanging it.
    const deadline = setTimeout(() => req.destroy(new Error('no complete answer within 20 s')), 20_000);
    req.on('close', () => clearTimeout(deadline));
    req.end(o.body);
  });
}

/** POST /api/<method> with a JSON body and the bearer token. */
export function call(port: number, token: string, method: string, input?: unknown): Promise<Reply> {
  return request(port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: input === undefined ? '' : JSON.stringify(input),
  });
}

/** Bytes exactly as given (a request line Node's client would refuse to send). */
export function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A stand-in for the built renderer: an index.html and one asset. */
export function fakeRenderer(dir: string): string {
  const out = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(out, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html><title>MICRO Workbench</title><div id="app"></div>');
  fs.writeFileSync(path.join(out, 'assets', 'app.js'), 'console.log(1);');
  return out;
}

/** What no response body may contain: stack frames, Node internals, this repository's source paths. */
export function leaks(text: string): string | null {
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  const patterns: [string, RegExp | string][] = [
    ['stack frame', /\n\s*at\s|\bat [\w$.<>]+ \(.*:\d+:\d+\)/],
    ['node:internal', 'node:internal'],
    ['source location', /\.(ts|js|mjs|cjs):\d+(:\d+)?/],
    ['repository source path', path.join(root, 'src')],
    ['repository node_modules path', path.join(root, 'node_modules')],
  ];
  for (const [what, p] of patterns) if (typeof p === 'string' ? text.includes(p) : p.test(text)) return what;
  return null;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
