// Ctrl-C (SIGINT) stops `micro train` and `micro demo` within a batch, even though training is
// busy: the run ends `cancelled` with its committed epochs, the CLI exits 130, and `micro resume`
// continues the run from its checkpoint to completion.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const cli = path.join(repo, 'bin/micro.mjs');
const dir = fileTempDir('micro-cancel-');

/** Start the CLI, send SIGINT once stderr matches `when`, resolve with its exit code and output. */
function interruptWhen(args: string[], when: RegExp): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  // Never leave a training process behind if the CLI ignores the signal.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr: sent ? stderr : `${stderr}\n(SIGINT was never sent)` });
    }),
  );
}

function micro(store: string, ...args: string[]) {
  return spawnSync(process.execPath, [cli, '--store', store, ...args], { encoding: 'utf8', timeout: 300_000 });
}

describe('Ctrl-C', () => {
  it('cancels `micro train` within a batch, exits 130, and `micro resume` completes the run', { timeout: 400_000 }, async () => {
    const store = path.join(dir, 'train.sqlite');
    const imp = micro(store, 'datasets', 'import', path.join(repo, 'resources/demo'), '--name', 'demo', '--setting', 'warm');
    expect(imp.status, imp.stderr).toBe(0);
    // SIGINT right after epoch 1: the remaining 11 epochs take seconds, the cancel takes one batch.
    const r = await interruptWhen(['--store', store, 'train', '--dataset', 'demo', '--epochs', '12', '--set', 'evalEvery=1', 'patience=1000', 'embedDim=16'], /epoch 1 val recall@20/);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^micro: run \d+ cancelled after epoch \d+; continue it with: micro resume \d+$/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');

    const s = RunStore.open(store);
    const run = s.listRuns()[0];
    expect(run.status).toBe('cancelled');
    const epochs = s.getEpochs(run.id).map((e) => e.epoch);
    expect(epochs[0]).toBe(1);
    expect(epochs.length).toBeLessThan(12);
    expect(s.latestCheckpoint(run.id)?.epoch).toBe(epochs.at(-1));
    s.close();

    const res = micro(store, '--json', 'resume', String(run.id));
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).run).toMatchObject({ id: run.id, status: 'completed' });
    const after = RunStore.open(store);
    expect(after.getRun(run.id)!.status).toBe('completed');
    expect(after.getEpochs(run.id).map((e) => e.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    after.close();
  });

  it('stops `micro demo` with exit 130 and leaves its current run cancelled', { timeout: 400_000 }, async () => {
    const store = path.join(dir, 'demo.sqlite');
    const r = await interruptWhen(['--store', store, 'demo', '--epochs', '200'], /epoch 1 val recall@20/);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).not.toMatch(/Test metrics/); // the demo stopped, it did not go on to the table
    const s = RunStore.open(store);
    const runs = s.listRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ model: 'micro', status: 'cancelled' });
    s.close();
  });
});
