// Summaries over seeds and the paired t-test: mean, sample standard deviation, the 95% (or any
// level) t-interval of the mean, and Holm's step-down adjustment of a family of p-values.
import { tQuantile, tTwoSided } from './distributions';

export interface SeedSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for n < 2. */
  std: number | null;
  /** mean ± t_{(1+level)/2, n−1} · std/√n; null for n < 2. */
  ci: [number, number] | null;
}

export function summarize(values: readonly number[], level = 0.95): SeedSummary {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, std: null, ci: null };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, std: null, ci: null };
  const std = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile((1 + level) / 2, n - 1) * (std / Math.sqrt(n));
  return { n, mean, std, ci: [mean - half, mean + half] };
}

export interface PairedT {
  n: number;
  meanDiff: number;
  t: number;
  df: number;
  /** Two-sided; NaN for n < 2 or when every difference is zero. */
  p: number;
}

/** Paired t-test of a − b (scipy.stats.ttest_rel): constant non-zero differences give p = 0. */
export function pairedT(a: readonly number[], b: readonly number[]): PairedT {
  if (a.length !== b.length) throw new RangeError(`paired t-test: ${a.length} values against ${b.length}`);
  const n = a.length;
  const d = a.map((x, i) => x - b[i]);
  const meanDiff = n ? d.reduce((s, x) => s + x, 0) / n : NaN;
  if (n < 2) return { n, meanDiff, t: NaN, df: n - 1, p: NaN };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - meanDiff) ** 2, 0) / (n - 1));
  if (sd === 0) return { n, meanDiff, t: meanDiff === 0 ? NaN : Math.sign(meanDiff) * Infinity, df: n - 1, p: meanDiff === 0 ? NaN : 0 };
  const t = meanDiff / (sd / Math.sqrt(n));
  return { n, meanDiff, t, df: n - 1, p: tTwoSided(t, n - 1) };
}

/**
 * Holm's step-down adjustment: with the m finite p-values sorted ascending, the i-th (1-based)
 * becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)). NaN entries stay NaN and do not count in m.
 * Returned in the input order.
 */
export function holm(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => Number.isFinite(p[i]));
  idx.sort((a, b) => p[a] - p[b]);
  const m = idx.length;
  const out = p.map(() => NaN);
  let running = 0;
  idx.forEach((i, j) => {
    running = Math.max(running, Math.min(1, (m - j) * p[i]));
    out[i] = running;
  });
  return out;
}
