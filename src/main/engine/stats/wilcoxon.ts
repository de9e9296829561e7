// Wilcoxon signed-rank test for paired samples, two-sided, with scipy.stats.wilcoxon's
// conventions (zero_method='wilcox', correction=False):
// - zero differences are dropped before ranking;
// - tied |d| get the average of their ranks;
// - W⁺ = sum of the ranks of the positive differences;
// - n ≤ 50 (non-zero differences): the exact null distribution of W⁺ given these ranks, i.e. all
//   2ⁿ sign patterns equally likely, counted by dynamic programming over doubled ranks (integers
//   even with ties). Without ties this is the classical exact table (scipy method='exact'); with
//   ties or zeros it is the exact permutation distribution scipy computes for n ≤ 13 (beyond 13
//   scipy falls back to the normal approximation; the exact count is cheap, so we keep it);
// - n > 50: normal approximation, mean n(n+1)/4, variance n(n+1)(2n+1)/24 − Σ(t³−t)/48 over tie
//   groups of size t, no continuity correction.
// p = min(1, 2·min(P(W⁺ ≤ w), P(W⁺ ≥ w))). No non-zero difference: p = NaN (nothing to test).
import { normalTwoSided } from './distributions';

export interface WilcoxonResult {
  /** Non-zero differences the test used. */
  n: number;
  /** Zero differences dropped. */
  zeros: number;
  /** W⁺ (sum of ranks of positive differences) and W⁻. */
  wPlus: number;
  wMinus: number;
  /** Two-sided p-value; NaN when every difference is zero. */
  p: number;
  method: 'exact' | 'normal' | 'none';
  /** The normal approximation's z (method 'normal'), else null. */
  z: number | null;
}

/** Average ranks (1-based) of `values` (ascending), and whether any tie occurred. */
export function averageRanks(values: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const r = (i + 1 + j) / 2; // mean of ranks i+1 … j
    for (let q = i; q < j; q++) ranks[order[q]] = r;
    if (j - i > 1) ties.push(j - i);
    i = j;
  }
  return { ranks, ties };
}

const EXACT_MAX_N = 50;

/** Wilcoxon signed-rank test of the differences d (e.g. variant − reference per user). */
export function wilcoxonSignedRank(d: ArrayLike<number>): WilcoxonResult {
  const nonzero: number[] = [];
  let zeros = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (Number.isNaN(v)) throw new RangeError(`wilcoxon: difference ${i} is NaN`);
    if (v === 0) zeros++;
    else nonzero.push(v);
  }
  const n = nonzero.length;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, p: NaN, method: 'none', z: null };
  const { ranks, ties } = averageRanks(nonzero.map(Math.abs));
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (nonzero[i] > 0) wPlus += ranks[i];
  const total = (n * (n + 1)) / 2;
  const wMinus = total - wPlus;
  if (n <= EXACT_MAX_N) {
    // counts[s] = sign patterns whose doubled W⁺ equals s (doubled ranks are integers).
    const r2 = Array.from(ranks, (r) => Math.round(2 * r));
    const max = 2 * total;
    const counts = new Float64Array(max + 1);
    counts[0] = 1;
    let reach = 0;
    for (const r of r2) {
      for (let s = reach; s >= 0; s--) if (counts[s]) counts[s + r] += counts[s];
      reach += r;
    }
    const obs = Math.round(2 * wPlus);
    let le = 0;
    let ge = 0;
    for (let s = 0; s <= max; s++) {
      if (s <= obs) le += counts[s];
      if (s >= obs) ge += counts[s];
    }
    const all = Math.pow(2, n);
    return { n, zeros, wPlus, wMinus, p: Math.min(1, (2 * Math.min(le, ge)) / all), method: 'exact', z: null };
  }
  const mean = total / 2;
  const tieTerm = ties.reduce((s, t) => s + t * t * t - t, 0);
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = (wPlus - mean) / se;
  return { n, zeros, wPlus, wMinus, p: normalTwoSided(z), method: 'normal', z };
}
