// Browser mode: the workbench API over HTTP on 127.0.0.1 plus the built renderer, for machines
// without Electron (and for the end-to-end tests). POST /api/<method> takes and returns JSON;
// GET /api/events streams progress as Server-Sent Events. Every request must name our own host
// (DNS rebinding), API calls from another origin are refused, and everything but the sign-in
// exchange needs the per-launch token (auth.ts). Strict CSP, no remote content.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchService, type ServiceOptions } from '../api';
import { isApiMethod, type ApiEvent } from '../../shared/api';
import { UNAUTHORIZED_MESSAGE, checkTokenFormat, isAuthorized, newToken, sessionCookie, signInPage, tokenMatches } from './auth';
import { HttpError, SECURITY_HEADERS, STATUS, decodePath, readBody, send, sendError, sendJson } from './http';
import { serveStatic } from './static';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEFAULT_RENDERER_DIR = path.join(repoRoot, 'out', 'renderer');

export interface ServerOptions {
  port?: number;
  storePath: string;
  rendererDir?: string;
  /** Access token (default: 32 random bytes, new at each start). */
  token?: string;
  /** Extra service options (tests: crash hooks). */
  service?: Partial<ServiceOptions>;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT (no token). */
  url: string;
  /** The URL to open: http://127.0.0.1:PORT/?token=… */
  loginUrl: string;
  token: string;
  port: number;
  service: WorkbenchService;
  close(opts?: { waitMs?: number }): Promise<void>;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const token = o.token === undefined ? newToken() : checkTokenFormat(o.token, 'token');
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
  const originOk = (o: string | undefined) => o === undefined || o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;

  async function api(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    if (!originOk(req.headers.origin)) throw new HttpError(403, 'INVALID_INPUT', 'cross-origin request refused');
    if (!isAuthorized(req, token, port)) throw new HttpError(401, 'UNAUTHORIZED', UNAUTHORIZED_MESSAGE, { 'WWW-Authenticate': 'Bearer realm="micro-workbench"' });
    if (pathname === '/api/events') {
      if (req.method !== 'GET') throw new HttpError(405, 'INVALID_INPUT', 'method not allowed: /api/events takes GET', { Allow: 'GET' });
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
    const method = decodePath(pathname.slice('/api/'.length));
    if (!isApiMethod(method)) throw new HttpError(404, 'NOT_FOUND', `unknown API method "${method.length > 80 ? `${method.slice(0, 80)}…` : method}"`);
    if (req.method !== 'POST') throw new HttpError(405, 'INVALID_INPUT', 'method not allowed: use POST with a JSON body', { Allow: 'POST' });
    // A JSON content type cannot be sent cross-origin without a preflight, which we never answer.
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'INVALID_INPUT', 'expected Content-Type: application/json');
    const body = (await readBody(req)).toString('utf8');
    let input: unknown;
    try {
      input = body.trim() ? JSON.parse(body) : undefined;
    } catch {
      throw new HttpError(400, 'INVALID_INPUT', 'request body is not valid JSON');
    }
    const result = await service.call(method, input);
    sendJson(res, result.ok ? 200 : (STATUS[result.error.code] ?? 500), result);
  }

  function page(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (url.pathname === '/' && url.searchParams.has('token') && req.method === 'GET') {
      // Trade the token for the cookie; the redirect drops it from the address bar and history.
      if (!tokenMatches(url.searchParams.get('token') ?? '', token)) return send(res, 401, signInPage(true), 'text/html; charset=utf-8');
      return send(res, 303, '', 'text/plain', { Location: '/', 'Set-Cookie': sessionCookie(port, token) });
    }
    if (!isAuthorized(req, token, port)) return send(res, 401, signInPage(false), 'text/html; charset=utf-8');
    serveStatic(res, rendererDir, url.pathname, req.method);
  }

  const server = http.createServer(async (req, res) => {
    try {
      if (!hostOk(req.headers.host)) throw new HttpError(403, 'INVALID_INPUT', 'forbidden host');
      const target = req.url ?? '/';
      if (!target.startsWith('/')) throw new HttpError(400, 'INVALID_INPUT', 'expected a path starting with /');
      let url: URL;
      try {
        url = new URL(`http://127.0.0.1${target}`);
      } catch {
        throw new HttpError(400, 'INVALID_INPUT', 'malformed request path');
      }
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) await api(req, res, url.pathname);
      else page(req, res, url);
    } catch (e) {
      if (res.headersSent) res.end();
      else if (e instanceof HttpError) sendError(res, e);
      else {
        // Details go to the server's log, never to the client.
        process.stderr.write(`serve: ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}\n`);
        sendJson(res, 500, { ok: false, error: { code: 'FAILED', message: 'internal server error (details are in the server log)' } });
      }
    }
  });
  // Requests Node cannot parse (unknown HTTP method, bad header) get a JSON 400 too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ ok: false, error: { code: 'INVALID_INPUT', message: status === 431 ? 'request headers too large' : 'malformed HTTP request' } });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  }).catch(async (e) => {
    await service.close();
    throw e;
  });
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    loginUrl: `${url}/?token=${token}`,
    token,
    port,
    service,
    async close(opts: { waitMs?: number } = {}) {
      unsubscribe();
      for (const res of sse) res.end();
      sse.clear();
      // Stop accepting, then drop open connections (keep-alive, a request still waiting on a
      // task): server.close() alone waits for every one of them to end.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await closed;
      await service.close(opts);
    },
  };
}
