// The InfoNCE core of contrastive.ts on WebAssembly SIMD kernels (engine/simd/kernels.ts), run by
// the calling thread plus one helper worker thread on a shared memory. Same loss and gradients as
// the reference core (contrastive.ts), to float32 rounding.
//
// Two schedules:
// - 'blocked' (any anchor set: all N in exact mode, or the sampled anchors): per block of b
//   anchors, E = exp(A_B·Xᵀ/τ) (b×2N) with row sums, then U = E·X and dX += Eᵀ·(w⊙A_B). Memory
//   O(b·N) per thread. Cost 6·|anchors|·N·d multiply-adds per modality.
// - 'stored' (exact mode when N·2N floats fit STORED_MAX_BYTES): exploits the symmetry of a·aᵀ.
//   Phase 1 computes only the upper triangle of E_aa (plus all of E_ac) and keeps it, giving row
//   sums and column sums, hence every normaliser Z_i. Phase 2 uses, for the intra-modality part,
//   M = E_aa ⊙ (w_i + w_j) (w_i = 1/(N·τ·Z_i)) — both gradient terms of a·aᵀ in one symmetric
//   matrix — so dA_aa = M·A costs one product over the upper triangle read by rows and by columns.
//   Cost 4.5·N²·d per modality (vs 6), and 1.5·N² floats of memory.
//
// Work is split into `LANES` lanes (block b goes to lane b mod LANES), each lane with its own
// gradient/loss accumulators, processed whole by whichever thread claims it and summed in lane
// order: results are bit-identical whatever the number of threads or their timing.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { contrastiveKernels, simdSupported } from '../../simd/kernels';

export interface FastContrastiveResult {
  loss: number;
  gradA: Float32Array;
  gradC: Float32Array;
}

/** Rows per anchor block (a tile of the stored schedule). Multiple of 8. */
const BLOCK = 64;
/** Keys per chunk in the forward and E·X kernels: keeps the key panel in L2. */
const CHUNK = 512;
/**
 * Gradient accumulators ("lanes"): block b goes to lane b mod lanes. Many lanes keep the two
 * threads busy to the end of a phase (a thread idles at most while the other finishes one lane);
 * each costs a K×d buffer to clear and sum per call.
 */
const LANES = 16;
/** Largest stored E (np × 2np float32) for the symmetric schedule. 768 MB ≈ N ≤ 9,900. */
export const STORED_MAX_BYTES = 768 * 1024 * 1024;
/** Smallest τ for the fixed-shift softmax: shifted logits ≥ −2/τ must stay above expf's −87 clamp. */
export const MIN_TAU = 0.025;

// Control words (Int32 at layout.ctl). Literal copies live in the self-contained functions below.
const CTL = { TAG: 0, CLAIM: 1, PENDING: 2, NBLOCKS: 3, NA: 4, ERROR: 5, LANES: 6, ROWS: 7 } as const;
const STOP_TAG = -1;

export interface Layout {
  n: number;
  dIn: number;
  d: number; // dIn rounded up to 8
  np: number; // n rounded up to 8
  K: number; // 2·np keys: [a; c], each padded to np rows
  b: number;
  stored: boolean; // the big buffer for the symmetric schedule exists
  lanes: number;
  x: number; // K×d row-major keys
  xt: number; // keys in panels of 8 (kernels.ts)
  anchors: number; // Int32 np
  ctl: number; // Int32 16
  p: number; // Float64 32: invTau, scale, e0, loss per lane (3..3+lanes)
  sums: number; // Float64 2·np (stored schedule row sums)
  w: number; // Float32 np (stored schedule weights)
  big: number; // Float32 np×K (stored schedule), 0 if absent
  t: { e: number; abc: number; u: number; wv: number; sums: number; wr: number }[];
  l: { dx: number; colsum: number }[];
  bytes: number;
}

