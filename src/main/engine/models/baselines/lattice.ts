// LATTICE (Zhang et al., ACM MM'21), as its public code (CRIPAC-DIG/LATTICE) computes it: per
// modality a kNN graph of the transformed features, the modalities' graphs summed with global
// learnable weights w = softmax(p) and normalised once, a skip connection λ to the frozen initial
// graphs (weighted by the same w), L convolutions of the item ID embeddings on that one graph,
// the result L2-normalised and added to the CF backbone's item embeddings; BPR + L2.
//
// Not MICRO with fusion=false (docs/model.md §6, 'LATTICE'): MICRO keeps one graph per modality,
// each normalised on its own, convolves on each and averages the results; LATTICE sums the
// modalities' kNN matrices first (weighted by the learned w), normalises the sum, and convolves on
// the fused graph. With one modality the two coincide exactly; with λ = 1, L = 1 and the initial
// w = (½, ½) too. The graph machinery (kNN, initial graphs, transforms, CF backbone) is MICRO's.
import { tf } from '../../backend';
import type { Dataset } from '../../types';
import { createRng } from '../../data/random';
import { concatPatterns, constMatMul, edgeDots, gatherRows, gatherVector, l2Normalize, propagate, readAsync, spmm, untaped, type SparsePattern } from '../../ops';
import { batchL2, bprLoss, buildUserItemGraph, lightgcnPropagate, linearInit, scorerFrom, scoreWithEmbeddings, uniqueName, xavierUniform, type CfAdjacency, type UserItemGraph } from '../common';
import type { BatchContext, BatchLoss, EmbeddingScorer, EmbeddingTable, ItemGraphs, Recommender, TrainBatch } from '../types';
import { buildKnnGraph, buildKnnGraphAsync, learnedGraphPattern, learnedGraphPatternAsync, type KnnGraph } from '../micro/graphs';
import { chooseModalities } from './modalities';
import { readEmbeddingTables } from './tables';

export interface LatticeConfig {
  embedDim: number;
  cfModel: 'lightgcn' | 'mf';
  cfLayers: number;
  cfAdjacency: CfAdjacency;
  itemLayers: number;
  topK: number;
  lambda: number;
  l2: number;
  l2Target: 'final' | 'ego';
  modalities: string[];
}

interface LatticeModality {
  name: string;
  dim: number;
  /** The dataset's frozen raw features: source of the initial graph and input of the transform. */
  raw: Float32Array;
  transform: { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1> };
  initial?: KnnGraph;
}

/** The next rebuild's learned kNN patterns (one per modality) and the graph's detached values. */
interface PreparedGraph {
  patterns: SparsePattern[];
  values: Float32Array;
}

/**
 * LATTICE's item graph on fixed kNN patterns, w = softmax(logits):
 * A = (1−λ)·D^-½(Σ_m w_m K_m)D^-½ + λ·Σ_m w_m S̃_m, where K_m holds the raw cosines of modality
 * m's learned kNN list, D the row sums of the weighted sum, S̃_m the normalised initial graphs.
 * Edge values in the order [K_1 … K_M, S̃_1 … S̃_M]; an edge in several lists counts once per list
 * (the same as summing the matrices). Differentiable in the transformed features and the logits.
 */
export function latticeGraphValues(transformed: tf.Tensor2D[], learned: SparsePattern[], initial: Float32Array[], logits: tf.Tensor1D, lambda: number): tf.Tensor1D {
  return tf.tidy(() => {
    const n = learned[0].nRows;
    const w = tf.unstack(tf.softmax(logits)) as tf.Scalar[];
    const weighted = transformed.map((t, m) => tf.mul(edgeDots(l2Normalize(t), learned[m]), w[m]) as tf.Tensor1D);
    const deg = tf.addN(weighted.map((c, m) => tf.sum(tf.reshape(c, [n, learned[m].rows.length / n]), 1))) as tf.Tensor1D;
    // 1/√0 → 0 as the reference; step() is a constant mask with a zero gradient (see learnedGraphValues).
    const dinv = tf.mul(tf.rsqrt(tf.maximum(deg, 1e-30)), tf.step(deg)) as tf.Tensor1D;
    const learnedValues = weighted.map((c, m) => tf.mul(tf.mul(c, gatherVector(dinv, learned[m].rows)), gatherVector(dinv, learned[m].cols)));
    const initialValues = initial.map((v, m) => tf.mul(tf.tensor1d(v), w[m]));
    return tf.concat([...learnedValues.map((v) => tf.mul(v, 1 - lambda)), ...initialValues.map((v) => tf.mul(v, lambda))]) as tf.Tensor1D;
  });
}

