// WebAssembly SIMD kernels for the sparse ops of engine/ops.ts (spmm forward/backward, row scatter-add).
// In plain JS these loops run at ~5-10 ns per multiply-add (Float32Array loads and stores through
// doubles); here each edge is d/4 f32x4 multiply-adds with the row width d baked into the code.
// One module + private (non-shared) memory per width d, grown on demand; inputs are copied in and
// results copied out (O(rows·d), small next to the O(nnz·d) work).
import { Fn, encodeModule, F32, I32, OP, V128 } from './asm';

/** ptr = base + (idx[e])·rowBytes, where idx is read at idxPtr (i32). */
function rowPtr(f: Fn, base: number, idxPtr: number, rowBytes: number, dst: number): void {
  f.get(base).get(idxPtr).i32Load(0).i32(rowBytes).op(OP.i32Mul).op(OP.i32Add).set(dst);
}

/** out[dstIdx[e]] += vals[e] · src[srcIdx[e]] over e < nnz; `vals` 0 means weight 1 (scatter-add). */
function axpyRows(name: string, d: number, weighted: boolean): Fn {
  const f = new Fn(name, [I32, I32, I32, I32, I32, I32]);
  const [pDstIdx, pSrcIdx, pVals, pN, pSrc, pOut] = [0, 1, 2, 3, 4, 5];
  const [e, di, si, vp, o, s] = f.locals(I32, 6);
  const v = f.local(V128);
  f.get(pDstIdx).set(di);
  f.get(pSrcIdx).set(si);
  f.get(pVals).set(vp);
  f.forRange(e, { c: 0 }, pN, 1, () => {
    rowPtr(f, pOut, di, d * 4, o);
    rowPtr(f, pSrc, si, d * 4, s);
    if (weighted) f.get(vp).load32Splat(0).set(v);
    for (let c = 0; c < d; c += 4) {
      f.get(o).get(o).v128Load(c * 4).get(s).v128Load(c * 4);
      if (weighted) f.get(v).f32x4Mul();
      f.f32x4Add().v128Store(c * 4);
    }
    f.get(di).i32(4).op(OP.i32Add).set(di);
    f.get(si).i32(4).op(OP.i32Add).set(si);
    if (weighted) f.get(vp).i32(4).op(OP.i32Add).set(vp);
  });
  return f;
}

/** dv[e] = <g[rows[e]], h[cols[e]]> over e < nnz. */
function edgeDot(d: number): Fn {
  const f = new Fn('edgeDot', [I32, I32, I32, I32, I32, I32]);
  const [pRows, pCols, pN, pG, pH, pDv] = [0, 1, 2, 3, 4, 5];
  const [e, ri, ci, gp, hp, dp] = f.locals(I32, 6);
  const acc = f.locals(V128, 2);
  f.get(pRows).set(ri);
  f.get(pCols).set(ci);
  f.get(pDv).set(dp);
  f.forRange(e, { c: 0 }, pN, 1, () => {
    rowPtr(f, pG, ri, d * 4, gp);
    rowPtr(f, pH, ci, d * 4, hp);
    for (let c = 0; c < d; c += 4) {
      const a = acc[(c / 4) % 2]; // two chains: shorter add dependency
      f.get(gp).v128Load(c * 4).get(hp).v128Load(c * 4).f32x4Mul();
      if (c < 8) f.set(a);
      else f.get(a).f32x4Add().set(a);
    }
    if (d === 4) f.f32x4Const(0).set(acc[1]);
    // Horizontal sum of acc0 + acc1.
    f.get(dp);
    f.get(acc[0]).get(acc[1]).f32x4Add().tee(acc[0]);
    f.get(acc[0]).get(acc[0]).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).f32x4Add().tee(acc[0]);
    f.get(acc[0]).get(acc[0]).shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]).f32x4Add();
    f.f32x4ExtractLane(0).f32Store(0);
    f.get(ri).i32(4).op(OP.i32Add).set(ri);
    f.get(ci).i32(4).op(OP.i32Add).set(ci);
    f.get(dp).i32(4).op(OP.i32Add).set(dp);
  });
  return f;
}

