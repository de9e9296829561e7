// A training run killed with SIGKILL mid-training: the store stays consistent, the run shows as
// interrupted with every committed epoch, and `micro resume` finishes it from the checkpoint.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const cli = path.join(repo, 'bin/micro.mjs');
const dir = fileTempDir('micro-crash-');

describe('kill -9 during training', () => {
  it('leaves an interrupted, resumable run', { timeout: 600_000 }, async () => {
    const store = path.join(dir, 'runs.sqlite');
    const imp = spawnSync(process.execPath, [cli, '--store', store, 'datasets', 'import', path.join(repo, 'resources/demo'), '--name', 'demo', '--setting', 'warm'], { encoding: 'utf8' });
    expect(imp.status, imp.stderr).toBe(0);
    const child = spawn(process.execPath, [cli, '--store', store, 'train', '--dataset', 'demo', '--epochs', '30', '--set', 'evalEvery=1', 'embedDim=16'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/epoch 3 val recall@20/.test(err)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`training exited (${code}) before it could be killed: ${err}`)));
    });
    await new Promise((r) => child.once('exit', r));

    const s = RunStore.open(store); // recovery runs on open
    const run = s.listRuns()[0];
    expect(run.status).toBe('interrupted');
    const epochs = s.getEpochs(run.id).map((e) => e.epoch);
    expect(epochs.slice(0, 3)).toEqual([1, 2, 3]);
    const info = s.getResumeInfo(run.id)!;
    expect(info.checkpointEpoch).toBe(epochs[epochs.length - 1]);
    expect(s.resumableRuns().map((r) => r.id)).toContain(run.id);
    s.close();

    const res = spawnSync(process.execPath, [cli, '--store', store, '--json', 'resume', String(run.id)], { encoding: 'utf8', timeout: 500_000 });
    expect(res.status, res.stderr).toBe(0);
    const after = RunStore.open(store);
    const done = after.getRun(run.id)!;
    expect(done.status).toBe('completed');
    const all = after.getEpochs(run.id).map((e) => e.epoch);
    expect(all[0]).toBe(1);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1)); // contiguous: resumed at checkpoint + 1
    expect(all.length).toBeGreaterThan(epochs.length);
    after.close();
  });
});