function planLayout(n: number, dIn: number, threads: number, stored: boolean): Layout {
  const d = Math.ceil(dIn / 8) * 8;
  const np = Math.ceil(Math.max(n, 1) / 8) * 8;
  const K = 2 * np;
  const b = BLOCK;
  let off = 0;
  const take = (bytes: number) => {
    const o = off;
    off += Math.ceil(bytes / 64) * 64;
    return o;
  };
  const L: Layout = {
    n, dIn, d, np, K, b, stored, lanes: LANES,
    x: take(K * d * 4),
    xt: take(K * d * 4),
    anchors: take(np * 4),
    ctl: take(64),
    p: take(32 * 8),
    sums: take(2 * np * 8),
    w: take(np * 4),
    big: 0,
    t: [],
    l: [],
    bytes: 0,
  };
  for (let t = 0; t < threads; t++) {
    L.t.push({ e: take(b * K * 4), abc: take(b * d * 16), u: take(b * d * 4), wv: take(b * d * 4), sums: take(2 * b * 8), wr: take(b * 8) });
  }
  for (let l = 0; l < LANES; l++) L.l.push({ dx: take(K * d * 4), colsum: take(np * 8) });
  if (stored) L.big = take(np * K * 4);
  L.bytes = off;
  return L;
}

type Kernels = Record<'fwd' | 'eX' | 'eTw' | 'colsum' | 'scaleSym' | 'panels' | 'addTo' | 'exp4', (...args: number[]) => void>;

/** Typed-array views of the shared memory. Self-contained: also shipped to the worker. */
export function makeViews(buf: ArrayBufferLike, L: Layout) {
  const f32 = (off: number, len: number) => new Float32Array(buf, off, len);
  const f64 = (off: number, len: number) => new Float64Array(buf, off, len);
  return {
    x: f32(L.x, L.K * L.d),
    anchors: new Int32Array(buf, L.anchors, L.np),
    ctl: new Int32Array(buf, L.ctl, 16),
    p: f64(L.p, 32),
    sums: f64(L.sums, 2 * L.np),
    w: f32(L.w, L.np),
    big: L.stored ? f32(L.big, L.np * L.K) : null,
    t: L.t.map((t) => ({
      e: f32(t.e, L.b * L.K),
      abc: f32(t.abc, L.b * L.d * 4),
      u: f32(t.u, L.b * L.d),
      wv: f32(t.wv, L.b * L.d),
      sums: f64(t.sums, 2 * L.b),
      wr: f64(t.wr, L.b),
    })),
    l: L.l.map((l) => ({ dx: f32(l.dx, L.K * L.d), colsum: f64(l.colsum, L.np) })),
  };
}
type Views = ReturnType<typeof makeViews>;

/**
 * One anchor block of one phase. Self-contained (shipped to the worker via toString).
 * phase 0: blocked schedule; 1: stored schedule, forward + sums; 2: stored schedule, backward.
 */
