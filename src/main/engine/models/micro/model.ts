// MICRO (Zhang et al., TKDE'22): modality-aware learned item graphs + item-graph convolution on ID
// embeddings + attention fusion + contrastive / orthogonality losses, plugged into a CF backbone.
// One code path serves the `paper` and `reference` presets and every ablation flag.
import { tf } from '../../backend';
import type { Dataset } from '../../types';
import { createRng, type Rng } from '../../data/random';
import { concatColumns, concatPatterns, constMatMul, type HostMatrix, gatherRows, l2Normalize, matMul, propagate, readAll, spmm, spmmFixed, tanh, untaped, type SparsePattern } from '../../ops';
import {
  batchL2,
  bprLoss,
  buildUserItemGraph,
  lightgcnMean,
  lightgcnPropagate,
  linearInit,
  sameWeights,
  scorerFrom,
  uniqueName,
  weightsKey,
  scoreWithEmbeddings,
  xavierUniform,
  type UserItemGraph,
} from '../common';
import type { BatchContext, BatchLoss, EmbeddingScorer, EmbeddingTable, Recommender, TrainBatch } from '../types';
import type { MicroConfig } from './config';
import { contrastiveLoss } from './contrastive';
import { imputeColdRows, warmItemMask } from './cold-items';
import { fuseParts, orthogonalityLoss, userMeanPattern, type RowMatrix } from './parts';
import { batchFinals, batchRowSets, type BatchRowSets } from './finals';
import type { MicroForward, MicroInspection } from './outputs';
import { buildKnnGraph, buildKnnGraphAsync, learnedGraphHost, learnedGraphHostSync, learnedGraphValues, type KnnGraph, type LearnedHost } from './graphs';

export type { MicroForward, MicroInspection };

interface ModalityState {
  name: string;
  dim: number;
  /** The dataset's raw feature table (source of the initial graph). */
  raw: Float32Array;
  /** Frozen raw features stay in JS memory (the dataset's own array); trainable ones are a variable. */
  features: HostMatrix | tf.Variable<tf.Rank.R2>;
  transform: { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1> };
  /** Built on first use (its kNN reads back: asynchronously in prepareGraphs). */
  initial?: KnnGraph;
  /** Current learned graph (pattern + detached normalised values) and its detached λ-mix with
   *  the initial graph, refreshed on rebuild. */
  learned?: { pattern: SparsePattern; values: Float32Array; mixed: { pattern: SparsePattern; values: Float32Array } };
  /** The next rebuild's kNN pattern and detached values, prepared from the current weights by
   *  prepareGraphs (awaited reads) and consumed by that rebuild. */
  pending?: LearnedHost;
  /** The last learned graph prepared, and the transform weights it came from (reused while unchanged). */
  prepared?: { weights: object[]; host: LearnedHost };
}

export class MicroModel implements Recommender {
  readonly kind = 'micro';
  readonly nUsers: number;
  readonly nItems: number;
  private readonly rng: Rng;
  private readonly userEmb: tf.Variable<tf.Rank.R2>;
  private readonly itemEmb: tf.Variable<tf.Rank.R2>;
  private readonly mods: ModalityState[];
  private readonly att1: { w: tf.Variable<tf.Rank.R2>; b?: tf.Variable<tf.Rank.R1>; q: tf.Variable<tf.Rank.R2> };
  private readonly q2: tf.Variable<tf.Rank.R2>;
  private readonly uiGraph: UserItemGraph;
  private readonly userMean: RowMatrix;
  /** Items with train interactions (null: all); cold ones may borrow their CF part (cold-items.ts). */
  private readonly warm: Float32Array | null;
  private scorer: EmbeddingScorer | null = null;
  private scorerWeights?: object[];

