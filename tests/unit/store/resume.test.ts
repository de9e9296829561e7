// One resume rule, owned by the store: a run with a checkpoint is resumable whatever stopped it
// (failed, cancelled, interrupted); completed / queued / running runs are not. resumeCheck,
// resumableRuns, getResumeInfo and the failed -> running transition all agree.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, StoreError, type RunRecord } from '../../../src/main/store';
import { deadPid, tmpDir } from './helpers';

let store: RunStore;
beforeEach(() => {
  store = RunStore.open(path.join(tmpDir(), 'runs.sqlite'));
});
afterEach(() => store.close());

/** A run that trained `epochs` epochs (each with a checkpoint unless withCheckpoint is false). */
function trained(epochs: number, withCheckpoint = true, owner?: number): RunRecord {
  const run = store.createRun({ model: 'micro' });
  store.startRun(run.id, owner === undefined ? {} : { pid: owner });
  for (let e = 1; e <= epochs; e++) {
    store.recordEpochWithCheckpoint(run.id, { epoch: e, losses: { bpr: 1 / e } }, withCheckpoint ? { payload: Buffer.from([e]) } : null);
  }
  return run;
}

describe('resumeCheck', () => {
  it('accepts failed, cancelled and interrupted runs with a checkpoint, and says why it refuses the others', () => {
    const failed = trained(2);
    store.finishRun(failed.id, 'failed', { error: 'database or disk is full' });
    const cancelled = trained(1);
    store.finishRun(cancelled.id, 'cancelled', { error: 'cancelled by user' });
    const interrupted = trained(3, true, deadPid());
    const completed = trained(2);
    store.finishRun(completed.id, 'completed');
    const noCkpt = trained(2, false);
    store.finishRun(noCkpt.id, 'failed', { error: 'worker crashed' });
    const running = trained(1);
    const queued = store.createRun({ model: 'mf' });
    store.recoverInterruptedRuns();
    expect(store.getRun(interrupted.id)!.status).toBe('interrupted');

    for (const r of [failed, cancelled, interrupted]) expect(store.resumeCheck(r.id)).toEqual({ ok: true });
    expect(store.resumeCheck(completed.id)).toEqual({ ok: false, reason: `run ${completed.id} is completed; there is nothing to resume (only a run that stopped early can be)` });
    expect(store.resumeCheck(noCkpt.id)).toEqual({ ok: false, reason: `run ${noCkpt.id} has no checkpoint to resume from` });
    expect(store.resumeCheck(running.id)).toEqual({ ok: false, reason: `run ${running.id} is running (pid ${process.pid} on ${store.getRun(running.id)!.host})` });
    expect(store.resumeCheck(queued.id)).toMatchObject({ ok: false, reason: expect.stringContaining(`run ${queued.id} has not started`) });
    expect(() => store.resumeCheck(999)).toThrow(StoreError);

    // The list and the resume info agree with the check.
    const ok = [failed, cancelled, interrupted].map((r) => r.id).sort();
    expect(store.resumableRuns().map((r) => r.id).sort()).toEqual(ok);
    for (const r of [failed, cancelled, interrupted, completed, noCkpt, running, queued]) {
      expect(store.getResumeInfo(r.id) !== null).toBe(ok.includes(r.id));
    }
    expect(store.getResumeInfo(failed.id)).toMatchObject({ checkpointEpoch: 2, lastRecordedEpoch: 2 });
  });

  it('a failed run with a checkpoint can be started again in place; one without cannot', () => {
    const failed = trained(2);
    store.finishRun(failed.id, 'failed', { error: 'worker crashed' });
    const resumed = store.startRun(failed.id);
    expect(resumed).toMatchObject({ id: failed.id, status: 'running', error: null, endedAt: null });
    store.recordEpochWithCheckpoint(failed.id, { epoch: 3, losses: { bpr: 0.3 } }, { payload: Buffer.from([3]) });
    expect(store.finishRun(failed.id, 'completed').status).toBe('completed');
    expect(store.resumeCheck(failed.id).ok).toBe(false);
    expect(store.getEpochs(failed.id).map((e) => e.epoch)).toEqual([1, 2, 3]);

    const bare = trained(1, false);
    store.finishRun(bare.id, 'failed');
    expect(() => store.startRun(bare.id)).toThrow(/run \d+ is failed and has no checkpoint; it cannot become running/);
  });
});
