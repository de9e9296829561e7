// WebAssembly SIMD kernels of the InfoNCE loss (kernels/contrastive/). Their shape preconditions
// (rows % 4, key ranges % 8 or % 4) are asserted by the caller, contrastive/blocks.ts.
//
// For one block of anchor rows (A_B, b×d) against keys X = [a; c] (K×d, K = 2N padded):
//   fwd: E = 2^(A'_B·Xᵀ + shift) (b×K) and the row sums of E, fused (the similarities never leave
//        registers before the exponential). A' = A·log₂e/τ is packed by the caller, shift =
//        −log₂e/τ: E = exp((A·Xᵀ − 1)/τ). The fixed shift replaces the usual row max: inputs are
//        unit rows, so every logit is ≤ 1/τ and the shifted ones are ≤ 0.
//   eX:  U += E·X (b×d), the softmax-weighted sum of keys per anchor.
//   eTw: dX += Eᵀ·W (K×d), W = per-anchor weights × A_B: the gradient reaching every key.
//   (colsum, scaleSym: the stored schedule's column sums and symmetric scaling; touch: a software
//   prefetch of an E tile before eTw; panels: the key layout of fwd; exp2: fwd's 2^y alone.)
// Each is a 4×8 register tile of f32x4 accumulators (4 rows × two vectors) with a rolled inner
// loop: on V8 11 (Node 20) fully unrolled bodies get their addresses hoisted and spill badly,
// while the rolled loop compiles to clean mulps/addps code at ~2× the speed of XNNPACK's GEMM
// for these shapes (K = 64 inner products, long outputs).
//
// Layouts (all float32, byte offsets into one memory; d is a multiple of 8, K of 8):
//   abc: anchors pre-broadcast, row r, column q at abc + (r·d + q)·16 (4 copies): the tile's
//        broadcast operand is then a plain vector load.
//   xt:  keys in panels of 8: key j, column q at xt + ((j>>3)·d·8 + q·8 + (j&7))·4.
//   x, w, u, dx: row-major with row stride d. e: row-major with row stride K.
//   sums: one f64x2 per row (two partial sums; their total is the row sum).
import { Fn, encodeModule, F32, I32, OP, V128 } from './asm';
import { Exp2Emitter } from './exp2';

/**
 * acc += a·b. No FMA: relaxed SIMD needs --experimental-wasm-relaxed-simd on Node 20 (V8 11.3),
 * and its madd measured no faster in these 4×8 tiles (Zen 3; Zen 5: eX 25 vs 26 GMAC/s per
 * thread, though a register-resident loop reaches 47 against 30).
 */
function madd(f: Fn, acc: number, a: number, b: number): void {
  f.get(acc).get(a).get(b).f32x4Mul().f32x4Add().set(acc);
}

/** ptr = base + i·scale (i32). */
function addr(f: Fn, base: number, i: number, scale: number, dst: number): void {
  f.get(base).get(i).i32(scale).op(OP.i32Mul).op(OP.i32Add).set(dst);
}
function bump(f: Fn, p: number, by: number): void {
  f.get(p).i32(by).op(OP.i32Add).set(p);
}

/**
 * fwd(abc, rows, xt, jBeg, jEnd, e, sums, shift): see the module comment. rows % 4 == 0, j range
 * % 8 == 0. The row sums are kept in f32 over one call (the caller's key chunk: ≤ 128 terms per
 * lane) and added to the f64 sums at the end.
 */
