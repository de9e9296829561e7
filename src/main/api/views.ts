// Pure computations behind the explorer and the user view: neighbour rows, attention rows and
// histograms, top-K recommendations from stored final embeddings, and their explanations through
// the combined item-item graphs. Typed arrays in, plain objects out; no store, no I/O.
import type { AttentionVector, Explanation, Histogram } from '../../shared/api';
import { topKRow } from '../engine/eval/evaluator';

export interface Matrix<T extends Float32Array | Int32Array> {
  data: T;
  rows: number;
  cols: number;
}

export interface NeighbourTable {
  modality: string;
  indices: Matrix<Int32Array>;
  weights: Matrix<Float32Array> | null;
}

/** Row `item` of a neighbour list: ids (−1 padding dropped) with their weights. */
export function neighbourRow(t: NeighbourTable, item: number): { item: number; weight: number }[] {
  const { data, cols } = t.indices;
  const out: { item: number; weight: number }[] = [];
  for (let j = 0; j < cols; j++) {
    const id = data[item * cols + j];
    if (id < 0) continue;
    out.push({ item: id, weight: t.weights ? t.weights.data[item * cols + j] : NaN });
  }
  return out;
}

export function attentionRow(m: Matrix<Float32Array>, columns: string[], item: number): AttentionVector {
  return { columns, values: Array.from(m.data.subarray(item * m.cols, item * m.cols + m.cols)) };
}

/** Per-column histograms over all rows; bins span [0, 1] unless values fall outside. */
export function columnHistograms(m: Matrix<Float32Array>, columns: string[], bins: number): Histogram[] {
  return columns.map((column, c) => {
    let lo = 0;
    let hi = 1;
    let sum = 0;
    let n = 0;
    for (let r = 0; r < m.rows; r++) {
      const v = m.data[r * m.cols + c];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
      n++;
    }
    const width = (hi - lo) / bins || 1;
    const counts = new Array<number>(bins).fill(0);
    for (let r = 0; r < m.rows; r++) {
      const v = m.data[r * m.cols + c];
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    }
    const edges = Array.from({ length: bins + 1 }, (_, b) => lo + b * width);
    return { column, edges, counts, mean: n ? sum / n : NaN };
  });
}

/** Items of row u of a CSR list. */
export function rowItems(csr: { nUsers: number; indptr: Int32Array; indices: Int32Array }, u: number): number[] {
  if (u >= csr.nUsers) return [];
  return Array.from(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]));
}

/** Scores of every item for user u (dot product of final embeddings); `masked` items get −Infinity. */
export function topK(users: Matrix<Float32Array>, items: Matrix<Float32Array>, u: number, k: number, masked: Iterable<number>): { item: number; score: number }[] {
  if (users.cols !== items.cols) throw new Error(`user and item embeddings differ in width (${users.cols} vs ${items.cols})`);
  const d = users.cols;
  const ue = users.data.subarray(u * d, u * d + d);
  const scores = new Float32Array(items.rows);
  for (let i = 0; i < items.rows; i++) {
    let s = 0;
    const off = i * d;
    for (let j = 0; j < d; j++) s += ue[j] * items.data[off + j];
    scores[i] = s;
  }
  for (const i of masked) if (i >= 0 && i < scores.length) scores[i] = -Infinity;
  const top = new Int32Array(k);
  const found = topKRow(scores, 0, items.rows, k, top, new Float64Array(k), new Int32Array(k));
  return Array.from(top.subarray(0, found), (item) => ({ item, score: scores[item] }));
}

/**
 * Why item `rec` is recommended, per modality: the history items linked to it in the combined
 * item graph (rec lists h as a neighbour, or h lists rec), strongest link first.
 */
export function explain(rec: number, history: readonly number[], graphs: readonly NeighbourTable[], maxPerModality = 5): Explanation[] {
  const inHistory = new Set(history);
  return graphs.map((g) => {
    const links = new Map<number, number>();
    const add = (h: number, w: number) => {
      const wv = Number.isFinite(w) ? w : 0;
      links.set(h, Math.max(links.get(h) ?? -Infinity, wv));
    };
    for (const { item, weight } of neighbourRow(g, rec)) if (inHistory.has(item)) add(item, weight);
    for (const h of history) {
      if (h >= g.indices.rows) continue;
      for (const { item, weight } of neighbourRow(g, h)) if (item === rec) add(h, weight);
    }
    const via = [...links.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, maxPerModality)
      .map(([item, weight]) => ({ item, weight }));
    return { modality: g.modality, via };
  });
}
