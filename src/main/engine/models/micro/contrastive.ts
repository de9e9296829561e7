// InfoNCE contrastive loss of MICRO (eq. 9-10), exact over all anchors or over sampled anchors.
// Memory stays O(block·N): each anchor block's similarities, softmax and gradient are computed
// in one pass (we always train, so the backward is fused into the forward) and never stored.
// For anchor i (modality embedding a_i, fused c_i, both L2-normalised, temperature τ):
//   ℓ_i = −cos(a_i,c_i)/τ + log( Σ_{j≠i} e^{cos(a_i,a_j)/τ} + Σ_j e^{cos(a_i,c_j)/τ} )
// (the positive is in the denominator; intra-modality negatives exclude self), L = mean_i ℓ_i.
import { onGpu, tf } from '../../backend';
import { customOp, l2Normalize, l2NormalizeFused, readSync } from '../../ops';
import { valuesView } from '../../heap';
import { contrastiveCoreFast, fastContrastiveAvailable, type ContrastiveProblem } from '../../kernels/contrastive';
import { contrastiveCoreGpu } from './contrastive-gpu';

export interface ContrastiveResult {
  loss: number;
  /** Gradients of the mean loss with respect to the normalised inputs a and c (N×d). */
  gradA: Float32Array;
  gradC: Float32Array;
}

/**
 * Loss and gradients for normalised embeddings a (N×d) and c (N×d). `anchors` restricts the mean
 * to a subset of anchor rows (sampled mode); negatives always run over all N items.
 * Runs the SIMD kernels of engine/kernels/contrastive when available (same results to float32 rounding;
 * MICRO_CONTRASTIVE=reference forces the reference below), else the reference implementation.
 * `blockRows` is the reference's anchor block; the fast core chooses its own (FastOptions.blockRows).
 */
export function contrastiveCore(p: ContrastiveProblem, blockRows = 512): ContrastiveResult {
  if (fastCoreSelected(p.tau)) return contrastiveCoreFast(p);
  return contrastiveCoreReference(p, blockRows);
}

function fastCoreSelected(tau: number): boolean {
  return process.env.MICRO_CONTRASTIVE !== 'reference' && fastContrastiveAvailable(tau);
}

/**
 * Reference implementation (the test oracle, and the fallback without WebAssembly SIMD or for
 * τ < MIN_TAU): TF.js matmuls per anchor block, softmax with the row max in float64 JS.
 */
