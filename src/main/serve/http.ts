// Response helpers shared by the browser-mode server: security headers on every answer, JSON
// errors in the API's wire format, a bounded body reader and a percent-decoder that cannot throw.
import type http from 'node:http';
import type { ApiErrorCode } from '../../shared/api';

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

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** Largest request body the API accepts (the biggest legitimate input is a few kB). */
export const MAX_BODY = 1 << 20;
/** Past this many bytes an oversized body is no longer drained but the connection dropped. */
const MAX_DRAIN = 64 << 20;

/** HTTP status of each API error code; anything unknown is a 500. */
export const STATUS: Record<ApiErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CANCELLED: 409,
  LIMIT: 422,
  UNAVAILABLE: 503,
  FAILED: 500,
};

/** A refusal decided by the transport itself (never by the service). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', extra);
}

export function sendError(res: http.ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { ok: false, error: { code: e.code, message: e.message } }, e.headers);
}

/** decodeURIComponent that answers 400 instead of throwing URIError on a malformed escape. */
export function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, 'INVALID_INPUT', 'malformed percent-escape in the request path');
  }
}

/**
 * The whole body, at most MAX_BODY bytes. A larger body is read to its end and dropped (so the
 * client, still sending, can read the 413) unless it goes on past MAX_DRAIN or announces so much.
 */
export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, 'INVALID_INPUT', `request body too large (limit ${MAX_BODY} bytes)`, { Connection: 'close' });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_DRAIN) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else if (size > MAX_DRAIN) {
        req.destroy();
        reject(tooLarge());
      }
    });
    req.on('end', () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', () => reject(new HttpError(400, 'INVALID_INPUT', 'the request body could not be read')));
  });
}
