import { describe, expect, it } from 'vitest';
import { knnCosineTopK } from '../../../../src/main/engine/graph/knn';
import { pilotStudies } from '../../../../src/main/engine/graph/pilot';
import type { UserItems } from '../../../../src/main/engine/types';

function userItems(lists: number[][]): UserItems {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((l, u) => (indptr[u + 1] = indptr[u] + l.length));
  return { nUsers: lists.length, indptr, indices: Int32Array.from(lists.flatMap((l) => [...l].sort((a, b) => a - b))) };
}

describe('pilotStudies (paper section 2.2)', () => {
  // Items (2-d): e0 = (1,0), e1 = (0,1), e2 = (1,1), e3 = (2,0) (same direction as e0).
  // Cosines: c01 = 0, c02 = 1/sqrt2, c03 = 1, c12 = 1/sqrt2, c13 = 0, c23 = 1/sqrt2.
  const features = Float32Array.from([1, 0, 0, 1, 1, 1, 2, 0]);
  const r = Math.SQRT1_2;
  // Users: u0 {0,3}, u1 {1,2}, u2 {0,1,2}, u3 {1} (fewer than 2 items), u4 {1,3}, u5 {0,3}.
  const train = userItems([[0, 3], [1, 2], [0, 1, 2], [1], [1, 3], [0, 3]]);

  it('computes the hand-worked example', () => {
    const res = pilotStudies(features, 4, 2, train, [1, 2, 3]);
    // all ordered pairs i != j: 2 * (0 + r + 1 + r + 0 + r) / (4 * 3)
    expect(res.meanAllPairs).toBeCloseTo((1 + 3 * r) / 6, 6);
    // co-interacted (user, pair) occurrences: u0: c03 = 1; u1: c12 = r; u2: c01 + c02 + c12 = 0 + 2r;
    // u4: c13 = 0; u5: c03 = 1  -> (2 + 3r) / 7 pairs
    expect(res.coInteractedPairs).toBe(7);
    expect(res.meanCoInteracted).toBeCloseTo((2 + 3 * r) / 7, 6);
    // neighbour lists without self (ties -> lower id first):
    //   0: [3 (1), 2 (r), 1 (0)]   1: [2 (r), 0 (0), 3 (0)]   2: [0, 1, 3 (all r)]   3: [0 (1), 2 (r), 1 (0)]
    // u0: 3 in top-1 of 0 -> k>=1. u1: 2 in top-1 of 1 -> k>=1. u2: 2 in top-1 of 1 -> k>=1.
    // u4 {1,3}: 3 is 3rd for 1, 1 is 3rd for 3 -> k>=3. u5 = u0. Considered users: 5 (u3 excluded).
    expect(res.usersConsidered).toBe(5);
    expect(res.shareWithSimilarPair).toEqual([
      { k: 1, share: 4 / 5 },
      { k: 2, share: 4 / 5 },
      { k: 3, share: 5 / 5 },
    ]);
  });

  it('reuses a precomputed kNN and defaults to ks = [5, 10, 15, 20]', () => {
    const knn = knnCosineTopK(features, 4, 2, 3, { includeSelf: false });
    const a = pilotStudies(features, 4, 2, train, [1, 2, 3], { knn });
    const b = pilotStudies(features, 4, 2, train, [1, 2, 3]);
    expect(a).toEqual(b);
    const d = pilotStudies(features, 4, 2, train);
    expect(d.shareWithSimilarPair.map((s) => s.k)).toEqual([5, 10, 15, 20]);
    expect(d.shareWithSimilarPair.every((s) => s.share === 1)).toBe(true);
  });

  it('matches a brute-force mean over all pairs on random data (zero rows count as 0)', () => {
    const n = 40, dim = 6;
    let s = 9;
    const x = Float32Array.from({ length: n * dim }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.3);
    x.fill(0, 5 * dim, 6 * dim);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let a = 0, b = 0, c = 0;
        for (let d = 0; d < dim; d++) {
          a += x[i * dim + d] * x[j * dim + d];
          b += x[i * dim + d] ** 2;
          c += x[j * dim + d] ** 2;
        }
        sum += b > 0 && c > 0 ? a / Math.sqrt(b * c) : 0;
      }
    }
    const res = pilotStudies(x, n, dim, userItems([]), []);
    expect(res.meanAllPairs).toBeCloseTo(sum / (n * (n - 1)), 10);
    expect(res.meanCoInteracted).toBe(0);
    expect(res.shareWithSimilarPair).toEqual([]);
  });
});
