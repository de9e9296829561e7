// The SIMD contrastive kernels against their reference implementation on small random data:
// availability, the kernels' exp, and the fast core (both schedules, sampled anchors, 1 vs 2 threads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/main/engine/backend';
import { contrastiveCoreReference } from '../../../../src/main/engine/models/micro/contrastive';
import { contrastiveCoreFast, disposeFastContrastive, fastContrastiveAvailable, MIN_TAU, type KernelChoice } from '../../../../src/main/engine/kernels/contrastive';
import { loadNativeInfonce } from '../../../../src/main/engine/kernels/native/load';
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
  it("the forward kernel's 2^y is within 2.5e-7 of 2^y over the range the loss uses", () => {
    const pages = 1;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const k = new WebAssembly.Instance(new WebAssembly.Module(contrastiveKernels(8, 8, pages)), { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
    // Shifted base-2 logits lie in [−2·log₂e/τ, 0] ⊂ [−116, 0] for τ ≥ MIN_TAU; the grid also
    // lands on the ±½ ends of the polynomial's interval.
    const n = 4096;
    const lo = -2 * Math.LOG2E / MIN_TAU - 0.25;
    const x = new Float32Array(memory.buffer, 0, n);
    for (let i = 0; i < n; i++) x[i] = i < 64 ? -0.5 + i / 63 : lo + ((0 - lo) * (i - 64)) / (n - 65);
    k.exp2(0, n * 4, n);
    const y = new Float32Array(memory.buffer, n * 4, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - 2 ** x[i]) / 2 ** x[i]);
    expect(worst).toBeLessThan(2.5e-7);
  });
});

// Both kernel sets behind the same schedules: wasm always, native where it is built (native.test.ts fails where it is not).
const nativeLoad = loadNativeInfonce();
const kernelSets: KernelChoice[] = [{ kind: 'wasm' }, ...(nativeLoad.ok ? [{ kind: 'native' as const, isa: nativeLoad.module.isa, file: nativeLoad.file }] : [])];

describe.each(kernelSets)('fast contrastive core on $kind kernels = reference core', (kernels) => {
  type Case = { n: number; d: number; tau: number; anchors?: number[]; threads: number; stored: boolean; blockRows?: number; groupRows?: number };
  const cases: Case[] = [
    { n: 7, d: 4, tau: 0.5, threads: 1, stored: true },
    { n: 7, d: 4, tau: 0.5, threads: 2, stored: false },
    { n: 150, d: 37, tau: 0.2, threads: 2, stored: true }, // several blocks, padded d and n
    { n: 150, d: 37, tau: 0.2, threads: 2, stored: true, blockRows: 8 }, // more blocks than lanes
    { n: 150, d: 37, tau: 0.2, threads: 1, stored: false },
    { n: 150, d: 37, tau: 0.2, threads: 2, stored: false, blockRows: 16, groupRows: 48 }, // exact in 4 groups
    { n: 150, d: 64, tau: 0.5, anchors: [149, 0, 5, 77, 100, 8, 9, 10, 11], threads: 2, stored: true },
    { n: 300, d: 16, tau: 1.5, anchors: Array.from({ length: 130 }, (_, i) => (i * 7) % 300), threads: 2, stored: true },
    // Repeated anchors (each repeat counts once more in the mean), 5 groups of 3 blocks, a short last group.
    { n: 300, d: 16, tau: 0.5, anchors: Array.from({ length: 110 }, (_, i) => (i * 11) % 83), threads: 2, stored: false, blockRows: 8, groupRows: 24 },
    // Several key chunks (K = 2,208 > 512) and whole 64-row blocks: the stored schedule at scale.
    { n: 1100, d: 64, tau: 0.2, threads: 2, stored: true },
  ];
  for (const c of cases) {
    const opts = `${c.blockRows ? ` blockRows=${c.blockRows}` : ''}${c.groupRows ? ` groupRows=${c.groupRows}` : ''}`;
    it(`n=${c.n} d=${c.d} τ=${c.tau} ${c.anchors ? `${c.anchors.length} anchors` : 'exact'} threads=${c.threads} stored=${c.stored}${opts}`, () => {
      const a = unitRows(c.n, c.d, c.n + c.d);
      const cc = unitRows(c.n, c.d, 2 * c.n + 1);
      const anchors = c.anchors ? Int32Array.from(c.anchors) : undefined;
      const ref = contrastiveCoreReference({ a, c: cc, n: c.n, d: c.d, tau: c.tau, anchors }, 16);
      const fast = contrastiveCoreFast({ a, c: cc, n: c.n, d: c.d, tau: c.tau, anchors }, { threads: c.threads, stored: c.stored, blockRows: c.blockRows, groupRows: c.groupRows, kernels });
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
    const anchors = Int32Array.from({ length: 150 }, (_, i) => (i * 13) % n);
    const runs: { stored: boolean; groupRows?: number; anchors?: Int32Array }[] = [
      { stored: true },
      { stored: false },
      { stored: false, groupRows: 64 },
      { stored: false, groupRows: 64, anchors },
    ];
    for (const r of runs) {
      const call = (threads: number) => contrastiveCoreFast({ a, c, n, d: 24, tau: 0.5, anchors: r.anchors }, { threads, stored: r.stored, groupRows: r.groupRows, kernels });
      const r1 = call(1);
      const r2 = call(2);
      const r3 = call(2);
      expect(r2.loss).toBe(r1.loss);
      expect(Array.from(r2.gradA)).toEqual(Array.from(r1.gradA));
      expect(Array.from(r2.gradC)).toEqual(Array.from(r1.gradC));
      expect(Array.from(r3.gradC)).toEqual(Array.from(r2.gradC));
    }
  });
  it('refuses anchors outside the items and bad block sizes with a clear error', () => {
    const a = unitRows(10, 8, 1);
    const c = unitRows(10, 8, 2);
    expect(() => contrastiveCoreFast({ a, c, n: 10, d: 8, tau: 0.5, anchors: Int32Array.from([3, 10]) })).toThrow(/anchor 10 is not an item index below 10/);
    expect(() => contrastiveCoreFast({ a, c, n: 10, d: 8, tau: 0.5, anchors: new Int32Array(11) })).toThrow(/anchors has 11 entries/);
    expect(() => contrastiveCoreFast({ a, c, n: 10, d: 8, tau: 0.5 }, { blockRows: 12 })).toThrow(/blockRows must be a multiple of 8/);
    expect(() => contrastiveCoreFast({ a, c, n: 10, d: 8, tau: 0.5 }, { groupRows: 4 })).toThrow(/groupRows must be a multiple of 8/);
  });
});