/** addScaled(dst, src, n, alpha): dst[i] += alpha·src[i], n % 4 == 0. */
function addScaled(): Fn {
  const f = new Fn('addScaled', [I32, I32, I32, F32]);
  const [pDst, pSrc, pN, pAlpha] = [0, 1, 2, 3];
  const [i, a, b] = f.locals(I32, 3);
  const al = f.local(V128);
  f.get(pAlpha).f32x4Splat().set(al);
  f.get(pDst).set(a);
  f.get(pSrc).set(b);
  f.forRange(i, { c: 0 }, pN, 4, () => {
    f.get(a).get(a).v128Load(0).get(b).v128Load(0).get(al).f32x4Mul().f32x4Add().v128Store(0);
    f.get(a).i32(16).op(OP.i32Add).set(a);
    f.get(b).i32(16).op(OP.i32Add).set(b);
  });
  return f;
}

interface SparseExports {
  memory: WebAssembly.Memory;
  axpy: (dstIdx: number, srcIdx: number, vals: number, n: number, src: number, out: number) => void;
  add: (dstIdx: number, srcIdx: number, vals: number, n: number, src: number, out: number) => void;
  edgeDot: (rows: number, cols: number, n: number, g: number, h: number, dv: number) => void;
  addScaled: (dst: number, src: number, n: number, alpha: number) => void;
}

/** Bump allocation in one call's scratch memory. */
class Arena {
  private off = 0;
  constructor(private readonly k: SparseExports) {}
  reserve(bytes: number): void {
    const need = bytes + 1024;
    const have = this.k.memory.buffer.byteLength;
    if (need > have) this.k.memory.grow(Math.ceil((need - have) / 65536));
  }
  put(a: Float32Array | Int32Array): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.k.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }
  zeros(bytes: number): number {
    const p = this.alloc(bytes);
    new Uint8Array(this.k.memory.buffer, p, bytes).fill(0);
    return p;
  }
  private alloc(bytes: number): number {
    const p = this.off;
    this.off += Math.ceil(bytes / 16) * 16;
    return p;
  }
  f32(p: number, len: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, p, len).slice();
  }
}

const modules = new Map<number, SparseExports | null>();

