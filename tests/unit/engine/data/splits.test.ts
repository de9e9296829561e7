import { describe, expect, it } from 'vitest';
import { countInteractions, itemsOf, mergeUserItems, userItemsFromLists } from '../../../../src/main/engine/data/csr';
import { makeDataset } from '../../../../src/main/engine/data/dataset';
import { createRng } from '../../../../src/main/engine/data/random';
import {
  carveTestDataset,
  carveTestFromTrain,
  coldSplit,
  heldOutCount,
  splitDatasetCold,
  splitDatasetWarm,
  warmSplit,
} from '../../../../src/main/engine/data/splits';
import type { UserItems } from '../../../../src/main/engine/types';
import { lists } from './helpers';

/** Deterministic synthetic interactions: user u has 3 + (u * 7) % 25 items. */
function synthetic(nUsers = 200, nItems = 300, seed = 5): UserItems {
  const rng = createRng(seed);
  const l: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const n = 3 + ((u * 7) % 25);
    l.push(Array.from(rng.sample(nItems, n)));
  }
  return userItemsFromLists(nUsers, l);
}

function disjointUnion(all: UserItems, parts: UserItems[]): void {
  for (let u = 0; u < all.nUsers; u++) {
    const seen: number[] = [];
    for (const p of parts) seen.push(...itemsOf(p, u));
    expect(new Set(seen).size).toBe(seen.length); // disjoint
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from(itemsOf(all, u))); // union
  }
}