export function processBlock(V: Views, L: Layout, k: Kernels, th: number, lane: number, phase: number, bi: number): void {
  const CHUNK = 512; // = module constant CHUNK
  const { d, dIn, K, np, n } = L;
  const b = V.ctl[7]; // ROWS: anchors per block in this call (≤ L.b)
  const invTau = V.p[0];
  const scale = V.p[1];
  const e0 = V.p[2];
  const nA = V.ctl[4]; // CTL.NA
  const T = V.t[th];
  const ln = V.l[lane];
  const x = V.x;
  const r0 = bi * b;
  const rows = Math.min(b, nA - r0);
  const rows4 = (rows + 3) & ~3;
  const posCoef = scale * invTau;

  // Pre-broadcast anchor rows (4 copies of each value: the forward kernel's splat operand).
  const packAnchors = () => {
    const abc = T.abc;
    for (let r = 0; r < rows4; r++) {
      const src = r < rows ? V.anchors[r0 + r] * d : -1;
      const dst = r * d * 4;
      for (let q = 0; q < d; q++) {
        const v = src >= 0 ? x[src + q] : 0;
        const o = dst + q * 4;
        abc[o] = v;
        abc[o + 1] = v;
        abc[o + 2] = v;
        abc[o + 3] = v;
      }
    }
  };
  const forward = (e: Float32Array, sums: Float64Array, sumsOff: number, jBeg: number, jEnd: number) => {
    sums.fill(0, sumsOff, sumsOff + 2 * rows4);
    for (let j = jBeg; j < jEnd; j += CHUNK)
      k.fwd(T.abc.byteOffset, rows4, L.xt, j, Math.min(jEnd, j + CHUNK), e.byteOffset, sums.byteOffset + sumsOff * 8, invTau);
  };
  const eX = (e: Float32Array, jBeg: number, jEnd: number) => {
    for (let j = jBeg; j < jEnd; j += CHUNK) k.eX(e.byteOffset, rows4, L.x, j, Math.min(jEnd, j + CHUNK), T.u.byteOffset);
  };
  const dot = (i: number, j: number) => {
    let s = 0;
    for (let q = 0; q < dIn; q++) s += x[i * d + q] * x[j * d + q];
    return s;
  };
  /** dX[i] += U[r]·uCoef[r] − posCoef·c_i (anchor side) and dX[c_i] −= posCoef·a_i (positive key). */
  const anchorGrads = (uCoef: Float64Array | null) => {
    const dx = ln.dx;
    const u = T.u;
    for (let r = 0; r < rows; r++) {
      const i = V.anchors[r0 + r];
      const cu = uCoef ? uCoef[r] : 1;
      const ai = i * d;
      const ci = (np + i) * d;
      for (let q = 0; q < dIn; q++) {
        dx[ai + q] += cu * u[r * d + q] - posCoef * x[ci + q];
        dx[ci + q] -= posCoef * x[ai + q];
      }
    }
  };
  /** W[r] = coef[r]·a_{anchor r} (zero rows beyond `rows`). */
  const fillW = (coef: Float64Array | null) => {
    const wv = T.wv;
    for (let r = 0; r < rows4; r++) {
      const src = r < rows ? V.anchors[r0 + r] * d : -1;
      const c = r < rows ? (coef ? coef[r] : 1) : 0;
      for (let q = 0; q < d; q++) wv[r * d + q] = src >= 0 ? c * x[src + q] : 0;
    }
  };

  if (phase === 0) {
    // ---- blocked schedule ----
    packAnchors();
    const e = T.e;
    forward(e, T.sums, 0, 0, K);
    const wr = T.wr;
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const i = V.anchors[r0 + r];
      // Z = Σ_{j≠i} e^{aa} + Σ_j e^{ac}: drop the self term and the 2(np−n) zero padding keys.
      const z = T.sums[2 * r] + T.sums[2 * r + 1] - e[r * K + i] - 2 * (np - n) * e0;
      e[r * K + i] = 0;
      loss += Math.log(z) - (dot(i, np + i) - 1) * invTau;
      wr[r] = posCoef / z;
    }
    V.p[3 + lane] += loss;
    T.u.fill(0, 0, rows4 * d);
    eX(e, 0, K);
    anchorGrads(wr);
    fillW(wr);
    k.eTw(e.byteOffset, rows4, T.wv.byteOffset, 0, K, ln.dx.byteOffset);
    return;
  }

  // ---- stored schedule: block bi = rows r0.. of the upper triangle, keys [r0, np) ∪ [np, K) ----
  const big = V.big!;
  const eBlk = big.subarray(r0 * K);
  const offDiag = Math.min(r0 + b, np); // first key of the off-diagonal tiles
  if (phase === 1) {
    packAnchors();
    forward(eBlk, V.sums, 2 * r0, r0, K);
    for (let r = 0; r < rows; r++) {
      const i = r0 + r;
      V.sums[2 * i] -= eBlk[r * K + i] + 2 * (np - n) * e0;
      eBlk[r * K + i] = 0;
    }
    // The upper tiles also hold rows j > block of E_aa (symmetric): their row sums are our column sums.
    if (offDiag < np) k.colsum(eBlk.byteOffset, rows, offDiag, np, ln.colsum.byteOffset);
    return;
  }
  // phase 2: M = E_aa ⊙ (w_i + w_j) in place, then the products.
  k.scaleSym(eBlk.byteOffset, rows4, V.w.byteOffset + r0 * 4, V.w.byteOffset, r0, np);
  const wr = T.wr;
  for (let r = 0; r < rows; r++) wr[r] = V.w[r0 + r];
  T.u.fill(0, 0, rows4 * d);
  eX(eBlk, np, K); // E_ac·C, to be scaled by w_i
  for (let r = 0; r < rows; r++) for (let q = 0; q < d; q++) T.u[r * d + q] *= wr[r];
  eX(eBlk, r0, np); // + M·A over this block's part of the upper triangle (diagonal tile in full)
  anchorGrads(null);
  if (offDiag < np) {
    fillW(null); // the transposed off-diagonal tiles: dA_j += Σ_r M_rj a_r
    k.eTw(eBlk.byteOffset, rows4, T.wv.byteOffset, offDiag, np, ln.dx.byteOffset);
  }
  fillW(wr); // dC_j += Σ_r w_r E_ac[r,j] a_r
  k.eTw(eBlk.byteOffset, rows4, T.wv.byteOffset, np, K, ln.dx.byteOffset);
}

