// Native sparse propagation (src/main/engine/kernels/native/sparse.ts + sparse.c) against the wasm
// kernel it replaces: bit for bit, on patterns with unsorted rows, repeated edges, empty rows and
// widths that hit every remainder of the native loop (64-wide blocks, 16-wide, scalar tail); the
// CSR conversion against hand-made cases; the module's argument checks; propagate()'s value and
// gradient through TF.js with either kernel set.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../src/main/engine/backend';
import { loadNativeInfonce } from '../../../../src/main/engine/kernels/native/load';
import { patternCsr, propagateNative, toCsr } from '../../../../src/main/engine/kernels/native/sparse';
import { propagateSimd } from '../../../../src/main/engine/kernels/simd/sparse';
import { propagate, type SparsePattern } from '../../../../src/main/engine/ops';
import { lcg } from '../../../helpers/arrays';

const native = loadNativeInfonce();

/** n×n pattern with `nnz` random edges (unsorted, repeats allowed), row n−1 left empty, and its values. */
function randomGraph(n: number, nnz: number, seed: number): { p: SparsePattern; values: Float32Array } {
  const r = lcg(seed);
  const pick = () => Math.min(n - 2, Math.floor(((r() + 1) / 2) * (n - 1)));
  const rows = Int32Array.from({ length: nnz }, pick);
  const cols = Int32Array.from({ length: nnz }, () => Math.min(n - 1, Math.floor(((r() + 1) / 2) * n)));
  return { p: { nRows: n, nCols: n, rows, cols }, values: Float32Array.from({ length: nnz }, r) };
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

describe('toCsr', () => {
  it('groups edges by row, keeping their order within a row, and maps each entry back to its edge', () => {
    const c = toCsr(Int32Array.from([2, 0, 2, 1, 0]), Int32Array.from([5, 6, 7, 8, 9]), 4);
    expect([...c.ptr]).toEqual([0, 2, 3, 5, 5]);
    expect([...c.idx]).toEqual([6, 9, 8, 5, 7]);
    expect([...c.perm!]).toEqual([1, 4, 3, 0, 2]);
  });
  it('uses the columns as they are when the edges are already sorted by row', () => {
    const cols = Int32Array.from([3, 1, 2]);
    const c = toCsr(Int32Array.from([0, 0, 2]), cols, 3);
    expect(c.perm).toBeNull();
    expect(c.idx).toBe(cols);
    expect([...c.ptr]).toEqual([0, 2, 2, 3]);
  });
  it('names an edge whose row is outside the pattern', () => {
    expect(() => toCsr(Int32Array.from([0, 3]), Int32Array.from([0, 0]), 3)).toThrow(/edge 1 has row 3, outside 0..2/);
  });
  it('is built once per pattern and direction', () => {
    const { p } = randomGraph(10, 30, 3);
    expect(patternCsr(p, false)).toBe(patternCsr(p, false));
    expect(patternCsr(p, true)).toBe(patternCsr(p, true));
    expect(patternCsr(p, true)).not.toBe(patternCsr(p, false));
  });
});

describe.runIf(native.ok)('native propagation = wasm propagation, bit for bit', () => {
  const nat = native.ok ? native.module : (null as never);
  for (const d of [4, 12, 16, 64, 100]) {
    it(`d = ${d}: both modes, 0-3 layers, A and Aᵀ`, () => {
      const n = 37;
      const { p, values } = randomGraph(n, 160, d);
      const r = lcg(100 + d);
      const h = Float32Array.from({ length: n * d }, r);
      for (const mode of ['last', 'mean'] as const)
        for (const layers of [0, 1, 2, 3])
          for (const transpose of [false, true]) {
            const want = propagateSimd(p.rows, p.cols, values, n, h, d, layers, mode, transpose);
            const got = propagateNative(nat, p, values, h, d, layers, mode, transpose);
            expect(bitsEqual(got, want), `${mode} L=${layers} transpose=${transpose}`).toBe(true);
          }
    });
  }
  it('on rows already sorted (a kNN or user-item pattern: no permutation)', () => {
    const n = 50;
    const k = 7;
    const r = lcg(9);
    const rows = Int32Array.from({ length: n * k }, (_, e) => Math.floor(e / k));
    const cols = Int32Array.from({ length: n * k }, () => Math.floor(((r() + 1) / 2) * n) % n);
    const p = { nRows: n, nCols: n, rows, cols };
    const values = Float32Array.from({ length: n * k }, r);
    const h = Float32Array.from({ length: n * 64 }, r);
    expect(patternCsr(p, false).perm).toBeNull();
    for (const transpose of [false, true])
      expect(bitsEqual(propagateNative(nat, p, values, h, 64, 2, 'mean', transpose), propagateSimd(rows, cols, values, n, h, 64, 2, 'mean', transpose))).toBe(true);
  });
  it('the module refuses inconsistent arrays instead of reading out of bounds', () => {
    const ptr = Int32Array.from([0, 1, 2]);
    const h = new Float32Array(8);
    const out = new Float32Array(8);
    expect(() => nat.propagate(ptr, Int32Array.from([0, 2]), new Float32Array(2), null, h, 4, 1, 0, out)).toThrow(/inconsistent CSR arrays/);
    expect(() => nat.propagate(ptr, Int32Array.from([0, 1]), new Float32Array(1), null, h, 4, 1, 0, out)).toThrow(/inconsistent CSR arrays/);
    expect(() => nat.propagate(ptr, Int32Array.from([0, 1]), new Float32Array(2), null, h, 4, 1, 0, new Float32Array(4))).toThrow(/inconsistent CSR arrays/);
    expect(() => nat.propagate(ptr, Int32Array.from([0, 1]), new Float32Array(2), Int32Array.from([0, 5]), h, 4, 1, 0, out)).toThrow(/inconsistent CSR arrays/);
    expect(() => nat.propagate(ptr, new Float32Array(2) as unknown as Int32Array, new Float32Array(2), null, h, 4, 1, 0, out)).toThrow(/idx must be a Int32Array/);
  });
});

describe.runIf(native.ok)('propagate() through TF.js on either kernel set', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  it('value and gradient are identical with MICRO_KERNELS=native and =wasm', () => {
    const n = 29;
    const d = 16;
    const { p, values } = randomGraph(n, 120, 5);
    const r = lcg(77);
    const h0 = Float32Array.from({ length: n * d }, r);
    const weight = tf.tensor2d(Float32Array.from({ length: n * d }, r), [n, d]);
    const prev = process.env.MICRO_KERNELS;
    const run = (kind: string) => {
      process.env.MICRO_KERNELS = kind;
      const h = tf.tensor2d(h0, [n, d]);
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(propagate(p, values, x as tf.Tensor2D, 2, 'mean'), weight)))(h);
      const out = { value: value.dataSync()[0], grad: (grad.dataSync() as Float32Array).slice() };
      tf.dispose([h, value, grad]);
      return out;
    };
    try {
      const a = run('native');
      const b = run('wasm');
      expect(a.value).toBe(b.value);
      expect(bitsEqual(a.grad, b.grad)).toBe(true);
      // And the gradient is Aᵀ-propagation of the weight (the mean of the powers), not a copy of the forward.
      const want = propagateSimd(p.rows, p.cols, values, n, weight.dataSync() as Float32Array, d, 2, 'mean', true);
      expect(bitsEqual(a.grad, want)).toBe(true);
    } finally {
      if (prev === undefined) delete process.env.MICRO_KERNELS;
      else process.env.MICRO_KERNELS = prev;
      weight.dispose();
    }
  });
});
