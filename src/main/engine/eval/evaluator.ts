// Full-ranking evaluation (docs/model.md, 'Evaluation'), following the public MICRO code.
//
// - Users evaluated: those with a non-empty held-out list.
// - Candidates: all items (or `candidateItems`) minus the user's TRAIN items only (the reference
//   masks nothing else: validation items are not masked when testing and vice versa).
// - Top-maxK per user by partial selection (a K-sized heap), never a full sort. Ties: equal
//   scores are ordered by a fixed pseudo-random permutation of the items (evaluationTieOrder),
//   never by id. NaN / -Infinity scores are never ranked.
// - Metrics (see metrics.ts) averaged over evaluated users.
// `candidateItems` only restricts what can be ranked; |T| stays the full held-out list.
// `protocols` adds candidate sets ranked from the same scores (one scoring pass), their metric
// keys prefixed (`cold-only:recall@20`): the cold-start split's "cold candidates only" protocol.
// The score buffers returned by scoreUsers are modified in place (train items set to -Infinity).

import type { ProgressFn, UserItems } from '../types';
import { METRIC_NAMES, metricsAtK } from './metrics';
import { createRng } from '../data/random';

export interface EvaluateOptions<S> {
  nItems: number;
  train: UserItems;
  heldOut: UserItems;
  /** Cut-offs. Default [10, 20, 50]. */
  ks?: readonly number[];
  /** Scores for a batch of users: users.length x nItems, row-major. */
  scoreUsers: (users: Int32Array) => S;
  /** Users per scoreUsers call. Default 1024. */
  userBatch?: number;
  /** Optional restriction of the ranked items (any order; duplicates ignored). */
  candidateItems?: Int32Array;
  /** Further protocols: the same scores ranked over `items` only, metric keys prefixed `prefix:`. */
  protocols?: readonly { prefix: string; items: Int32Array }[];
  /** Keep per-user metric values in the result. Default false. */
  keepPerUser?: boolean;
  onProgress?: ProgressFn;
}

export interface EvaluationResult {
  /** Number of evaluated users (non-empty held-out lists). */
  users: number;
  /** Averages keyed 'recall@20', 'precision@20', 'hit@20', 'ndcg@20', 'ndcg_ref@20', ... */
  metrics: Record<string, number>;
  /** With keepPerUser: evaluated user ids and one value per user for each metric key. */
  perUser?: { users: Int32Array; metrics: Record<string, Float32Array> };
}

/** Users with a non-empty list, ascending. */
export function usersWithItems(ui: UserItems): Int32Array {
  let c = 0;
  for (let u = 0; u < ui.nUsers; u++) if (ui.indptr[u + 1] > ui.indptr[u]) c++;
  const out = new Int32Array(c);
  c = 0;
  for (let u = 0; u < ui.nUsers; u++) if (ui.indptr[u + 1] > ui.indptr[u]) out[c++] = u;
  return out;
}

/** Items that no user has in train (ascending): a cold-start split's cold candidates. */
export function itemsWithoutTrain(train: UserItems, nItems: number): Int32Array {
  const seen = new Uint8Array(nItems);
  for (let p = 0; p < train.indices.length; p++) seen[train.indices[p]] = 1;
  const out: number[] = [];
  for (let i = 0; i < nItems; i++) if (!seen[i]) out.push(i);
  return Int32Array.from(out);
}

const tieOrders = new Map<number, Int32Array>();

/**
 * The evaluation's tie order: tieKey[item] = the item's place in a fixed pseudo-random permutation
 * (seed 0x5eed) of 0..nItems−1. Equal scores are ranked by it, not by item id: ids often carry
 * information (TikTok's low ids are its popular items), and a model that scores many items alike
 * (Popularity on cold items: all 0) would otherwise be credited with the id order.
 */
export function evaluationTieOrder(nItems: number): Int32Array {
  let key = tieOrders.get(nItems);
  if (!key) {
    const perm = createRng(0x5eed).shuffle(Int32Array.from({ length: nItems }, (_, i) => i));
    key = new Int32Array(nItems);
    for (let r = 0; r < nItems; r++) key[perm[r]] = r;
    tieOrders.set(nItems, key);
  }
  return key;
}

/**
 * Top-K of one score row by a K-sized min-heap; writes item ids best first into `outIdx`
 * (returns how many were found, < K when fewer rankable items). `items` restricts the candidates
 * when given. Equal scores rank the smaller `tieKey[item]` first (default: the lower id).
 */
