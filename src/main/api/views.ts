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

/** Row `item` of a neighbour list, strongest first (ties: lower id; unknown weights last), −1
 *  padding dropped. Stored rows follow the kNN's cosine order, which is not the order of the
 *  degree-normalised weights (eq. 3), so every reader sorts here. */
export function neighbourRow(t: NeighbourTable, item: number): { item: number; weight: number }[] {
  const { data, cols } = t.indices;
  const out: { item: number; weight: number }[] = [];
  for (let j = 0; j < cols; j++) {
    const id = data[item * cols + j];
    if (id < 0) continue;
    out.push({ item: id, weight: t.weights ? t.weights.data[item * cols + j] : NaN });
  }
  const key = (w: number) => (Number.isFinite(w) ? w : -Infinity);
  return out.sort((a, b) => key(b.weight) - key(a.weight) || a.item - b.item);
}

export function attentionRow(m: Matrix<Float32Array>, columns: string[], item: number): AttentionVector {
  return { columns, values: Array.from(m.data.subarray(item * m.cols, item * m.cols + m.cols)) };
}

/** The `n` rows with the smallest and the largest value of column c (extremes first). */
function tails(m: Matrix<Float32Array>, c: number, n: number): { low: { item: number; value: number }[]; high: { item: number; value: number }[] } {
  const ids: number[] = [];
  for (let r = 0; r < m.rows; r++) if (Number.isFinite(m.data[r * m.cols + c])) ids.push(r);
  ids.sort((a, b) => m.data[a * m.cols + c] - m.data[b * m.cols + c] || a - b);
  const row = (r: number) => ({ item: r, value: m.data[r * m.cols + c] });
  const k = Math.min(n, Math.floor(ids.length / 2));
  return { low: ids.slice(0, k).map(row), high: ids.slice(ids.length - k).reverse().map(row) };
}

/**
 * Per-column histograms over all rows, with bins fitted to the data: one range [min, max] over all
 * columns (so the columns of one chart share their bins), mean, std and the `tail` items at each
 * end. Fixed [0, 1] bins would put a short run's α = 0.50 ± 0.01 into one bin.
 */
export function columnHistograms(m: Matrix<Float32Array>, columns: string[], bins: number, tail = 0): Histogram[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m.rows * m.cols; i++) {
    const v = m.data[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) [lo, hi] = [0, 1]; // no finite value at all
  if (hi - lo < 1e-6) [lo, hi] = [lo - 5e-4, hi + 5e-4]; // all equal: one visible bin around the value
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, b) => (b === bins ? hi : lo + b * width));
  return columns.map((column, c) => {
    let sum = 0;
    let sq = 0;
    let n = 0;
    let cmin = Infinity;
    let cmax = -Infinity;
    const counts = new Array<number>(bins).fill(0);
    for (let r = 0; r < m.rows; r++) {
      const v = m.data[r * m.cols + c];
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
      sum += v;
      sq += v * v;
      n++;
      if (v < cmin) cmin = v;
      if (v > cmax) cmax = v;
    }
    const mean = n ? sum / n : NaN;
    const std = n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN;
    return { column, edges, counts, mean, std, min: n ? cmin : NaN, max: n ? cmax : NaN, ...(tail > 0 ? tails(m, c, tail) : { low: [], high: [] }) };
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
