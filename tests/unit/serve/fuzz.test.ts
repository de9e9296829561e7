// A bounded, seeded fuzz of the browser-mode API: the real server on 127.0.0.1 over a store with
// the demo dataset and two finished runs, then a few hundred hostile requests over every API
// method. Whatever arrives: no 5xx, no stack trace, a JSON error in the wire format, and the store
// stays intact with everything that was there before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../../../src/main/serve';
import { API_METHODS } from '../../../src/shared/api';
import { call, fakeRenderer, leaks, request, tmpDir, type Reply } from './helpers';
import { inputFor, mulberry32, pick, weird, type FuzzContext } from './fuzz-inputs';

const DEMO = path.resolve(import.meta.dirname, '..', '..', '..', 'resources', 'demo');
const SEED = 20260701;
const PER_METHOD = 16;

let dir: string;
let srv: RunningServer;
let storePath: string;
let ctx: FuzzContext;
const before = { runs: [] as number[], datasets: [] as string[] };

async function value<T>(method: string, input?: unknown): Promise<T> {
  const r = await call(srv.port, srv.token, method, input);
  const body = JSON.parse(r.text) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

/** Poll (no timing assertion: the bound only keeps a broken build from hanging). */
async function until(what: string, ok: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  dir = tmpDir('micro-serve-fuzz-');
  storePath = path.join(dir, 'runs.sqlite');
  srv = await startServer({ port: 0, storePath, rendererDir: fakeRenderer(dir) });
  const ds = await value<{ id: number; name: string }>('importDataset', { path: DEMO, name: 'demo-warm', setting: 'warm' });
  const micro = await value<{ runId: number }>('startRun', { dataset: 'demo-warm', model: 'micro', trainOverrides: { epochs: 1 } });
  const pop = await value<{ runId: number }>('startRun', { dataset: 'demo-warm', model: 'popularity' });
  await until('the seed runs', async () => (await value<unknown[]>('activeRuns')).length === 0);
  for (const id of [micro.runId, pop.runId]) expect((await value<{ run: { status: string } }>('getRun', { runId: id })).run.status).toBe('completed');
  fs.mkdirSync(path.join(dir, 'empty'));
  fs.mkdirSync(path.join(dir, 'splits'));
  fs.mkdirSync(path.join(dir, 'junk'));
  fs.writeFileSync(path.join(dir, 'junk', 'train.json'), '{ not json');
  fs.writeFileSync(path.join(dir, 'junk', 'notes.txt'), 'nothing to see');
  ctx = { dataset: ds.name, datasetId: ds.id, runIds: [micro.runId, pop.runId], dir };
  before.runs = (await value<{ id: number }[]>('listRuns')).map((r) => r.id);
  before.datasets = (await value<{ name: string }[]>('listDatasets')).map((d) => d.name);
}, 240_000);