export function topKRow(
  scores: Float32Array,
  offset: number,
  nItems: number,
  K: number,
  outIdx: Int32Array,
  heapS: Float64Array,
  heapI: Int32Array,
  items?: Int32Array,
  tieKey?: Int32Array,
): number {
  const key = (it: number) => (tieKey ? tieKey[it] : it);
  // "a ranks below b": lower score, or equal score and a later tie key. The heap keeps the worst on top.
  const below = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && key(ia) > key(ib));
  let size = 0;
  const m = items ? items.length : nItems;
  for (let q = 0; q < m; q++) {
    const it = items ? items[q] : q;
    const s = scores[offset + it];
    if (!(s > -Infinity)) continue; // NaN or masked
    if (size < K) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (below(heapS[p], heapI[p], s, it)) break;
        heapS[c] = heapS[p];
        heapI[c] = heapI[p];
        c = p;
      }
      heapS[c] = s;
      heapI[c] = it;
      continue;
    }
    // Full: enter only if strictly better than the root (the common case is a cheap score test).
    if (s < heapS[0] || (s === heapS[0] && key(it) > key(heapI[0]))) continue;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= K) break;
      let w = l;
      const r = l + 1;
      if (r < K && below(heapS[r], heapI[r], heapS[l], heapI[l])) w = r;
      // The worse child moves up while it ranks below the newcomer.
      if (below(heapS[w], heapI[w], s, it)) {
        heapS[c] = heapS[w];
        heapI[c] = heapI[w];
        c = w;
      } else break;
    }
    heapS[c] = s;
    heapI[c] = it;
  }
  // Best first (insertion sort; K is small).
  for (let a = 0; a < size; a++) outIdx[a] = heapI[a];
  for (let a = 1; a < size; a++) {
    const it = outIdx[a];
    const s = scores[offset + it];
    let b = a;
    while (b > 0 && below(scores[offset + outIdx[b - 1]], outIdx[b - 1], s, it)) {
      outIdx[b] = outIdx[b - 1];
      b--;
    }
    outIdx[b] = it;
  }
  return size;
}

/**
 * Accumulates metrics over user batches; used by evaluateRanking(Async) and usable directly by
 * callers that produce scores some other way.
 */
export class RankingAccumulator {
  readonly ks: number[];
  readonly maxK: number;
  private readonly sums: Float64Array; // [ks.length * METRIC_NAMES.length]
  private count = 0;
  private readonly mark: Int32Array;
  private readonly ranked: Int32Array;
  private readonly r: Uint8Array;
  private readonly heapS: Float64Array;
  private readonly heapI: Int32Array;
  private readonly items?: Int32Array;
  private readonly tieKey: Int32Array;
  private readonly perUser?: { users: Int32Array; values: Float32Array[] };

  constructor(
    readonly nItems: number,
    readonly train: UserItems,
    readonly heldOut: UserItems,
    ks: readonly number[],
    candidateItems?: Int32Array,
    keepPerUserFor?: number,
  ) {
    if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new RangeError(`evaluate: ks must be positive integers, got [${ks.join(', ')}]`);
    }
    this.ks = [...ks];
    this.maxK = Math.max(...ks);
    this.sums = new Float64Array(ks.length * METRIC_NAMES.length);
    this.mark = new Int32Array(nItems).fill(-1);
    this.ranked = new Int32Array(this.maxK);
    this.r = new Uint8Array(this.maxK);
    this.heapS = new Float64Array(this.maxK);
    this.heapI = new Int32Array(this.maxK);
    this.tieKey = evaluationTieOrder(nItems);
    if (candidateItems) {
      const sorted = Int32Array.from(candidateItems).sort();
      let w = 0;
      for (let q = 0; q < sorted.length; q++) {
        const it = sorted[q];
        if (it < 0 || it >= nItems) throw new RangeError(`evaluate: candidate item ${it} out of range (nItems=${nItems})`);
        if (w === 0 || sorted[w - 1] !== it) sorted[w++] = it;
      }
      this.items = sorted.subarray(0, w);
    }
    if (keepPerUserFor !== undefined) {
      this.perUser = {
        users: new Int32Array(keepPerUserFor),
        values: Array.from({ length: this.sums.length }, () => new Float32Array(keepPerUserFor)),
      };
    }
  }

  /** Rank and score a batch: `scores` is users.length x nItems (modified: train items masked). */
  addBatch(users: Int32Array, scores: Float32Array): void {
    const { nItems, train, heldOut, maxK, ks } = this;
    if (scores.length < users.length * nItems) {
      throw new RangeError(`evaluate: scoreUsers returned ${scores.length} values, expected ${users.length * nItems}`);
    }
    const nm = METRIC_NAMES.length;
    for (let b = 0; b < users.length; b++) {
      const u = users[b];
      const off = b * nItems;
      if (u < train.nUsers) {
        for (let p = train.indptr[u]; p < train.indptr[u + 1]; p++) scores[off + train.indices[p]] = -Infinity;
      }
      const hs = heldOut.indptr[u];
      const he = heldOut.indptr[u + 1];
      const nT = he - hs;
      for (let p = hs; p < he; p++) {
        const it = heldOut.indices[p];
        if (it < 0 || it >= nItems) throw new RangeError(`evaluate: held-out item ${it} of user ${u} out of range`);
        this.mark[it] = u;
      }
      const found = topKRow(scores, off, nItems, maxK, this.ranked, this.heapS, this.heapI, this.items, this.tieKey);
      for (let k = 0; k < maxK; k++) this.r[k] = k < found && this.mark[this.ranked[k]] === u ? 1 : 0;
      for (let q = 0; q < ks.length; q++) {
        const m = metricsAtK(this.r, nT, ks[q]);
        for (let t = 0; t < nm; t++) {
          const v = m[METRIC_NAMES[t]];
          this.sums[q * nm + t] += v;
          if (this.perUser) this.perUser.values[q * nm + t][this.count] = v;
        }
      }
      if (this.perUser) this.perUser.users[this.count] = u;
      this.count++;
    }
  }

  result(): EvaluationResult {
    const metrics: Record<string, number> = {};
    const nm = METRIC_NAMES.length;
    const perMetrics: Record<string, Float32Array> = {};
    for (let q = 0; q < this.ks.length; q++) {
      for (let t = 0; t < nm; t++) {
        const key = `${METRIC_NAMES[t]}@${this.ks[q]}`;
        metrics[key] = this.count > 0 ? this.sums[q * nm + t] / this.count : 0;
        if (this.perUser) perMetrics[key] = this.perUser.values[q * nm + t].subarray(0, this.count);
      }
    }
    const res: EvaluationResult = { users: this.count, metrics };
    if (this.perUser) res.perUser = { users: this.perUser.users.subarray(0, this.count), metrics: perMetrics };
    return res;
  }
}