export function contrastiveCoreReference({ a, c, n, d, tau, anchors }: ContrastiveProblem, blockRows = 512): ContrastiveResult {
  const anchorIdx = anchors ?? Int32Array.from({ length: n }, (_, i) => i);
  const nA = anchorIdx.length;
  const gradA = new Float32Array(n * d);
  const gradC = new Float32Array(n * d);
  if (nA === 0) return { loss: 0, gradA, gradC };
  const invTau = 1 / tau;
  const scale = 1 / nA;
  let lossSum = 0;

  const x = new Float32Array(2 * n * d); // X = [a; c]
  x.set(a);
  x.set(c, n * d);
  const xT = tf.tidy(() => tf.transpose(tf.tensor2d(x, [2 * n, d]))); // d × 2N (explicit transpose: fast path on wasm)
  const xTensor = tf.tensor2d(x, [2 * n, d]);
  const gradXT = new Float32Array(d * 2 * n); // accumulates (Gᵀ·A_B)ᵀ = A_Bᵀ·G, d × 2N

  try {
    for (let start = 0; start < nA; start += blockRows) {
      const b = Math.min(blockRows, nA - start);
      const ab = new Float32Array(b * d);
      for (let r = 0; r < b; r++) ab.set(a.subarray(anchorIdx[start + r] * d, anchorIdx[start + r] * d + d), r * d);
      const s = readSync(() => tf.matMul(tf.tensor2d(ab, [b, d]), xT)); // b × 2N
      // Softmax over the 2N−1 denominator terms, in place: s becomes G = (P − onehot(positive))·scale/τ.
      for (let r = 0; r < b; r++) {
        const i = anchorIdx[start + r];
        const row = r * 2 * n;
        const posLogit = s[row + n + i] * invTau;
        let max = -Infinity;
        for (let j = 0; j < 2 * n; j++) {
          if (j === i) continue;
          const v = s[row + j] * invTau;
          if (v > max) max = v;
        }
        let sum = 0;
        for (let j = 0; j < 2 * n; j++) {
          if (j === i) {
            s[row + j] = 0;
            continue;
          }
          const e = Math.exp(s[row + j] * invTau - max);
          s[row + j] = e;
          sum += e;
        }
        const pos = row + n + i;
        lossSum += max + Math.log(sum) - posLogit; // ℓ = logsumexp(denominator) − cos(a_i, c_i)/τ
        const k = scale * invTau / sum;
        for (let j = 0; j < 2 * n; j++) s[row + j] *= k;
        s[pos] -= scale * invTau;
      }
      const g = tf.tensor2d(s, [b, 2 * n]);
      const dAb = readSync(() => tf.matMul(g, xTensor));
      const dXTpart = readSync(() => tf.matMul(tf.transpose(tf.tensor2d(ab, [b, d])), g));
      g.dispose();
      for (let r = 0; r < b; r++) {
        const dst = anchorIdx[start + r] * d;
        for (let q = 0; q < d; q++) gradA[dst + q] += dAb[r * d + q];
      }
      for (let q = 0; q < dXTpart.length; q++) gradXT[q] += dXTpart[q];
    }
  } finally {
    xT.dispose();
    xTensor.dispose();
  }
  // gradX = gradXTᵀ ; rows 0..N go to a, N..2N to c.
  for (let q = 0; q < d; q++) {
    const rowQ = q * 2 * n;
    for (let j = 0; j < n; j++) {
      gradA[j * d + q] += gradXT[rowQ + j];
      gradC[j * d + q] += gradXT[rowQ + n + j];
    }
  }
  return { loss: lossSum * scale, gradA, gradC };
}

/**
 * L_C^m for one modality as a differentiable scalar: normalisation runs in TF (autograd), the
 * blocked InfoNCE core supplies its own gradient. On a GPU backend the core is TF.js ops in
 * anchor blocks on the device (contrastive-gpu.ts), no readback.
 */
export function contrastiveLoss(hm: tf.Tensor2D, hc: tf.Tensor2D, tau: number, anchors?: Int32Array): tf.Scalar {
  if (onGpu()) return tf.tidy(() => contrastiveCoreGpu(l2Normalize(hm), l2Normalize(hc), tau, anchors));
  const [n, d] = hm.shape;
  // The fast core copies its inputs into its own memory before anything else and runs no TF.js
  // op: it can read them in place (heap.ts). The reference runs TF.js ops: it gets copies.
  const read = fastCoreSelected(tau) ? valuesView : (t: tf.Tensor) => t.dataSync() as Float32Array;
  const core = customOp<tf.Scalar>((a: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const res = contrastiveCore({ a: read(a), c: read(c), n, d, tau, anchors });
    // dy (e.g. β_C) scales the gradients on the backend: a JS loop over 2·N·d floats costs more.
    const gradFunc = (dy: tf.Tensor) => [tf.mul(tf.tensor2d(res.gradA, [n, d]), dy), tf.mul(tf.tensor2d(res.gradC, [n, d]), dy)];
    return { value: tf.scalar(res.loss), gradFunc };
  });
  // hm's gradient starts with this term (the contrastive loss is the last use of hm): the fused
  // normalisation gives its exact gradient. hc's gets other terms first, in an order kept as is.
  return tf.tidy(() => core(l2NormalizeFused(hm), l2Normalize(hc)));
}
