// The contrastive loss (eq. 9-10) against a brute-force computation and finite differences, on tiny cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../src/main/engine/backend';
import { contrastiveCoreFast, disposeFastContrastive, fastContrastiveAvailable } from '../../../../../src/main/engine/kernels/contrastive';
import { contrastiveCore, contrastiveCoreReference, contrastiveLoss } from '../../../../../src/main/engine/models/micro/contrastive';
import { gradCheck, randomTensor } from '../../../../helpers/gradcheck';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => disposeFastContrastive());

/** ℓ_i straight from eq. 10 as the reference code computes it (positive in the denominator). */
function naiveContrastive(hm: number[][], hc: number[][], tau: number, anchors: number[]): number {
  const norm = (v: number[]) => {
    const s = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    return v.map((x) => x / s);
  };
  const a = hm.map(norm);
  const c = hc.map(norm);
  const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
  let total = 0;
  for (const i of anchors) {
    let den = 0;
    for (let j = 0; j < a.length; j++) {
      if (j !== i) den += Math.exp(dot(a[i], a[j]) / tau);
      den += Math.exp(dot(a[i], c[j]) / tau);
    }
    total += -Math.log(Math.exp(dot(a[i], c[i]) / tau) / den);
  }
  return total / anchors.length;
}

describe('contrastive loss (eq. 9-10)', () => {
  const hm = randomTensor([7, 4], 11) as tf.Tensor2D;
  const hc = randomTensor([7, 4], 12) as tf.Tensor2D;
  it('exact mode equals the direct formula over all anchors: the fast core, and the reference core for any block size', () => {
    const want = naiveContrastive(hm.arraySync() as number[][], hc.arraySync() as number[][], 0.5, [0, 1, 2, 3, 4, 5, 6]);
    expect(fastContrastiveAvailable(0.5)).toBe(true); // else contrastiveLoss below would test the reference only
    expect(contrastiveLoss(hm, hc, 0.5).dataSync()[0]).toBeCloseTo(want, 5);
    const a = tf.tidy(() => tf.div(hm, tf.norm(hm, 2, 1, true))).dataSync() as Float32Array;
    const c = tf.tidy(() => tf.div(hc, tf.norm(hc, 2, 1, true))).dataSync() as Float32Array;
    const fast = contrastiveCore({ a, c, n: 7, d: 4, tau: 0.5 });
    expect(fast.loss).toBeCloseTo(want, 5);
    const b7 = contrastiveCoreReference({ a, c, n: 7, d: 4, tau: 0.5 }, 7);
    for (const blockRows of [1, 2, 3, 7, 16]) {
      const b = contrastiveCoreReference({ a, c, n: 7, d: 4, tau: 0.5 }, blockRows);
      expect(b.loss).toBeCloseTo(want, 5);
      b.gradA.forEach((g, i) => expect(g).toBeCloseTo(b7.gradA[i], 6));
      b.gradA.forEach((g, i) => expect(g).toBeCloseTo(fast.gradA[i], 6));
      b.gradC.forEach((g, i) => expect(g).toBeCloseTo(fast.gradC[i], 6));
    }
  });
  it('the fast core gives the reference result for every anchor block size (both schedules, sampled anchors)', () => {
    const n = 60;
    const d = 12;
    const tau = 0.3;
    const unit = (t: tf.Tensor2D) => tf.tidy(() => tf.div(t, tf.norm(t, 2, 1, true))).dataSync() as Float32Array;
    const a = unit(randomTensor([n, d], 31) as tf.Tensor2D);
    const c = unit(randomTensor([n, d], 32) as tf.Tensor2D);
    const sampled = Int32Array.from({ length: 25 }, (_, i) => (i * 7) % n);
    for (const anchors of [undefined, sampled]) {
      const ref = contrastiveCoreReference({ a, c, n, d, tau, anchors }, 5);
      for (const stored of [true, false]) {
        for (const blockRows of [8, 16, 24, 64]) {
          const got = contrastiveCoreFast({ a, c, n, d, tau, anchors }, { blockRows, stored, threads: 2 });
          expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
          got.gradA.forEach((g, i) => expect(g).toBeCloseTo(ref.gradA[i], 6));
          got.gradC.forEach((g, i) => expect(g).toBeCloseTo(ref.gradC[i], 6));
        }
      }
    }
    expect(() => contrastiveCoreFast({ a, c, n, d, tau }, { blockRows: 12 })).toThrow(/blockRows must be a multiple of 8 from 8 to 64, got 12/);
  });
  it('sampled-anchor mode is the mean over the chosen anchors only', () => {
    const anchors = Int32Array.from([5, 1, 3]);
    const want = naiveContrastive(hm.arraySync() as number[][], hc.arraySync() as number[][], 0.2, [5, 1, 3]);
    expect(contrastiveLoss(hm, hc, 0.2, anchors).dataSync()[0]).toBeCloseTo(want, 4);
  });
  it('gradients into both the modality and the fused embeddings match finite differences', () => {
    const r = gradCheck((x, y) => contrastiveLoss(x as tf.Tensor2D, y as tf.Tensor2D, 0.5), [hm, hc], { eps: 5e-3 });
    expect(r.maxRelErr).toBeLessThan(2e-2);
    const rs = gradCheck((x, y) => contrastiveLoss(x as tf.Tensor2D, y as tf.Tensor2D, 0.5, Int32Array.from([2, 6])), [hm, hc], { eps: 5e-3 });
    expect(rs.maxRelErr).toBeLessThan(2e-2);
  });
});
