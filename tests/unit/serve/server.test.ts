// Browser mode's HTTP server: the per-launch token (cookie or bearer) guards the API, the event
// stream and the app; malformed requests get clean 4xx JSON answers, never a stack trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../../../src/main/serve';
import { call, fakeRenderer, leaks, rawRequest, request, tmpDir } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
let dir: string;
let srv: RunningServer;
let cookie: string;

beforeAll(async () => {
  dir = tmpDir('micro-serve-');
  srv = await startServer({ port: 0, storePath: path.join(dir, 'runs.sqlite'), rendererDir: fakeRenderer(dir) });
  cookie = `micro_token_${srv.port}=${srv.token}`;
});
afterAll(async () => {
  await srv?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const json = (headers: Record<string, string> = {}) => ({ 'Content-Type': 'application/json', ...headers });

function expectJsonError(r: { status: number; text: string }, status: number, code: string): { code: string; message: string } {
  expect(r.status).toBe(status);
  const body = JSON.parse(r.text) as { ok: boolean; error: { code: string; message: string } };
  expect(body).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  expect(leaks(r.text)).toBeNull();
  return body.error;
}

describe('authentication', () => {
  it('refuses API calls without the token, or with a wrong one, with a 401 JSON error', async () => {
    const none = await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: json(), body: '' });
    expect(expectJsonError(none, 401, 'UNAUTHORIZED').message).toContain('npm run serve');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong: Record<string, string>[] = [
      { Authorization: `Bearer ${srv.token}x` },
      { Authorization: `Bearer ${srv.token.slice(0, -1)}` },
      { Authorization: `Basic ${Buffer.from(`u:${srv.token}`).toString('base64')}` },
      { Cookie: `micro_token_${srv.port}=nope` },
      // A cookie set by a server on another port of this host is not ours.
      { Cookie: `micro_token_${srv.port + 1}=${srv.token}` },
    ];
    for (const h of wrong) expectJsonError(await request(srv.port, { method: 'POST', path: '/api/listRuns', headers: json(h), body: '' }), 401, 'UNAUTHORIZED');
    expectJsonError(await request(srv.port, { method: 'POST', path: `/api/appInfo?token=${srv.token}`, headers: json(), body: '' }), 401, 'UNAUTHORIZED');
  });

  it('accepts the bearer token and the cookie', async () => {
    const bearer = await call(srv.port, srv.token, 'appInfo');
    expect(bearer.status).toBe(200);
    expect(JSON.parse(bearer.text)).toMatchObject({ ok: true, value: { mode: 'browser' } });
    const viaCookie = await request(srv.port, { method: 'POST', path: '/api/listRuns', headers: json({ Cookie: `other=1; ${cookie}` }), body: '' });
    expect(viaCookie.status).toBe(200);
    expect(JSON.parse(viaCookie.text)).toEqual({ ok: true, value: [] });
  });

  it('GET /?token= sets an HttpOnly SameSite=Strict cookie and redirects to / (303)', async () => {
    const r = await request(srv.port, { path: `/?token=${srv.token}` });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(r.headers['set-cookie']).toEqual([`micro_token_${srv.port}=${srv.token}; HttpOnly; SameSite=Strict; Path=/`]);
    const app = await request(srv.port, { path: '/', headers: { Cookie: r.headers['set-cookie']![0].split(';')[0] } });
    expect(app.status).toBe(200);
    expect(app.text).toContain('<div id="app">');
    expect(app.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('without the token, the app is a sign-in hint and sets no cookie', async () => {
    for (const p of ['/', '/assets/app.js', `/?token=${srv.token}0`, '/?token=']) {
      const r = await request(srv.port, { path: p });
      expect(r.status).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.text).toContain('npm run serve');
      expect(r.text).not.toContain('<div id="app">');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('the event stream needs the token too, and delivers events with the cookie', async () => {
    expectJsonError(await request(srv.port, { path: '/api/events' }), 401, 'UNAUTHORIZED');
    const got = await new Promise<string>((resolve, reject) => {
      setTimeout(() => reject(new Error('no event within 20 s')), 20_000).unref();
      import('node:http').then(({ default: http }) => {
        const req = http.get({ host: '127.0.0.1', port: srv.port, path: '/api/events', headers: { Cookie: cookie }, agent: false }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            if (buf.includes(': connected')) srv.service.events.emit('event', { type: 'runs-changed' });
            const m = /data: (.*)\n\n/.exec(buf);
            if (m) {
              req.destroy();
              resolve(m[1]);
            }
          });
        });
        req.on('error', reject);
      }, reject);
    });
    expect(JSON.parse(got)).toEqual({ type: 'runs-changed' });
  });

  it('each start draws a new 32-byte token; a caller-chosen token must be long and URL-safe', async () => {
    expect(srv.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(srv.loginUrl).toBe(`http://127.0.0.1:${srv.port}/?token=${srv.token}`);
    const other = await startServer({ port: 0, storePath: path.join(dir, 'other.sqlite'), rendererDir: fakeRenderer(dir) });
    try {
      expect(other.token).not.toBe(srv.token);
      expectJsonError(await call(other.port, srv.token, 'appInfo'), 401, 'UNAUTHORIZED');
    } finally {
      await other.close();
    }
    await expect(startServer({ port: 0, storePath: path.join(dir, 'weak.sqlite'), token: 'abc' })).rejects.toThrow(/token: expected 16-256 characters/);
    await expect(startServer({ port: 0, storePath: path.join(dir, 'weak.sqlite'), token: 'a'.repeat(20) + ';x' })).rejects.toThrow(/token:/);
  });

  it('npm run serve prints the tokenised URL; MICRO_SERVE_TOKEN sets the token', async () => {
    const token = 'fixed-token-for-scripts-0123456789';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', '--port', '0', '--store', path.join(dir, 'cli.sqlite'), '--renderer', path.join(dir, 'renderer')], {
      cwd: ROOT,
      env: { ...process.env, MICRO_SERVE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const m = await new Promise<RegExpExecArray>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const hit = /listening on (http:\/\/127\.0\.0\.1:(\d+)\S*)\s/.exec(out);
          if (hit) resolve(hit);
        });
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect(m[1]).toBe(`http://127.0.0.1:${m[2]}/?token=${token}`);
      const r = await call(Number(m[2]), token, 'appInfo');
      expect(r.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });

  it('keeps the Host and Origin checks in front of the token', async () => {
    const evilHost = await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: json({ Host: 'evil.example:80', Authorization: `Bearer ${srv.token}` }), body: '' });
    expect(evilHost.status).toBe(403);
    const evilOrigin = await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: json({ Origin: 'http://127.0.0.1:1', Cookie: cookie }), body: '' });
    expectJsonError(evilOrigin, 403, 'INVALID_INPUT');
    const evilEvents = await request(srv.port, { path: '/api/events', headers: { Origin: 'http://evil.example', Cookie: cookie } });
    expectJsonError(evilEvents, 403, 'INVALID_INPUT');
  });
});

