// Cold items' CF part at scoring (coldItemCf): the imputation against hand-computed rows, and in
// the model only the cold rows of the scored / exported item representation change.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { imputeColdRows, warmItemMask } from '../../../../../src/main/engine/models/micro/cold-items';
import { MicroModel } from '../../../../../src/main/engine/models/micro/model';
import { resolveMicroConfig } from '../../../../../src/main/engine/models/micro/config';
import { userItemsFromLists } from '../../../../../src/main/engine/data/csr';
import type { SparsePattern } from '../../../../../src/main/engine/ops';
import { tinyDataset } from '../../../../helpers/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

const graph = (n: number, edges: [number, number, number][]): { pattern: SparsePattern; values: Float32Array } => ({
  pattern: { nRows: n, nCols: n, rows: Int32Array.from(edges.map((e) => e[0])), cols: Int32Array.from(edges.map((e) => e[1])) },
  values: Float32Array.from(edges.map((e) => e[2])),
});

describe('imputeColdRows', () => {
  it("replaces a cold row by the modalities' mean of its row-normalised neighbour rows", () => {
    const x = tf.tensor2d([[1, 0], [0, 2], [9, 9], [4, 4]]);
    const warm = Float32Array.from([1, 1, 0, 1]);
    // modality a: item 2 → 0 (weight 1), 1 (weight 3); modality b: item 2 → 3 (weight 2); warm rows have edges too.
    const a = graph(4, [[0, 1, 1], [2, 0, 1], [2, 1, 3], [3, 2, 5]]);
    const b = graph(4, [[1, 0, 1], [2, 3, 2]]);
    const got = imputeColdRows(x, warm, [a, b]).arraySync();
    const fromA = [(1 * 1 + 3 * 0) / 4, (1 * 0 + 3 * 2) / 4];
    const fromB = [4, 4];
    expect(got[2][0]).toBeCloseTo((fromA[0] + fromB[0]) / 2, 6);
    expect(got[2][1]).toBeCloseTo((fromA[1] + fromB[1]) / 2, 6);
    expect([got[0], got[1], got[3]]).toEqual([[1, 0], [0, 2], [4, 4]]);
  });

  it('warmItemMask is null when every item has a train interaction', () => {
    expect(warmItemMask(userItemsFromLists(2, [[0, 1], [2]]), 3)).toBeNull();
    expect(Array.from(warmItemMask(userItemsFromLists(2, [[0], [2]]), 4)!)).toEqual([1, 0, 1, 0]);
  });
});

describe("MICRO with coldItemCf = 'neighbours'", () => {
  it('changes only the cold rows of item_final, and scores with what it exports', async () => {
    const ds = tinyDataset({ items: 12 });
    const warm = warmItemMask(ds.train, ds.nItems)!;
    const cold = [...warm.keys()].filter((i) => warm[i] === 0);
    expect(cold.length).toBeGreaterThan(0);
    const tables = async (coldItemCf: 'own' | 'neighbours') => {
      const m = new MicroModel(ds, resolveMicroConfig('paper', { embedDim: 4, topK: 3, coldItemCf }), 7);
      const e = (await m.inspect()).embeddings;
      await m.prepareScoring();
      const scores = await m.scoreUsers(Int32Array.from([0, 1]));
      m.dispose();
      return { item: e.item_final, user: e.user_final, scores };
    };
    const own = await tables('own');
    const nb = await tables('neighbours');
    const d = own.item.cols;
    for (let i = 0; i < ds.nItems; i++) {
      const a = own.item.data.subarray(i * d, i * d + d);
      const b = nb.item.data.subarray(i * d, i * d + d);
      if (warm[i]) expect(Array.from(b)).toEqual(Array.from(a));
      else expect(Array.from(b)).not.toEqual(Array.from(a));
    }
    expect(Array.from(nb.user.data)).toEqual(Array.from(own.user.data));
    for (const u of [0, 1])
      for (let i = 0; i < ds.nItems; i++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += nb.user.data[u * d + q] * nb.item.data[i * d + q];
        expect(nb.scores[u * ds.nItems + i]).toBeCloseTo(s, 5);
      }
  });
});
