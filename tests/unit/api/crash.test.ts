// A training worker that fails or dies marks its run failed with the error text, visible through the API.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { DEMO } from '../../helpers/paths';
import { finished } from '../../helpers/service';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-api-crash-');

describe('worker crashes', () => {
  it('a run whose worker throws mid-training is failed with the error text', async () => {
    const service = new WorkbenchService({ storePath: path.join(dir, 'a.sqlite'), mode: 'browser', testHooks: { crashAfterBatches: 2 } });
    try {
      const api = service.api();
      await api.importDataset({ path: DEMO, name: 'demo-warm', setting: 'warm' });
      const { runId } = await api.startRun({ dataset: 'demo-warm', trainOverrides: { epochs: 2 } });
      const ev = await finished(service, runId);
      expect(ev).toMatchObject({ status: 'failed', error: expect.stringContaining('simulated worker crash') });
      const d = await api.getRun({ runId });
      expect(d.run.status).toBe('failed');
      expect(d.run.error).toContain('simulated worker crash');
      expect(d.run.active).toBe(false);
      expect((await api.listRuns()).find((r) => r.id === runId)?.error).toContain('simulated worker crash');
    } finally {
      await service.close();
    }
  });

  it('a run failed by a worker crash keeps its checkpoint and resumes through the API to completion', async () => {
    const storePath = path.join(dir, 'resume.sqlite');
    let runId: number;
    const crashing = new WorkbenchService({ storePath, mode: 'browser', testHooks: { crashAfterBatches: 5 } });
    try {
      const api = crashing.api();
      await api.importDataset({ path: DEMO, name: 'demo-warm', setting: 'warm' });
      // 7,837 demo train interactions = 2 batches an epoch at 4096: the crash comes in epoch 3.
      ({ runId } = await api.startRun({ dataset: 'demo-warm', model: 'mf', trainOverrides: { epochs: 6, batchSize: 4096 } }));
      expect(await finished(crashing, runId)).toMatchObject({ status: 'failed' });
      const d = await api.getRun({ runId });
      expect(d.run.epochsRecorded).toBeGreaterThan(0);
      expect(d.run.resumable).toBe(true);
    } finally {
      await crashing.close();
    }
    const service = new WorkbenchService({ storePath, mode: 'browser' });
    try {
      const api = service.api();
      const before = (await api.getRun({ runId })).epochs.map((e) => e.epoch);
      const done = finished(service, runId);
      expect(await api.resumeRun({ runId })).toEqual({ runId });
      expect(await done).toMatchObject({ status: 'completed' });
      const after = await api.getRun({ runId });
      expect(after.epochs.map((e) => e.epoch).slice(0, before.length)).toEqual(before);
      expect(after.epochs.map((e) => e.epoch)).toEqual(after.epochs.map((_, i) => i + 1));
      await expect(api.resumeRun({ runId })).rejects.toThrow(/completed/);
    } finally {
      await service.close();
    }
  });

  it('a worker that exits without reporting leaves a failed run, not a running one', async () => {
    const storePath = path.join(dir, 'b.sqlite');
    const service = new WorkbenchService({
      storePath,
      mode: 'browser',
      host: { workerEntry: new URL('./fixtures/exiting-worker.mjs', import.meta.url), execArgv: [] },
    });
    try {
      const api = service.api();
      await api.importDataset({ path: DEMO, name: 'demo-warm', setting: 'warm' });
      const { runId } = await api.startRun({ dataset: 'demo-warm' });
      const ev = await finished(service, runId);
      expect(ev).toMatchObject({ status: 'failed', error: 'worker exited with code 7 before finishing' });
      expect((await api.getRun({ runId })).run).toMatchObject({ status: 'failed', error: 'worker exited with code 7 before finishing' });
    } finally {
      await service.close();
    }
  });
});
