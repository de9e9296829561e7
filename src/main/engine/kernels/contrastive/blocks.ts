// Per-unit maths of the fast InfoNCE core: one unit of work of one phase, on the SIMD kernels of
// simd/infonce.ts, reading and writing the shared memory of plan.ts. These functions run on the
// calling thread and, shipped as source (threads.ts), on the helper thread: they may use only
// their arguments, each other and the constants KEY_CHUNK, KEY_PANEL_BLOCKS, PHASE and
// CALL_PARAM (injected into the worker).
//
// Every unit writes outputs that no other unit of its phase writes (rows of an anchor block, keys
// of a key panel, or one lane's column sums), so results are the same whichever thread runs it,
// and no unit needs a private copy of the K×d key gradient to be summed afterwards.
// Two schedules (E_ij = exp((a_i·x_j − 1)/τ), x = [a; c]; w_i = 1/(nA·τ·Z_i) the softmax weight):
// - 'stored' (exact mode when np·2np floats fit STORED_MAX_BYTES): exploits the symmetry of a·aᵀ.
//   STORED_FWD computes only the upper triangle of E_aa (plus all of E_ac), keeps it, and gives
//   row sums and (per lane) column sums, hence every Z_i; while each E_ac chunk is in cache it also
//   takes U_ac = E_ac·C. STORED_ROWS turns E_aa into M = E_aa ⊙ (w_i + w_j) — both gradient terms
//   of a·aᵀ in one symmetric matrix — chunk by chunk, each chunk followed by its share of M·A, and
//   writes the anchor rows of dX. STORED_COLS adds the transposed products by key panel: the
//   strict upper triangle of M read by columns (dA_j += Σ_i M_ij a_i) and E_acᵀ·(w⊙A) (dC_j).
//   Cost 4.5·N²·d multiply-adds per modality, 1.5·N² floats of memory.
// - 'grouped' (sampled anchors, or exact mode when E is too big to store): anchors in groups that
//   fit GROUP_MAX_BYTES. GROUP_ROWS: per anchor block, E against all keys with row sums, U = E·X
//   chunk by chunk while in cache, then the loss term, w and W = w⊙A_B per anchor. GROUP_COLS:
//   dX += Eᵀ·W by key panel over the group's rows. The anchor side (w_i·U_i, positives) is added
//   on the calling thread (engine.ts). Cost 6·|anchors|·N·d.
import type { Kernels, Layout, Views } from './plan';

/** Keys per chunk in the forward and E·X kernels: keeps the key panel and the E chunk in L2. */
export const KEY_CHUNK = 512;

/**
 * Anchor blocks per key panel of the column tasks: each E row then gives a panel ≥ 1 KB, a TLB
 * miss per KB rather than per 256 B, and the panels are few enough to claim cheaply.
 */
export const KEY_PANEL_BLOCKS = 8;

/** Phase numbers (the low 3 bits of a phase tag, threads.ts). */
export const PHASE = { STORED_FWD: 1, STORED_ROWS: 2, STORED_COLS: 3, GROUP_ROWS: 4, GROUP_COLS: 5 } as const;

/** Indices of the call parameters in the views' `p` (Float64). */
export const CALL_PARAM = { INV_TAU: 0, SCALE: 1, E0: 2, LOG2E_INV_TAU: 3 } as const;

/** One phase of one call, as both threads see it (the engine publishes it in the control words). */
export interface Job {
  phase: number;
  /** Units of work, claimed one by one: lanes (STORED_FWD), anchor blocks or key panels. */
  units: number;
  /** Anchor blocks of the phase's anchor range. */
  nBlocks: number;
  /** Anchors per block, a multiple of 8 ≤ L.b (the stored schedule's key panels are KEY_PANEL_BLOCKS blocks wide). */
  rows: number;
  /** Anchors in this call. */
  nA: number;
  /** Grouped schedule: first anchor position of the group and anchors in it. */
  g0: number;
  gRows: number;
}