/**
 * Claims lanes of the current phase (tag) until none is left, processing every block of each.
 * Self-contained (shipped to the worker). `PENDING` counts claimers in flight so the caller can
 * wait for the helper; the tag check makes a late claimer of a finished phase back off.
 */
export function claimLoop(V: Views, L: Layout, k: Kernels, th: number, tag: number, phase: number): void {
  const ctl = V.ctl;
  const TAG_BITS = 0xfff;
  for (;;) {
    Atomics.add(ctl, 2, 1); // PENDING
    const v = Atomics.load(ctl, 1); // CLAIM = (tag & 0xfff) << 20 | next lane
    if (v >>> 20 !== (tag & TAG_BITS) || (v & 0xfffff) >= ctl[6] /* LANES in use */) {
      Atomics.sub(ctl, 2, 1);
      Atomics.notify(ctl, 2);
      return;
    }
    if (Atomics.compareExchange(ctl, 1, v, v + 1) !== v) {
      Atomics.sub(ctl, 2, 1);
      continue;
    }
    const lane = v & 0xfffff;
    try {
      const nBlocks = ctl[3]; // NBLOCKS
      const lanes = ctl[6]; // LANES in use
      for (let bi = lane; bi < nBlocks; bi += lanes) processBlock(V, L, k, th, lane, phase, bi);
    } catch (e) {
      Atomics.store(ctl, 5, 1); // ERROR
      throw e;
    } finally {
      Atomics.sub(ctl, 2, 1);
      Atomics.notify(ctl, 2);
    }
  }
}

// Worker body (CommonJS, eval'd); `__name` shims esbuild's keepNames helper (see graph/knn.ts).
function workerSource(): string {
  return `
var __name = function (t) { return t; };
const { workerData } = require('node:worker_threads');
const makeViews = ${makeViews.toString()};
const processBlock = ${processBlock.toString()};
const claimLoop = ${claimLoop.toString()};
const w = workerData;
const inst = new WebAssembly.Instance(w.module, { env: { memory: w.memory } });
const V = makeViews(w.memory.buffer, w.L);
let last = Atomics.load(V.ctl, 0);
for (;;) {
  Atomics.wait(V.ctl, 0, last);
  const tag = Atomics.load(V.ctl, 0);
  if (tag === ${STOP_TAG}) break;
  last = tag;
  try { claimLoop(V, w.L, inst.exports, w.th, tag, tag & 3); } catch (e) { /* flagged in ERROR by claimLoop */ }
}
`;
}

/** One problem size (n, d): the shared memory, the kernels, and the helper worker. */
class Engine {
  readonly L: Layout;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly V: Views;
  private readonly workers: Worker[] = [];
  private seq = 0;

