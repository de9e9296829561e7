// The SIMD fast paths against their reference implementations on small random data:
// the contrastive core (both schedules, sampled anchors, 1 vs 2 threads), the sparse ops, and
// the explicit-transpose matMul gradient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/engine/backend';
import { contrastiveCoreReference } from '../../../src/main/engine/models/micro/contrastive';
import { contrastiveCoreFast, disposeFastContrastive, fastContrastiveAvailable } from '../../../src/main/engine/kernels/contrastive';
import { contrastiveKernels } from '../../../src/main/engine/kernels/simd/infonce';
import { sparseSimdAvailable } from '../../../src/main/engine/kernels/simd/sparse';
import { constMatMul, untaped, edgeDots, gatherRows, matMul, scatterAddRows, spmmBackward, spmmForward, spmmForwardJs, takeRows, type SparsePattern } from '../../../src/main/engine/ops';
import { gradCheck, randomTensor } from '../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => disposeFastContrastive());

function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}
function unitRows(n: number, d: number, seed: number): Float32Array {
  const r = lcg(seed);
  const a = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let q = 0; q < d; q++) s += (a[i * d + q] = r()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let q = 0; q < d; q++) a[i * d + q] *= inv;
  }
  return a;
}
function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('SIMD availability (a silent fallback would only show up as slowness)', () => {
  it('Node runs the generated WebAssembly SIMD modules', () => {
    expect(fastContrastiveAvailable(0.5)).toBe(true);
    expect(sparseSimdAvailable(64)).toBe(true);
    expect(sparseSimdAvailable(6)).toBe(false); // widths not a multiple of 4 use JS
  });
  it('the kernels exp is within 2 ulp of exp over the range the loss uses', () => {
    const pages = 1;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const k = new WebAssembly.Instance(new WebAssembly.Module(contrastiveKernels(8, 8, pages)), { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
    const n = 4096;
    const x = new Float32Array(memory.buffer, 0, n);
    for (let i = 0; i < n; i++) x[i] = -80 + (80 * i) / (n - 1);
    k.exp4(0, n * 4, n);
    const y = new Float32Array(memory.buffer, n * 4, n);
    for (let i = 0; i < n; i++) {
      const want = Math.exp(x[i]);
      expect(Math.abs(y[i] - want) / want).toBeLessThan(2.5e-7);
    }
  });
});

describe('fast contrastive core = reference core', () => {
  const cases: { n: number; d: number; tau: number; anchors?: number[]; threads: number; stored: boolean }[] = [
    { n: 7, d: 4, tau: 0.5, threads: 1, stored: true },
    { n: 7, d: 4, tau: 0.5, threads: 2, stored: false },
    { n: 150, d: 37, tau: 0.2, threads: 2, stored: true }, // several blocks, padded d and n
    { n: 150, d: 37, tau: 0.2, threads: 1, stored: false },
    { n: 150, d: 64, tau: 0.5, anchors: [149, 0, 5, 77, 100, 8, 9, 10, 11], threads: 2, stored: true },
    { n: 300, d: 16, tau: 1.5, anchors: Array.from({ length: 130 }, (_, i) => (i * 7) % 300), threads: 2, stored: true },
  ];
  for (const c of cases) {
    it(`n=${c.n} d=${c.d} τ=${c.tau} ${c.anchors ? `${c.anchors.length} anchors` : 'exact'} threads=${c.threads} stored=${c.stored}`, () => {
      const a = unitRows(c.n, c.d, c.n + c.d);
      const cc = unitRows(c.n, c.d, 2 * c.n + 1);
      const anchors = c.anchors ? Int32Array.from(c.anchors) : undefined;
      const ref = contrastiveCoreReference(a, cc, c.n, c.d, c.tau, anchors, 16);
      const fast = contrastiveCoreFast(a, cc, c.n, c.d, c.tau, anchors, { threads: c.threads, stored: c.stored });
      expect(Math.abs(fast.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
      const scale = Math.max(maxAbs(ref.gradA), maxAbs(ref.gradC));
      expect(maxDiff(fast.gradA, ref.gradA) / scale).toBeLessThan(1e-5);
      expect(maxDiff(fast.gradC, ref.gradC) / scale).toBeLessThan(1e-5);
    });
  }
  it('gives bit-identical results with 1 or 2 threads, and for the same call twice', () => {
    const n = 400;
    const a = unitRows(n, 24, 1);
    const c = unitRows(n, 24, 2);
    for (const stored of [true, false]) {
      const r1 = contrastiveCoreFast(a, c, n, 24, 0.5, undefined, { threads: 1, stored });
      const r2 = contrastiveCoreFast(a, c, n, 24, 0.5, undefined, { threads: 2, stored });
      const r3 = contrastiveCoreFast(a, c, n, 24, 0.5, undefined, { threads: 2, stored });
      expect(r2.loss).toBe(r1.loss);
      expect(Array.from(r2.gradA)).toEqual(Array.from(r1.gradA));
      expect(Array.from(r3.gradC)).toEqual(Array.from(r2.gradC));
    }
  });
});

describe('sparse SIMD ops = JS loops', () => {
  const n = 40;
  const d = 12;
  const r = lcg(9);
  const nnz = 300;
  const rows = Int32Array.from({ length: nnz }, (_, e) => Math.floor((e * n) / nnz)).sort();
  const cols = Int32Array.from({ length: nnz }, () => Math.floor(((r() + 1) / 2) * n) % n);
  const p: SparsePattern = { nRows: n, nCols: n, rows, cols };
  const vals = Float32Array.from({ length: nnz }, () => r());
  const h = Float32Array.from({ length: n * d }, () => r());
  const g = Float32Array.from({ length: n * d }, () => r());
  it('spmm forward and backward', () => {
    expect(maxDiff(spmmForward(p, vals, h, d), spmmForwardJs(p, vals, h, d))).toBeLessThan(1e-5);
    const { dh, dv } = spmmBackward(p, vals, h, g, d);
    const wantDh = new Float32Array(n * d);
    const wantDv = new Float32Array(nnz);
    for (let e = 0; e < nnz; e++)
      for (let c = 0; c < d; c++) {
        wantDh[cols[e] * d + c] += vals[e] * g[rows[e] * d + c];
        wantDv[e] += g[rows[e] * d + c] * h[cols[e] * d + c];
      }
    expect(maxDiff(dh, wantDh)).toBeLessThan(1e-5);
    expect(maxDiff(dv, wantDv)).toBeLessThan(1e-5);
    expect(maxAbs(spmmBackward(p, vals, h, g, d, false).dv)).toBe(0);
  });
  it('row gather and scatter-add (repeated indices add up)', () => {
    const idx = Int32Array.from([5, 0, 5, 39, 2]);
    const got = takeRows(h, idx, d);
    idx.forEach((i, k) => expect(Array.from(got.subarray(k * d, k * d + d))).toEqual(Array.from(h.subarray(i * d, i * d + d))));
    const s = scatterAddRows(idx, g.subarray(0, idx.length * d), n, d);
    for (let c = 0; c < d; c++) expect(s[5 * d + c]).toBeCloseTo(g[c] + g[2 * d + c], 6);
    expect(s[1 * d]).toBe(0);
  });
  it('edgeDots equals the gathered row products and has a correct gradient', () => {
    const x = randomTensor([n, d], 3) as tf.Tensor2D;
    const got = edgeDots(x, p).dataSync();
    const want = tf.sum(tf.mul(gatherRows(x, rows), gatherRows(x, cols)), 1).dataSync();
    for (let e = 0; e < nnz; e++) expect(got[e]).toBeCloseTo(want[e], 5);
    const w = randomTensor([nnz], 4);
    const res = gradCheck((t) => tf.sum(tf.mul(edgeDots(t as tf.Tensor2D, p), w)) as tf.Scalar, [x], { eps: 1e-2 });
    expect(res.maxRelErr).toBeLessThan(1e-2);
  });
});

describe('matMul with explicit-transpose gradients', () => {
  it('matches tf.matMul forward and gradients', () => {
    const a = randomTensor([5, 3], 1) as tf.Tensor2D;
    const b = randomTensor([3, 4], 2) as tf.Tensor2D;
    const w = randomTensor([5, 4], 3);
    expect(maxDiff(matMul(a, b).dataSync() as Float32Array, tf.matMul(a, b).dataSync() as Float32Array)).toBeLessThan(1e-6);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
    const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
    ours.forEach((g, i) => expect(maxDiff(g.dataSync() as Float32Array, theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5));
  });
  it('constMatMul (frozen left operand) gives the same value and w-gradient, summed over row blocks', () => {
    const x = randomTensor([7, 3], 4) as tf.Tensor2D;
    const w = randomTensor([3, 2], 5) as tf.Tensor2D;
    const m = randomTensor([7, 2], 6);
    const host = { data: x.dataSync() as Float32Array, rows: 7, cols: 3 };
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, t as tf.Tensor2D), m)))(w);
    for (const blockRows of [2, 3, 7, 100]) {
      const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(constMatMul(host, t as tf.Tensor2D, blockRows), m)))(w);
      expect(maxDiff(ours.dataSync() as Float32Array, theirs.dataSync() as Float32Array)).toBeLessThan(1e-5);
      expect(maxDiff(constMatMul(host, w, blockRows).dataSync() as Float32Array, tf.matMul(x, w).dataSync() as Float32Array)).toBeLessThan(1e-6);
    }
    expect(() => constMatMul({ data: new Float32Array(5), rows: 2, cols: 3 }, w)).toThrow(/5 values, expected 2×3/);
  });
});

