// Browser mode: the workbench API over HTTP on 127.0.0.1 plus the built renderer, for machines
// without Electron (and for the end-to-end tests). POST /api/<method> takes and returns JSON;
// GET /api/events streams progress as Server-Sent Events. Strict CSP, no remote content.
//   node --import tsx src/main/serve.ts [--port N] [--store path] [--renderer dir]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveStorePath } from './store';
import { WorkbenchService, type ServiceOptions } from './api';
import type { ApiEvent } from '../shared/api';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_RENDERER_DIR = path.join(repoRoot, 'out', 'renderer');
const MAX_BODY = 1 << 20;

/** The renderer needs nothing from outside this origin. Inline styles: ECharts and Cytoscape set them. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface ServerOptions {
  port?: number;
  storePath: string;
  rendererDir?: string;
  /** Extra service options (tests: crash hooks). */
  service?: Partial<ServiceOptions>;
}

export interface RunningServer {
  url: string;
  port: number;
  service: WorkbenchService;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

const STATUS: Record<string, number> = { INVALID_INPUT: 400, NOT_FOUND: 404, CONFLICT: 409, UNAVAILABLE: 503, FAILED: 500 };

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const service = new WorkbenchService({ storePath: o.storePath, mode: 'browser', ...o.service });
  const rendererDir = path.resolve(o.rendererDir ?? DEFAULT_RENDERER_DIR);
  const sse = new Set<http.ServerResponse>();
  const unsubscribe = service.onEvent((e: ApiEvent) => {
    const line = `data: ${JSON.stringify(e)}\n\n`;
    for (const res of sse) res.write(line);
  });
  let port = 0;
  // DNS-rebinding guard: only our own loopback host names.
  const hostOk = (h: string | undefined) => h === `127.0.0.1:${port}` || h === `localhost:${port}`;

  const server = http.createServer(async (req, res) => {
    try {
      if (!hostOk(req.headers.host)) return send(res, 403, 'forbidden host', 'text/plain');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      if (url.pathname === '/api/events') {
        if (req.method !== 'GET') return send(res, 405, 'method not allowed', 'text/plain');
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        sse.add(res);
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
        req.on('close', () => {
          clearInterval(ping);
          sse.delete(res);
        });
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'use POST with a JSON body' } });
        // A JSON content type cannot be sent cross-origin without a preflight, which we never answer.
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return sendJson(res, 415, { ok: false, error: { code: 'INVALID_INPUT', message: 'expected Content-Type: application/json' } });
        }
        const origin = req.headers.origin;
        if (origin && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return sendJson(res, 403, { ok: false, error: { code: 'INVALID_INPUT', message: 'cross-origin request refused' } });
        const body = await readBody(req);
        let input: unknown;
        try {
          input = body.trim() ? JSON.parse(body) : undefined;
        } catch {
          return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'request body is not valid JSON' } });
        }
        const result = await service.call(decodeURIComponent(url.pathname.slice(5)), input);
        return sendJson(res, result.ok ? 200 : (STATUS[result.error.code] ?? 500), result);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain');
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const file = path.resolve(rendererDir, rel);
      if (!file.startsWith(rendererDir + path.sep)) return send(res, 403, 'forbidden', 'text/plain');
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        if (rel === 'index.html') return send(res, 503, `The renderer is not built (${rendererDir} has no index.html): run npm run build first.`, 'text/plain; charset=utf-8');
        return send(res, 404, 'not found', 'text/plain');
      }
      return send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'FAILED', message: (e as Error).message } });
      else res.end();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    service,
    async close() {
      unsubscribe();
      for (const res of sse) res.end();
      sse.clear();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await service.close();
    },
  };
}

function parseArgs(argv: string[]): { port: number; store?: string; renderer?: string } {
  const o: { port: number; store?: string; renderer?: string } = { port: 4318 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      o.port = Number(val());
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`--port: expected an integer 0-65535`);
    } else if (a === '--store') o.store = val();
    else if (a === '--renderer') o.renderer = val();
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run serve -- [--port N] [--store path] [--renderer dir]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const srv = await startServer({ port: args.port, storePath: resolveStorePath(args.store), rendererDir: args.renderer });
    process.stdout.write(`MICRO Workbench (browser mode) listening on ${srv.url}  store ${srv.service.store.path}\n`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      srv.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