  constructor(n: number, dIn: number, threads: number, stored: boolean) {
    this.L = planLayout(n, dIn, threads, stored);
    const pages = Math.ceil(this.L.bytes / 65536);
    const module = new WebAssembly.Module(contrastiveKernels(this.L.d, this.L.K, pages));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernels;
    this.V = makeViews(this.memory.buffer, this.L);
    for (let th = 1; th < threads; th++) {
      const worker = new Worker(workerSource(), { eval: true, workerData: { module, memory: this.memory, L: this.L, th } });
      worker.unref();
      worker.on('error', () => Atomics.store(this.V.ctl, CTL.ERROR, 1));
      this.workers.push(worker);
    }
  }

  get threads(): number {
    return 1 + this.workers.length;
  }

  dispose(): void {
    Atomics.store(this.V.ctl, CTL.TAG, STOP_TAG);
    Atomics.notify(this.V.ctl, CTL.TAG);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  /** exp(−invTau) as the kernels compute it: the value of every zero-padding key. */
  private kernelExp(v: number): number {
    const t = this.V.t[0].u;
    t.fill(v, 0, 4);
    this.k.exp4(t.byteOffset, t.byteOffset + 16, 4);
    return t[4];
  }

  private loadInputs(a: Float32Array, c: Float32Array): void {
    const { n, dIn, d, np, K } = this.L;
    const x = this.V.x;
    if (dIn === d) {
      x.set(a.subarray(0, n * d), 0);
      x.set(c.subarray(0, n * d), np * d);
    } else {
      for (let i = 0; i < n; i++) {
        x.set(a.subarray(i * dIn, i * dIn + dIn), i * d);
        x.set(c.subarray(i * dIn, i * dIn + dIn), (np + i) * d);
      }
    }
    this.k.panels(this.L.x, this.L.xt, K); // the forward kernel's key layout
  }

  private runPhase(phase: number, nBlocks: number): void {
    const ctl = this.V.ctl;
    ctl[CTL.NBLOCKS] = nBlocks;
    this.seq = (this.seq + 1) & 0x1fffffff;
    const tag = (this.seq << 2) | phase;
    Atomics.store(ctl, CTL.CLAIM, (tag & 0xfff) << 20);
    Atomics.store(ctl, CTL.TAG, tag);
    Atomics.notify(ctl, CTL.TAG);
    claimLoop(this.V, this.L, this.k, 0, tag, phase);
    // Wait for the helper's lanes (it may still be working on one; it may also never have started).
    const started = Date.now();
    for (;;) {
      const p = Atomics.load(ctl, CTL.PENDING);
      if (p === 0) break;
      if (Atomics.load(ctl, CTL.ERROR)) throw new Error('contrastive helper thread failed');
      Atomics.wait(ctl, CTL.PENDING, p, 1000);
      if (Date.now() - started > 600_000) throw new Error('contrastive helper thread did not finish in 10 minutes');
    }
    if (Atomics.load(ctl, CTL.ERROR)) throw new Error('contrastive helper thread failed');
  }

  run(a: Float32Array, c: Float32Array, tau: number, anchors?: Int32Array): FastContrastiveResult {
    const { n, dIn, d, np, b, lanes } = this.L;
    const V = this.V;
    this.loadInputs(a, c);
    const nA = anchors ? anchors.length : n;
    if (anchors) V.anchors.set(anchors);
    else for (let i = 0; i < n; i++) V.anchors[i] = i;
    const invTau = 1 / tau;
    V.p[0] = invTau;
    V.p[1] = 1 / nA;
    V.p[2] = this.kernelExp(-invTau);
    // Small anchor sets (sampled mode) get smaller blocks, so that both threads have work.
    const rows = Math.min(b, Math.max(32, Math.ceil(nA / 16 / 8) * 8));
    const nBlocks = Math.ceil(nA / rows);
    V.ctl[CTL.ROWS] = rows;
    // Lanes in use depend only on the problem, never on timing: results stay deterministic.
    const used = Math.min(lanes, nBlocks);
    V.p.fill(0, 3, 3 + used);
    V.ctl[CTL.NA] = nA;
    V.ctl[CTL.ERROR] = 0;
    V.ctl[CTL.LANES] = used;
    for (const l of V.l.slice(0, used)) {
      l.dx.fill(0);
      l.colsum.fill(0);
    }
    let loss = 0;
    if (this.L.stored && !anchors) {
      this.runPhase(1, nBlocks);
      loss = this.normalisers(invTau, 1 / nA);
      this.runPhase(2, nBlocks);
    } else {
      this.runPhase(0, nBlocks);
    }
    for (let l = 0; l < used; l++) loss += V.p[3 + l];
    // Lane sums in lane order (deterministic), then unpad.
    const dx = V.l[0].dx;
    for (let l = 1; l < used; l++) this.k.addTo(dx.byteOffset, V.l[l].dx.byteOffset, dx.length);
    const gradA = new Float32Array(n * dIn);
    const gradC = new Float32Array(n * dIn);
    if (dIn === d) {
      gradA.set(dx.subarray(0, n * d));
      gradC.set(dx.subarray(np * d, (np + n) * d));
    } else {
      for (let i = 0; i < n; i++) {
        gradA.set(dx.subarray(i * d, i * d + dIn), i * dIn);
        gradC.set(dx.subarray((np + i) * d, (np + i) * d + dIn), i * dIn);
      }
    }
    return { loss: loss / nA, gradA, gradC };
  }

  /** Stored schedule, between the phases: Z_i from row and column sums, the loss sum, and w_i. */
  private normalisers(invTau: number, scale: number): number {
    const { n, np, d, dIn } = this.L;
    const V = this.V;
    const x = V.x;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let z = V.sums[2 * i] + V.sums[2 * i + 1];
      for (let l = 0; l < this.V.ctl[CTL.LANES]; l++) z += V.l[l].colsum[i];
      let pos = 0;
      for (let q = 0; q < dIn; q++) pos += x[i * d + q] * x[(np + i) * d + q];
      loss += Math.log(z) - (pos - 1) * invTau;
      V.w[i] = (scale * invTau) / z;
    }
    V.w.fill(0, n, np);
    return loss;
  }
}

