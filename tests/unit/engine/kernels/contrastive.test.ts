// The SIMD contrastive kernels against their reference implementation on small random data:
// availability, the kernels' exp, and the fast core (both schedules, sampled anchors, 1 vs 2 threads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/backend';
import { contrastiveCoreReference } from '../../../../src/main/engine/models/micro/contrastive';
import { contrastiveCoreFast, disposeFastContrastive, fastContrastiveAvailable } from '../../../../src/main/engine/kernels/contrastive';
import { contrastiveKernels } from '../../../../src/main/engine/kernels/simd/infonce';
import { sparseSimdAvailable } from '../../../../src/main/engine/kernels/simd/sparse';
import { lcg, maxAbs, maxDiff } from '../../../helpers/arrays';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => disposeFastContrastive());

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
      const ref = contrastiveCoreReference({ a, c: cc, n: c.n, d: c.d, tau: c.tau, anchors }, 16);
      const fast = contrastiveCoreFast({ a, c: cc, n: c.n, d: c.d, tau: c.tau, anchors }, { threads: c.threads, stored: c.stored });
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
      const r1 = contrastiveCoreFast({ a, c, n, d: 24, tau: 0.5 }, { threads: 1, stored });
      const r2 = contrastiveCoreFast({ a, c, n, d: 24, tau: 0.5 }, { threads: 2, stored });
      const r3 = contrastiveCoreFast({ a, c, n, d: 24, tau: 0.5 }, { threads: 2, stored });
      expect(r2.loss).toBe(r1.loss);
      expect(Array.from(r2.gradA)).toEqual(Array.from(r1.gradA));
      expect(Array.from(r3.gradC)).toEqual(Array.from(r2.gradC));
    }
  });
});
