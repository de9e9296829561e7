// Per-block maths of the fast InfoNCE core: one anchor block of one phase, on the SIMD kernels of
// simd/infonce.ts, reading and writing the shared memory of plan.ts. processLane and processBlock
// run on the calling thread and, shipped as source (threads.ts), on the helper thread: they may
// use only their arguments, each other and KEY_CHUNK (injected into the worker source).
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
import type { Kernels, Layout, Views } from './plan';

/** Keys per chunk in the forward and E·X kernels: keeps the key panel in L2. */
export const KEY_CHUNK = 512;

/** One phase of one call, as both threads see it (the engine publishes it in the control words). */
export interface Job {
  /** 0: blocked schedule; 1: stored schedule, forward + sums; 2: stored schedule, backward. */
  phase: number;
  nBlocks: number;
  /** Lanes in use: block bi belongs to lane bi mod lanes. */
  lanes: number;
  /** Anchors per block, a multiple of 8 ≤ L.b. */
  rows: number;
  /** Anchors in this call. */
  nA: number;
}

/**
 * Every block of one lane. Asserts the kernels' shape preconditions first: key ranges start at
 * block boundaries, so rows % 8 == 0 keeps fwd's ranges in whole panels of 8 and the others' % 4.
 */
export function processLane(V: Views, L: Layout, k: Kernels, th: number, lane: number, job: Job): void {
  if (job.rows < 8 || job.rows % 8 !== 0 || job.rows > L.b) throw new Error(`contrastive kernels: ${job.rows} anchors per block, expected a multiple of 8 from 8 to ${L.b}`);
  if (L.d % 8 !== 0 || L.np % 8 !== 0) throw new Error(`contrastive kernels: padded width ${L.d} and item count ${L.np} must be multiples of 8`);
  for (let bi = lane; bi < job.nBlocks; bi += job.lanes) processBlock(V, L, k, th, lane, job, bi);
}

/**
 * One anchor block of one phase (job.phase, see Job).
 */
export function processBlock(V: Views, L: Layout, k: Kernels, th: number, lane: number, job: Job, bi: number): void {
  const { d, dIn, K, np, n } = L;
  const { phase, rows: b, nA } = job;
  const invTau = V.p[0];
  const scale = V.p[1];
  const e0 = V.p[2];
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
    for (let j = jBeg; j < jEnd; j += KEY_CHUNK)
      k.fwd(T.abc.byteOffset, rows4, L.xt, j, Math.min(jEnd, j + KEY_CHUNK), e.byteOffset, sums.byteOffset + sumsOff * 8, invTau);
  };
  const eX = (e: Float32Array, jBeg: number, jEnd: number) => {
    for (let j = jBeg; j < jEnd; j += KEY_CHUNK) k.eX(e.byteOffset, rows4, L.x, j, Math.min(jEnd, j + KEY_CHUNK), T.u.byteOffset);
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
