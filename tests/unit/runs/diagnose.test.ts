// diagnoseDataset bounds the user's ks: k above N - 1 (or the search's limits) and overlong lists
// are refused with a message naming `ks` and the limit, before any kNN table is allocated.
import { describe, expect, it } from 'vitest';
import { userItemsFromLists } from '../../../src/main/engine/data/csr';
import { makeDataset } from '../../../src/main/engine/data/dataset';
import { DataError, type Dataset } from '../../../src/main/engine/types';
import { diagnoseDataset, MAX_K } from '../../../src/main/runs/diagnose';

function toy(nItems: number): Dataset {
  const train = userItemsFromLists(3, [[0, 1, 2], [1, 3], [2, 3, 4]].map((l) => l.map((i) => i % nItems)));
  const val = userItemsFromLists(3, [[nItems - 1], [0], []]);
  const features = Float32Array.from({ length: nItems * 3 }, (_, i) => Math.sin(i + 1));
  return makeDataset({
    name: 'toy', layout: 'lattice', sourcePaths: [], nUsers: 3, nItems, train, val, test: userItemsFromLists(3, []),
    modalities: [{ name: 'visual', dim: 3, features }],
  });
}

function error(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('nothing was thrown');
}

describe('diagnoseDataset ks bounds', () => {
  it('refuses k above N - 1, naming ks and the limit', () => {
    const e = error(() => diagnoseDataset(toy(10), [5, 250000]));
    expect(e.message).toBe('ks: k = 250000 is over the limit of 9 for dataset "toy" (N - 1 with N = 10 items)');
    expect(diagnoseDataset(toy(10), [9])[0].shareWithSimilarPair.map((s) => s.k)).toEqual([9]);
  });

  it('refuses k above the search limit on a large item set, and more than 16 values', () => {
    expect(error(() => diagnoseDataset(toy(2000), [MAX_K + 1])).message).toBe(
      `ks: k = ${MAX_K + 1} is over the limit of ${MAX_K} for dataset "toy" (at most ${MAX_K}: the neighbour search slows with k)`,
    );
    const many = Array.from({ length: 17 }, (_, i) => i + 1);
    expect(error(() => diagnoseDataset(toy(30), many)).message).toBe('ks: expected 1 to 16 values, got 17');
  });

  it('trims the default ks to what a small dataset allows', () => {
    expect(diagnoseDataset(toy(8))[0].shareWithSimilarPair.map((s) => s.k)).toEqual([5]);
    expect(diagnoseDataset(toy(4), [5, 10, 15, 20])[0].shareWithSimilarPair.map((s) => s.k)).toEqual([3]);
  });
});
