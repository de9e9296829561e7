// How the item graphs differ: for one item, which neighbours the learned graph kept, gained and
// lost against the initial (feature) graph, and how much the modalities agree; for the whole
// dataset, the mean overlap (Jaccard) of the same comparisons. The item itself (a self-loop in
// every kNN list) is left out of every set. O(N·k) time and memory, never N×N.
import type { NeighbourTable } from './views';

/** The neighbour ids of `item` (padding and the item itself dropped). */
export function neighbourIds(t: NeighbourTable, item: number): number[] {
  const { data, cols } = t.indices;
  const out: number[] = [];
  for (let j = 0; j < cols; j++) {
    const id = data[item * cols + j];
    if (id >= 0 && id !== item) out.push(id);
  }
  return out;
}

/** |A ∩ B| / |A ∪ B|; NaN when both are empty (no evidence either way). */
export function jaccard(a: readonly number[], b: readonly number[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let both = 0;
  for (const x of sa) if (sb.has(x)) both++;
  const union = sa.size + sb.size - both;
  return union ? both / union : NaN;
}

/** kept = in both lists, gained = learned only, lost = initial only. */
export function diffSets(initial: readonly number[], learned: readonly number[]): { kept: number[]; gained: number[]; lost: number[]; jaccard: number } {
  const si = new Set(initial);
  const sl = new Set(learned);
  return {
    kept: learned.filter((x) => si.has(x)),
    gained: learned.filter((x) => !si.has(x)),
    lost: initial.filter((x) => !sl.has(x)),
    jaccard: jaccard(initial, learned),
  };
}

/**
 * Mean Jaccard of the rows of two neighbour tables over all items (items where both rows are
 * empty are skipped), and the mean size of the intersection. A stamp array marks row i of `a`,
 * so each row costs O(k).
 */
export function meanJaccard(a: NeighbourTable, b: NeighbourTable): { meanJaccard: number; meanShared: number; items: number } {
  const n = Math.min(a.indices.rows, b.indices.rows);
  const stamp = new Int32Array(Math.max(a.indices.rows, b.indices.rows, maxId(a), maxId(b)) + 1).fill(-1);
  const seenB = new Int32Array(stamp.length).fill(-1);
  let sum = 0;
  let shared = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    let sizeA = 0;
    for (const id of rowOf(a, i)) if (stamp[id] !== i) ((stamp[id] = i), sizeA++);
    let sizeB = 0;
    let both = 0;
    for (const id of rowOf(b, i)) {
      if (seenB[id] === i) continue;
      seenB[id] = i;
      sizeB++;
      if (stamp[id] === i) both++;
    }
    const union = sizeA + sizeB - both;
    if (!union) continue;
    sum += both / union;
    shared += both;
    counted++;
  }
  return { meanJaccard: counted ? sum / counted : NaN, meanShared: counted ? shared / counted : NaN, items: counted };
}

function* rowOf(t: NeighbourTable, i: number): Generator<number> {
  const { data, cols } = t.indices;
  for (let j = 0; j < cols; j++) {
    const id = data[i * cols + j];
    if (id >= 0 && id !== i) yield id;
  }
}

function maxId(t: NeighbourTable): number {
  let m = -1;
  for (const id of t.indices.data) if (id > m) m = id;
  return m;
}

/** Unordered pairs of a list, in order: [a, b] with a before b. */
export function pairs<T>(xs: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push([xs[i], xs[j]]);
  return out;
}
