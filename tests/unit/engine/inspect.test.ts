import { describe, expect, it } from 'vitest';
import { combinedNeighbours } from '../../../src/main/engine/inspect';

describe('combinedNeighbours (eq. 5 rows for the explorer)', () => {
  it('equals the dense (1−λ)·learned + λ·initial row, sorted, duplicates summed', () => {
    const n = 3;
    const k = 2;
    const initial = { indices: Int32Array.from([0, 1, 1, 2, 2, 0]), weights: Float32Array.from([0.5, 0.3, 0.6, 0.2, 0.7, 0.1]) };
    const learned = { indices: Int32Array.from([0, 2, 1, 0, 2, 1]), weights: Float32Array.from([0.4, 0.4, 0.9, 0.05, 0.8, 0.3]) };
    const lambda = 0.7;
    const c = combinedNeighbours({ k, initial, learned }, lambda, n);
    expect(c.k).toBe(4);
    // dense rows
    const dense = Array.from({ length: n }, () => new Array(n).fill(0));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < k; j++) {
        dense[i][initial.indices[i * k + j]] += lambda * initial.weights[i * k + j];
        dense[i][learned.indices[i * k + j]] += (1 - lambda) * learned.weights[i * k + j];
      }
    for (let i = 0; i < n; i++) {
      const want = dense[i]
        .map((w, j) => [j, w] as const)
        .filter(([, w]) => w > 0)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const got = [];
      for (let q = 0; q < 4; q++) if (c.indices[i * 4 + q] >= 0) got.push([c.indices[i * 4 + q], c.weights[i * 4 + q]]);
      expect(got.map((g) => g[0])).toEqual(want.map((w) => w[0]));
      got.forEach((g, q) => expect(g[1]).toBeCloseTo(want[q][1], 6));
    }
    // row 0: 0 → 0.7·0.5 + 0.3·0.4 = 0.47 ; 1 → 0.21 ; 2 → 0.12
    expect(c.weights[0]).toBeCloseTo(0.47, 6);
  });
});