describe('malformed requests', () => {
  const auth = { Authorization: '' };
  beforeAll(() => {
    auth.Authorization = `Bearer ${srv.token}`;
  });

  it('a malformed percent-escape in the path is a 400, not a 500', async () => {
    for (const p of ['/api/%E0%A4%A', '/api/%zz', '/%zz', '/assets/%E0%A4%A.js']) {
      const method = p.startsWith('/api/') ? 'POST' : 'GET';
      const r = await request(srv.port, { method, path: p, headers: json(auth), body: method === 'POST' ? '{}' : undefined });
      expectJsonError(r, 400, 'INVALID_INPUT');
    }
  });

  it('a body over 1 MB is a 413 JSON error, read to its end, not a reset', async () => {
    const big = Buffer.alloc((1 << 20) + 10, 0x20);
    const r = await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: json(auth), body: big });
    expect(r.error).toBeUndefined();
    expect(expectJsonError(r, 413, 'INVALID_INPUT').message).toContain('too large');
    // Exactly at the limit is still read (and then refused as not JSON, not as too large).
    const atLimit = await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: json(auth), body: Buffer.alloc(1 << 20, 0x61) });
    expectJsonError(atLimit, 400, 'INVALID_INPUT');
  });

  it('an unknown API method is a 404 JSON error whatever the HTTP method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const p of ['/api/nope', '/api/', '/api', '/api/__proto__', '/api/appInfo/x']) {
        const r = await request(srv.port, { method, path: p, headers: json(auth), body: method === 'GET' ? undefined : '{}' });
        expectJsonError(r, 404, 'NOT_FOUND');
      }
    }
    // A known method over the wrong HTTP method: 405 naming what to use.
    const get = await request(srv.port, { method: 'GET', path: '/api/appInfo', headers: auth });
    expect(expectJsonError(get, 405, 'INVALID_INPUT').message).toContain('POST');
    expect(get.headers.allow).toBe('POST');
  });

  it('a request Node cannot parse (unknown HTTP method) gets a JSON 400', async () => {
    const raw = await rawRequest(srv.port, `FOO /api/appInfo HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'malformed HTTP request' } });
  });

  it('an unexpected failure answers 500 without its message or stack (those go to the server log)', async () => {
    const service = srv.service as unknown as { call: (...a: unknown[]) => unknown };
    const original = service.call;
    service.call = () => {
      throw new Error(`boom at ${path.join(ROOT, 'src', 'main', 'x.ts')}:1:2`);
    };
    const stderr = process.stderr.write;
    const logged: string[] = [];
    process.stderr.write = ((s: string) => (logged.push(String(s)), true)) as typeof process.stderr.write;
    try {
      const r = await call(srv.port, srv.token, 'appInfo');
      expect(expectJsonError(r, 500, 'FAILED').message).toBe('internal server error (details are in the server log)');
      expect(r.text).not.toContain('boom');
      expect(logged.join('')).toContain('boom');
    } finally {
      service.call = original;
      process.stderr.write = stderr;
    }
  });

  it('wrong content types and non-JSON bodies are 4xx JSON errors', async () => {
    expectJsonError(await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: { ...auth, 'Content-Type': 'text/plain' }, body: '{}' }), 415, 'INVALID_INPUT');
    expectJsonError(await request(srv.port, { method: 'POST', path: '/api/appInfo', headers: { ...auth, 'Content-Type': 'application/jsonx' }, body: '{}' }), 415, 'INVALID_INPUT');
    expectJsonError(await request(srv.port, { method: 'POST', path: '/api/getRun', headers: json(auth), body: '{"runId": 1' }), 400, 'INVALID_INPUT');
    expectJsonError(await request(srv.port, { method: 'POST', path: '/api/getRun', headers: json(auth), body: Buffer.from([0xff, 0xfe, 0x00]) }), 400, 'INVALID_INPUT');
  });

  it('static paths stay inside the renderer folder', async () => {
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fpackage.json', '//etc/passwd', '/a%00b']) {
      const r = await request(srv.port, { path: p, headers: auth });
      expect([400, 403, 404]).toContain(r.status);
      expect(r.text).not.toContain('root:');
      expect(leaks(r.text)).toBeNull();
    }
  });
});
