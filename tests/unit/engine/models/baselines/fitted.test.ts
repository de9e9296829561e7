// Fitted baselines against hand-computed scores on a 3-user, 4-item matrix:
//   u0 {0,1}, u1 {0,1,2}, u2 {2,3}  →  degrees 2,2,2,1; co-counts (0,1)=2, (0,2)=1, (1,2)=1, (2,3)=1.
import { describe, expect, it } from 'vitest';
import { ItemKnn, Popularity } from '../../../../../src/main/engine/models/baselines/fitted';
import { makeDataset } from '../../../../../src/main/engine/data/dataset';
import { userItemsFromLists } from '../../../../../src/main/engine/data/csr';

const ds = makeDataset({
  name: 'hand',
  layout: 'demo',
  sourcePaths: [],
  nUsers: 3,
  nItems: 4,
  train: userItemsFromLists(3, [[0, 1], [0, 1, 2], [2, 3]]),
  val: userItemsFromLists(3, [[2], [3], [0]]),
  test: userItemsFromLists(3, []),
  modalities: [],
});
const users = Int32Array.from([0, 1, 2]);
const row = (s: Float32Array, r: number) => Array.from(s.subarray(r * 4, r * 4 + 4));

describe('ItemKNN', () => {
  it('scores Σ over the history of cosine(co-interaction vectors)', async () => {
    const s = await new ItemKnn(ds, 3).scoreUsers(users);
    // u0: item 0 ← sim(1,0) = 2/√4; item 2 ← sim(0,2)+sim(1,2) = ½+½; item 3 has no shared user.
    [1, 1, 1, 0].forEach((v, i) => expect(row(s, 0)[i]).toBeCloseTo(v, 6));
    // u2: item 0 ← sim(2,0) = ½; item 2 ← sim(3,2) = 1/√2; item 3 ← sim(2,3) = 1/√2.
    [0.5, 0.5, Math.SQRT1_2, Math.SQRT1_2].forEach((v, i) => expect(row(s, 2)[i]).toBeCloseTo(v, 6));
  });
  it('shrink damps the similarity: co / (√(deg_i·deg_j) + shrink)', async () => {
    const s = await new ItemKnn(ds, 3, 1).scoreUsers(users);
    [2 / 3, 2 / 3, 2 / 3, 0].forEach((v, i) => expect(row(s, 0)[i]).toBeCloseTo(v, 6));
    [1 / 3, 1 / 3, 1 / (Math.SQRT2 + 1), 1 / (Math.SQRT2 + 1)].forEach((v, i) => expect(row(s, 2)[i]).toBeCloseTo(v, 6));
  });
  it('keeps only the k most similar neighbours per item', async () => {
    // k = 1: item 0 keeps only item 1 (1 > ½), so u2's history {2,3} reaches item 0 only via 2's list.
    const s = await new ItemKnn(ds, 1).scoreUsers(users);
    // item 2's single neighbour: 3 (1/√2 > ½); item 3's: 2. So u2 scores 0 for items 0 and 1.
    [0, 0, Math.SQRT1_2, Math.SQRT1_2].forEach((v, i) => expect(row(s, 2)[i]).toBeCloseTo(v, 6));
  });
});

describe('Popularity', () => {
  it('scores every user with the train interaction counts', async () => {
    const s = await new Popularity(ds).scoreUsers(users);
    for (let r = 0; r < 3; r++) expect(row(s, r)).toEqual([2, 2, 2, 1]);
  });
});
