// Memory plan of the fast InfoNCE core: one shared WebAssembly memory holds the keys, the control
// words, the per-anchor and per-thread buffers, the key gradient and the stored E; both threads
// view it through makeViews. Offsets are bytes, 64-byte aligned.

/** Rows per anchor block, and keys per column task (blocks.ts). Multiple of 8. */
export const BLOCK = 64;
/**
 * Column-sum accumulators ("lanes") of the stored schedule's forward phase: block b goes to lane
 * b mod lanes. Many lanes keep the two threads busy to the end of the phase (a thread idles at
 * most while the other finishes one lane); each is an np-long f64 buffer.
 */
export const LANES = 16;
/** Largest stored E (np × 2np float32) for the symmetric schedule. 768 MB ≈ N ≤ 9,900. */
export const STORED_MAX_BYTES = 768 * 1024 * 1024;
/** Largest E of one anchor group (grouped schedule): groups × 2np float32. */
export const GROUP_MAX_BYTES = 128 * 1024 * 1024;
/** Smallest τ for the fixed-shift softmax: shifted base-2 logits ≥ −2·log₂e/τ must stay above 2^y's −126 clamp. */
export const MIN_TAU = 0.025;

export interface Layout {
  n: number;
  dIn: number;
  d: number; // dIn rounded up to 8
  np: number; // n rounded up to 8
  K: number; // 2·np keys: [a; c], each padded to np rows
  b: number;
  /** Rows of E the big buffer holds: np for the stored schedule, else one anchor group. */
  bigRows: number;
  stored: boolean; // bigRows = np: the symmetric schedule can run
  lanes: number;
  x: number; // K×d row-major keys
  xt: number; // keys in panels of 8 (simd/infonce.ts)
  anchors: number; // Int32 np
  ctl: number; // Int32 16 (control words, threads.ts)
  p: number; // Float64 32 (call parameters, CALL_PARAM in blocks.ts)
  sums: number; // Float64 2·np: row sums of E per anchor position
  w: number; // Float32 np (stored schedule: softmax weights w_i)
  u: number; // Float32 np×d: E·X per anchor position
  wa: number; // Float32 np×d: weighted anchors, the W of Eᵀ·W per anchor position
  loss: number; // Float64 np: loss term per anchor position (grouped schedule)
  wr: number; // Float64 np: softmax weight per anchor position (grouped schedule)
  dx: number; // Float32 K×d: the gradient of [a; c]
  big: number; // Float32 bigRows×K
  t: { abc: number; u2: number; self: number; sink: number }[];
  l: { colsum: number }[];
  bytes: number;
}

/** Embedding width and item count padded to the kernels' multiple of 8. */
export function padded(n: number, dIn: number): { d: number; np: number } {
  return { d: Math.ceil(dIn / 8) * 8, np: Math.ceil(Math.max(n, 1) / 8) * 8 };
}

/** Whether a call runs the stored schedule: exact (no anchor subset), allowed, and E fits STORED_MAX_BYTES. */
export function usesStoredSchedule(n: number, dIn: number, o: { anchors?: number; stored?: boolean } = {}): boolean {
  const { np } = padded(n, dIn);
  return (o.stored ?? true) && o.anchors === undefined && np * 2 * np * 4 <= STORED_MAX_BYTES;
}

/**
 * Multiply-adds of one call (blocks.ts): 4.5·N²·d on the stored schedule, 6·|anchors|·N·d on the
 * grouped one (N, d padded to 8; benches divide it by the time or by the machine's peak).
 */
export function contrastiveMacs(n: number, dIn: number, o: { anchors?: number; stored?: boolean } = {}): number {
  const { d, np } = padded(n, dIn);
  return usesStoredSchedule(n, dIn, o) ? 4.5 * np * np * d : 3 * (o.anchors ?? n) * 2 * np * d;
}

/** `bigRows` (a multiple of 8, ≤ np): rows of E to keep; np allows the stored schedule. */
export function planLayout(n: number, dIn: number, threads: number, bigRows: number): Layout {
  const { d, np } = padded(n, dIn);
  if (!(Number.isInteger(bigRows) && bigRows >= 8 && bigRows % 8 === 0 && bigRows <= np)) throw new RangeError(`planLayout: bigRows must be a multiple of 8 from 8 to ${np}, got ${bigRows}`);
  const K = 2 * np;
  const b = BLOCK;
  let off = 0;
  const take = (bytes: number) => {
    const o = off;
    off += Math.ceil(bytes / 64) * 64;
    return o;
  };
  const L: Layout = {
    n, dIn, d, np, K, b, bigRows, stored: bigRows === np, lanes: LANES,
    x: take(K * d * 4),
    xt: take(K * d * 4),
    anchors: take(np * 4),
    ctl: take(64),
    p: take(32 * 8),
    sums: take(2 * np * 8),
    w: take(np * 4),
    u: take(np * d * 4),
    wa: take(np * d * 4),
    loss: take(np * 8),
    wr: take(np * 8),
    dx: take(K * d * 4),
    big: 0,
    t: [],
    l: [],
    bytes: 0,
  };
  for (let t = 0; t < threads; t++) L.t.push({ abc: take(b * d * 16), u2: take(b * d * 4), self: take(b * 8), sink: take(16) });
  for (let l = 0; l < LANES; l++) L.l.push({ colsum: take(np * 8) });
  L.big = take(bigRows * K * 4);
  L.bytes = off;
  return L;
}

/** The exports of simd/infonce.ts's module. */
export type Kernels = Record<'fwd' | 'eX' | 'eTw' | 'colsum' | 'scaleSym' | 'panels' | 'exp2' | 'touch', (...args: number[]) => void>;

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
    u: f32(L.u, L.np * L.d),
    wa: f32(L.wa, L.np * L.d),
    loss: f64(L.loss, L.np),
    wr: f64(L.wr, L.np),
    dx: f32(L.dx, L.K * L.d),
    big: f32(L.big, L.bigRows * L.K),
    t: L.t.map((t) => ({ abc: f32(t.abc, L.b * L.d * 4), u2: f32(t.u2, L.b * L.d), self: f64(t.self, L.b), sink: t.sink })),
    l: L.l.map((l) => ({ colsum: f64(l.colsum, L.np) })),
  };
}
export type Views = ReturnType<typeof makeViews>;
