import { describe, expect, it } from 'vitest';
import { dcgAt, hitVector, idealDcg, metricsAtK, rankingMetrics } from '../../../../src/main/engine/eval/metrics';

const l2 = Math.log2;

describe('ranking metrics (hand-computed)', () => {
  // T = {a, b, c} = {10, 20, 30}; ranked list hits at positions 1 and 3.
  const T = [10, 20, 30];
  const ranked = [20, 99, 10, 98, 97];

  it('hit vector', () => {
    expect(Array.from(hitVector(ranked, T))).toEqual([1, 0, 1, 0, 0]);
    expect(Array.from(hitVector([30, 1], T, new Uint8Array(4)))).toEqual([1, 0, 0, 0]);
  });

  it('K = 5: recall 2/3, precision 2/5, ndcg standard vs reference', () => {
    const m = metricsAtK([1, 0, 1, 0, 0], 3, 5);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.precision).toBeCloseTo(2 / 5, 12);
    expect(m.hit).toBe(1);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; standard IDCG = min(|T|=3, 5) ones = 1 + 1/log2 3 + 1/log2 4
    expect(m.ndcg).toBeCloseTo((1 + 1 / l2(4)) / (1 + 1 / l2(3) + 1 / l2(4)), 12);
    expect(m.ndcg).toBeCloseTo(0.703918, 5);
    // reference IDCG = the 2 retrieved hits sorted to the front = 1 + 1/log2 3
    expect(m.ndcg_ref).toBeCloseTo((1 + 1 / l2(4)) / (1 + 1 / l2(3)), 12);
    expect(m.ndcg_ref).toBeCloseTo(0.919721, 5);
  });

  it('K = 2 truncates the list: one hit', () => {
    const m = metricsAtK([1, 0, 1, 0, 0], 3, 2);
    expect(m.recall).toBeCloseTo(1 / 3, 12);
    expect(m.precision).toBeCloseTo(1 / 2, 12);
    // standard IDCG uses min(3, 2) = 2 ones; reference IDCG uses the 1 hit -> 1
    expect(m.ndcg).toBeCloseTo(1 / (1 + 1 / l2(3)), 12);
    expect(m.ndcg_ref).toBe(1);
  });

  it('no hits -> all zero; single relevant item at position 2', () => {
    expect(metricsAtK([0, 0, 0], 2, 3)).toEqual({ recall: 0, precision: 0, hit: 0, ndcg: 0, ndcg_ref: 0 });
    const m = metricsAtK([0, 1, 0], 1, 3);
    expect(m.recall).toBe(1);
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.ndcg).toBeCloseTo(1 / l2(3), 12); // IDCG = 1
    expect(m.ndcg_ref).toBeCloseTo(1 / l2(3), 12);
  });

  it('ndcg_ref >= ndcg, equal when all of T is retrieved', () => {
    const all = metricsAtK([0, 1, 1, 0, 1], 3, 5);
    expect(all.ndcg_ref).toBeCloseTo(all.ndcg, 12);
    const part = metricsAtK([0, 1, 0, 0, 0], 4, 5);
    expect(part.ndcg_ref).toBeGreaterThan(part.ndcg);
  });

  it('shorter ranked list than K counts as misses; dcg helpers', () => {
    const m = metricsAtK([1], 1, 10);
    expect(m.precision).toBeCloseTo(0.1, 12);
    expect(m.ndcg).toBe(1);
    expect(dcgAt([1, 0, 1], 3)).toBeCloseTo(1.5, 12);
    expect(dcgAt([1, 0, 1], 2)).toBe(1);
    expect(idealDcg(3)).toBeCloseTo(1 + 1 / l2(3) + 0.5, 12);
    expect(idealDcg(0)).toBe(0);
    expect(idealDcg(200)).toBeGreaterThan(idealDcg(100)); // tables grow on demand
  });

  it('rankingMetrics keys', () => {
    const r = rankingMetrics(ranked, T, [2, 5]);
    expect(Object.keys(r).sort()).toEqual(
      ['hit@2', 'hit@5', 'ndcg@2', 'ndcg@5', 'ndcg_ref@2', 'ndcg_ref@5', 'precision@2', 'precision@5', 'recall@2', 'recall@5'],
    );
    expect(r['recall@5']).toBeCloseTo(2 / 3, 12);
    expect(r['ndcg_ref@5']).toBeCloseTo((1 + 1 / l2(4)) / (1 + 1 / l2(3)), 12);
  });
});