let cached: { key: string; engine: Engine } | null = null;
let supported: boolean | null = null;

export interface FastOptions {
  /** Threads including the caller (default: MICRO_CONTRASTIVE_THREADS, else min(2, cores)). */
  threads?: number;
  /** Allow the stored symmetric schedule in exact mode (default true when it fits). */
  stored?: boolean;
}

function defaultThreads(): number {
  const env = Number(process.env.MICRO_CONTRASTIVE_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** Whether the fast core handles this problem (SIMD available, τ not too small). */
export function fastContrastiveAvailable(tau: number): boolean {
  if (supported === null) supported = simdSupported();
  return supported && tau >= MIN_TAU;
}

/**
 * Loss and gradients of contrastive.ts's core on the SIMD kernels. The engine (memory, worker)
 * is cached for the last problem size.
 */
export function contrastiveCoreFast(
  a: Float32Array,
  c: Float32Array,
  n: number,
  d: number,
  tau: number,
  anchors?: Int32Array,
  opts: FastOptions = {},
): FastContrastiveResult {
  const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
  const np = Math.ceil(Math.max(n, 1) / 8) * 8;
  const stored = (opts.stored ?? true) && !anchors && np * 2 * np * 4 <= STORED_MAX_BYTES;
  const key = `${n}:${d}:${threads}:${stored}`;
  if (!cached || cached.key !== key) {
    // A sampled call after an exact one on the same size reuses the engine with the big buffer.
    const reuse = cached && anchors && cached.key === `${n}:${d}:${threads}:true`;
    if (!reuse) {
      cached?.engine.dispose();
      cached = { key, engine: new Engine(n, d, threads, stored) };
    }
  }
  return cached!.engine.run(a, c, tau, anchors);
}

/** Stops the helper thread and frees the shared memory (tests; process exit does not need it). */
export function disposeFastContrastive(): void {
  cached?.engine.dispose();
  cached = null;
}
