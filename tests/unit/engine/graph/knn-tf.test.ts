// The TF.js-matMul kNN against the pure-JS oracle (knn.ts): same neighbours, same order rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/backend';
import { knnCosineTopK } from '../../../../src/main/engine/graph/knn';
import { knnCosineTopKTf } from '../../../../src/main/engine/graph/knn-tf';
import { createRng } from '../../../../src/main/engine/data/random';
import { loadNativeInfonce } from '../../../../src/main/engine/kernels/native/load';

beforeAll(async () => {
  await initBackend('wasm');
});

function features(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dim }, () => rng.normal());
}

describe('knnCosineTopKTf', () => {
  for (const opts of [{}, { includeSelf: false }, { clampNegative: true }, { blockRows: 64 }]) {
    it(`matches the JS oracle on random data ${JSON.stringify(opts)}`, () => {
      const n = 300;
      const dim = 17;
      const k = 7;
      const x = features(n, dim, 3);
      const want = knnCosineTopK(x, n, dim, k, opts);
      const got = knnCosineTopKTf(x, n, dim, k, opts);
      // Random data has no near-ties, so float32 vs float64 accumulation cannot reorder.
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      got.values.forEach((v, i) => expect(v).toBeCloseTo(want.values[i], 5));
    });
  }
  it('keeps self, breaks ties (duplicate rows) to the lower index, and gives zero rows zero similarity', () => {
    const dim = 3;
    const rows = [
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0], // duplicate of 0
      [0, 0, 0], // zero row
      [2, 0, 0], // same direction as 0 and 2
    ];
    const x = Float32Array.from(rows.flat());
    const got = knnCosineTopKTf(x, rows.length, dim, 3, { blockRows: 2 });
    expect(Array.from(got.indices.subarray(0, 3))).toEqual([0, 2, 4]);
    expect(Array.from(got.indices.subarray(6, 9))).toEqual([0, 2, 4]);
    // zero row: every similarity is 0, so ties give the lowest indices
    expect(Array.from(got.indices.subarray(9, 12))).toEqual([0, 1, 2]);
    expect(Array.from(got.values.subarray(9, 12))).toEqual([0, 0, 0]);
    expect(Array.from(got.indices)).toEqual(Array.from(knnCosineTopK(x, rows.length, dim, 3).indices));
  });
  it('pads rows with -1 when k exceeds the candidates', () => {
    const got = knnCosineTopKTf(features(3, 2, 1), 3, 2, 5);
    expect(Array.from(got.indices.subarray(3, 5))).toEqual([-1, -1]);
    expect(got.values[4]).toBe(0);
  });
});

describe('the native top-k offering (kernels/native/topk.c) gives the JS lists exactly', () => {
  const withKernels = <T>(kind: string, f: () => T): T => {
    const prev = process.env.MICRO_KERNELS;
    process.env.MICRO_KERNELS = kind;
    try {
      return f();
    } finally {
      if (prev === undefined) delete process.env.MICRO_KERNELS;
      else process.env.MICRO_KERNELS = prev;
    }
  };
  it.runIf(loadNativeInfonce().ok)('on data full of exact ties, zero rows and negatives, over several tiles', () => {
    const n = 203; // tiles of 48 rows: 5 partial-width tiles, none a multiple of 16 at the end
    const dim = 3;
    const rng = createRng(11);
    // Few distinct directions: many exactly equal similarities, so the index tie-break decides.
    const x = Float32Array.from({ length: n * dim }, (_, q) => (Math.floor(q / dim) % 17 === 0 ? 0 : Math.round(rng.normal() * 1.5)));
    for (const opts of [{ blockRows: 48 }, { blockRows: 48, includeSelf: false }, { blockRows: 48, clampNegative: true }, {}]) {
      for (const k of [1, 6, 40]) {
        const js = withKernels('wasm', () => knnCosineTopKTf(x, n, dim, k, opts));
        const nat = withKernels('native', () => knnCosineTopKTf(x, n, dim, k, opts));
        expect(Array.from(nat.indices), `${JSON.stringify(opts)} k=${k}`).toEqual(Array.from(js.indices));
        expect(Array.from(nat.values)).toEqual(Array.from(js.values));
      }
    }
  });
});
