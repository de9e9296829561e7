// A cancelled run records why: the user's cancel, or the workbench shutting down under it (the
// run is then resumable like any cancelled one, and says so).
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { RunStore } from '../../../src/main/store';
import { CANCEL_REASONS, cancelMessage } from '../../../src/main/runs/cancel';
import { DEMO } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-cancel-');


/** Starts a long MICRO run and resolves once it has trained a batch. */
async function trainingRun(service: WorkbenchService): Promise<number> {
  const api = service.api();
  await api.importDataset({ path: DEMO, name: 'demo' });
  const { runId } = await api.startRun({ dataset: 'demo', model: 'micro', trainOverrides: { epochs: 1000 } });
  await new Promise<void>((resolve) => {
    const off = service.onEvent((e) => {
      if (e.type === 'progress' && e.runId === runId && e.progress.phase === 'train') {
        off();
        resolve();
      }
    });
  });
  return runId;
}

describe('the reason of a cancel', () => {
  it('maps codes to texts, a user cancel by default', () => {
    expect(cancelMessage(CANCEL_REASONS.shutdown.code)).toBe(CANCEL_REASONS.shutdown.error);
    expect(cancelMessage(1)).toBe('cancelled by user');
    expect(cancelMessage(99)).toBe('cancelled by user');
  });

  it('a shutdown while training records a shutdown, not a user cancel; a user cancel records the user', { timeout: 120_000 }, async () => {
    const storePath = path.join(dir, 'runs.sqlite');
    const service = new WorkbenchService({ storePath, mode: 'browser' });
    const runId = await trainingRun(service);
    await service.close({ waitMs: 60_000 });
    const store = RunStore.open(storePath, { appVersion: 'test' });
    try {
      expect(store.getRun(runId)).toMatchObject({ status: 'cancelled', error: CANCEL_REASONS.shutdown.error });
    } finally {
      store.close();
    }
    const again = new WorkbenchService({ storePath: path.join(dir, 'user.sqlite'), mode: 'browser' });
    try {
      const id = await trainingRun(again);
      const ended = new Promise<void>((resolve) => again.onEvent((e) => e.type === 'run-updated' && e.runId === id && e.status !== 'running' && resolve()));
      await again.api().cancelRun({ runId: id });
      await ended;
      expect(again.store.getRun(id)).toMatchObject({ status: 'cancelled', error: 'cancelled by user' });
    } finally {
      await again.close();
    }
  });
});