export class LatticeModel implements Recommender {
  readonly kind = 'lattice';
  readonly nUsers: number;
  readonly nItems: number;
  private readonly userEmb: tf.Variable<tf.Rank.R2>;
  private readonly itemEmb: tf.Variable<tf.Rank.R2>;
  private readonly mods: LatticeModality[];
  /** p of w = softmax(p), initialised to 0.5 each (the reference's [0.5, 0.5]): uniform weights. */
  private readonly logits: tf.Variable<tf.Rank.R1>;
  private readonly uiGraph: UserItemGraph;
  private pending?: PreparedGraph;
  /** The fused graph of the last rebuild (detached), reused by the batches until the next one. */
  private graph?: { pattern: SparsePattern; values: Float32Array };
  /** The learned kNN patterns of the last rebuild. */
  private lastPatterns: SparsePattern[] = [];
  private scorer: EmbeddingScorer | null = null;

  constructor(
    ds: Dataset,
    readonly config: LatticeConfig,
    seed: number,
  ) {
    this.nUsers = ds.nUsers;
    this.nItems = ds.nItems;
    const rng = createRng(seed);
    const d = config.embedDim;
    // Same draw order as MicroModel (ID tables, then one transform per modality).
    this.userEmb = xavierUniform(ds.nUsers, d, rng, 'user_emb');
    this.itemEmb = xavierUniform(ds.nItems, d, rng, 'item_emb');
    this.mods = chooseModalities(ds, config.modalities, 'LATTICE').map((m) => ({
      name: m.name,
      dim: m.dim,
      raw: m.features,
      transform: linearInit(m.dim, d, rng, `${m.name}.transform`),
    }));
    this.logits = tf.tidy(() => tf.variable(tf.fill([this.mods.length], 0.5), true, uniqueName('modality_logits')));
    this.uiGraph = buildUserItemGraph(ds.train, ds.nItems, config.cfAdjacency);
  }

  variables(): tf.Variable[] {
    const v: tf.Variable[] = [this.userEmb, this.itemEmb];
    for (const m of this.mods) {
      v.push(m.transform.w);
      if (m.transform.b) v.push(m.transform.b);
    }
    // One modality: softmax([p]) = 1 whatever p, so p has nothing to learn.
    if (this.mods.length > 1) v.push(this.logits);
    return v;
  }

  /** The learned modality weights w = softmax(p), by modality name. */
  async modalityWeights(): Promise<Record<string, number>> {
    const w = await readAsync(() => tf.softmax(this.logits));
    return Object.fromEntries(this.mods.map((m, q) => [m.name, w[q]]));
  }

  /** The current learned kNN patterns, as a string (tests use it to detect ranking flips). */
  learnedPatternSignature(): string {
    return this.lastPatterns.map((p) => p.cols.join(',')).join('|');
  }

  /** ẽ^m = W_m e^m + b_m on the frozen raw features. */
  private transform(m: LatticeModality): tf.Tensor2D {
    const t = constMatMul({ data: m.raw, rows: this.nItems, cols: m.dim }, m.transform.w);
    return (m.transform.b ? tf.add(t, m.transform.b) : t) as tf.Tensor2D;
  }

  private graphValues(transformed: tf.Tensor2D[], patterns: SparsePattern[]): tf.Tensor1D {
    return latticeGraphValues(transformed, patterns, this.mods.map((m) => this.initialSync(m).values), this.logits, this.config.lambda);
  }

  /** The initial graph, built synchronously if prepareGraphs has not (cpu/wasm callers). */
  private initialSync(m: LatticeModality): KnnGraph {
    m.initial ??= untaped(() => buildKnnGraph(m.raw, this.nItems, m.dim, this.config.topK));
    return m.initial;
  }

  /**
   * What a forward pass reads back, with awaited reads (every backend): the initial graphs once,
   * and with `rebuild` the next learned patterns and the fused graph's values from the current
   * weights (the rebuild batch recomputes the same values under the tape, with gradients).
   */
  async prepareGraphs(rebuild: boolean): Promise<void> {
    for (const m of this.mods) m.initial ??= await buildKnnGraphAsync(m.raw, this.nItems, m.dim, this.config.topK);
    if (!rebuild && this.graph) return;
    const transformed = this.mods.map((m) => tf.tidy(() => this.transform(m)));
    try {
      const patterns: SparsePattern[] = [];
      for (const t of transformed) patterns.push(await learnedGraphPatternAsync(t, this.config.topK));
      this.pending = { patterns, values: await readAsync(() => this.graphValues(transformed, patterns)) };
    } finally {
      tf.dispose(transformed);
    }
  }

  /** prepareGraphs' rebuild with synchronous reads (cpu/wasm only), safe under a tape. */
  private prepareSync(): PreparedGraph {
    let out: PreparedGraph | undefined;
    untaped(() =>
      tf.tidy(() => {
        const transformed = this.mods.map((m) => this.transform(m));
        const patterns = transformed.map((t) => learnedGraphPattern(t, this.config.topK));
        out = { patterns, values: (this.graphValues(transformed, patterns).dataSync() as Float32Array).slice() };
      }),
    );
    return out!;
  }

  async beforeBatch(_b: TrainBatch, ctx: BatchContext): Promise<void> {
    await this.prepareGraphs(ctx.firstBatchOfEpoch);
  }