describe('seeded PRNG', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(xa);
    expect(xa.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it('int, shuffle and sample behave', () => {
    const r = createRng(1);
    const counts = new Array(5).fill(0);
    for (let k = 0; k < 5000; k++) counts[r.int(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    const arr = Array.from({ length: 50 }, (_, i) => i);
    const sh = createRng(7).shuffle(arr.slice());
    expect(sh).not.toEqual(arr);
    expect(sh.slice().sort((x, y) => x - y)).toEqual(arr);
    expect(createRng(7).shuffle(new Int32Array(arr))).toEqual(Int32Array.from(sh));
    // sparse and dense sampling paths give the same draws
    const s1 = createRng(9).sample(1000, 10);
    const s2 = createRng(9).sample(1000, 10);
    expect(s1).toEqual(s2);
    expect(new Set(s1).size).toBe(10);
    const dense = createRng(3).sample(20, 15);
    expect(new Set(dense).size).toBe(15);
    const sparseOfSame = createRng(3).sample(20, 4);
    expect(Array.from(sparseOfSame)).toEqual(Array.from(dense.subarray(0, 4)));
    let m = 0;
    let v = 0;
    const g = createRng(11);
    for (let k = 0; k < 4000; k++) {
      const x = g.normal();
      m += x;
      v += x * x;
    }
    expect(Math.abs(m / 4000)).toBeLessThan(0.06);
    expect(Math.abs(v / 4000 - 1)).toBeLessThan(0.08);
  });
});

describe('warm split', () => {
  it('follows the MICRO hold-out rule per user', () => {
    expect([1, 2, 3, 9, 10, 14, 15, 25].map(heldOutCount)).toEqual([0, 1, 2, 2, 2, 2, 3, 5]);
    const all = synthetic();
    const s = warmSplit(all, 123);
    disjointUnion(all, [s.train, s.val, s.test]);
    for (let u = 0; u < all.nUsers; u++) {
      const n = itemsOf(all, u).length;
      const h = n < 10 ? 2 : Math.floor(0.2 * n);
      const t = itemsOf(s.test, u).length;
      expect(t).toBe(Math.floor(h / 2)); // MICRO: test gets the first floor(h/2)
      expect(itemsOf(s.val, u).length).toBe(h - t);
      expect(itemsOf(s.train, u).length).toBe(n - h);
    }
  });

  it('MMRec rule gives test the larger half', () => {
    const all = userItemsFromLists(1, [Array.from({ length: 15 }, (_, i) => i)]);
    const m = warmSplit(all, 1, { rule: 'mmrec' });
    expect(countInteractions(m.val)).toBe(1);
    expect(countInteractions(m.test)).toBe(2);
    const micro = warmSplit(all, 1);
    expect(countInteractions(micro.val)).toBe(2);
    expect(countInteractions(micro.test)).toBe(1);
  });

  it('is deterministic per seed and varies with the seed', () => {
    const all = synthetic();
    const a = warmSplit(all, 123);
    const b = warmSplit(all, 123);
    const c = warmSplit(all, 124);
    expect(lists(a.test)).toEqual(lists(b.test));
    expect(lists(a.val)).toEqual(lists(b.val));
    expect(lists(a.test)).not.toEqual(lists(c.test));
  });
});

describe('cold-start split', () => {
  it('holds out int(0.2 N) items, first half test, and keeps them out of train', () => {
    const all = synthetic();
    const s = coldSplit(all, 300, 123);
    expect(s.coldTestItems.length + s.coldValItems.length).toBe(60);
    expect(s.coldTestItems.length).toBe(30);
    const drawn = createRng(123).sample(300, 60);
    expect(Array.from(s.coldTestItems)).toEqual(Array.from(drawn.subarray(0, 30)));
    expect(Array.from(s.coldValItems)).toEqual(Array.from(drawn.subarray(30)));
    const cold = new Set([...s.coldTestItems, ...s.coldValItems]);
    for (const i of s.train.indices) expect(cold.has(i)).toBe(false);
    const vset = new Set(s.coldValItems);
    const tset = new Set(s.coldTestItems);
    for (const i of s.val.indices) expect(vset.has(i)).toBe(true);
    for (const i of s.test.indices) expect(tset.has(i)).toBe(true);
    disjointUnion(all, [s.train, s.val, s.test]);
    // deterministic
    expect(lists(coldSplit(all, 300, 123).val)).toEqual(lists(s.val));
    expect(Array.from(coldSplit(all, 300, 5).coldValItems)).not.toEqual(Array.from(s.coldValItems));
  });

  it('draws val/test from all source splits (train + val + test)', () => {
    const src = { train: userItemsFromLists(2, [[0, 1, 2], [3]]), val: userItemsFromLists(2, [[4], [5]]), test: userItemsFromLists(2, [[6], [7, 8, 9]]) };
    const s = coldSplit(src, 10, 1, { fraction: 0.5 });
    disjointUnion(mergeUserItems(src.train, src.val, src.test), [s.train, s.val, s.test]);
    expect(s.coldTestItems.length).toBe(2);
    expect(s.coldValItems.length).toBe(3);
  });
});

describe('carve test from train', () => {
  it('moves max(1, floor(10%)) items of users with >= 3 train items', () => {
    const all = synthetic();
    const c = carveTestFromTrain(all, 9);
    disjointUnion(all, [c.train, c.test]);
    for (let u = 0; u < all.nUsers; u++) {
      const n = itemsOf(all, u).length;
      expect(itemsOf(c.test, u).length).toBe(n < 3 ? 0 : Math.max(1, Math.floor(0.1 * n)));
    }
    const small = carveTestFromTrain(userItemsFromLists(2, [[1, 2], [1, 2, 3]]), 1);
    expect(lists(small.test)[0]).toEqual([]);
    expect(lists(small.test)[1].length).toBe(1);
    expect(lists(carveTestFromTrain(all, 9).test)).toEqual(lists(c.test));
  });
});

describe('dataset-level split helpers', () => {
  const base = () => {
    const all = synthetic(60, 80, 2);
    const feats = new Float32Array(80 * 2).map((_, k) => k);
    return makeDataset({
      name: 't',
      layout: 'raw',
      setting: 'warm',
      sourcePaths: ['mem'],
      nUsers: 60,
      nItems: 80,
      train: all,
      val: userItemsFromLists(60, []),
      test: userItemsFromLists(60, []),
      modalities: [{ name: 'v', dim: 2, features: feats }],
      requireVal: false,
    });
  };
  it('re-split warm / cold / carve and re-fingerprint', () => {
    const ds = base();
    const w = splitDatasetWarm(ds, 123);
    expect(w.setting).toBe('warm');
    expect(countInteractions(w.train) + countInteractions(w.val) + countInteractions(w.test)).toBe(countInteractions(ds.train));
    expect(w.fingerprint).not.toBe(ds.fingerprint);
    const c = splitDatasetCold(w, 123);
    expect(c.setting).toBe('cold');
    expect(countInteractions(c.train) + countInteractions(c.val) + countInteractions(c.test)).toBe(countInteractions(ds.train));
    const noTest = { ...w, test: userItemsFromLists(60, []) };
    const carved = carveTestDataset(noTest, 4);
    expect(countInteractions(carved.test)).toBeGreaterThan(0);
    expect(lists(carved.val)).toEqual(lists(w.val));
    expect(() => carveTestDataset(w, 4)).toThrow(/already has a test split/);
  });
});
