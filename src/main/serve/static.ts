// The built renderer as static files, confined to its folder.
import type http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { HttpError, decodePath, send } from './http';

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

export function serveStatic(res: http.ServerResponse, rendererDir: string, pathname: string, method: string | undefined): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'INVALID_INPUT', 'method not allowed: use GET', { Allow: 'GET, HEAD' });
  const rel = pathname === '/' ? 'index.html' : decodePath(pathname).replace(/^\/+/, '');
  if (rel.includes('\0')) throw new HttpError(400, 'INVALID_INPUT', 'bad path');
  const file = path.resolve(rendererDir, rel);
  if (!file.startsWith(rendererDir + path.sep)) throw new HttpError(403, 'INVALID_INPUT', 'forbidden path');
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (!stat?.isFile()) {
    if (rel === 'index.html') return send(res, 503, `The renderer is not built (${rendererDir} has no index.html): run npm run build first.`, 'text/plain; charset=utf-8');
    throw new HttpError(404, 'NOT_FOUND', 'not found');
  }
  // Node itself leaves the body out of a HEAD answer.
  send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
}