  /** h = A^L·E_item: differentiable graph on a rebuild batch, the stored detached one otherwise. */
  private itemGraphConv(rebuild: boolean): tf.Tensor2D {
    const L = this.config.itemLayers;
    if (rebuild || !this.graph) {
      const { patterns, values: detached } = this.pending ?? this.prepareSync();
      this.pending = undefined;
      this.lastPatterns = patterns;
      const pattern = [...patterns, ...this.mods.map((m) => this.initialSync(m).pattern)].reduce(concatPatterns);
      const values = this.graphValues(this.mods.map((m) => this.transform(m)), patterns);
      this.graph = { pattern, values: detached };
      let h: tf.Tensor2D = this.itemEmb;
      for (let l = 0; l < L; l++) h = spmm(pattern, values, h);
      return h;
    }
    return propagate(this.graph.pattern, this.graph.values, this.itemEmb, L, 'last');
  }

  /** Final user and item embeddings: x̃_u, and x̃_i + h_i/‖h_i‖ (the reference's score). */
  forward(rebuild: boolean): { userFinal: tf.Tensor2D; itemFinal: tf.Tensor2D; h: tf.Tensor2D } {
    const c = this.config;
    const h = this.itemGraphConv(rebuild);
    let xu: tf.Tensor2D = this.userEmb;
    let xi: tf.Tensor2D = this.itemEmb;
    if (c.cfModel === 'lightgcn' && c.cfLayers > 0) [xu, xi] = lightgcnPropagate(this.userEmb, this.itemEmb, this.uiGraph, c.cfLayers);
    return { userFinal: xu, itemFinal: tf.add(xi, l2Normalize(h)) as tf.Tensor2D, h };
  }

  batchLoss(b: TrainBatch, ctx: BatchContext): BatchLoss {
    const c = this.config;
    const f = this.forward(ctx.firstBatchOfEpoch);
    const u = gatherRows(f.userFinal, b.users);
    const p = gatherRows(f.itemFinal, b.pos);
    const n = gatherRows(f.itemFinal, b.neg);
    const bpr = bprLoss(u, p, n);
    const l2 =
      c.l2Target === 'final'
        ? batchL2(c.l2, u, p, n)
        : batchL2(c.l2, gatherRows(this.userEmb, b.users), gatherRows(this.itemEmb, b.pos), gatherRows(this.itemEmb, b.neg));
    return { total: tf.add(bpr, l2) as tf.Scalar, parts: { bpr, l2 } };
  }

  async prepareScoring(): Promise<void> {
    await this.prepareGraphs(true); // the reference rebuilds the graph at every evaluation
    this.scorer = await scorerFrom(() => {
      const f = this.forward(true);
      return [f.userFinal, f.itemFinal];
    });
  }

  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    if (!this.scorer) await this.prepareScoring();
    return scoreWithEmbeddings(this.scorer!, users);
  }

  /**
   * Each modality's share of the fused graph the model convolves on: `learned` = w_m·Ã_m (the
   * jointly normalised learned kNN values) and `initial` = w_m·S̃_m, so that the stored combined
   * list (1 − λ)·learned + λ·initial of each modality, summed over modalities, is LATTICE's graph.
   * (At λ = 1 the learned lists carry no weight in the graph and are stored with weight 0.)
   */
  async itemGraphs(): Promise<ItemGraphs> {
    if (!this.graph) await this.prepareScoring();
    const lambda = this.config.lambda;
    const values = this.graph!.values; // [learned_m (1 − λ)-scaled…, initial_m λ·w_m-scaled…], pattern order
    let off = 0;
    const take = (len: number, scale: number) => {
      const out = new Float32Array(len);
      if (scale !== 0) for (let e = 0; e < len; e++) out[e] = values[off + e] / scale;
      off += len;
      return out;
    };
    const learned = this.lastPatterns.map((p) => ({ indices: p.cols, weights: take(p.rows.length, 1 - lambda) }));
    const initial = this.mods.map((m) => {
      const g = this.initialSync(m);
      return { indices: g.pattern.cols, weights: take(g.pattern.rows.length, lambda), k: g.k };
    });
    return { lambda, modalities: this.mods.map((m, i) => ({ name: m.name, k: initial[i].k, initial: { indices: initial[i].indices, weights: initial[i].weights }, learned: learned[i] })) };
  }

  /** user_id, item_id, h_item (the item-graph part), user_final, item_final. */
  async embeddingTables(): Promise<Record<string, EmbeddingTable>> {
    await this.prepareGraphs(true);
    return readEmbeddingTables(() => {
      const f = this.forward(true);
      return [['user_id', this.userEmb], ['item_id', this.itemEmb], ['h_item', f.h], ['user_final', f.userFinal], ['item_final', f.itemFinal]];
    });
  }

  dispose(): void {
    this.userEmb.dispose();
    this.itemEmb.dispose();
    for (const m of this.mods) {
      m.transform.w.dispose();
      m.transform.b?.dispose();
    }
    this.logits.dispose();
    this.scorer = null;
  }
}
