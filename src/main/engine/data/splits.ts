// Split builders: warm (per-user hold-out), cold-start (held-out items), and carving a test split
// out of train for datasets whose test split is withheld. All seeded and deterministic.

import { DataError, type Dataset, type UserItems } from '../types';
import { itemsOf, mergeUserItems, userItemsFromLists } from './csr';
import { withSplits } from './dataset';
import { createRng } from './random';

export interface Splits {
  train: UserItems;
  val: UserItems;
  test: UserItems;
}

/**
 * 'micro': the LATTICE/MICRO build_data.py rule: per user, h = 2 if n < 10 else int(0.2 n);
 *          of the h randomly drawn held-out interactions, the first floor(h/2) go to TEST and
 *          the rest to VAL (so for n < 10: one val, one test).
 * 'mmrec': MMRec's rule: same h, VAL gets floor(h/2) and TEST the rest (test gets the larger half).
 * Both: h is capped at n - 1 so every user keeps at least one train interaction (n = 2: one val;
 * n = 1: nothing held out). The reference never meets n < 3 (5-core data).
 */
export type WarmRule = 'micro' | 'mmrec';

export interface WarmSplitOptions {
  rule?: WarmRule;
}

export const DEFAULT_SPLIT_SEED = 123;

/** Held-out count for a user with n interactions (see WarmRule). */
export function heldOutCount(n: number): number {
  const h = n < 10 ? 2 : Math.floor(0.2 * n);
  return Math.max(0, Math.min(h, n - 1));
}

/** Warm split of all interactions (one RNG stream over users in id order, Fisher-Yates per user). */
export function warmSplit(all: UserItems, seed = DEFAULT_SPLIT_SEED, opts: WarmSplitOptions = {}): Splits {
  const rule = opts.rule ?? 'micro';
  const rng = createRng(seed);
  const nUsers = all.nUsers;
  const train: Int32Array[] = [];
  const val: Int32Array[] = [];
  const test: Int32Array[] = [];
  for (let u = 0; u < nUsers; u++) {
    const items = itemsOf(all, u).slice();
    rng.shuffle(items);
    const n = items.length;
    const h = heldOutCount(n);
    const nTest = rule === 'micro' ? Math.floor(h / 2) : h - Math.floor(h / 2);
    test.push(items.subarray(0, nTest));
    val.push(items.subarray(nTest, h));
    train.push(items.subarray(h));
  }
  return {
    train: userItemsFromLists(nUsers, train),
    val: userItemsFromLists(nUsers, val),
    test: userItemsFromLists(nUsers, test),
  };
}

export interface ColdSplitOptions {
  /** Fraction of items held out (default 0.2, as the reference). */
  fraction?: number;
}

export interface ColdSplits extends Splits {
  /** Items whose interactions form the validation split (in draw order). */
  coldValItems: Int32Array;
  /** Items whose interactions form the test split (in draw order). */
  coldTestItems: Int32Array;
}

/**
 * Cold-start split as the reference's cold_start.py: draw int(fraction * nItems) item ids
 * uniformly without replacement; the first half (floor) is test-cold, the rest val-cold. Train
 * keeps every interaction on other items; val/test get each user's interactions (from ALL of the
 * source: train + val + test) on the val-/test-cold items.
 */