/** Asserts the kernels' shape preconditions, then runs unit `unit` of the job's phase. */
export function processUnit(V: Views, L: Layout, k: Kernels, th: number, unit: number, job: Job): void {
  if (job.rows < 8 || job.rows % 8 !== 0 || job.rows > L.b) throw new Error(`contrastive kernels: ${job.rows} anchors per block, expected a multiple of 8 from 8 to ${L.b}`);
  if (L.d % 8 !== 0 || L.np % 8 !== 0) throw new Error(`contrastive kernels: padded width ${L.d} and item count ${L.np} must be multiples of 8`);
  const T = V.t[th];
  if (job.phase === PHASE.STORED_FWD) for (let bi = unit; bi < job.nBlocks; bi += job.units) storedForward(V, L, k, T, unit, job, bi);
  else if (job.phase === PHASE.STORED_ROWS) storedRows(V, L, k, T, job, unit);
  else if (job.phase === PHASE.STORED_COLS) storedCols(V, L, k, T, job, unit);
  else if (job.phase === PHASE.GROUP_ROWS) groupRows(V, L, k, T, job, unit);
  else if (job.phase === PHASE.GROUP_COLS) groupCols(V, L, k, T, job, unit);
  else throw new Error(`contrastive kernels: unknown phase ${job.phase}`);
}

/** abc ← the anchors at positions p0.. (`rows` of them, zero rows up to rows4), × log₂e/τ, 4 copies of each value. */
export function packAnchors(V: Views, L: Layout, abc: Float32Array, p0: number, rows: number, rows4: number): void {
  const { d } = L;
  const x = V.x;
  const scale = V.p[CALL_PARAM.LOG2E_INV_TAU];
  for (let r = 0; r < rows4; r++) {
    const src = r < rows ? V.anchors[p0 + r] * d : -1;
    const dst = r * d * 4;
    for (let q = 0; q < d; q++) {
      const v = src >= 0 ? x[src + q] * scale : 0;
      const o = dst + q * 4;
      abc[o] = v;
      abc[o + 1] = v;
      abc[o + 2] = v;
      abc[o + 3] = v;
    }
  }
}

/** Stored schedule, phase 1, anchor block bi: E rows [r0, K) kept, row sums, lane column sums, U_ac. */
export function storedForward(V: Views, L: Layout, k: Kernels, T: Views['t'][number], lane: number, job: Job, bi: number): void {
  const { d, K, np, n } = L;
  const b = job.rows;
  const r0 = bi * b;
  const rows = Math.min(b, job.nA - r0);
  const rows4 = (rows + 3) & ~3;
  const e = V.big.byteOffset + r0 * K * 4;
  const sums = V.sums.byteOffset + r0 * 16;
  const u = V.u.byteOffset + r0 * d * 4;
  const shift = -V.p[CALL_PARAM.LOG2E_INV_TAU];
  packAnchors(V, L, T.abc, r0, rows, rows4);
  V.sums.fill(0, 2 * r0, 2 * (r0 + rows4));
  V.u.fill(0, r0 * d, (r0 + rows4) * d);
  for (let j = r0; j < np; j += KEY_CHUNK) k.fwd(T.abc.byteOffset, rows4, L.xt, j, Math.min(np, j + KEY_CHUNK), e, sums, shift);
  for (let j = np; j < K; j += KEY_CHUNK) {
    const je = Math.min(K, j + KEY_CHUNK);
    k.fwd(T.abc.byteOffset, rows4, L.xt, j, je, e, sums, shift);
    k.eX(e, rows4, L.x, j, je, u); // U_ac, while the chunk is in cache
  }
  // Drop the self term and the 2(np − n) zero padding keys from the row sums.
  const big = V.big;
  const e0 = V.p[CALL_PARAM.E0];
  for (let r = 0; r < rows; r++) {
    const i = r0 + r;
    V.sums[2 * i] -= big[(r0 + r) * K + i] + 2 * (np - n) * e0;
    big[(r0 + r) * K + i] = 0;
  }
  // The upper tiles also hold rows j > block of E_aa (symmetric): their row sums are our column sums.
  const offDiag = Math.min(r0 + b, np);
  if (offDiag < np) k.colsum(e, rows, offDiag, np, V.l[lane].colsum.byteOffset);
}

