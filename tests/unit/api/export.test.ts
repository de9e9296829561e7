// exportRun through the API: recommendations computed in a task worker and embeddings written by
// the exporter, both returned as file bytes.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { DEMO } from '../../helpers/paths';
import { tempDir } from '../../helpers/temp';
import { finished } from '../../helpers/service';

describe('exportRun', () => {
  it('returns top-K recommendations as CSV bytes and embeddings with their id map', async () => {
    const dir = tempDir('micro-api-export-');
    const service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'browser' });
    try {
      const api = service.api();
      await api.importDataset({ path: DEMO, name: 'demo', setting: 'warm' });
      const pop = await api.startRun({ dataset: 'demo', model: 'popularity' });
      await finished(service, pop.runId);
      const { files } = await api.exportRun({ runId: pop.runId, what: 'recommendations', format: 'csv', k: 5, split: 'test' });
      expect(files.map((f) => [f.name, f.mime])).toEqual([[`run${pop.runId}-recommendations-test-top5.csv`, 'text/csv']]);
      const lines = Buffer.from(files[0].data!, 'base64').toString('utf8').trim().split('\n');
      expect(lines[0]).toBe('user,item,rank,score');
      const rows = lines.slice(1).map((l) => l.split(','));
      expect(rows.length % 5).toBe(0);
      expect(rows.slice(0, 5).map((r) => r[2])).toEqual(['1', '2', '3', '4', '5']);
      const scores = rows.slice(0, 5).map((r) => Number(r[3]));
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);

      const mf = await api.startRun({ dataset: 'demo', model: 'mf', trainOverrides: { epochs: 1 } });
      await finished(service, mf.runId);
      const emb = await api.exportRun({ runId: mf.runId, what: 'embeddings', format: 'csv', embedding: 'item_final' });
      expect(emb.files.length).toBeGreaterThan(0);
      expect(emb.files.every((f) => f.size === Buffer.from(f.data!, 'base64').length)).toBe(true);
    } finally {
      await service.close();
    }
  });
});