  constructor(
    ds: Dataset,
    readonly config: MicroConfig,
    seed: number,
  ) {
    this.nUsers = ds.nUsers;
    this.nItems = ds.nItems;
    this.rng = createRng(seed);
    const d = config.embedDim;
    const wanted = config.modalities.length ? config.modalities : ds.modalities.map((m) => m.name);
    const chosen = wanted.map((name) => {
      const m = ds.modalities.find((x) => x.name === name);
      if (!m) throw new Error(`modality "${name}" not in dataset ${ds.name} (has: ${ds.modalities.map((x) => x.name).join(', ') || 'none'})`);
      return m;
    });
    if (chosen.length === 0) throw new Error(`MICRO needs at least one feature modality; dataset ${ds.name} has none`);
    this.userEmb = xavierUniform(ds.nUsers, d, this.rng, 'user_emb');
    this.itemEmb = xavierUniform(ds.nItems, d, this.rng, 'item_emb');
    this.mods = chosen.map((m) => {
      const features = config.trainFeatures
        ? tf.tidy(() => tf.variable(tf.tensor2d(m.features, [ds.nItems, m.dim]), true, uniqueName(`${m.name}.features`)))
        : { data: m.features, rows: ds.nItems, cols: m.dim };
      return {
        name: m.name,
        dim: m.dim,
        features,
        transform: linearInit(m.dim, d, this.rng, `${m.name}.transform`),
        raw: m.features,
      };
    });
    const a = linearInit(d, d, this.rng, 'attention');
    const q = linearInit(d, 1, this.rng, 'attention.q1', false).w;
    this.att1 = { w: a.w, b: a.b, q };
    this.q2 = linearInit(d, 1, this.rng, 'attention.q2', false).w;
    this.uiGraph = buildUserItemGraph(ds.train, ds.nItems, config.cfAdjacency);
    this.userMean = userMeanPattern(ds);
    this.warm = warmItemMask(ds.train, ds.nItems);
  }

  /** The current learned kNN patterns, as a string (tests use it to detect ranking flips). */
  learnedPatternSignature(): string {
    return this.mods.map((m) => m.learned?.pattern.cols.join(',') ?? '').join('|');
  }

  get modalityNames(): string[] {
    return this.mods.map((m) => m.name);
  }

  /**
   * topK = 0: no item graph at all, so no item-graph part h_i, no h_u and no auxiliary losses;
   * the score is the CF backbone's x̃_uᵀx̃_i (with cfModel=lightgcn: LightGCN trained under MICRO's
   * schedule and regulariser, the k = 0 point of the paper's sensitivity figure). cfPlusFeats
   * builds no graph either, so it is unaffected.
   */
  get graphless(): boolean {
    return this.config.topK === 0 && !this.config.cfPlusFeats;
  }

  variables(): tf.Variable[] {
    const v: tf.Variable[] = [this.userEmb, this.itemEmb];
    if (this.graphless) return v;
    for (const m of this.mods) {
      v.push(m.transform.w);
      if (m.transform.b) v.push(m.transform.b);
      if (m.features instanceof tf.Variable) v.push(m.features);
    }
    const c = this.config;
    if (c.fusion && this.mods.length > 1) {
      v.push(this.att1.w, this.att1.q);
      if (this.att1.b) v.push(this.att1.b);
      if (c.specific) v.push(this.q2);
    }
    return v;
  }

  /** ẽ^m = W_m e^m + b_m (eq. 4). */
  private transform(m: ModalityState): tf.Tensor2D {
    // Frozen features (the default) need no gradient: constMatMul computes none (23k×4096 for
    // Clothing) and keeps the table out of the backend's memory.
    const t = m.features instanceof tf.Variable ? matMul(m.features, m.transform.w) : constMatMul(m.features, m.transform.w);
    return (m.transform.b ? tf.add(t, m.transform.b) : t) as tf.Tensor2D;
  }

