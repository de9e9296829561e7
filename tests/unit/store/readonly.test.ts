// A store the user may read but not write (a shared folder, another user's file) opens read-only
// for listing with `readonly: 'auto'`. Tests run as root, where chmod stops nothing, so the
// opening happens in a child process running as `nobody` (as ourselves when not root).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT, sha256, tmpDir } from './helpers';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

interface Attempt {
  ok: boolean;
  value?: { readonly: boolean; runs: string[]; writeError?: string };
  code?: string;
  message?: string;
}

/** In another process without write permission: open the store three ways and report. */
function openAsOtherUser(file: string): Record<'auto' | 'readonly' | 'readwrite', Attempt> {
  const script = `
    import { RunStore } from ${JSON.stringify(path.join(REPO_ROOT, 'src/main/store/index.ts'))};
    const file = process.argv[1];
    const out = {};
    const attempt = (name, opts) => {
      try {
        const s = RunStore.open(file, opts);
        try {
          const value = { readonly: s.readonly, runs: s.listRuns({ order: 'asc' }).map((r) => r.name) };
          try { s.createRun({ model: 'mf' }); } catch (e) { value.writeError = e.code + ': ' + e.message; }
          out[name] = { ok: true, value };
        } finally { s.close(); }
      } catch (e) { out[name] = { ok: false, code: e.code, message: e.message }; }
    };
    attempt('auto', { readonly: 'auto' });
    attempt('readonly', { readonly: true });
    attempt('readwrite', {});
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<'auto' | 'readonly' | 'readwrite', Attempt>;
}

function makeStore(dirMode: number): { dir: string; file: string } {
  const dir = tmpDir();
  const file = path.join(dir, 'runs.sqlite');
  const s = RunStore.open(file);
  s.createRun({ model: 'micro', name: 'first' });
  s.createRun({ model: 'lightgcn', name: 'second' });
  s.close();
  fs.chmodSync(file, 0o444);
  fs.chmodSync(dir, dirMode);
  return { dir, file };
}

describe('a store that is not writable', () => {
  it('file and folder read-only: auto and readonly list it, read-write is refused with one clear line', () => {
    const { dir, file } = makeStore(0o555);
    const before = sha256(file);
    let res: ReturnType<typeof openAsOtherUser>;
    try {
      res = openAsOtherUser(file);
    } finally {
      fs.chmodSync(dir, 0o755); // let the cleanup remove it
    }
    for (const how of ['auto', 'readonly'] as const) {
      expect(res[how], JSON.stringify(res[how])).toMatchObject({ ok: true, value: { readonly: true, runs: ['first', 'second'] } });
      expect(res[how].value!.writeError).toBe(`READONLY: run store ${file} is open read-only`);
    }
    expect(res.readwrite).toMatchObject({ ok: false, code: 'READONLY' });
    expect(res.readwrite.message).toBe(
      `run store ${file} is not writable (permission denied on the file or its folder); it can only be opened read-only`,
    );
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['runs.sqlite']);
  });

  it('file read-only in a writable folder: auto opens it read-only', () => {
    const { file } = makeStore(0o777);
    const before = sha256(file);
    const res = openAsOtherUser(file);
    expect(res.auto, JSON.stringify(res.auto)).toMatchObject({ ok: true, value: { readonly: true, runs: ['first', 'second'] } });
    expect(res.readwrite).toMatchObject({ ok: false, code: 'READONLY' });
    expect(sha256(file)).toBe(before);
  });
});
