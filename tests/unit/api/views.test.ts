// Pure helpers behind the explorer and user view.
import { describe, expect, it } from 'vitest';
import { columnHistograms, explain, neighbourRow, topK } from '../../../src/main/api/views';

const m = <T extends Float32Array | Int32Array>(data: T, rows: number, cols: number) => ({ data, rows, cols });

describe('views', () => {
  it('top-K masks the train items and orders by score', () => {
    const users = m(new Float32Array([1, 0]), 1, 2);
    const items = m(new Float32Array([0.9, 0, 0.5, 0, 0.1, 0, 0.7, 0]), 4, 2);
    expect(topK(users, items, 0, 2, [0]).map((r) => r.item)).toEqual([3, 1]);
  });

  it('neighbour rows drop padding; explanations link history items both ways', () => {
    const g = { modality: 'visual', indices: m(new Int32Array([1, 2, -1, 0, 3, -1, 3, -1, -1, 2, -1, -1]), 4, 3), weights: m(new Float32Array([0.5, 0.2, 0, 0.4, 0.3, 0, 0.9, 0, 0, 0.6, 0, 0]), 4, 3) };
    expect(neighbourRow(g, 0)).toEqual([{ item: 1, weight: 0.5 }, { item: 2, weight: expect.closeTo(0.2) }]);
    // recommend 3 to a user with history [1, 2]: 1 lists 3 (0.3); 2 lists 3 (0.9); 3 lists 2 (0.6)
    expect(explain(3, [1, 2], [g])).toEqual([{ modality: 'visual', via: [{ item: 2, weight: expect.closeTo(0.9) }, { item: 1, weight: expect.closeTo(0.3) }] }]);
  });

  it('histograms count every row once', () => {
    const h = columnHistograms(m(new Float32Array([0.1, 0.9, 0.5, 0.5, 1, 0]), 3, 2), ['a', 'b'], 4);
    expect(h[0].counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(h[0].edges).toHaveLength(5);
    expect(h[1].mean).toBeCloseTo((0.9 + 0.5 + 0) / 3);
  });

  it('lists a neighbour row strongest first, whatever the stored order', () => {
    // stored in cosine order; the normalised weights (eq. 3) order differently
    const g = { modality: 'visual', indices: m(new Int32Array([4, 2, 9, -1]), 1, 4), weights: m(new Float32Array([0.2, 0.5, 0.5, 0]), 1, 4) };
    expect(neighbourRow(g, 0).map((n) => n.item)).toEqual([2, 9, 4]);
  });

  it('fits histogram bins to [min, max] of the data, with std and both tails', () => {
    // α of a short run: 0.49-0.51, which fixed [0, 1] bins of 0.05 would put into one or two bins
    const vals = [0.49, 0.4925, 0.5, 0.5, 0.505, 0.51];
    const data = new Float32Array(vals.flatMap((v) => [v, 1 - v]));
    const [a, b] = columnHistograms(m(data, 6, 2), ['visual', 'textual'], 4, 2);
    expect(a.edges[0]).toBeCloseTo(0.49, 6);
    expect(a.edges[4]).toBeCloseTo(0.51, 6);
    expect(b.edges).toEqual(a.edges); // one range for the columns of one chart
    expect(a.counts).toEqual([2, 0, 2, 2]);
    const mean = vals.reduce((s, v) => s + v, 0) / 6;
    expect(a.mean).toBeCloseTo(mean, 6);
    expect(a.std).toBeCloseTo(Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / 6), 6);
    expect([a.min, a.max]).toEqual([expect.closeTo(0.49, 6), expect.closeTo(0.51, 6)]);
    expect(a.low.map((t) => t.item)).toEqual([0, 1]);
    expect(a.high.map((t) => t.item)).toEqual([5, 4]);
    expect(b.high.map((t) => t.item)).toEqual([0, 1]);
  });
});
