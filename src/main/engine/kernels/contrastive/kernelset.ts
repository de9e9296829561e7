// The Kernels interface of the fast InfoNCE core over the native module (native/infonce.c), for
// one memory and shape; the wasm set is simd/infonce.ts. Both have the same functions, arguments
// and memory layouts (plan.ts), so blocks.ts schedules either. Which set runs: ../choice.ts.
import type { NativeInfonce } from '../native/load';
import type { Kernels } from './plan';

/**
 * The Kernels interface over the native module for one memory (base address) and shape (d, K).
 * Self-contained: shipped as source to the helper thread (threads.ts).
 */
export function bindNative(nat: NativeInfonce, base: number, d: number, K: number): Kernels {
  return {
    fwd: (abc, rows, xt, jb, je, e, sums, shift) => nat.fwd(base, d, K, abc, rows, xt, jb, je, e, sums, shift),
    eX: (e, rows, x, jb, je, u) => nat.eX(base, d, K, e, rows, x, jb, je, u),
    eTw: (e, rows, w, jb, je, dx) => nat.eTw(base, d, K, e, rows, w, jb, je, dx),
    colsum: (e, rows, jb, je, out) => nat.colsum(base, d, K, e, rows, jb, je, out),
    scaleSym: (e, rows, wr, wc, jb, je) => nat.scaleSym(base, d, K, e, rows, wr, wc, jb, je),
    panels: (x, xt, keys) => nat.panels(base, d, K, x, xt, keys),
    exp2: (src, dst, n) => nat.exp2(base, d, K, src, dst, n),
    touch: (e, rows, jb, je, sink) => nat.touch(base, d, K, e, rows, jb, je, sink),
  };
}