  /**
   * A^m = (1−λ)Ã^m + λS̃^m (eq. 5) as one pattern with up to 2k entries per row, on a rebuild
   * batch: the learned values are differentiable there (gradient into the feature transform).
   * Also stores the detached mix that the following batches reuse.
   */
  private rebuildGraph(m: ModalityState): { pattern: SparsePattern; values: tf.Tensor1D } {
    const lambda = this.config.lambda;
    const initial = this.initialSync(m);
    // The kNN pattern and the detached values come from prepareGraphs (awaited reads, before the
    // tape); only direct synchronous callers (cpu/wasm) get them computed here.
    const { pattern: learnedPattern, values: detached } = m.pending ?? learnedGraphHostSync(() => this.transform(m), this.config.topK);
    m.pending = undefined;
    const learnedValues = learnedGraphValues(this.transform(m), learnedPattern);
    const pattern = concatPatterns(learnedPattern, initial.pattern);
    const mixed = new Float32Array(pattern.rows.length);
    for (let e = 0; e < detached.length; e++) mixed[e] = detached[e] * (1 - lambda);
    for (let e = 0; e < initial.values.length; e++) mixed[detached.length + e] = initial.values[e] * lambda;
    m.learned = { pattern: learnedPattern, values: detached, mixed: { pattern, values: mixed } };
    const values = tf.concat([tf.mul(learnedValues, 1 - lambda), tf.mul(tf.tensor1d(initial.values), lambda)]) as tf.Tensor1D;
    return { pattern, values };
  }

  /** The initial graph, built synchronously if prepareGraphs has not (cpu/wasm callers). */
  private initialSync(m: ModalityState): KnnGraph {
    m.initial ??= untaped(() => buildKnnGraph(m.raw, this.nItems, m.dim, this.config.topK));
    return m.initial;
  }

  /**
   * Everything a forward pass reads back, with awaited reads (every backend, webgpu included):
   * the initial graphs once, and with `rebuild` the next learned graphs from the current
   * weights (the same values the taped rebuild then recomputes with gradients).
   */
  async prepareGraphs(rebuild: boolean): Promise<void> {
    if (this.graphless) return;
    for (const m of this.mods) {
      m.initial ??= await buildKnnGraphAsync(m.raw, this.nItems, m.dim, this.config.topK);
      if (!this.config.cfPlusFeats && (rebuild || !m.learned)) m.pending = await this.learnedHost(m);
    }
  }

  /** The learned graph of the current transform; unchanged weights (a validation, then the next rebuild) reuse it. */
  private async learnedHost(m: ModalityState): Promise<LearnedHost> {
    const t = m.transform;
    const weights = weightsKey([t.w, ...(t.b ? [t.b] : []), ...(m.features instanceof tf.Variable ? [m.features] : [])]);
    if (!m.prepared || !sameWeights(m.prepared.weights, weights)) m.prepared = { weights, host: await learnedGraphHost(() => this.transform(m), this.config.topK) };
    return m.prepared.host;
  }

  async beforeBatch(_b: TrainBatch, ctx: BatchContext): Promise<void> {
    await this.prepareGraphs(ctx.firstBatchOfEpoch);
  }

  /** Item-graph convolution H_l = A H_{l−1} (eq. 6), L layers, no transform or nonlinearity. */
  private itemGraphConv(m: ModalityState, rebuild: boolean): tf.Tensor2D {
    const h: tf.Tensor2D = this.config.propagate === 'features' ? this.transform(m) : this.itemEmb;
    const L = this.config.itemLayers;
    if (rebuild || !m.learned) {
      const g = this.rebuildGraph(m);
      let x = h;
      for (let l = 0; l < L; l++) x = spmm(g.pattern, g.values, x);
      return x;
    }
    // Detached graph after the rebuild batch, as the reference: constant values, fused layers.
    return propagate(m.learned.mixed.pattern, m.learned.mixed.values, h, L, 'last');
  }

  /** α_i^m = softmax_m(q₁ᵀ tanh(W h_i^m + b)) (eq. 7), weights shared across modalities. */
  modalityAttention(hm: tf.Tensor2D[]): tf.Tensor2D {
    const logits = hm.map((h) => {
      const z = matMul(h, this.att1.w);
      return matMul(tanh(this.att1.b ? tf.add(z, this.att1.b) : z) as tf.Tensor2D, this.att1.q);
    });
    return tf.softmax(concatColumns(logits)) as tf.Tensor2D;
  }

  /** Σ_m α^m h^m (eq. 8). */
  static readonly fuse = fuseParts;

