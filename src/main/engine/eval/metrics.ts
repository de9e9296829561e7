// Per-user top-K ranking metrics (docs/model.md, 'Evaluation').
//
// r = binary hit vector of the ranked list (r_k = 1 if the k-th ranked item is held out).
//   Precision@K = sum_{k<=K} r_k / K
//   Recall@K    = sum_{k<=K} r_k / |T|
//   HitRate@K   = 1 if any hit in the top K
//   DCG@K       = sum_{k=1..K} r_k / log2(k + 1)
//   NDCG@K      (standard, MMRec) = DCG@K / IDCG, IDCG from min(|T|, K) ones
//   NDCG_ref@K  (MICRO/NGCF reference quirk) = DCG@K / DCG(sorted(r)[:K]): the ideal is built from
//               the hits actually retrieved (h ones at the front); 0 when there is no hit.
// A ranked list shorter than K counts the missing positions as misses (precision still / K).

export interface MetricsAtK {
  recall: number;
  precision: number;
  hit: number;
  ndcg: number;
  ndcg_ref: number;
}

export const METRIC_NAMES = ['recall', 'precision', 'hit', 'ndcg', 'ndcg_ref'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

let discounts = new Float64Array(0); // discounts[k] = 1 / log2(k + 2), 0-based position k
let idealPrefix = new Float64Array(1); // idealPrefix[m] = sum_{k<m} discounts[k]

function ensureTables(K: number): void {
  if (discounts.length >= K) return;
  const size = Math.max(K, 2 * discounts.length, 64);
  discounts = new Float64Array(size);
  idealPrefix = new Float64Array(size + 1);
  for (let k = 0; k < size; k++) {
    discounts[k] = 1 / Math.log2(k + 2);
    idealPrefix[k + 1] = idealPrefix[k] + discounts[k];
  }
}

/** 1 / log2(pos + 1) for a 1-based position. */
export function discountAt(pos1: number): number {
  return 1 / Math.log2(pos1 + 1);
}

/** DCG of the first K entries of a binary (or graded) relevance vector. */
export function dcgAt(r: ArrayLike<number>, K: number): number {
  ensureTables(K);
  let s = 0;
  const m = Math.min(K, r.length);
  for (let k = 0; k < m; k++) if (r[k]) s += r[k] * discounts[k];
  return s;
}

/** Ideal DCG of `ones` relevant items at the front. */
export function idealDcg(ones: number): number {
  ensureTables(ones);
  return idealPrefix[Math.max(0, ones)];
}

/**
 * Binary hit vector of a ranked list against the held-out items (`heldOut` sorted ascending, as
 * in UserItems). Writes into `out` when given (its length is the list length considered).
 */
export function hitVector(ranked: ArrayLike<number>, heldOut: ArrayLike<number>, out?: Uint8Array): Uint8Array {
  const r = out ?? new Uint8Array(ranked.length);
  const m = Math.min(r.length, ranked.length);
  for (let k = 0; k < m; k++) {
    const item = ranked[k];
    let lo = 0;
    let hi = heldOut.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = heldOut[mid];
      if (v === item) {
        found = 1;
        break;
      }
      if (v < item) lo = mid + 1;
      else hi = mid - 1;
    }
    r[k] = found;
  }
  for (let k = m; k < r.length; k++) r[k] = 0;
  return r;
}

/** All metrics at cut-off K from a hit vector and the number of held-out items |T|. */
export function metricsAtK(r: ArrayLike<number>, nRelevant: number, K: number): MetricsAtK {
  ensureTables(K);
  const m = Math.min(K, r.length);
  let hits = 0;
  let dcg = 0;
  for (let k = 0; k < m; k++) {
    if (r[k]) {
      hits++;
      dcg += discounts[k];
    }
  }
  const idcg = idealPrefix[Math.min(nRelevant, K)];
  const idcgRef = idealPrefix[hits];
  return {
    recall: nRelevant > 0 ? hits / nRelevant : 0,
    precision: hits / K,
    hit: hits > 0 ? 1 : 0,
    ndcg: idcg > 0 ? dcg / idcg : 0,
    ndcg_ref: idcgRef > 0 ? dcg / idcgRef : 0,
  };
}

/**
 * Convenience: metrics for one user's ranked list at several K, keyed 'recall@20', 'ndcg@20',
 * 'ndcg_ref@20', 'precision@20', 'hit@20'.
 */
export function rankingMetrics(
  ranked: ArrayLike<number>,
  heldOut: ArrayLike<number>,
  ks: readonly number[],
): Record<string, number> {
  const maxK = Math.max(...ks);
  const r = hitVector(ranked, heldOut, new Uint8Array(maxK));
  const out: Record<string, number> = {};
  for (const K of ks) {
    const m = metricsAtK(r, heldOut.length, K);
    for (const name of METRIC_NAMES) out[`${name}@${K}`] = m[name];
  }
  return out;
}
