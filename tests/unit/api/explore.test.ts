// The explorer and user view on a MICRO run trained on the demo: neighbours strongest first on one
// weight scale, the initial ↔ learned difference and modality agreement (checked against the
// stored lists), attention histograms fitted to the data with their tails, and each
// recommendation's score split into parts that sum to the score the restored model ranks with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { WorkbenchService } from '../../../src/main/api';
import { RunStore } from '../../../src/main/store';
import { loadRegistered } from '../../../src/main/runs/datasets';
import { initBackend } from '../../../src/main/engine/backend';
import { findModel } from '../../../src/main/engine/registry';
import { decodeCheckpoint, restoreVariables } from '../../../src/main/engine/train/checkpoint';
import type { MicroApi } from '../../../src/shared/api';
import { fileTempDir } from '../../helpers/temp';
import { finished, serviceWithDemoRun } from '../../helpers/service';

const dir = fileTempDir('micro-api-explore-');
let service: WorkbenchService;
let api: MicroApi;
let runId = 0;

beforeAll(async () => {
  ({ service, api, runId } = await serviceWithDemoRun(dir, { name: 'demo', setting: 'warm', epochs: 2 }));
}, 150_000);
afterAll(() => service?.close());

/** A stored neighbour list as sets of ids per item (the item itself left out). */
function storedSets(store: RunStore, modality: string, stage: string): Set<number>[] {
  const a = store.findArtifact(runId, 'neighbours', `${modality}/${stage}`, { payload: true })!;
  const ids = new Int32Array(a.payload!.buffer.slice(a.payload!.byteOffset, a.payload!.byteOffset + a.payload!.byteLength));
  const [n, k] = a.shape!;
  return Array.from({ length: n }, (_, i) => new Set([...ids.subarray(i * k, i * k + k)].filter((x) => x >= 0 && x !== i)));
}
const jac = (a: Set<number>, b: Set<number>) => {
  const both = [...a].filter((x) => b.has(x)).length;
  return both / (a.size + b.size - both);
};