  /**
   * Full forward pass over all users/items (graphs are sparse and cheap, so no sub-graph sampling).
   * `scoring`: the representations ranked and exported (cold items' CF part per coldItemCf).
   * `rows`: final embeddings (and h_u) only on a batch's rows, in BatchRowSets order (finals.ts).
   */
  forward(rebuild: boolean, scoring = false, rows?: BatchRowSets): MicroForward {
    const c = this.config;
    let hm: tf.Tensor2D[];
    let hc: tf.Tensor2D | undefined;
    let h: tf.Tensor2D | undefined;
    let alpha: tf.Tensor2D | undefined;
    let alpha2: tf.Tensor2D | undefined;
    let orthogonality: tf.Scalar | undefined;
    if (this.graphless) {
      hm = [];
    } else if (c.cfPlusFeats) {
      hm = this.mods.map((m) => this.transform(m));
      hc = hm.length === 1 ? hm[0] : (tf.div(tf.addN(hm), hm.length) as tf.Tensor2D);
      h = hc;
    } else {
      hm = this.mods.map((m) => this.itemGraphConv(m, rebuild));
      if (hm.length === 1) {
        hc = hm[0];
        h = hc;
      } else if (!c.fusion) {
        hc = tf.div(tf.addN(hm), hm.length) as tf.Tensor2D;
        h = hc;
      } else {
        alpha = this.modalityAttention(hm);
        const shared = MicroModel.fuse(alpha, hm);
        hc = shared;
        if (c.specific) {
          // h_s^m = h^m − h_c (eq. 11-12); L_S over all modality pairs (eq. 13); second attention (eq. 14-15).
          const hs = hm.map((x) => tf.sub(x, shared) as tf.Tensor2D);
          orthogonality = orthogonalityLoss(hs);
          const cands = [shared, ...hs];
          alpha2 = tf.softmax(concatColumns(cands.map((x) => matMul(x, this.q2)))) as tf.Tensor2D;
          h = MicroModel.fuse(alpha2, cands);
        } else {
          h = hc;
        }
      }
    }
    const parts = { hm, hc, h, alpha, alpha2, orthogonality, egoUsers: this.userEmb, egoItems: this.itemEmb };
    const lightgcn = c.cfModel === 'lightgcn' && c.cfLayers > 0;
    if (rows && h) {
      const cf = lightgcn ? { mean: lightgcnMean(this.userEmb, this.itemEmb, this.uiGraph, c.cfLayers), nUsers: this.nUsers } : { users: this.userEmb, items: this.itemEmb };
      return { ...parts, ...batchFinals(cf, h, c.preference ? this.userMean : null, rows) };
    }
    let xu: tf.Tensor2D = this.userEmb;
    let xi: tf.Tensor2D = this.itemEmb;
    if (lightgcn) [xu, xi] = lightgcnPropagate(this.userEmb, this.itemEmb, this.uiGraph, c.cfLayers);
    if (scoring && c.coldItemCf === 'neighbours' && this.warm && h && !c.cfPlusFeats) xi = imputeColdRows(xi, this.warm, this.mods.map((m) => m.learned!.mixed));
    const itemFinal = h ? (tf.add(xi, l2Normalize(h)) as tf.Tensor2D) : xi; // eq. 17, item side
    let userFinal = xu;
    let hu: tf.Tensor2D | undefined;
    if (c.preference && h) {
      hu = spmmFixed(this.userMean.pattern, this.userMean.values, h); // eq. 16
      userFinal = tf.add(xu, l2Normalize(hu)) as tf.Tensor2D;
    }
    return { ...parts, userFinal, itemFinal, hu };
  }

