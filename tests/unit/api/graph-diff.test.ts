// Set comparisons of neighbour lists: one item's kept / gained / lost and the dataset-wide mean
// Jaccard (O(N·k) with a stamp array), against a plain Set-based oracle.
import { describe, expect, it } from 'vitest';
import { diffSets, jaccard, meanJaccard, neighbourIds } from '../../../src/main/api/graph-diff';
import { createRng } from '../../../src/main/engine/data/random';

const table = (rows: number[][], k: number) => ({
  modality: 'm',
  indices: { data: Int32Array.from(rows.flatMap((r) => [...r, ...new Array(k - r.length).fill(-1)])), rows: rows.length, cols: k },
  weights: null,
});

describe('graph diff', () => {
  it('splits one item’s lists into kept, gained and lost, leaving the item itself out', () => {
    const initial = table([[0, 1, 2, 3]], 4);
    const learned = table([[2, 0, 5, -1]], 4);
    const d = diffSets(neighbourIds(initial, 0), neighbourIds(learned, 0));
    expect(d).toEqual({ kept: [2], gained: [5], lost: [1, 3], jaccard: 1 / 4 });
    expect(jaccard([], [])).toBeNaN();
  });

  it('averages Jaccard over all items like a Set-based oracle, skipping items with two empty rows', () => {
    const rng = createRng(7);
    const n = 60;
    const k = 6;
    const rows = () => Array.from({ length: n }, (_, i) => (i === 5 ? [] : Array.from({ length: k }, () => Math.floor(rng.next() * 20))));
    const a = rows();
    const b = rows();
    const oracle: number[] = [];
    a.forEach((r, i) => {
      const sa = new Set(r.filter((x) => x !== i));
      const sb = new Set(b[i].filter((x) => x !== i));
      const both = [...sa].filter((x) => sb.has(x)).length;
      if (sa.size + sb.size - both) oracle.push(both / (sa.size + sb.size - both));
    });
    const r = meanJaccard(table(a, k), table(b, k));
    expect(r.items).toBe(n - 1);
    expect(r.meanJaccard).toBeCloseTo(oracle.reduce((s, x) => s + x, 0) / oracle.length, 12);
  });
});