/** The kernels for width d (a multiple of 4), or null when this runtime lacks WebAssembly SIMD. */
function kernels(d: number): SparseExports | null {
  if (d % 4 !== 0 || d < 4) return null;
  let k = modules.get(d);
  if (k === undefined) {
    try {
      const bytes = encodeModule([axpyRows('axpy', d, true), axpyRows('add', d, false), edgeDot(d), addScaled()], { minPages: 1 });
      const memory = new WebAssembly.Memory({ initial: 16 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      k = { memory, ...(inst.exports as unknown as Omit<SparseExports, 'memory'>) };
    } catch (e) {
      if (process.env.MICRO_DEBUG_SIMD) console.error(e);
      k = null;
    }
    modules.set(d, k);
  }
  return k;
}

/** The kernels for width d, or a clear error where a caller skipped sparseSimdAvailable(d). */
function need(d: number): SparseExports {
  const k = kernels(d);
  if (!k) throw new Error(`sparse SIMD kernels: row width ${d} is not a positive multiple of 4, or this runtime lacks WebAssembly SIMD`);
  return k;
}

/** True when spmm/scatter for width d run on the SIMD kernels. */
export function sparseSimdAvailable(d: number): boolean {
  return kernels(d) !== null;
}

/** out (nRows×d) = Σ_e vals[e]·h[cols[e]] into row rows[e]. */
export function spmmSimd(rows: Int32Array, cols: Int32Array, vals: Float32Array, nRows: number, h: Float32Array, d: number): Float32Array {
  const k = need(d);
  const A = new Arena(k);
  A.reserve(rows.byteLength * 2 + vals.byteLength + h.byteLength + nRows * d * 4 + 64);
  const pr = A.put(rows);
  const pc = A.put(cols);
  const pv = A.put(vals);
  const ph = A.put(h);
  const po = A.zeros(nRows * d * 4);
  k.axpy(pr, pc, pv, rows.length, ph, po);
  return A.f32(po, nRows * d);
}

/** Gradients of spmm: dh (nCols×d) = Aᵀ·g and, unless skipped, dv[e] = <g[rows[e]], h[cols[e]]>. */
export function spmmBackwardSimd(
  rows: Int32Array,
  cols: Int32Array,
  vals: Float32Array,
  nCols: number,
  h: Float32Array,
  g: Float32Array,
  d: number,
  wantValues: boolean,
): { dh: Float32Array; dv: Float32Array | null } {
  const k = need(d);
  const A = new Arena(k);
  A.reserve(rows.byteLength * 3 + vals.byteLength * 2 + g.byteLength + h.byteLength + nCols * d * 4 + 64);
  const pr = A.put(rows);
  const pc = A.put(cols);
  const pv = A.put(vals);
  const pg = A.put(g);
  const pdh = A.zeros(nCols * d * 4);
  k.axpy(pc, pr, pv, rows.length, pg, pdh); // dh[cols[e]] += vals[e]·g[rows[e]]
  let dv: Float32Array | null = null;
  if (wantValues) {
    const ph = A.put(h);
    const pdv = A.zeros(rows.length * 4);
    k.edgeDot(pr, pc, rows.length, pg, ph, pdv);
    dv = A.f32(pdv, rows.length);
  }
  return { dh: A.f32(pdh, nCols * d), dv };
}

/** v[e] = <h[rows[e]], h[cols[e]]> over the edges of a pattern on one n×d table. */
export function edgeDotsSimd(rows: Int32Array, cols: Int32Array, h: Float32Array, d: number): Float32Array {
  const k = need(d);
  const A = new Arena(k);
  A.reserve(rows.byteLength * 3 + h.byteLength + 64);
  const pr = A.put(rows);
  const pc = A.put(cols);
  const ph = A.put(h);
  const pv = A.zeros(rows.length * 4);
  k.edgeDot(pr, pc, rows.length, ph, ph, pv);
  return A.f32(pv, rows.length);
}

/** Gradient of edgeDotsSimd: dh[rows[e]] += g[e]·h[cols[e]] and dh[cols[e]] += g[e]·h[rows[e]]. */
export function edgeDotsBackwardSimd(rows: Int32Array, cols: Int32Array, h: Float32Array, g: Float32Array, n: number, d: number): Float32Array {
  const k = need(d);
  const A = new Arena(k);
  A.reserve(rows.byteLength * 2 + g.byteLength + h.byteLength + n * d * 4 + 64);
  const pr = A.put(rows);
  const pc = A.put(cols);
  const pg = A.put(g);
  const ph = A.put(h);
  const po = A.zeros(n * d * 4);
  k.axpy(pr, pc, pg, rows.length, ph, po);
  k.axpy(pc, pr, pg, rows.length, ph, po);
  return A.f32(po, n * d);
}

/**
 * L layers of propagation over a square pattern (A·A·…·h) in one pass through wasm memory:
 * returns A^L·h ('last') or (h + A·h + … + A^L·h)/(L+1) ('mean', LightGCN). With `transpose`,
 * uses Aᵀ (the backward of the same op: for 'mean' it is again the mean of the powers).
 */
export function propagateSimd(
  rows: Int32Array,
  cols: Int32Array,
  vals: Float32Array,
  n: number,
  h: Float32Array,
  d: number,
  layers: number,
  mode: 'last' | 'mean',
  transpose: boolean,
): Float32Array {
  const k = need(d);
  const A = new Arena(k);
  const rowBytes = n * d * 4;
  A.reserve(rows.byteLength * 2 + vals.byteLength + rowBytes * 4 + 64);
  const [dst, src] = transpose ? [A.put(cols), A.put(rows)] : [A.put(rows), A.put(cols)];
  const pv = A.put(vals);
  let cur = A.put(h);
  const bufs = [A.zeros(rowBytes), A.zeros(rowBytes)];
  const scale = 1 / (layers + 1);
  const acc = mode === 'mean' ? A.zeros(rowBytes) : -1;
  if (acc >= 0) k.addScaled(acc, cur, n * d, scale);
  for (let l = 0; l < layers; l++) {
    const next = bufs[l % 2];
    if (l > 1) new Uint8Array(k.memory.buffer, next, rowBytes).fill(0);
    k.axpy(dst, src, pv, rows.length, cur, next);
    if (acc >= 0) k.addScaled(acc, next, n * d, scale);
    cur = next;
  }
  return A.f32(acc >= 0 ? acc : cur, n * d);
}
