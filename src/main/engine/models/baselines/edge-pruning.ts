// FREEDOM's degree-sensitive edge pruning of the user-item graph (Zhou & Shen, MM'23, as MMRec's
// freedom.py → pre_epoch_processing): keep ⌊(1−ρ)·|E|⌋ train interactions drawn without
// replacement with probability ∝ 1/√(d_u·d_i), so edges between high-degree nodes (the likely
// noisy ones) are dropped more often. The result is a new interaction set; the caller normalises it.
import type { UserItems } from '../../types';
import type { Rng } from '../../data/random';

/**
 * `m` distinct indices drawn without replacement with probability ∝ weights (as successive
 * weighted draws, torch.multinomial without replacement): exponential race (Efraimidis &
 * Spirakis), index e gets key Exp(1)/w_e and the m smallest keys win. Zero weights never win
 * unless needed to reach m. Returned ascending.
 */
export function weightedSampleWithoutReplacement(weights: ArrayLike<number>, m: number, rng: Rng): Int32Array {
  const n = weights.length;
  if (!Number.isInteger(m) || m < 0 || m > n) throw new RangeError(`weightedSampleWithoutReplacement: cannot draw ${m} of ${n}`);
  const keys = new Float64Array(n);
  for (let e = 0; e < n; e++) keys[e] = -Math.log(1 - rng.next()) / weights[e]; // 1 − next() ∈ (0, 1]; w = 0 → ∞
  if (m === 0) return new Int32Array(0);
  const threshold = keys.slice().sort()[m - 1];
  const out = new Int32Array(m);
  let q = 0;
  for (let e = 0; e < n && q < m; e++) if (keys[e] < threshold) out[q++] = e;
  for (let e = 0; e < n && q < m; e++) if (keys[e] === threshold) out[q++] = e; // ties (measure zero) in index order
  return out.sort();
}

/** 1/√(d_u·d_i) for every train edge, in CSR order (d = degrees in the full train graph). */
export function degreeWeights(train: UserItems, nItems: number): Float64Array {
  const itemDeg = new Float64Array(nItems);
  for (const i of train.indices) itemDeg[i]++;
  const w = new Float64Array(train.indices.length);
  for (let u = 0; u < train.nUsers; u++) {
    const du = train.indptr[u + 1] - train.indptr[u];
    for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) w[p] = 1 / Math.sqrt(du * itemDeg[train.indices[p]]);
  }
  return w;
}

/** The kept interactions of one pruning draw (dropout ρ ∈ [0, 1); ρ = 0 keeps every edge). */
export function pruneInteractions(train: UserItems, nItems: number, dropout: number, rng: Rng): UserItems {
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout: expected a ratio in [0, 1), got ${dropout}`);
  if (dropout === 0) return train;
  const keep = weightedSampleWithoutReplacement(degreeWeights(train, nItems), Math.floor(train.indices.length * (1 - dropout)), rng);
  // Kept edge ids are ascending CSR positions, so rows stay grouped and items sorted.
  const indptr = new Int32Array(train.nUsers + 1);
  const indices = new Int32Array(keep.length);
  let q = 0;
  for (let u = 0; u < train.nUsers; u++) {
    while (q < keep.length && keep[q] < train.indptr[u + 1]) indices[q] = train.indices[keep[q++]];
    indptr[u + 1] = q;
  }
  return { nUsers: train.nUsers, indptr, indices };
}
