// Faults injected for real during training on the demo data: a full disk (the store file may not
// grow), kill -9 at random points, a crash inside the training worker. Afterwards every epoch
// committed before the fault is still there, the run says what happened, and resuming it
// finishes it with contiguous epochs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunHost, type StartRequest } from '../../../src/main/runs/host';
import { importDataset } from '../../../src/main/runs/datasets';
import { RunStore, type RunRecord } from '../../../src/main/store';
import { DEMO, REPO_ROOT as REPO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';
import { childSpec } from './fixtures/train-child';

const dir = fileTempDir('micro-faults-');
let storePath: string;
let nTrain: number;

beforeAll(() => {
  storePath = path.join(dir, 'runs.sqlite');
  const s = RunStore.open(storePath);
  nTrain = importDataset(s, DEMO, { name: 'demo', setting: 'warm' }).record.stats.interactions.train;
  s.close();
});

function withStore<T>(fn: (s: RunStore) => T, file = storePath): T {
  const s = RunStore.open(file); // recovery runs on open
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

const epochsOf = (s: RunStore, id: number) => s.getEpochs(id).map((e) => e.epoch);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Train (or resume) in the worker thread the app uses; resolves when the worker is done. */
async function hosted(req: Partial<StartRequest>): Promise<{ runId: number | null; status: string; error?: string }> {
  const handle = new RunHost().start({ storePath, dataset: 'demo', spec: childSpec(2), ...req });
  return handle.done;
}

describe('a full disk mid-training', () => {
  it('keeps the committed epochs, fails the run naming the full disk, and the run resumes to completion', async () => {
    // A store of its own: no free pages left by other runs, so epoch 2's checkpoint must grow the file.
    const file = path.join(dir, 'full.sqlite');
    const s0 = RunStore.open(file);
    importDataset(s0, DEMO, { name: 'demo', setting: 'warm' });
    s0.close();

    const res = await hosted({ storePath: file, diskFullAfterEpochs: 1 });
    expect(res.status).toBe('failed');
    expect(res.error).toMatch(/disk is full/);
    const runId = res.runId!;
    withStore((s) => {
      const run = s.getRun(runId)!;
      expect(run.status).toBe('failed');
      expect(run.error).toBe(`run store ${file}: the disk is full (database or disk is full); free some space`);
      expect(epochsOf(s, runId)).toEqual([1]);
      expect(s.listArtifacts(runId, { kind: 'checkpoint' }).map((a) => a.epoch)).toEqual([1]);
      expect(s.resumeCheck(runId)).toEqual({ ok: true });
      expect(s.resumableRuns().map((r) => r.id)).toEqual([runId]);
    }, file);

    const resumed = await hosted({ storePath: file, resumeRunId: runId }); // space available again
    expect(resumed).toMatchObject({ runId, status: 'completed' });
    withStore((s) => {
      expect(s.getRun(runId)).toMatchObject({ status: 'completed', error: null });
      expect(epochsOf(s, runId)).toEqual([1, 2]);
    }, file);
  });
});

describe('a crash inside the training worker', () => {
  it('fails the run with the error text; the run is resumable and resuming completes it', async () => {
    const batchesPerEpoch = Math.ceil(nTrain / 1024);
    const res = await hosted({ crashAfterBatches: Math.ceil(1.5 * batchesPerEpoch) }); // in epoch 2
    expect(res).toMatchObject({ status: 'failed', error: 'simulated worker crash' });
    const runId = res.runId!;
    withStore((s) => {
      expect(s.getRun(runId)).toMatchObject({ status: 'failed', error: 'simulated worker crash' });
      expect(epochsOf(s, runId)).toEqual([1]);
      expect(s.resumeCheck(runId)).toEqual({ ok: true });
    });
    expect(await hosted({ resumeRunId: runId })).toMatchObject({ runId, status: 'completed' });
    withStore((s) => expect(epochsOf(s, runId)).toEqual([1, 2]));
  });
});

interface Child {
  lines: string[];
  exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  kill(): void;
  /** Resolves at the first line matching `re`; rejects if the child exits first. */
  line(re: RegExp): Promise<string>;
}

function child(args: string[]): Child {
  const p = spawn(process.execPath, ['--import', 'tsx', 'tests/unit/runs/fixtures/train-child.ts', storePath, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  readline.createInterface({ input: p.stdout! }).on('line', (l) => {
    lines.push(l);
    waiters.forEach((w) => w());
  });
  const exit = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    p.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    lines,
    exit,
    kill: () => p.kill('SIGKILL'),
    line: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find((l) => re.test(l));
          if (hit) resolve(hit);
        };
        waiters.push(check);
        check();
        void exit.then((x) => reject(new Error(`child exited (${x.code ?? x.signal}) before printing ${re}: ${x.stderr}`)));
      }),
  };
}

const reported = (c: Child) => c.lines.filter((l) => l.startsWith('epoch ')).map((l) => Number(l.split(' ')[1]));

describe('kill -9 at random points of training', () => {
  it('leaves an interrupted run with every committed epoch; resumed twice, it completes with contiguous epochs', async () => {
    const EPOCHS = 8;
    const points: string[] = [];
    let runId = 0;
    let kept = new Map<number, string>(); // epoch -> losses, as first seen after a kill
    let c = child(['train', 'demo', String(EPOCHS)]);
    for (let round = 0; round < 2; round++) {
      // Let at least one more epoch commit, then kill after a random delay (mid-epoch, mid-commit, ...).
      const first = Number((await c.line(/^epoch \d+$/)).split(' ')[1]);
      runId ||= Number((await c.line(/^run \d+$/)).split(' ')[1]);
      const delay = Math.floor(Math.random() * 300);
      points.push(`round ${round}: killed ${delay} ms after epoch ${first}`);
      await new Promise((r) => setTimeout(r, delay));
      c.kill();
      const x = await c.exit;
      expect(x.signal, points.join('; ')).toBe('SIGKILL');

      withStore((s) => {
        const run: RunRecord = s.getRun(runId)!;
        expect(run.status, points.join('; ')).toBe('interrupted');
        const epochs = epochsOf(s, runId);
        expect(epochs, points.join('; ')).toEqual(upTo(epochs.length)); // contiguous from 1
        for (const e of reported(c)) expect(epochs).toContain(e); // nothing committed is lost
        for (const e of s.getEpochs(runId)) {
          const losses = JSON.stringify(e.losses);
          if (kept.has(e.epoch)) expect(losses, `epoch ${e.epoch} rewritten`).toBe(kept.get(e.epoch));
        }
        kept = new Map(s.getEpochs(runId).map((e) => [e.epoch, JSON.stringify(e.losses)]));
        expect(s.resumeCheck(runId)).toEqual({ ok: true });
        expect(s.getResumeInfo(runId)!.checkpointEpoch).toBe(epochs[epochs.length - 1]);
      });
      c = child(['resume', String(runId)]);
    }
    const x = await c.exit;
    expect(x.code, x.stderr).toBe(0);
    expect(c.lines).toContain('done completed');
    withStore((s) => {
      expect(s.getRun(runId)!.status).toBe('completed');
      expect(epochsOf(s, runId), points.join('; ')).toEqual(upTo(EPOCHS));
      for (const e of s.getEpochs(runId)) if (kept.has(e.epoch)) expect(JSON.stringify(e.losses)).toBe(kept.get(e.epoch));
    });
  });
});