export function coldSplit(
  source: UserItems | Splits,
  nItems: number,
  seed = DEFAULT_SPLIT_SEED,
  opts: ColdSplitOptions = {},
): ColdSplits {
  const all = 'indptr' in source ? source : mergeUserItems(source.train, source.val, source.test);
  const fraction = opts.fraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`coldSplit: fraction must be in (0, 1), got ${fraction}`);
  const nCold = Math.floor(fraction * nItems);
  const drawn = createRng(seed).sample(nItems, nCold);
  const nTest = Math.floor(nCold / 2);
  const coldTestItems = drawn.slice(0, nTest);
  const coldValItems = drawn.slice(nTest);
  const tag = new Uint8Array(nItems); // 0 train, 1 val, 2 test
  for (const i of coldValItems) tag[i] = 1;
  for (const i of coldTestItems) tag[i] = 2;
  const nUsers = all.nUsers;
  const lists: number[][][] = [[], [], []];
  for (let u = 0; u < nUsers; u++) {
    const row: number[][] = [[], [], []];
    for (const i of itemsOf(all, u)) {
      if (i >= nItems) throw new RangeError(`coldSplit: item ${i} >= nItems ${nItems}`);
      row[tag[i]].push(i);
    }
    for (let s = 0; s < 3; s++) lists[s].push(row[s]);
  }
  return {
    train: userItemsFromLists(nUsers, lists[0]),
    val: userItemsFromLists(nUsers, lists[1]),
    test: userItemsFromLists(nUsers, lists[2]),
    coldValItems,
    coldTestItems,
  };
}

export interface CarveOptions {
  /** Fraction of each eligible user's train items moved to test (default 0.1). */
  fraction?: number;
  /** Only users with at least this many train items give any (default 3). */
  minTrain?: number;
}

/**
 * Carve a test split out of train (for datasets whose test split is withheld, e.g. TikTok):
 * each user with >= minTrain train items moves max(1, floor(fraction * n)) randomly chosen train
 * items to test. Users below minTrain keep all their train items.
 */
export function carveTestFromTrain(
  train: UserItems,
  seed = DEFAULT_SPLIT_SEED,
  opts: CarveOptions = {},
): { train: UserItems; test: UserItems } {
  const fraction = opts.fraction ?? 0.1;
  const minTrain = opts.minTrain ?? 3;
  const rng = createRng(seed);
  const keep: Int32Array[] = [];
  const moved: Int32Array[] = [];
  for (let u = 0; u < train.nUsers; u++) {
    const items = itemsOf(train, u).slice();
    if (items.length < minTrain) {
      keep.push(items);
      moved.push(new Int32Array(0));
      continue;
    }
    rng.shuffle(items);
    const k = Math.max(1, Math.floor(fraction * items.length));
    moved.push(items.subarray(0, k));
    keep.push(items.subarray(k));
  }
  return { train: userItemsFromLists(train.nUsers, keep), test: userItemsFromLists(train.nUsers, moved) };
}

// ---------------------------------------------------------------------------------------------
// Dataset-level helpers (re-validated and re-fingerprinted)

/** Re-split all of a dataset's interactions warm. */
export function splitDatasetWarm(ds: Dataset, seed = DEFAULT_SPLIT_SEED, opts: WarmSplitOptions = {}): Dataset {
  const s = warmSplit(mergeUserItems(ds.train, ds.val, ds.test), seed, opts);
  return withSplits(ds, s, 'warm');
}

/** Cold-start re-split of all of a dataset's interactions. */
export function splitDatasetCold(ds: Dataset, seed = DEFAULT_SPLIT_SEED, opts: ColdSplitOptions = {}): Dataset {
  const s = coldSplit({ train: ds.train, val: ds.val, test: ds.test }, ds.nItems, seed, opts);
  return withSplits(ds, { train: s.train, val: s.val, test: s.test }, 'cold');
}

/** Carve a test split from train; the val split is kept. Fails if the dataset already has a test split. */
export function carveTestDataset(ds: Dataset, seed = DEFAULT_SPLIT_SEED, opts: CarveOptions = {}): Dataset {
  if (ds.test.indices.length > 0) {
    throw new DataError(ds.sourcePaths[0] ?? ds.name, `dataset '${ds.name}' already has a test split (${ds.test.indices.length} interactions)`);
  }
  const c = carveTestFromTrain(ds.train, seed, opts);
  return withSplits(ds, { train: c.train, val: ds.val, test: c.test }, ds.setting);
}