function fwdKernel(d: number, K: number): Fn {
  const f = new Fn('fwd', [I32, I32, I32, I32, I32, I32, I32, F32]);
  const [pAbc, pRows, pXt, pJb, pJe, pE, pSums, pShift] = [0, 1, 2, 3, 4, 5, 6, 7];
  const exp = new Exp2Emitter(f);
  const shift = f.local(V128);
  f.get(pShift).f32x4Splat().set(shift);
  const [rg, j, q, ap, xp, pa, px, ep] = f.locals(I32, 8);
  const acc = f.locals(V128, 8);
  const [x0, x1, s] = f.locals(V128, 3);
  const sums = f.locals(V128, 4);
  f.forRange(rg, { c: 0 }, pRows, 4, () => {
    addr(f, pAbc, rg, d * 16, ap);
    for (let r = 0; r < 4; r++) f.f32x4Const(0).set(sums[r]);
    f.forRange(j, pJb, pJe, 8, () => {
      addr(f, pXt, j, d * 4, xp); // panel j/8 starts at (j/8)·d·8 floats = j·d·4 bytes
      for (const a of acc) f.f32x4Const(0).set(a);
      f.get(ap).set(pa);
      f.get(xp).set(px);
      f.forRange(q, { c: 0 }, { c: d }, 1, () => {
        f.get(px).v128Load(0).set(x0);
        f.get(px).v128Load(16).set(x1);
        for (let r = 0; r < 4; r++) {
          f.get(pa).v128Load(r * d * 16).set(s);
          madd(f, acc[2 * r], s, x0);
          madd(f, acc[2 * r + 1], s, x1);
        }
        bump(f, pa, 16);
        bump(f, px, 32);
      });
      // ep = e + (rg·K + j)·4
      f.get(pE).get(rg).i32(K * 4).op(OP.i32Mul).op(OP.i32Add).get(j).i32(4).op(OP.i32Mul).op(OP.i32Add).set(ep);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) {
          f.get(ep);
          f.get(acc[2 * r + h]).get(shift).f32x4Add();
          exp.emit();
          f.tee(acc[2 * r + h]).v128Store(r * K * 4 + h * 16);
        }
        f.get(sums[r]).get(acc[2 * r]).f32x4Add().get(acc[2 * r + 1]).f32x4Add().set(sums[r]);
      }
    });
    // sums[row] (f64x2) += promote(lo(s)) + promote(hi(s))
    for (let r = 0; r < 4; r++) {
      f.get(pSums).get(rg).i32(r).op(OP.i32Add).i32(16).op(OP.i32Mul).op(OP.i32Add).tee(ep);
      f.get(ep).v128Load(0).get(sums[r]).f64x2PromoteLow().f64x2Add();
      f.get(sums[r]).get(sums[r]).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]).f64x2PromoteLow().f64x2Add().v128Store(0);
    }
  });
  return f;
}

/**
 * 4×8 tile loop shared by eX and eTw: acc[2t+h] += splat(S[t]) · V[h], t < 4, h < 2, where the
 * four splat scalars sit at sp + t·sStride and the two vectors at vp, vp + 16; `n` steps, with
 * sp += sStep and vp += vStep per step. Then out[t] (row stride oStride) += acc.
 */
function tileLoop(
  f: Fn,
  loc: { i: number; sp: number; vp: number; n: number; out: number; acc: number[]; v: number[]; s: number },
  sStride: number,
  sStep: number,
  vStep: number,
  oStride: number,
): void {
  const { i, sp, vp, n, out, acc, v, s } = loc;
  for (const a of acc) f.f32x4Const(0).set(a);
  f.forRange(i, { c: 0 }, n, 1, () => {
    f.get(vp).v128Load(0).set(v[0]);
    f.get(vp).v128Load(16).set(v[1]);
    for (let t = 0; t < 4; t++) {
      f.get(sp).load32Splat(t * sStride).set(s);
      madd(f, acc[2 * t], s, v[0]);
      madd(f, acc[2 * t + 1], s, v[1]);
    }
    bump(f, sp, sStep);
    bump(f, vp, vStep);
  });
  for (let t = 0; t < 4; t++)
    for (let h = 0; h < 2; h++) {
      const off = t * oStride + h * 16;
      f.get(out).get(out).v128Load(off).get(acc[2 * t + h]).f32x4Add().v128Store(off);
    }
}

/** eX(e, rows, x, jBeg, jEnd, u): u[r] += Σ_{j∈[jBeg,jEnd)} e[r,j]·x[j]. rows % 4 == 0. */
function eXKernel(d: number, K: number): Fn {
  const f = new Fn('eX', [I32, I32, I32, I32, I32, I32]);
  const [pE, pRows, pX, pJb, pJe, pU] = [0, 1, 2, 3, 4, 5];
  const [rg, c, i, n, sp, vp, out] = f.locals(I32, 7);
  const acc = f.locals(V128, 8);
  const v = f.locals(V128, 2);
  const s = f.local(V128);
  f.get(pJe).get(pJb).op(OP.i32Sub).set(n);
  f.forRange(rg, { c: 0 }, pRows, 4, () => {
    f.forRange(c, { c: 0 }, { c: d }, 8, () => {
      // sp = e + (rg·K + jBeg)·4 ; vp = x + (jBeg·d + c)·4 ; out = u + (rg·d + c)·4
      f.get(pE).get(rg).i32(K * 4).op(OP.i32Mul).op(OP.i32Add).get(pJb).i32(4).op(OP.i32Mul).op(OP.i32Add).set(sp);
      f.get(pX).get(pJb).i32(d * 4).op(OP.i32Mul).op(OP.i32Add).get(c).i32(4).op(OP.i32Mul).op(OP.i32Add).set(vp);
      f.get(pU).get(rg).i32(d * 4).op(OP.i32Mul).op(OP.i32Add).get(c).i32(4).op(OP.i32Mul).op(OP.i32Add).set(out);
      tileLoop(f, { i, sp, vp, n, out, acc, v, s }, K * 4, 4, d * 4, d * 4);
    });
  });
  return f;
}