/** Stored schedule, phase 2, anchor block bi: M = E_aa ⊙ (w_i + w_j) in place, U_aa = M·A, the block's rows of dX and W. */
export function storedRows(V: Views, L: Layout, k: Kernels, T: Views['t'][number], job: Job, bi: number): void {
  const { d, K, np } = L;
  const b = job.rows;
  const r0 = bi * b;
  const rows = Math.min(b, job.nA - r0);
  const rows4 = (rows + 3) & ~3;
  const e = V.big.byteOffset + r0 * K * 4;
  const u2 = T.u2;
  u2.fill(0, 0, rows4 * d);
  for (let j = r0; j < np; j += KEY_CHUNK) {
    const je = Math.min(np, j + KEY_CHUNK);
    k.scaleSym(e, rows4, V.w.byteOffset + r0 * 4, V.w.byteOffset, j, je);
    k.eX(e, rows4, L.x, j, je, u2.byteOffset); // the diagonal tile in full, the rest of the upper triangle by rows
  }
  const { x, u, dx, wa } = V;
  const posCoef = V.p[CALL_PARAM.SCALE] * V.p[CALL_PARAM.INV_TAU];
  for (let r = 0; r < rows; r++) {
    const i = r0 + r;
    const wi = V.w[i];
    const ai = i * d;
    const ci = (np + i) * d;
    for (let q = 0; q < d; q++) {
      dx[ai + q] = wi * u[ai + q] + u2[r * d + q] - posCoef * x[ci + q];
      dx[ci + q] = -posCoef * x[ai + q];
      wa[ai + q] = wi * x[ai + q];
    }
  }
  // Padding rows (last block): zero gradient and weights.
  for (let i = r0 + rows; i < Math.min(r0 + b, np); i++) {
    dx.fill(0, i * d, (i + 1) * d);
    dx.fill(0, (np + i) * d, (np + i + 1) * d);
    wa.fill(0, i * d, (i + 1) * d);
  }
}

/** Keys per column task of the grouped schedule. */
export function keyPanel(L: Layout): number {
  return KEY_PANEL_BLOCKS * L.b;
}

/**
 * Stored schedule, phase 3, key panel t: first the E_ac panels (every anchor block, W = w⊙A),
 * then the E_aa panels from the last down (the strict upper triangle above and inside the panel,
 * W = A): largest units first, so that the two threads finish together.
 */
export function storedCols(V: Views, L: Layout, k: Kernels, T: Views['t'][number], job: Job, t: number): void {
  const { d, K, np } = L;
  const b = job.rows;
  const pw = KEY_PANEL_BLOCKS * b;
  const nPanels = Math.ceil(np / pw);
  const e = V.big.byteOffset;
  const dx = V.dx.byteOffset;
  if (t < nPanels) {
    const j0 = np + t * pw;
    const j1 = Math.min(K, j0 + pw);
    for (let bi = 0; bi < job.nBlocks; bi++) {
      const r0 = bi * b;
      const rows4 = (Math.min(b, job.nA - r0) + 3) & ~3;
      k.touch(e + r0 * K * 4, rows4, j0, j1, T.sink); // the tile into cache along its rows, before eTw walks its columns
      k.eTw(e + r0 * K * 4, rows4, V.wa.byteOffset + r0 * d * 4, j0, j1, dx);
    }
    return;
  }
  const J = nPanels - 1 - (t - nPanels);
  const j1 = Math.min(np, (J + 1) * pw);
  // Anchor blocks above the panel, then those inside it (their keys past their own block).
  for (let bi = 0; bi < Math.min(job.nBlocks, (J + 1) * KEY_PANEL_BLOCKS); bi++) {
    const j0 = Math.max(J * pw, (bi + 1) * b);
    if (j0 >= j1) continue;
    k.touch(e + bi * b * K * 4, b, j0, j1, T.sink);
    k.eTw(e + bi * b * K * 4, b, L.x + bi * b * d * 4, j0, j1, dx);
  }
}

