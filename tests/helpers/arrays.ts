// Small array utilities for comparing fast paths with reference loops.

/** A deterministic generator of values in [-1, 1) (a plain LCG: fixed data, no dependency). */
export function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

/** The largest |value|. */
export function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
/** The largest |a[i] - b[i]|. */
export function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