  batchLoss(b: TrainBatch, ctx: BatchContext): BatchLoss {
    const c = this.config;
    const rows = batchRowSets(b);
    const f = this.forward(ctx.firstBatchOfEpoch, false, rows);
    // Without an item graph the finals are the full tables (forward ignores `rows`).
    const [u, p, n] = f.h
      ? [gatherRows(f.userFinal, rows.userAt), gatherRows(f.itemFinal, rows.posAt), gatherRows(f.itemFinal, rows.negAt)]
      : [gatherRows(f.userFinal, b.users), gatherRows(f.itemFinal, b.pos), gatherRows(f.itemFinal, b.neg)];
    const bpr = bprLoss(u, p, n);
    const l2 =
      c.l2Target === 'final'
        ? batchL2(c.l2, u, p, n)
        : batchL2(c.l2, gatherRows(this.userEmb, b.users), gatherRows(this.itemEmb, b.pos), gatherRows(this.itemEmb, b.neg));
    const parts: Record<string, tf.Scalar> = { bpr, l2 };
    let total = tf.add(bpr, l2) as tf.Scalar;
    if (c.fusion && f.hm.length > 1 && c.betaC > 0 && !c.cfPlusFeats) {
      const anchors =
        c.contrastiveMode === 'sampled' && c.sampledAnchors < this.nItems ? this.rng.sample(this.nItems, c.sampledAnchors) : undefined;
      const per = f.hm.map((x) => contrastiveLoss(x, f.hc!, c.tau, anchors)); // eq. 9-10
      const lc = c.contrastiveReduce === 'sum' ? tf.addN(per) : tf.div(tf.addN(per), per.length);
      parts.contrastive = lc as tf.Scalar;
      total = tf.add(total, tf.mul(lc, c.betaC)) as tf.Scalar;
    }
    if (f.orthogonality && c.betaS > 0) {
      parts.orthogonality = f.orthogonality;
      total = tf.add(total, tf.mul(f.orthogonality, c.betaS)) as tf.Scalar;
    }
    return { total, parts };
  }

  async prepareScoring(): Promise<void> {
    const weights = weightsKey(this.variables());
    if (this.scorer && sameWeights(this.scorerWeights, weights)) return; // e.g. the final evaluation after the last validation
    await this.prepareGraphs(true); // the reference refreshes the learned graph at every evaluation
    this.scorer = await scorerFrom(() => {
      const f = this.forward(true, true);
      return [f.userFinal, f.itemFinal];
    });
    this.scorerWeights = weights;
  }

  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    if (!this.scorer) await this.prepareScoring();
    return scoreWithEmbeddings(this.scorer!, users);
  }

  /** item_id, user_id, h_<modality>, h_shared, h_item, h_user, user_final, item_final. */
  async embeddingTables(): Promise<Record<string, EmbeddingTable>> {
    return (await this.inspect()).embeddings;
  }

  /** Per-item outputs for inspection and export (graphs, attention, embeddings). */
  async inspect(): Promise<MicroInspection> {
    await this.prepareGraphs(true);
    // Clones (no copy: they share the data) so that one dispose releases them, variables included.
    const named: [string, tf.Tensor2D][] = [];
    tf.tidy(() => {
      const f = this.forward(true, true);
      const add = (name: string, t: tf.Tensor2D | undefined) => {
        if (t) named.push([name, tf.keep(tf.clone(t))]);
      };
      add('item_id', this.itemEmb);
      add('user_id', this.userEmb);
      f.hm.forEach((x, i) => add(`h_${this.mods[i].name}`, x));
      add('h_shared', f.hc);
      add('h_item', f.h);
      add('h_user', f.hu);
      add('user_final', f.userFinal);
      add('item_final', f.itemFinal);
      add('alpha', f.alpha);
      add('alpha2', f.alpha2);
    });
    try {
      const data = await readAll(named.map(([, t]) => t));
      const embeddings: MicroInspection['embeddings'] = {};
      let alpha: Float32Array | undefined;
      let alphaSharedSpecific: Float32Array | undefined;
      named.forEach(([name, t], q) => {
        if (name === 'alpha') alpha = data[q];
        else if (name === 'alpha2') alphaSharedSpecific = data[q];
        else embeddings[name] = { data: data[q], rows: t.shape[0], cols: t.shape[1] };
      });
      return {
        lambda: this.config.lambda,
        // CF+feats and topK = 0 use no item graph: there are none to show (CF+feats used to fail here).
        modalities: (this.graphless || this.config.cfPlusFeats ? [] : this.mods).map((m) => ({
          name: m.name,
          k: m.initial!.k,
          initial: { indices: m.initial!.pattern.cols, weights: m.initial!.values, cosine: m.initial!.cosine },
          learned: { indices: m.learned!.pattern.cols, weights: m.learned!.values },
        })),
        alpha,
        alphaSharedSpecific,
        embeddings,
      };
    } finally {
      tf.dispose(named.map(([, t]) => t));
    }
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.scorer = null;
  }
}
