// The batch-row finals (finals.ts) give the loss exactly what the full U×d / N×d tables give:
// the same values and, for every variable, the same gradient to the bit, including repeated users
// and items and every combination of backbone and user-preference part.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { resolveMicroConfig, type MicroConfig } from '../../../../../src/main/engine/models/micro/config';
import { batchRowSets, selectRows } from '../../../../../src/main/engine/models/micro/finals';
import { userMeanPattern } from '../../../../../src/main/engine/models/micro/parts';
import { batchL2, bprLoss } from '../../../../../src/main/engine/models/common';
import { gatherRows } from '../../../../../src/main/engine/ops';
import type { TrainBatch } from '../../../../../src/main/engine/models/types';
import { tinyDataset } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('wasm'); // the backend (and SIMD paths: d = 16) the training runs on
});

const ds = tinyDataset({ users: 30, items: 40, modalities: [8, 12], seed: 3 });
// Users and items repeat (the interaction sampler repeats users; items repeat across triples).
const batch: TrainBatch = {
  users: Int32Array.from([7, 3, 7, 29, 0, 3, 12]),
  pos: Int32Array.from([5, 5, 39, 0, 17, 2, 5]),
  neg: Int32Array.from([17, 8, 8, 1, 5, 33, 17]),
};

describe('batchRowSets and selectRows', () => {
  it('list distinct rows ascending and map every triple back to its rows', () => {
    const r = batchRowSets(batch);
    expect(Array.from(r.users)).toEqual([0, 3, 7, 12, 29]);
    expect(Array.from(r.items)).toEqual([0, 1, 2, 5, 8, 17, 33, 39]);
    batch.users.forEach((u, k) => expect(r.users[r.userAt[k]]).toBe(u));
    batch.pos.forEach((i, k) => expect(r.items[r.posAt[k]]).toBe(i));
    batch.neg.forEach((i, k) => expect(r.items[r.negAt[k]]).toBe(i));
  });
  it('selectRows keeps the chosen rows\' edges and values, in order', () => {
    const m = userMeanPattern(ds);
    const sub = selectRows(m, Int32Array.from([29, 3]));
    const want = (u: number) => Array.from(m.pattern.cols.subarray(m.indptr[u], m.indptr[u + 1]));
    expect(Array.from(sub.pattern.cols)).toEqual([...want(29), ...want(3)]);
    expect(Array.from(sub.pattern.rows)).toEqual([...want(29).map(() => 0), ...want(3).map(() => 1)]);
    expect(Array.from(sub.values)).toEqual(Array.from(sub.pattern.rows, (_, e) => m.values[m.indptr[sub.pattern.rows[e] === 0 ? 29 : 3]]));
    expect([sub.pattern.nRows, sub.pattern.nCols]).toEqual([2, 40]);
  });
});

/** Loss value and every variable's gradient, through the full tables or through the batch rows. */
function lossAndGrads(model: MicroModel, rebuild: boolean, viaRows: boolean): { loss: number; grads: Record<string, number[]> } {
  const rows = batchRowSets(batch);
  const { value, grads } = tf.variableGrads(() => {
    const f = model.forward(rebuild, false, viaRows ? rows : undefined);
    const [u, p, n] = viaRows
      ? [gatherRows(f.userFinal, rows.userAt), gatherRows(f.itemFinal, rows.posAt), gatherRows(f.itemFinal, rows.negAt)]
      : [gatherRows(f.userFinal, batch.users), gatherRows(f.itemFinal, batch.pos), gatherRows(f.itemFinal, batch.neg)];
    return tf.add(bprLoss(u, p, n), batchL2(0.5, u, p, n)) as tf.Scalar;
  }, model.variables());
  const out = { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('finals on the batch rows = the full tables', () => {
  const cases: [string, Partial<MicroConfig>][] = [
    ['paper (LightGCN, preference)', {}],
    ['MF backbone', { cfModel: 'mf' }],
    ['without the preference part', { preference: false }],
    ['reference preset', { preset: 'reference' }],
  ];
  for (const [name, overrides] of cases) {
    it(name, () => {
      const cfg = resolveMicroConfig(overrides.preset ?? 'paper', { embedDim: 16, topK: 4, ...overrides });
      const model = new MicroModel(ds, cfg, 11);
      for (const rebuild of [true, false]) {
        const full = lossAndGrads(model, rebuild, false);
        const rows = lossAndGrads(model, rebuild, true);
        expect(rows.loss).toBe(full.loss);
        expect(Object.keys(rows.grads).sort()).toEqual(Object.keys(full.grads).sort());
        for (const k of Object.keys(full.grads)) expect(rows.grads[k], k).toEqual(full.grads[k]);
      }
      model.dispose();
    });
  }
});