describe('explorer API on a trained MICRO run', () => {
  it('lists neighbours strongest first with the run’s k, λ, one weight scale and the categories', async () => {
    const nb = await api.itemNeighbours({ runId, item: 7, stage: 'combined' });
    expect(nb).toMatchObject({ k: 10, lambda: 0.7 });
    expect(nb.categories).toHaveLength(20);
    expect(nb.categories[0]).toMatch(/ \/ /);
    let max = 0;
    for (const stage of ['initial', 'learned', 'combined'] as const) {
      const r = await api.itemNeighbours({ runId, item: 7, stage });
      expect(r.weightMax).toBe(nb.weightMax); // one scale, whatever the stage
      for (const m of r.modalities) {
        const w = m.neighbours.map((n) => n.weight);
        expect(w).toEqual([...w].sort((a, b) => b - a));
        max = Math.max(max, ...w);
        expect(m.neighbours.length).toBeLessThanOrEqual(stage === 'combined' ? 20 : 10);
      }
    }
    expect(nb.weightMax).toBeGreaterThanOrEqual(max);
  });

  it('splits an item’s neighbours into kept, gained and lost, with Jaccard and modality agreement', async () => {
    const store = RunStore.open(path.join(dir, 'runs.sqlite'));
    try {
      const d = await api.itemGraphDiff({ runId, item: 7 });
      expect(d.modalities.map((m) => m.modality).sort()).toEqual(['textual', 'visual']);
      for (const m of d.modalities) {
        const ini = storedSets(store, m.modality, 'initial')[7];
        const lea = storedSets(store, m.modality, 'learned')[7];
        const kept = m.neighbours.filter((n) => n.initial !== null && n.learned !== null).map((n) => n.item);
        const gained = m.neighbours.filter((n) => n.initial === null).map((n) => n.item);
        const lost = m.neighbours.filter((n) => n.learned === null).map((n) => n.item);
        expect(new Set(kept)).toEqual(new Set([...lea].filter((x) => ini.has(x))));
        expect(new Set(gained)).toEqual(new Set([...lea].filter((x) => !ini.has(x))));
        expect(new Set(lost)).toEqual(new Set([...ini].filter((x) => !lea.has(x))));
        expect([m.kept, m.gained, m.lost]).toEqual([kept.length, gained.length, lost.length]);
        expect(m.jaccard).toBeCloseTo(jac(ini, lea), 10);
      }
      const [a, b] = d.agreement.filter((x) => x.stage === 'learned').map((x) => [x.a, x.b])[0];
      const ag = d.agreement.find((x) => x.stage === 'learned')!;
      expect(new Set(ag.shared)).toEqual(new Set([...storedSets(store, a, 'learned')[7]].filter((x) => storedSets(store, b, 'learned')[7].has(x))));
      // dataset means, against a brute-force pass over every item
      for (const s of d.summary.modalities) {
        const ini = storedSets(store, s.modality, 'initial');
        const lea = storedSets(store, s.modality, 'learned');
        const mean = ini.reduce((t, x, i) => t + jac(x, lea[i]), 0) / ini.length;
        expect(s.meanJaccard).toBeCloseTo(mean, 10);
      }
      const sa = storedSets(store, a, 'combined');
      const sb = storedSets(store, b, 'combined');
      expect(d.summary.agreement.find((x) => x.stage === 'combined')!.meanJaccard).toBeCloseTo(sa.reduce((t, x, i) => t + jac(x, sb[i]), 0) / sa.length, 10);
    } finally {
      store.close();
    }
  });

  it('fits the attention histogram to the data and lists both tails', async () => {
    const dist = await api.attentionDistribution({ runId, bins: 10, tail: 3 });
    for (const hs of [dist.modality!, dist.sharedSpecific!]) {
      const lo = Math.min(...hs.map((h) => h.min));
      const hi = Math.max(...hs.map((h) => h.max));
      expect(hs[0].edges[0]).toBeCloseTo(lo, 6);
      expect(hs[0].edges[10]).toBeCloseTo(hi, 6);
      expect(hi - lo).toBeLessThan(0.9); // a short run: far narrower than [0, 1]
      for (const h of hs) {
        expect(h.counts.reduce((x, y) => x + y, 0)).toBe(400);
        expect(h.low.map((t) => t.value)).toEqual([...h.low.map((t) => t.value)].sort((x, y) => x - y));
        expect(h.low[0].value).toBeCloseTo(h.min, 6);
        expect(h.high[0].value).toBeCloseTo(h.max, 6);
        expect(h.high).toHaveLength(3);
        expect(h.high[0].title).toBeTruthy();
        expect(h.std).toBeGreaterThan(0);
      }
      const att = await api.itemAttention({ runId, item: hs[0].high[0].item });
      const vec = hs === dist.modality ? att.modality! : att.sharedSpecific!;
      expect(vec.values[0]).toBeCloseTo(hs[0].high[0].value, 6);
    }
  });

  // paper: specific parts and user preference on (w_m = (2α_c − 1)α^m + α_s^m, user side too);
  // reference: neither (w_m = α^m, item side only).
  it.each(['paper', 'reference'] as const)('splits each recommendation’s score into CF and modality parts that sum to the model’s score (%s)', async (preset) => {
    const user = 3;
    let id = runId;
    if (preset !== 'paper') {
      ({ runId: id } = await api.startRun({ dataset: 'demo', model: 'micro', preset, trainOverrides: { epochs: 1, evalEvery: 1 } }));
      expect(await finished(service, id)).toMatchObject({ status: 'completed' });
    }
    const uv = await api.userView({ runId: id, user, k: 10 });
    // The score the model ranks with: the run's model restored from its checkpoint.
    const store = RunStore.open(path.join(dir, 'runs.sqlite'));
    const run = store.getRun(id)!;
    const ds = loadRegistered(store.getDataset(run.datasetId!)!);
    const ck = decodeCheckpoint(new Uint8Array(store.latestCheckpoint(id, { payload: true })!.payload!));
    store.close();
    await initBackend();
    const resolved = (run.config as { resolved: { model: string; seed: number; modelConfig: Record<string, unknown> } }).resolved;
    const model = findModel('micro')!.create(ds, resolved.modelConfig as never, resolved.seed);
    try {
      restoreVariables(model.variables(), ck.best ?? ck.variables);
      await model.prepareScoring();
      const scores = await model.scoreUsers(Int32Array.of(user));
      for (const r of uv.recommendations) {
        expect(r.parts).not.toBeNull();
        const p = r.parts!;
        expect(p.modalities.map((m) => m.modality).sort()).toEqual(['textual', 'visual']);
        const sum = p.cf + p.modalities.reduce((s, m) => s + m.value, 0);
        expect(Math.abs(sum - scores[r.item])).toBeLessThan(1e-4);
        expect(Math.abs(p.residual)).toBeLessThan(1e-4);
        expect(Math.abs(p.modalities[0].value)).toBeGreaterThan(1e-3); // the graphs do contribute
      }
    } finally {
      model.dispose();
    }
  }, 60_000);
});