describe('untaped', () => {
  // Under a gradient tape, every kernel's saved inputs are kept alive until backprop; untaped work
  // (top-k selection) must leave nothing behind. The taped variant shows the check can fail.
  const a = () => randomTensor([64, 8], 7) as tf.Tensor2D;
  const tileWork = () => {
    const x = a();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.matMul(tf.mul(x, 2), tf.transpose(x)).dataSync()[0]);
    x.dispose();
    return 42;
  };
  function tensorsKeptUnderTape(work: () => number): { kept: number; result: number } {
    let kept = -1;
    let result = 0;
    const w = tf.scalar(1.5);
    const g = tf.grad((t: tf.Tensor) => {
      const before = tf.memory().numTensors;
      result = work();
      kept = tf.memory().numTensors - before;
      return tf.mul(t, t);
    })(w);
    expect(g.dataSync()[0]).toBeCloseTo(3, 6);
    tf.dispose([g, w]);
    return { kept, result };
  }
  it('runs the function with the tape paused and returns its result', () => {
    expect(tensorsKeptUnderTape(() => untaped(tileWork))).toEqual({ kept: 0, result: 42 });
    expect(tensorsKeptUnderTape(tileWork).kept).toBeGreaterThan(0);
  });
  it('propagates errors from the function', () => {
    expect(() => untaped(() => {
      throw new Error('boom');
    })).toThrow('boom');
  });
});
