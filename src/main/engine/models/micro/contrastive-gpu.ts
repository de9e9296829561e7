// The InfoNCE core of contrastive.ts as TF.js ops that stay on the GPU (webgpu backend), in
// anchor blocks so that the N×2N similarity matrix never exists: each block holds b×2N floats.
// As on wasm, the backward is fused into the forward (we only ever compute this loss to train):
// one pass per block yields the block's loss and its share of dL/da, dL/dc, kept as two N×d
// tensors for the custom gradient. Under the tape, plain blocked ops would instead keep every
// block's similarities and softmax until backprop (≈ 3·N·2N floats: 1 GB for TikTok).
// For anchor i (a, c L2-normalised, logits s = cos/τ):
//   ℓ_i = logsumexp_{j ≠ i}([a_i·a_j, a_i·c_j]/τ) − a_i·c_i/τ,  L = mean_i ℓ_i
//   dℓ_i/ds_ij = P_ij − [j is the positive]; s = a_i·[a; c]ᵀ/τ gives dA_i = G_i·X, dX = Gᵀ·A_B.
import { tf } from '../../backend';
import { customOp } from '../../ops';

/** Anchors per block: b·2N floats per similarity block, ≤ 64 MB. */
export function gpuBlockRows(n: number, anchors: number): number {
  const byMemory = Math.floor((16 * 2 ** 20) / (2 * n));
  return Math.max(1, Math.min(anchors, Math.max(64, byMemory)));
}

/**
 * The mean InfoNCE loss of normalised a, c (N×d) over all anchors, or over `anchors` (sampled
 * mode; negatives always over all N), with its gradient into a and c.
 */
export function contrastiveCoreGpu(a: tf.Tensor2D, c: tf.Tensor2D, tau: number, anchors?: Int32Array, blockRows?: number): tf.Scalar {
  const [n, d] = a.shape;
  const nA = anchors ? anchors.length : n;
  const core = customOp<tf.Scalar>((ai: tf.Tensor2D, ci: tf.Tensor2D, save: tf.GradSaveFunc) => {
    if (nA === 0) {
      const zeros = tf.zeros([n, d]);
      save([zeros, zeros]);
      return { value: tf.scalar(0), gradFunc: (dy: tf.Tensor, s?: tf.Tensor[]) => [tf.mul(s![0], dy), tf.mul(s![1], dy)] };
    }
    const invTau = 1 / tau;
    const scale = 1 / nA;
    const b = blockRows ?? gpuBlockRows(n, nA);
    const x = tf.concat([ai, ci], 0) as tf.Tensor2D; // 2N × d
    let loss: tf.Tensor = tf.scalar(0);
    let dX: tf.Tensor2D = tf.zeros([2 * n, d]);
    const dAnchors: tf.Tensor2D[] = [];
    for (let start = 0; start < nA; start += b) {
      const rows = Math.min(b, nA - start);
      const idx = anchors ? anchors.subarray(start, start + rows) : Int32Array.from({ length: rows }, (_, r) => start + r);
      const [lossB, dAB, dXB] = tf.tidy(() => {
        const ix = tf.tensor1d(idx, 'int32');
        const aB = tf.gather(ai, ix) as tf.Tensor2D; // b × d
        const s = tf.mul(tf.matMul(aB, x, false, true), invTau) as tf.Tensor2D; // b × 2N logits
        const self = tf.oneHot(ix, 2 * n); // intra-modality self term: not a negative
        const masked = tf.sub(s, tf.mul(self, 1e30)); // finite: −1e30 underflows to 0 in exp, no Inf in shaders
        const lse = tf.logSumExp(masked, 1, true); // b × 1
        const posOneHot = tf.oneHot(tf.tensor1d(idx.map((i) => i + n), 'int32'), 2 * n); // column of c_i
        const pos = tf.sum(tf.mul(s, posOneHot), 1, true);
        const l = tf.sum(tf.sub(lse, pos));
        const g = tf.mul(tf.sub(tf.exp(tf.sub(masked, lse)), posOneHot), scale * invTau) as tf.Tensor2D; // b × 2N
        return [l, tf.matMul(g, x), tf.matMul(g, aB, true, false)] as [tf.Tensor, tf.Tensor2D, tf.Tensor2D];
      });
      const nextLoss = tf.add(loss, lossB);
      const nextDX = tf.add(dX, dXB) as tf.Tensor2D;
      tf.dispose([loss, lossB, dX, dXB]);
      loss = nextLoss;
      dX = nextDX;
      dAnchors.push(dAB);
    }
    const [gA, gC] = tf.tidy(() => {
      const dAll = dAnchors.length === 1 ? dAnchors[0] : tf.concat(dAnchors, 0);
      const dA = anchors ? tf.unsortedSegmentSum(dAll, tf.tensor1d(anchors, 'int32'), n) : dAll;
      const [dxA, dxC] = tf.split(dX, 2, 0);
      return [tf.add(dA, dxA), dxC];
    });
    save([gA, gC]);
    const value = tf.mul(loss, scale) as tf.Scalar;
    tf.dispose([x, loss, dX, ...dAnchors, gA, gC]);
    // dy (e.g. β_C) scales the gradients.
    const gradFunc = (dy: tf.Tensor, saved?: tf.Tensor[]) => [tf.mul(saved![0], dy), tf.mul(saved![1], dy)];
    return { value, gradFunc };
  });
  return core(a, c);
}
