// Finite-difference gradient checks for TF.js functions (central differences in float32).
import { tf } from '../../src/main/engine/backend';

export interface GradCheckResult {
  maxAbsErr: number;
  maxRelErr: number;
  checked: number;
}

/**
 * Compares tf.grads of f at `inputs` with central differences on up to `samples` coordinates per
 * input. Relative error uses max(|a|, |n|, floor) so tiny gradients do not blow up the ratio.
 */
export function gradCheck(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  opts: { eps?: number; samples?: number; floor?: number; seed?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const floor = opts.floor ?? 1e-2;
  const samples = opts.samples ?? 24;
  const analytic = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => f(...xs))(inputs).map((g) => g.dataSync().slice() as Float32Array));
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let checked = 0;
  let seed = opts.seed ?? 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  inputs.forEach((x, which) => {
    const base = x.dataSync().slice() as Float32Array;
    const count = Math.min(samples, base.length);
    const coords = new Set<number>();
    while (coords.size < count) coords.add(Math.floor(rand() * base.length));
    for (const c of coords) {
      const at = (delta: number) => {
        const v = base.slice();
        v[c] += delta;
        return tf.tidy(() => {
          const xs = inputs.map((t, i) => (i === which ? tf.tensor(v, t.shape) : t));
          return f(...xs).dataSync()[0];
        });
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const a = analytic[which][c];
      const abs = Math.abs(a - numeric);
      maxAbsErr = Math.max(maxAbsErr, abs);
      maxRelErr = Math.max(maxRelErr, abs / Math.max(Math.abs(a), Math.abs(numeric), floor));
      checked++;
    }
  });
  return { maxAbsErr, maxRelErr, checked };
}

export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = ((s / 2147483648) * 2 - 1) * scale;
  }
  return tf.tensor(v, shape);
}