/** The main accumulator and one per extra protocol, fed the same score batches. */
class ProtocolAccumulators {
  private readonly extra: { prefix: string; acc: RankingAccumulator }[];
  constructor(
    private readonly main: RankingAccumulator,
    make: (items: Int32Array) => RankingAccumulator,
    protocols: readonly { prefix: string; items: Int32Array }[],
  ) {
    this.extra = protocols.map((p) => ({ prefix: p.prefix, acc: make(p.items) }));
  }

  addBatch(users: Int32Array, scores: Float32Array): void {
    // Masking train items is idempotent, so every accumulator can take the same buffer.
    this.main.addBatch(users, scores);
    for (const e of this.extra) e.acc.addBatch(users, scores);
  }

  result(): EvaluationResult {
    const res = this.main.result();
    for (const { prefix, acc } of this.extra) {
      const r = acc.result();
      for (const [k, v] of Object.entries(r.metrics)) res.metrics[`${prefix}:${k}`] = v;
      if (res.perUser && r.perUser) for (const [k, v] of Object.entries(r.perUser.metrics)) res.perUser.metrics[`${prefix}:${k}`] = v;
    }
    return res;
  }
}

function setup<S>(opts: EvaluateOptions<S>) {
  const { nItems, train, heldOut } = opts;
  // train and heldOut index the same users; a user beyond train.nUsers simply has nothing masked.
  const users = usersWithItems(heldOut);
  const batch = Math.max(1, Math.floor(opts.userBatch ?? 1024));
  const ks = opts.ks ?? [10, 20, 50];
  const keep = opts.keepPerUser ? users.length : undefined;
  const make = (items?: Int32Array) => new RankingAccumulator(nItems, train, heldOut, ks, items, keep);
  const acc = new ProtocolAccumulators(make(opts.candidateItems), make, opts.protocols ?? []);
  const batches = Math.ceil(users.length / batch);
  return { users, batch, acc, batches };
}

/** Full-ranking evaluation with a synchronous scorer. */
export function evaluateRanking(opts: EvaluateOptions<Float32Array>): EvaluationResult {
  const { users, batch, acc, batches } = setup(opts);
  for (let b = 0; b < batches; b++) {
    const ub = users.slice(b * batch, Math.min(users.length, (b + 1) * batch));
    acc.addBatch(ub, opts.scoreUsers(ub));
    opts.onProgress?.({ phase: 'eval', batch: b + 1, batches });
  }
  return acc.result();
}

/** Same as evaluateRanking, with a scorer that may return a Promise (e.g. GPU / worker backed). */
export async function evaluateRankingAsync(
  opts: EvaluateOptions<Float32Array | Promise<Float32Array>>,
): Promise<EvaluationResult> {
  const { users, batch, acc, batches } = setup(opts);
  for (let b = 0; b < batches; b++) {
    const ub = users.slice(b * batch, Math.min(users.length, (b + 1) * batch));
    acc.addBatch(ub, await opts.scoreUsers(ub));
    opts.onProgress?.({ phase: 'eval', batch: b + 1, batches });
  }
  return acc.result();
}
