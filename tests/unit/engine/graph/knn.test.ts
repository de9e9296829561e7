import { describe, expect, it } from 'vitest';
import { knnCosineTopK } from '../../../../src/main/engine/graph/knn';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function randomFeatures(n: number, dim: number, seed: number): Float32Array {
  const r = lcg(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  return x;
}

/**
 * Dense brute force with the same arithmetic as the kernel: double dot products summed over d in
 * order, times the inverse norms, rounded to float32; rows sorted by (value desc, index asc).
 */
function bruteKnn(x: Float32Array, n: number, dim: number, k: number, includeSelf = true, clamp = false) {
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] * x[i * dim + d];
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  const indices = new Int32Array(n * k).fill(-1);
  const values = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row: { j: number; v: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (!includeSelf && j === i) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += x[i * dim + d] * x[j * dim + d];
      let v = Math.fround(s * inv[i] * inv[j]);
      if (clamp && v < 0) v = 0;
      row.push({ j, v });
    }
    row.sort((a, b) => b.v - a.v || a.j - b.j);
    for (let t = 0; t < Math.min(k, row.length); t++) {
      indices[i * k + t] = row[t].j;
      values[i * k + t] = row[t].v;
    }
  }
  return { indices, values };
}

/** Plain float cosine, for an arithmetic-independent sanity check. */
function cosine(x: Float32Array, dim: number, i: number, j: number): number {
  let a = 0, b = 0, c = 0;
  for (let d = 0; d < dim; d++) {
    a += x[i * dim + d] * x[j * dim + d];
    b += x[i * dim + d] ** 2;
    c += x[j * dim + d] ** 2;
  }
  return b > 0 && c > 0 ? a / Math.sqrt(b * c) : 0;
}

describe('knnCosineTopK', () => {
  it('matches a dense brute force on random data for several block sizes', () => {
    const n = 37, dim = 13, k = 5;
    const x = randomFeatures(n, dim, 1);
    const ref = bruteKnn(x, n, dim, k);
    for (const blockRows of [1, 4, 5, 8, 16, 64]) {
      const got = knnCosineTopK(x, n, dim, k, { blockRows });
      expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
      expect(Array.from(got.values)).toEqual(Array.from(ref.values));
    }
    // real cosines, self first with ~1
    for (let i = 0; i < n; i++) {
      const got = knnCosineTopK(x, n, dim, k);
      expect(got.indices[i * k]).toBe(i);
      expect(got.values[i * k]).toBeCloseTo(1, 6);
      for (let t = 0; t < k; t++) expect(got.values[i * k + t]).toBeCloseTo(cosine(x, dim, i, got.indices[i * k + t]), 6);
    }
  });

  it('sorts each row by descending similarity', () => {
    const n = 50, dim = 7, k = 8;
    const got = knnCosineTopK(randomFeatures(n, dim, 2), n, dim, k, { blockRows: 12 });
    for (let i = 0; i < n; i++) for (let t = 1; t < k; t++) expect(got.values[i * k + t]).toBeLessThanOrEqual(got.values[i * k + t - 1]);
  });

  it('breaks ties (duplicated rows) by lower index first, so self can drop out', () => {
    const n = 24, dim = 6, k = 2;
    const x = randomFeatures(n, dim, 3);
    // rows 3, 10 and 20 identical (like mean-imputed images)
    for (const r of [10, 20]) x.copyWithin(r * dim, 3 * dim, 4 * dim);
    const got = knnCosineTopK(x, n, dim, k, { blockRows: 8 });
    const ref = bruteKnn(x, n, dim, k);
    expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
    // the three duplicates tie exactly; lower ids first: rows 10 and 20 both keep [3, 10]
    expect(Array.from(got.indices.subarray(3 * k, 4 * k))).toEqual([3, 10]);
    expect(Array.from(got.indices.subarray(10 * k, 11 * k))).toEqual([3, 10]);
    expect(Array.from(got.indices.subarray(20 * k, 21 * k))).toEqual([3, 10]); // self (20) dropped
    expect(got.values[20 * k]).toBe(got.values[20 * k + 1]);
  });

  it('keeps zero rows at zero similarity (no NaN)', () => {
    const n = 15, dim = 4, k = 4;
    const x = randomFeatures(n, dim, 4);
    x.fill(0, 2 * dim, 3 * dim);
    x.fill(0, 9 * dim, 10 * dim);
    const got = knnCosineTopK(x, n, dim, k, { blockRows: 4 });
    expect(got.values.every((v) => Number.isFinite(v))).toBe(true);
    const ref = bruteKnn(x, n, dim, k);
    expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(got.values)).toEqual(Array.from(ref.values));
    // a zero row is 0-similar to everything: its top-k is the lowest ids (ties), values 0
    expect(Array.from(got.indices.subarray(2 * k, 3 * k))).toEqual([0, 1, 2, 3]);
    expect(Array.from(got.values.subarray(2 * k, 3 * k))).toEqual([0, 0, 0, 0]);
  });

  it('supports includeSelf=false and clampNegative', () => {
    const n = 30, dim = 3, k = 29;
    const x = randomFeatures(n, dim, 5);
    const noSelf = knnCosineTopK(x, n, dim, k, { includeSelf: false, blockRows: 8 });
    const ref = bruteKnn(x, n, dim, k, false);
    expect(Array.from(noSelf.indices)).toEqual(Array.from(ref.indices));
    for (let i = 0; i < n; i++) expect(Array.from(noSelf.indices.subarray(i * k, (i + 1) * k))).not.toContain(i);
    // low dim + k = n - 1: negatives present unless clamped
    expect(noSelf.values.some((v) => v < 0)).toBe(true);
    const clamped = knnCosineTopK(x, n, dim, k, { includeSelf: false, clampNegative: true, blockRows: 8 });
    const refC = bruteKnn(x, n, dim, k, false, true);
    expect(Array.from(clamped.indices)).toEqual(Array.from(refC.indices));
    expect(clamped.values.every((v) => v >= 0)).toBe(true);
  });

  it('pads with -1 / 0 when a row has fewer than k candidates', () => {
    const n = 3, dim = 2;
    const x = new Float32Array([1, 0, 0, 1, 1, 1]);
    const got = knnCosineTopK(x, n, dim, 4, { includeSelf: false });
    expect(Array.from(got.indices.subarray(0, 4))).toEqual([2, 1, -1, -1]);
    expect(got.values[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(Array.from(got.values.subarray(1, 4))).toEqual([0, 0, 0]);
    expect(knnCosineTopK(new Float32Array(0), 0, 4, 3).indices.length).toBe(0);
  });

  it('rejects bad arguments', () => {
    expect(() => knnCosineTopK(new Float32Array(5), 3, 2, 1)).toThrow(RangeError);
    expect(() => knnCosineTopK(new Float32Array(6), 3, 2, 0)).toThrow(RangeError);
  });
});