/** Grouped schedule, phase 1, anchor block bi of the group: E rows, row sums, U = E·X, loss, w, W. */
export function groupRows(V: Views, L: Layout, k: Kernels, T: Views['t'][number], job: Job, bi: number): void {
  const { d, dIn, K, np, n } = L;
  const b = job.rows;
  const p0 = job.g0 + bi * b; // first anchor position of the block
  const rows = Math.min(b, job.g0 + job.gRows - p0);
  const rows4 = (rows + 3) & ~3;
  const gr = bi * b; // its first row in the group's E
  const e = V.big.byteOffset + gr * K * 4;
  const sums = V.sums.byteOffset + p0 * 16;
  const u = V.u.byteOffset + p0 * d * 4;
  const shift = -V.p[CALL_PARAM.LOG2E_INV_TAU];
  const { anchors, big, x } = V;
  packAnchors(V, L, T.abc, p0, rows, rows4);
  V.sums.fill(0, 2 * p0, 2 * (p0 + rows4));
  V.u.fill(0, p0 * d, (p0 + rows4) * d);
  for (let j = 0; j < K; j += KEY_CHUNK) {
    const je = Math.min(K, j + KEY_CHUNK);
    k.fwd(T.abc.byteOffset, rows4, L.xt, j, je, e, sums, shift);
    // The intra-modality sum skips the anchor itself: zero its entry before E·X reads the chunk.
    for (let r = 0; r < rows; r++) {
      const i = anchors[p0 + r];
      if (i >= j && i < je) {
        T.self[r] = big[(gr + r) * K + i];
        big[(gr + r) * K + i] = 0;
      }
    }
    k.eX(e, rows4, L.x, j, je, u);
  }
  const invTau = V.p[CALL_PARAM.INV_TAU];
  const posCoef = V.p[CALL_PARAM.SCALE] * invTau;
  const e0 = V.p[CALL_PARAM.E0];
  for (let r = 0; r < rows4; r++) {
    const p = p0 + r;
    if (r >= rows) {
      V.wa.fill(0, p * d, (p + 1) * d);
      continue;
    }
    const i = anchors[p];
    // Z = Σ_{j≠i} e^{aa} + Σ_j e^{ac}: drop the self term and the 2(np−n) zero padding keys.
    const z = V.sums[2 * p] + V.sums[2 * p + 1] - T.self[r] - 2 * (np - n) * e0;
    let pos = 0;
    for (let q = 0; q < dIn; q++) pos += x[i * d + q] * x[(np + i) * d + q];
    V.loss[p] = Math.log(z) - (pos - 1) * invTau;
    const w = posCoef / z;
    V.wr[p] = w;
    for (let q = 0; q < d; q++) V.wa[p * d + q] = w * x[i * d + q];
  }
}

/**
 * Grouped schedule, phase 2, key panel t: dX[keys of t] += Eᵀ·W over the group's anchors, in row
 * chunks of L.b (the E tile and W chunk stay in cache whatever the anchor block).
 */
export function groupCols(V: Views, L: Layout, k: Kernels, T: Views['t'][number], job: Job, t: number): void {
  const { d, K, b } = L;
  const pw = KEY_PANEL_BLOCKS * b;
  const j0 = t * pw;
  const j1 = Math.min(K, j0 + pw);
  for (let gr = 0; gr < job.gRows; gr += b) {
    const rows4 = (Math.min(b, job.gRows - gr) + 3) & ~3;
    k.touch(V.big.byteOffset + gr * K * 4, rows4, j0, j1, T.sink);
    k.eTw(V.big.byteOffset + gr * K * 4, rows4, V.wa.byteOffset + (job.g0 + gr) * d * 4, j0, j1, V.dx.byteOffset);
  }
}
