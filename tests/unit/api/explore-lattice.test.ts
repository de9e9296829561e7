// The explorer and the graph export on a LATTICE run (the registry says it has item graphs): its
// per-modality shares of the fused graph are stored like MICRO's lists — initial, learned and
// combined neighbours per modality, served by itemNeighbours and itemGraphDiff, exported as CSV —
// and the run page says it has no attention weights (the explorer skips that panel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchService } from '../../../src/main/api';
import type { MicroApi } from '../../../src/shared/api';
import { NEIGHBOUR_STAGES } from '../../../src/shared/vocabulary';
import { fileTempDir } from '../../helpers/temp';
import { serviceWithDemoRun } from '../../helpers/service';

const dir = fileTempDir('micro-api-explore-lattice-');
let service: WorkbenchService;
let api: MicroApi;
let runId = 0;

beforeAll(async () => {
  ({ service, api, runId } = await serviceWithDemoRun(dir, { name: 'demo', setting: 'warm', epochs: 2, model: 'lattice' }));
}, 150_000);
afterAll(() => service?.close());

describe('explorer API on a trained LATTICE run', () => {
  it('stores every modality’s graphs and no attention', async () => {
    const run = await api.getRun({ runId });
    expect(run.run.capabilities.graphs).toBe(true);
    expect(run.graphModalities.sort()).toEqual(['textual', 'visual']);
    expect(run.hasAttention).toBe(false);
  });

  it('serves each stage’s neighbours strongest first, the combined list within the union of the two others', async () => {
    const byStage: Record<string, Map<string, number[]>> = {};
    for (const stage of NEIGHBOUR_STAGES) {
      const nb = await api.itemNeighbours({ runId, item: 3, stage });
      expect(nb.lambda).toBe(0.7);
      expect(nb.modalities.length).toBe(2);
      byStage[stage] = new Map(nb.modalities.map((m) => [m.modality, m.neighbours.map((x) => x.item)]));
      for (const m of nb.modalities) {
        const w = m.neighbours.map((x) => x.weight);
        expect(w).toEqual([...w].sort((a, b) => b - a));
        expect(m.neighbours.length).toBeGreaterThan(0);
      }
    }
    for (const [modality, combined] of byStage.combined) {
      const union = new Set([...byStage.initial.get(modality)!, ...byStage.learned.get(modality)!]);
      for (const j of combined) expect(union.has(j)).toBe(true);
    }
    const diff = await api.itemGraphDiff({ runId, item: 3 });
    expect(diff.modalities.length).toBe(2);
  });

  it('exports the graphs as CSV edge lists', async () => {
    const out = await api.exportRun({ runId, what: 'graphs', format: 'csv' });
    expect(out.files.length).toBeGreaterThan(0);
    const text = Buffer.from(out.files[0].data!, 'base64').toString('utf8');
    expect(text.split('\n')[0]).toBe('source,target,weight,modality,stage');
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(new Set(rows.map((r) => `${r[3]}/${r[4]}`))).toEqual(new Set(['textual', 'visual'].flatMap((m) => NEIGHBOUR_STAGES.map((st) => `${m}/${st}`))));
    expect(rows.every((r) => Number(r[2]) >= 0)).toBe(true);
  });
});