afterAll(async () => {
  await srv?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Kind = 'input' | 'raw-body' | 'content-type' | 'auth' | 'http-method' | 'path' | 'oversized';
const KINDS: Kind[] = ['input', 'input', 'input', 'input', 'input', 'raw-body', 'content-type', 'auth', 'http-method', 'path', 'input', 'input'];

const RAW_BODIES = ['{', '{"runId": 1', 'not json', '\ufeff{}', 'null', '[]', '""', '0', '{"runId": 1e400}', '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"x": 1}}}', '{"a":1,"a":2}', '\u0000', '{"runId": 1}\n{"runId": 2}', '[[[[[[[[[[', '{"dataset": "demo-warm", "dataset": 1}'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/jsonp', 'text/json'];
const HTTP_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

interface Sent {
  kind: Kind;
  method: string;
  path: string;
  httpMethod: string;
  body: string;
  headers: Record<string, string>;
}

function build(rng: () => number, method: string, kind: Kind): Sent {
  const auth = { Authorization: `Bearer ${srv.token}` };
  const json = { 'Content-Type': 'application/json', ...auth };
  const base: Sent = { kind, method, path: `/api/${method}`, httpMethod: 'POST', body: '', headers: json };
  const input = () => {
    const i = inputFor(rng, method, ctx);
    return i === undefined ? '' : JSON.stringify(i);
  };
  switch (kind) {
    case 'input':
      return { ...base, body: input() };
    case 'raw-body':
      return { ...base, body: pick(rng, RAW_BODIES) };
    case 'content-type': {
      const type = pick(rng, CONTENT_TYPES);
      return { ...base, body: input(), headers: type ? { ...auth, 'Content-Type': type } : auth };
    }
    case 'auth': {
      const variants: Record<string, string>[] = [
        { 'Content-Type': 'application/json' },
        { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.token.slice(1)}` },
        { 'Content-Type': 'application/json', Authorization: `bearer  ${'x'.repeat(43)}` },
        { 'Content-Type': 'application/json', Authorization: srv.token },
        { 'Content-Type': 'application/json', Cookie: `micro_token_${srv.port}=${String(weird(rng)).slice(0, 200).replace(/[^\x21-\x7e]/g, '_')}` },
      ];
      const v = pick(rng, [...variants, { 'Content-Type': 'application/json' }]);
      const viaQuery = rng() < 0.2;
      return { ...base, path: viaQuery ? `${base.path}?token=${srv.token}` : base.path, body: input(), headers: v };
    }
    case 'http-method':
      return { ...base, httpMethod: pick(rng, HTTP_METHODS), body: input() };
    case 'path': {
      const p = pick(rng, [`/api/${method}%00`, `/api/${method}/x`, `/api/${method.toUpperCase()}`, `/api/${method}%E0%A4%A`, `/api/%${method}`, `/api/..%2F${method}`, `/api//${method}`, `/api/${method}?x=%zz`]);
      return { ...base, path: p, body: input() };
    }
    case 'oversized':
      return { ...base, body: JSON.stringify({ pad: 'x'.repeat((1 << 20) + 1) }) };
  }
}

/** What the reply must be, beyond the invariants. */
function expectedStatus(s: Sent): number[] | null {
  if (s.kind === 'auth') return [401];
  if (s.kind === 'oversized') return [413];
  if (s.kind === 'content-type') return [415];
  if (s.kind === 'http-method') return [405];
  if (s.kind === 'path') return s.path.endsWith('?x=%zz') ? null : [400, 404];
  if (s.kind === 'raw-body') return null;
  return null;
}

function problems(s: Sent, r: Reply): string[] {
  const out: string[] = [];
  if (r.error) return [`connection failed: ${r.error}`];
  if (r.status >= 500) out.push(`status ${r.status}`);
  const leak = leaks(r.text);
  if (leak) out.push(`body leaks a ${leak}`);
  const want = expectedStatus(s);
  if (want && !want.includes(r.status)) out.push(`status ${r.status}, expected ${want.join(' or ')}`);
  if (!String(r.headers['content-type']).startsWith('application/json')) return [...out, `content-type ${r.headers['content-type']}`];
  let body: { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(r.text);
  } catch {
    return [...out, 'body is not JSON'];
  }
  if (r.status === 200) {
    if (body.ok !== true || !('value' in body)) out.push('200 without {ok:true,value}');
  } else {
    const e = body.error;
    const shapeOk = body.ok === false && Object.keys(body).join() === 'ok,error' && e && typeof e.code === 'string' && typeof e.message === 'string' && Object.keys(e).sort().join() === 'code,message';
    if (!shapeOk) out.push(`error body is not {ok:false,error:{code,message}}`);
    else if ((e!.message as string).includes('\n')) out.push('error message spans several lines');
    else {
      const parts = (e!.message as string).split('; ');
      if (new Set(parts).size !== parts.length) out.push('error message repeats itself');
    }
  }
  return out;
}

describe('API fuzz (seeded, bounded, 127.0.0.1 only)', () => {
  it(`${PER_METHOD} hostile requests per API method: no 5xx, no stack traces, JSON errors; the store survives`, async () => {
    const rng = mulberry32(SEED);
    const plan: Sent[] = [];
    for (const method of API_METHODS) for (let i = 0; i < PER_METHOD; i++) plan.push(build(rng, method, i === 0 ? 'input' : pick(rng, KINDS)));
    plan.push(build(rng, 'getRun', 'oversized'), build(rng, 'startRun', 'oversized'));
    for (const p of ['/api/%E0%A4%A', '/api/%zz', '/%zz', '/assets/%E0%A4%A.js', '/api/events%zz']) {
      plan.push({ kind: 'path', method: '-', path: p, httpMethod: p.startsWith('/api/') ? 'POST' : 'GET', body: '{}', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.token}` } });
    }
    expect(new Set(plan.map((p) => p.method))).toEqual(new Set([...API_METHODS, '-']));

    const failures: string[] = [];
    const started: number[] = [];
    const statuses = new Map<string, number[]>();
    for (const s of plan) {
      const r = await request(srv.port, { method: s.httpMethod, path: s.path, headers: s.headers, body: s.httpMethod === 'GET' ? undefined : s.body });
      statuses.set(s.method, [...(statuses.get(s.method) ?? []), r.status]);
      if (process.env.FUZZ_VERBOSE) console.log(s.kind, s.httpMethod, s.path, s.body.slice(0, 100), "=>", r.status, r.text.slice(0, 200));
      for (const p of problems(s, r)) failures.push(`${s.httpMethod} ${s.path} [${s.kind}] ${s.body.slice(0, 160)} → ${p}: ${r.text.slice(0, 300)}`);
      // Never leave a training running: whatever the fuzz started is cancelled at once.
      if (r.status === 200 && (s.method === 'startRun' || s.method === 'resumeRun')) {
        const id = (JSON.parse(r.text) as { value: { runId: number } }).value.runId;
        started.push(id);
        await call(srv.port, srv.token, 'cancelRun', { runId: id });
      }
    }
    expect(failures, failures.slice(0, 25).join('\n')).toEqual([]);
    // The fuzz got past the front door: successes, validation errors, and every transport refusal.
    const all = new Set([...statuses.values()].flat());
    for (const status of [200, 400, 401, 404, 405, 413, 415]) expect(all, `no reply with status ${status}`).toContain(status);
    if (process.env.FUZZ_VERBOSE) for (const [m, st] of statuses) console.log(m.padEnd(22), st.join(' '));

    await until('the cancelled runs and dataset tasks', async () => (await value<unknown[]>('activeRuns')).length === 0 && (await value<unknown[]>('listTasks')).length === 0);
    const runs = (await value<{ id: number; status: string }[]>('listRuns')).map((r) => r.id);
    for (const id of before.runs) expect(runs).toContain(id);
    const datasets = (await value<{ name: string }[]>('listDatasets')).map((d) => d.name);
    for (const name of before.datasets) expect(datasets).toContain(name);
    for (const id of ctx.runIds) expect((await value<{ run: { status: string } }>('getRun', { runId: id })).run.status).toBe('completed');

    await srv.close();
    const db = new Database(storePath, { readonly: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const ids = (db.prepare('SELECT id FROM runs').all() as { id: number }[]).map((r) => r.id);
      for (const id of before.runs) expect(ids).toContain(id);
      const names = (db.prepare('SELECT name FROM datasets').all() as { name: string }[]).map((r) => r.name);
      for (const n of before.datasets) expect(names).toContain(n);
    } finally {
      db.close();
    }
  }, 600_000);
});
