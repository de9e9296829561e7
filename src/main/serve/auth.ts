// Browser-mode authentication, as Jupyter does it: a random token per launch, printed in the URL
// the user opens; GET /?token=… trades it for an HttpOnly, SameSite=Strict cookie and redirects
// to / so the token leaves the address bar and the history. Scripts may send the token as
// `Authorization: Bearer <token>` instead of the cookie.
import crypto from 'node:crypto';
import type http from 'node:http';

/** Characters a token may use: URL- and cookie-safe (base64url plus . and ~). */
const TOKEN_RE = /^[A-Za-z0-9._~-]{16,256}$/;

/** 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** A caller-chosen token (MICRO_SERVE_TOKEN, tests): refused when guessable or not URL-safe. */
export function checkTokenFormat(token: string, where: string): string {
  if (!TOKEN_RE.test(token)) throw new Error(`${where}: expected 16-256 characters from A-Z a-z 0-9 . _ ~ - (got ${token.length} characters)`);
  return token;
}

/** Constant-time comparison (both sides hashed first, so their lengths leak nothing either). */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (typeof candidate !== 'string' || !candidate) return false;
  const a = crypto.createHash('sha256').update(candidate).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Cookies are shared by every port of a host: the port in the name keeps two servers apart. */
export function cookieName(port: number): string {
  return `micro_token_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request carries the token, in our cookie or as a bearer token. */
export function isAuthorized(req: http.IncomingMessage, token: string, port: number): boolean {
  const auth = req.headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth) && tokenMatches(auth.replace(/^Bearer\s+/i, '').trim(), token)) return true;
  return tokenMatches(cookieValue(req.headers.cookie, cookieName(port)), token);
}

export const UNAUTHORIZED_MESSAGE = 'not signed in: open the URL with ?token=… that `npm run serve` printed';

/** What a browser without the cookie sees instead of the app (no scripts: the CSP stays strict). */
export function signInPage(invalidToken: boolean): string {
  const why = invalidToken ? 'That token is not valid for this server (it changes each time the server starts).' : 'This workbench needs its access token.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MICRO Workbench: sign in</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>MICRO Workbench</h1>
<p>${why}</p>
<p>Open the URL that <code>npm run serve</code> printed when it started, of the form
<code>http://127.0.0.1:PORT/?token=…</code>.</p>
</body></html>
`;
}
