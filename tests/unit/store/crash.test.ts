// Crash consistency and concurrency against a real second process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/main/store';
import { checkpointFor, hasCheckpoint, lossesFor } from './fixtures/crash-writer';
import { REPO_ROOT, tmpDir } from './helpers';

interface Writer {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  waitFor(pred: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
  closed: Promise<unknown>;
}

function spawnWriter(dbPath: string, args: string[] = []): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/unit/store/fixtures/crash-writer.ts', dbPath, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    for (const w of waiters) w();
  });
  const closed = once(child, 'close');
  return {
    child,
    lines,
    stderr: () => err,
    closed,
    waitFor(pred, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pred(lines)) {
            waiters.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`writer timed out; lines=${lines.length} stderr=${err}`));
        }, timeoutMs);
        waiters.add(check);
        void closed.then(() => {
          if (!pred(lines)) {
            waiters.delete(check);
            clearTimeout(t);
            reject(new Error(`writer exited early (code ${child.exitCode}); stderr=${err}`));
          }
        });
        check();
      });
    },
  };
}

const committed = (lines: string[]) =>
  lines.filter((l) => l.startsWith('committed ')).map((l) => ({ run: Number(l.split(' ')[1]), epoch: Number(l.split(' ')[2]) }));

describe('crash consistency', () => {
  it('kill -9 during training: every reported epoch is stored, the run is interrupted and resumable', async () => {
    const dbPath = path.join(tmpDir(), 'crash.sqlite');
    const ckptBytes = 256 * 1024;
    const w = spawnWriter(dbPath, ['--ckpt-bytes', String(ckptBytes)]);
    await w.waitFor((l) => committed(l).length >= 8);
    expect(w.child.kill('SIGKILL')).toBe(true);
    await w.closed; // reaped: its pid is gone now
    expect(w.child.signalCode).toBe('SIGKILL');
    expect(w.lines).not.toContain('done');

    const reported = committed(w.lines);
    const runId = reported[0]!.run;
    const lastReported = Math.max(...reported.map((r) => r.epoch));

    // A read-only view does not recover: the run still claims to be running.
    const ro = RunStore.open(dbPath, { readonly: true });
    expect(ro.getRun(runId)!.status).toBe('running');
    ro.close();

    const store = RunStore.open(dbPath);
    try {
      expect(store.rawDatabase().pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.recovered).toEqual([{ id: runId, reason: 'process-gone' }]);
      const run = store.getRun(runId)!;
      expect(run.status).toBe('interrupted');
      expect(run.pid).toBe(w.child.pid);
      expect(run.endedAt).not.toBeNull();

      const epochs = store.getEpochs(runId);
      const stored = epochs.map((e) => e.epoch);
      for (const r of reported) expect(stored).toContain(r.epoch);
      // Whole epochs only: contiguous, correct contents, a checkpoint exactly for the even ones.
      expect(stored).toEqual([...Array(stored.length).keys()]);
      expect(stored.length).toBeGreaterThanOrEqual(lastReported + 1);
      for (const e of epochs) expect(e.losses).toEqual(lossesFor(e.epoch));
      const ckpts = store.listArtifacts(runId, { kind: 'checkpoint' }).map((a) => a.epoch);
      expect(ckpts).toEqual(stored.filter(hasCheckpoint));
      expect(run.bestEpoch).toBe(stored[stored.length - 1]);

      expect(store.resumableRuns().map((r) => r.id)).toEqual([runId]);
      const info = store.getResumeInfo(runId)!;
      const expectedCkpt = Math.max(...stored.filter(hasCheckpoint));
      expect(info.checkpointEpoch).toBe(expectedCkpt);
      expect(info.lastRecordedEpoch).toBe(stored[stored.length - 1]);
      expect(info.checkpoint.bytes).toBe(ckptBytes);
      expect(Buffer.compare(info.checkpoint.payload!, Buffer.from(checkpointFor(expectedCkpt, ckptBytes)))).toBe(0);

      // The store keeps working after the crash.
      const resumed = store.createRun({ model: 'micro', parentRunId: runId });
      store.startRun(resumed.id);
      store.recordEpoch(resumed.id, { epoch: info.checkpointEpoch + 1, losses: { bpr: 0.1 } });
      expect(store.finishRun(resumed.id, 'completed').status).toBe('completed');
    } finally {
      store.close();
    }
  });
});

describe('concurrency (WAL)', () => {
  it('readers and another writer work while a second process writes', async () => {
    const dbPath = path.join(tmpDir(), 'concurrent.sqlite');
    const total = 60;
    const w = spawnWriter(dbPath, ['--epochs', String(total), '--delay', '5', '--ckpt-bytes', '65536']);
    await w.waitFor((l) => l.some((x) => x.startsWith('run ')));
    const runId = Number(w.lines.find((x) => x.startsWith('run '))!.split(' ')[1]);

    const reader = RunStore.open(dbPath, { readonly: true });
    const other = RunStore.open(dbPath); // e.g. the GUI, writing its own rows meanwhile
    const rdb = reader.rawDatabase();
    let last = 0;
    let polls = 0;
    let partial = 0;
    let exited = false;
    void w.closed.then(() => (exited = true));
    while (!exited) {
      // One snapshot per poll: epochs and checkpoints must agree (atomic commits).
      const snap = rdb.transaction(() => ({
        epochs: reader.getEpochs(runId).map((e) => e.epoch),
        ckpts: reader.listArtifacts(runId, { kind: 'checkpoint' }).map((a) => a.epoch),
      }))();
      expect(snap.epochs).toEqual([...Array(snap.epochs.length).keys()]);
      expect(snap.ckpts).toEqual(snap.epochs.filter(hasCheckpoint));
      expect(snap.epochs.length).toBeGreaterThanOrEqual(last);
      last = snap.epochs.length;
      if (last > 0 && last < total) partial++;
      if (polls % 5 === 0) other.createRun({ model: 'popularity', name: `gui-${polls}` });
      polls++;
      await sleep(3);
    }
    expect(w.child.exitCode, w.stderr()).toBe(0);
    expect(w.lines).toContain('done');
    expect(partial).toBeGreaterThan(0);
    expect(reader.getEpochs(runId).length).toBe(total);
    expect(reader.getRun(runId)!.status).toBe('completed');
    expect(reader.listRuns({ model: 'popularity' }).length).toBe(Math.ceil(polls / 5));
    reader.close();
    other.close();
  });

  it('an open read transaction neither blocks the writer nor sees half a commit', () => {
    const dbPath = path.join(tmpDir(), 'snap.sqlite');
    const w = RunStore.open(dbPath, { busyTimeoutMs: 200 });
    const r = RunStore.open(dbPath, { readonly: true });
    const run = w.createRun({ model: 'micro' });
    const rdb = r.rawDatabase();
    rdb.exec('BEGIN');
    expect(r.getEpochs(run.id)).toEqual([]);
    w.recordEpochWithCheckpoint(run.id, { epoch: 0, losses: { bpr: 1 } }, { payload: new Uint8Array(10) }); // must not be SQLITE_BUSY
    expect(r.getEpochs(run.id)).toEqual([]); // still the old snapshot
    expect(r.latestCheckpoint(run.id)).toBeNull();
    rdb.exec('COMMIT');
    expect(r.getEpochs(run.id).length).toBe(1);
    expect(r.latestCheckpoint(run.id)!.epoch).toBe(0);
    r.close();
    w.close();
  });
});