/** eTw(e, rows, w, jBeg, jEnd, dx): dx[j] += Σ_r e[r,j]·w[r] for j ∈ [jBeg, jEnd). (jEnd − jBeg) % 4 == 0. */
function eTwKernel(d: number, K: number): Fn {
  const f = new Fn('eTw', [I32, I32, I32, I32, I32, I32]);
  const [pE, pRows, pW, pJb, pJe, pDx] = [0, 1, 2, 3, 4, 5];
  const [j, c, i, sp, vp, out] = f.locals(I32, 6);
  const acc = f.locals(V128, 8);
  const v = f.locals(V128, 2);
  const s = f.local(V128);
  f.forRange(j, pJb, pJe, 4, () => {
    f.forRange(c, { c: 0 }, { c: d }, 8, () => {
      // sp = e + j·4 ; vp = w + c·4 ; out = dx + (j·d + c)·4
      addr(f, pE, j, 4, sp);
      addr(f, pW, c, 4, vp);
      f.get(pDx).get(j).i32(d * 4).op(OP.i32Mul).op(OP.i32Add).get(c).i32(4).op(OP.i32Mul).op(OP.i32Add).set(out);
      tileLoop(f, { i, sp, vp, n: pRows, out, acc, v, s }, 4, K * 4, d * 4, d * 4);
    });
  });
  return f;
}

/** colsum(e, rows, jBeg, jEnd, out): out[j] (f64) += Σ_{r<rows} e[r,j]; any rows, (jEnd − jBeg) % 4 == 0, jBeg % 4 == 0. */
function colsumKernel(K: number): Fn {
  const f = new Fn('colsum', [I32, I32, I32, I32, I32]);
  const [pE, pRows, pJb, pJe, pOut] = [0, 1, 2, 3, 4];
  const [j, r, sp, op] = f.locals(I32, 4);
  const [lo, hi, v] = f.locals(V128, 3);
  f.forRange(j, pJb, pJe, 4, () => {
    f.f64(0).f64x2Splat().set(lo);
    f.f64(0).f64x2Splat().set(hi);
    addr(f, pE, j, 4, sp);
    f.forRange(r, { c: 0 }, pRows, 1, () => {
      f.get(sp).v128Load(0).tee(v).f64x2PromoteLow().get(lo).f64x2Add().set(lo);
      f.get(v).get(v).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]).f64x2PromoteLow().get(hi).f64x2Add().set(hi);
      bump(f, sp, K * 4);
    });
    addr(f, pOut, j, 8, op);
    f.get(op).get(op).v128Load(0).get(lo).f64x2Add().v128Store(0);
    f.get(op).get(op).v128Load(16).get(hi).f64x2Add().v128Store(16);
  });
  return f;
}

/** scaleSym(e, rows, wr, wc, jBeg, jEnd): e[r,j] *= wr[r] + wc[j] (f32). (jEnd − jBeg) % 4 == 0. */
function scaleSymKernel(K: number): Fn {
  const f = new Fn('scaleSym', [I32, I32, I32, I32, I32, I32]);
  const [pE, pRows, pWr, pWc, pJb, pJe] = [0, 1, 2, 3, 4, 5];
  const [r, j, ep, cp] = f.locals(I32, 4);
  const wr = f.local(V128);
  f.forRange(r, { c: 0 }, pRows, 1, () => {
    f.get(pWr).get(r).i32(4).op(OP.i32Mul).op(OP.i32Add).load32Splat(0).set(wr);
    f.get(pE).get(r).i32(K * 4).op(OP.i32Mul).op(OP.i32Add).get(pJb).i32(4).op(OP.i32Mul).op(OP.i32Add).set(ep);
    addr(f, pWc, pJb, 4, cp);
    f.forRange(j, pJb, pJe, 4, () => {
      f.get(ep).get(ep).v128Load(0).get(cp).v128Load(0).get(wr).f32x4Add().f32x4Mul().v128Store(0);
      bump(f, ep, 16);
      bump(f, cp, 16);
    });
  });
  return f;
}

