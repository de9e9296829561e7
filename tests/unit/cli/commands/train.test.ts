// A run trained by the CLI in another process shows up through the API, with epochs and metrics.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { WorkbenchService } from '../../../../src/main/api';
import { fileTempDir } from '../../../helpers/temp';

const dir = fileTempDir('micro-api-cli-');

describe('CLI runs in the API', () => {
  it('lists a CLI-trained run with its epochs, final metrics and artifacts', async () => {
    const store = path.join(dir, 'runs.sqlite');
    execFileSync(process.execPath, ['bin/micro.mjs', '--store', store, '--quiet', 'train', '--dataset', 'resources/demo', '--epochs', '2', '--name', 'from-cli', '--set', 'evalEvery=1'], {
      stdio: 'pipe',
      timeout: 110_000,
    });
    const service = new WorkbenchService({ storePath: store, mode: 'browser' });
    try {
      const api = service.api();
      const runs = await api.listRuns();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ name: 'from-cli', model: 'micro', status: 'completed', datasetName: 'demo', active: false });
      expect(runs[0].metrics['test/recall@20']).toBeGreaterThan(0);
      const d = await api.getRun({ runId: runs[0].id });
      expect(d.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(d.graphModalities.sort()).toEqual(['textual', 'visual']);
      const nb = await api.itemNeighbours({ runId: runs[0].id, item: 3 });
      expect(nb.modalities.every((m) => m.neighbours.length > 0)).toBe(true);
      expect((await api.listDatasets()).map((x) => x.name)).toEqual(['demo']);
    } finally {
      await service.close();
    }
  });
});
