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

/** Finite differences against tf.variableGrads for a loss over model variables. */
export function variableGradCheck(
  loss: () => tf.Scalar,
  vars: tf.Variable[],
  opts: {
    eps?: number;
    samples?: number;
    floor?: number;
    /**
     * Signature of the discrete state (e.g. the learned kNN pattern). A coordinate whose ±eps
     * evaluations see different signatures straddles a kink of the piecewise-smooth loss and is skipped.
     */
    signature?: () => string;
  } = {},
): GradCheckResult & { perVariable: Record<string, number>; skipped: number } {
  const eps = opts.eps ?? 1e-3;
  const floor = opts.floor ?? 1e-2;
  const samples = opts.samples ?? 6;
  const { grads, value } = tf.variableGrads(loss, vars);
  value.dispose();
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let checked = 0;
  let skipped = 0;
  const perVariable: Record<string, number> = {};
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const v of vars) {
    const g = grads[v.name] ? (grads[v.name].dataSync().slice() as Float32Array) : new Float32Array(v.size);
    const base = v.dataSync().slice() as Float32Array;
    let worst = 0;
    for (let s = 0; s < Math.min(samples, base.length); s++) {
      const c = Math.floor(rand() * base.length);
      const at = (delta: number): [number, string] => {
        const x = base.slice();
        x[c] += delta;
        v.assign(tf.tensor(x, v.shape));
        const value = tf.tidy(() => loss().dataSync()[0]);
        return [value, opts.signature?.() ?? ''];
      };
      const [up, sigUp] = at(eps);
      const [down, sigDown] = at(-eps);
      v.assign(tf.tensor(base, v.shape));
      if (sigUp !== sigDown) {
        skipped++;
        continue;
      }
      const numeric = (up - down) / (2 * eps);
      const abs = Math.abs(g[c] - numeric);
      const rel = abs / Math.max(Math.abs(g[c]), Math.abs(numeric), floor);
      maxAbsErr = Math.max(maxAbsErr, abs);
      maxRelErr = Math.max(maxRelErr, rel);
      worst = Math.max(worst, rel);
      checked++;
    }
    perVariable[v.name] = worst;
  }
  tf.dispose(Object.values(grads));
  return { maxAbsErr, maxRelErr, checked, perVariable, skipped };
}
