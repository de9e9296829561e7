// Per-item views derived from a trained MICRO model's graphs, for the explorer and exports.

export interface NeighbourList {
  indices: Int32Array; // n × k
  weights: Float32Array; // n × k
  k: number;
}

/**
 * Rows of A^m = (1−λ)·Ã^m + λ·S̃^m (eq. 5): the union of the learned and initial neighbour lists,
 * duplicates summed, sorted by weight; rows padded with −1 / 0 up to 2k entries.
 */
export function combinedNeighbours(
  m: { k: number; initial: { indices: Int32Array; weights: Float32Array }; learned: { indices: Int32Array; weights: Float32Array } },
  lambda: number,
  n: number,
): NeighbourList {
  const k = m.k;
  const k2 = 2 * k;
  const indices = new Int32Array(n * k2).fill(-1);
  const weights = new Float32Array(n * k2);
  const acc = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    acc.clear();
    for (let j = 0; j < k; j++) {
      const a = m.learned.indices[i * k + j];
      if (a >= 0) acc.set(a, (acc.get(a) ?? 0) + (1 - lambda) * m.learned.weights[i * k + j]);
      const b = m.initial.indices[i * k + j];
      if (b >= 0) acc.set(b, (acc.get(b) ?? 0) + lambda * m.initial.weights[i * k + j]);
    }
    const row = [...acc.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    row.forEach(([j, w], q) => {
      indices[i * k2 + q] = j;
      weights[i * k2 + q] = w;
    });
  }
  return { indices, weights, k: k2 };
}
