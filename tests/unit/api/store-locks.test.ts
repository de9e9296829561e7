// The browser-mode server keeps its store connection open while every import, split, index and
// training worker opens the store again in the same process. Another process (the CLI, a python
// sqlite3 shell) opening and closing the store in between must not make it delete -wal/-shm
// under the server: every id the API hands out must be findable, every run must finish.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { DEMO } from '../../helpers/paths';
import { finished } from '../../helpers/service';
import { fileTempDir } from '../../helpers/temp';
import { otherProcessRunNames } from '../store/helpers';

const dir = fileTempDir('micro-api-locks-');

describe('store locks under the workbench service', () => {
  it('survive worker threads and other processes opening the store between API calls', async () => {
    const storePath = path.join(dir, 'runs.sqlite');
    const service = new WorkbenchService({ storePath, mode: 'browser' });
    try {
      const api = service.api();
      await api.importDataset({ path: DEMO, name: 'demo-a', setting: 'warm' }); // a task worker opened the store
      expect(otherProcessRunNames(storePath)).toEqual([]);
      await api.importDataset({ path: DEMO, name: 'demo-b', setting: 'cold' });
      expect(otherProcessRunNames(storePath)).toEqual([]);
      expect(fs.existsSync(`${storePath}-wal`)).toBe(true);

      const { runId } = await api.startRun({ dataset: 'demo-a', name: 'locks', modelOverrides: { embedDim: 16 }, trainOverrides: { epochs: 2 } });
      const done = finished(service, runId);
      expect((await api.getRun({ runId })).run.id).toBe(runId);
      expect(otherProcessRunNames(storePath)).toEqual(['locks']);
      expect(await done).toMatchObject({ status: 'completed' });

      expect(otherProcessRunNames(storePath)).toEqual(['locks']);
      const detail = await api.getRun({ runId });
      expect(detail.run.status).toBe('completed');
      expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect((await api.listRuns()).map((r) => r.id)).toEqual([runId]);
      expect(await api.deleteDataset({ dataset: 'demo-b' })).toEqual({ deleted: true });
      expect((await api.listDatasets()).map((d) => d.name)).toEqual(['demo-a']);
      expect(otherProcessRunNames(storePath)).toEqual(['locks']);
      expect(service.store.rawDatabase().pragma('quick_check', { simple: true })).toBe('ok');
    } finally {
      await service.close();
    }
  });
});