/** panels(x, xt, K): the panel layout of the module comment from row-major x (K×d). */
function panelsKernel(d: number): Fn {
  const f = new Fn('panels', [I32, I32, I32]);
  const [pX, pXt, pK] = [0, 1, 2];
  const [j, q, src, dst] = f.locals(I32, 4);
  // Walk x row by row; key j, column q goes to xt + ((j>>3)·d·8 + q·8 + (j&7))·4.
  f.forRange(j, { c: 0 }, pK, 1, () => {
    addr(f, pX, j, d * 4, src);
    f.get(pXt).get(j).i32(3).op(OP.i32ShrU).i32(d * 32).op(OP.i32Mul).op(OP.i32Add);
    f.get(j).i32(7).op(OP.i32And).i32(4).op(OP.i32Mul).op(OP.i32Add).set(dst);
    f.forRange(q, { c: 0 }, { c: d }, 1, () => {
      f.get(dst).get(src).f32Load(0).f32Store(0);
      bump(f, src, 4);
      bump(f, dst, 32);
    });
  });
  return f;
}

/**
 * touch(e, rows, jBeg, jEnd, sink): reads one vector per 64-byte line of e[r, jBeg..jEnd) row by
 * row (the sum goes to sink, so the loads stay). A software prefetch: eTw walks an E tile down its
 * rows, 16 bytes per row, one page apart, which no hardware prefetcher follows; this pass reads
 * the same lines along the rows, which they do. jBeg % 4 == 0.
 */
function touchKernel(K: number): Fn {
  const f = new Fn('touch', [I32, I32, I32, I32, I32]);
  const [pE, pRows, pJb, pJe, pSink] = [0, 1, 2, 3, 4];
  const [r, p, pEnd] = f.locals(I32, 3);
  const acc = f.local(V128);
  f.f32x4Const(0).set(acc);
  f.forRange(r, { c: 0 }, pRows, 1, () => {
    // p = e + (r·K + jBeg)·4 … e + (r·K + jEnd)·4, one load per 16 floats
    f.get(pE).get(r).i32(K * 4).op(OP.i32Mul).op(OP.i32Add).tee(p);
    f.get(pJe).i32(4).op(OP.i32Mul).op(OP.i32Add).set(pEnd);
    f.get(p).get(pJb).i32(4).op(OP.i32Mul).op(OP.i32Add).set(p);
    f.forRange(p, p, pEnd, 64, () => {
      f.get(p).v128Load(0).get(acc).f32x4Add().set(acc);
    });
  });
  f.get(pSink).get(acc).v128Store(0);
  return f;
}

/** exp2(src, dst, n): dst[i] = 2^src[i] with the forward kernel's 2^y (the engine, tests). n % 4 == 0. */
function exp2Kernel(): Fn {
  const f = new Fn('exp2', [I32, I32, I32]);
  const [pSrc, pDst, pN] = [0, 1, 2];
  const exp = new Exp2Emitter(f);
  const i = f.local(I32);
  f.forRange(i, { c: 0 }, pN, 4, () => {
    f.get(pDst).get(i).i32(4).op(OP.i32Mul).op(OP.i32Add);
    f.get(pSrc).get(i).i32(4).op(OP.i32Mul).op(OP.i32Add).v128Load(0);
    exp.emit();
    f.v128Store(0);
  });
  return f;
}

/**
 * The kernels for embedding width d and key count K (both multiples of 8), importing a shared
 * memory of exactly `pages` 64 KiB pages.
 */
export function contrastiveKernels(d: number, K: number, pages: number): Uint8Array<ArrayBuffer> {
  if (d % 8 !== 0 || K % 8 !== 0) throw new Error(`contrastiveKernels: d (${d}) and K (${K}) must be multiples of 8`);
  return encodeModule([fwdKernel(d, K), eXKernel(d, K), eTwKernel(d, K), colsumKernel(K), scaleSymKernel(K), panelsKernel(d), exp2Kernel(), touchKernel(K)], { minPages: pages, maxPages: pages, shared: true });
}

/** True when this runtime runs WebAssembly SIMD with shared memories. */
export function simdSupported(): boolean {
  try {
    const bytes = contrastiveKernels(8, 8, 1);
    return WebAssembly.validate(bytes) && typeof SharedArrayBuffer !== 'undefined';
  } catch {
    return false;
  }
}
