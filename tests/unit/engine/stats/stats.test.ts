// The study statistics against hand-computed values and scipy.stats (1.17) results.
import { describe, expect, it } from 'vitest';
import { averageRanks, holm, normalCdf, pairedT, signedRankCounts, summarize, tCdf, tQuantile, wilcoxonSignedRank } from '../../../../src/main/engine/stats';

describe('distributions', () => {
  it('normal and t CDFs and t quantiles match scipy', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-3.2)).toBeCloseTo(0.0006871379379158471, 14);
    expect(normalCdf(0.3)).toBeCloseTo(0.6179114221889526, 12);
    expect(tCdf(-1.5, 3)).toBeCloseTo(0.11529193262241147, 10);
    expect(tCdf(2.2, 7)).toBeCloseTo(0.9681344923486817, 10);
    // t.ppf(0.975, df) for df = 1, 2, 4, 29
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 9);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(tQuantile(0.975, 29)).toBeCloseTo(2.045229642132703, 9);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 9);
  });

  it('the exact signed-rank table: n = 3 has counts 1 1 1 2 1 1 1 (sums of subsets of {1,2,3})', () => {
    expect(Array.from(signedRankCounts(3))).toEqual([1, 1, 1, 2, 1, 1, 1]);
    expect(signedRankCounts(9).reduce((a, b) => a + b, 0)).toBe(512);
  });
});

describe('Wilcoxon signed-rank', () => {
  it('average ranks of ties', () => {
    const { ranks, ties } = averageRanks([3, 1, 2, 2, 3, 3]);
    expect(Array.from(ranks)).toEqual([5, 1, 2.5, 2.5, 5, 5]);
    expect(ties).toEqual([2, 3]);
  });

  it('no ties, small n: the exact test (Hollander & Wolfe depression data)', () => {
    // d = x − y; |d| ranks 1…9, the two negative differences have ranks 2 and 3: W⁻ = 5, W⁺ = 40.
    // P(W⁻ ≤ 5) = #{subsets of 1…9 with sum ≤ 5} / 2⁹ = (1+1+1+2+2+3)/512 = 10/512, two-sided 20/512.
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]));
    expect(r.method).toBe('exact');
    expect(r.wPlus).toBe(40);
    expect(r.wMinus).toBe(5);
    expect(r.p).toBe(20 / 512); // scipy: 0.0390625
  });

  it('ties and zeros: zeros dropped, average ranks, exact over sign patterns', () => {
    // Non-zero d: 2 −1 3 3 −3 4 5 2 (n = 8). |d| ranks: 1→1, 2→2.5, 3→5, 4→7, 5→8; W⁻ = 1 + 5 = 6.
    // Doubled ranks {2,5,5,10,10,10,14,16}: 14 of the 256 sign patterns give 2W⁻ ≤ 12, so
    // P(W⁺ ≤ 6) = P(W⁺ ≥ 30) = 14/256 and the two-sided p = 28/256 = 0.109375, as
    // scipy.stats.wilcoxon(d) (zero_method='wilcox', exact permutation for n ≤ 13).
    const d = [0, 2, -1, 3, 3, -3, 4, 0, 5, 2];
    const r = wilcoxonSignedRank(d);
    expect(r.zeros).toBe(2);
    expect(r.n).toBe(8);
    expect(r.wMinus).toBe(6);
    expect(r.wPlus).toBe(30);
    expect(r.method).toBe('exact');
    expect(r.p).toBeCloseTo(0.109375, 12);
  });

  it('large n with ties and zeros: the normal approximation with tie correction (scipy)', () => {
    const big = [0.4, 0.9, 0.4, -1.2, 1.0, 0.5, -0.4, 0.7, 0.5, 0.4, 0.1, 0.6, -0.6, -0.1, -0.4, 0.7, 0.1, -0.2, -0.7, -0.2, 0.1, -0.2, 1.4, 1.1, -2.6, -1.8, -0.1, -0.3, 0.3, 0.3, 2.2, -1.0, -0.3, 2.1, 0.7, 0.8, -0.4, -1.5, 0.3, 0.2, -1.1, -0.6, 0.0, -0.8, 0.0, 0.2, 0.1, -0.4, 0.7, 1.0, 0.4, -0.7, 0.8, -0.4, 1.0, -1.0, 1.0, 0.1, -1.1, -0.2, 0.2, 0.4, -0.9, -1.0, 0.3, -0.4, 0.3, 0.9, -1.5, 0.4, 1.3, -0.2, -0.7, 0.9, 0.4, 1.0, -0.2, -1.4, -0.0, -0.3];
    const r = wilcoxonSignedRank(big);
    expect(r.method).toBe('normal');
    expect(r.zeros).toBe(3);
    expect(Math.min(r.wPlus, r.wMinus)).toBe(1401);
    expect(r.z!).toBeCloseTo(0.5109354019449354, 10); // scipy's zstatistic is −|z|
    expect(r.p).toBeCloseTo(0.609396290770267, 10);
  });

  it('all differences zero: nothing to test', () => {
    const r = wilcoxonSignedRank([0, 0, 0]);
    expect(r.method).toBe('none');
    expect(r.p).toBeNaN();
  });
});

describe('summaries over seeds, paired t, Holm', () => {
  it('t-interval by hand: values 1, 2, 3, 6 → mean 3, s = √(14/3), half-width t(0.975, 3)·s/2', () => {
    const s = summarize([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(14 / 3), 14);
    const half = 3.1824463052837078 * (Math.sqrt(14 / 3) / 2); // scipy t.ppf(0.975, 3)
    expect(s.ci![0]).toBeCloseTo(3 - half, 9);
    expect(s.ci![1]).toBeCloseTo(3 + half, 9);
    expect(summarize([0.5]).ci).toBeNull();
  });

  it('paired t-test matches scipy.stats.ttest_rel', () => {
    const r = pairedT([0.31, 0.35, 0.29], [0.28, 0.3, 0.3]);
    expect(r.t).toBeCloseTo(1.3228756555322947, 10);
    expect(r.p).toBeCloseTo(0.31686994893602694, 10);
    expect(pairedT([1, 2], [1, 2]).p).toBeNaN();
  });

  it('Holm by hand: p = .01 .04 .03 .005 → .03 .06 .06 .02', () => {
    // sorted: .005·4 = .02, .01·3 = .03, .03·2 = .06, .04·1 = .04 → max so far .06
    const adj = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 14));
    const withNaN = holm([0.2, NaN, 0.6]);
    expect(withNaN[0]).toBeCloseTo(0.4, 14);
    expect(withNaN[1]).toBeNaN();
    expect(withNaN[2]).toBeCloseTo(0.6, 14);
    expect(holm([0.7, 0.8])).toEqual([1, 1]);
  });
});
