// Memory plan of the fast InfoNCE core: one shared WebAssembly memory holds the keys, the control
// words, the per-thread scratch and the per-lane accumulators; both threads view it through
// makeViews. Offsets are bytes, 64-byte aligned.

/** Rows per anchor block (a tile of the stored schedule). Multiple of 8. */
export const BLOCK = 64;
/**
 * Gradient accumulators ("lanes"): block b goes to lane b mod lanes. Many lanes keep the two
 * threads busy to the end of a phase (a thread idles at most while the other finishes one lane);
 * each costs a K×d buffer to clear and sum per call.
 */
export const LANES = 16;
/** Largest stored E (np × 2np float32) for the symmetric schedule. 768 MB ≈ N ≤ 9,900. */
export const STORED_MAX_BYTES = 768 * 1024 * 1024;
/** Smallest τ for the fixed-shift softmax: shifted logits ≥ −2/τ must stay above expf's −87 clamp. */
export const MIN_TAU = 0.025;

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
  xt: number; // keys in panels of 8 (simd/infonce.ts)
  anchors: number; // Int32 np
  ctl: number; // Int32 16 (control words, threads.ts)
  p: number; // Float64 32: invTau, scale, e0, loss per lane (3..3+lanes)
  sums: number; // Float64 2·np (stored schedule row sums)
  w: number; // Float32 np (stored schedule weights)
  big: number; // Float32 np×K (stored schedule), 0 if absent
  t: { e: number; abc: number; u: number; wv: number; sums: number; wr: number }[];
  l: { dx: number; colsum: number }[];
  bytes: number;
}

/** Embedding width and item count padded to the kernels' multiple of 8. */
export function padded(n: number, dIn: number): { d: number; np: number } {
  return { d: Math.ceil(dIn / 8) * 8, np: Math.ceil(Math.max(n, 1) / 8) * 8 };
}

export function planLayout(n: number, dIn: number, threads: number, stored: boolean): Layout {
  const { d, np } = padded(n, dIn);
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

/** The exports of simd/infonce.ts's module. */
export type Kernels = Record<'fwd' | 'eX' | 'eTw' | 'colsum' | 'scaleSym' | 'panels' | 'addTo' | 'exp4', (...args: number[]) => void>;

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
export type Views = ReturnType<typeof makeViews>;
