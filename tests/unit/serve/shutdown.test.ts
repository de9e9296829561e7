// SIGTERM stops browser mode promptly: the training in flight is cancelled within its batch (and
// stays resumable), open event streams and keep-alive connections do not hold the exit.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT as ROOT } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';
import { call } from './helpers';

const TOKEN = 'shutdown-test-token-0123456789';
const dir = fileTempDir('micro-serve-stop-');

describe('serve shutdown', () => {
  it('SIGTERM during a training exits 0, the run is cancelled and resumable', async () => {
    const store = path.join(dir, 'runs.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', '--port', '0', '--store', store], {
      cwd: ROOT,
      env: { ...process.env, MICRO_SERVE_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const hit = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (hit) resolve(Number(hit[1]));
      });
      void exited.then((c) => reject(new Error(`serve exited with ${c}: ${out}`)));
    });
    expect((await call(port, TOKEN, 'importDataset', { path: path.join(ROOT, 'resources/demo'), name: 'demo', setting: 'warm' })).status).toBe(200);
    const started = await call(port, TOKEN, 'startRun', { dataset: 'demo', trainOverrides: { epochs: 200 } });
    const runId = JSON.parse(started.text).value.runId as number;
    // An open event stream that sees the first epoch end.
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.on('data', (c: Buffer) => {
          if (/"phase":"validate"|"epoch":2/.test(c.toString())) resolve();
        });
        res.on('error', () => {});
      });
      req.on('error', () => {});
    });
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    const s = RunStore.open(store, { readonly: true });
    try {
      const run = s.getRun(runId)!;
      expect(run.status).toBe('cancelled');
      expect(s.lastEpoch(runId)).toBeGreaterThanOrEqual(1);
      expect(s.lastEpoch(runId)).toBeLessThan(200);
      expect(s.resumeCheck(runId)).toEqual({ ok: true });
    } finally {
      s.close();
    }
  });
});
