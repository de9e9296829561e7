// Which kernels run the fast InfoNCE core: the native ones (native/infonce.c) when they are built
// and load, else the generated WebAssembly SIMD ones (simd/infonce.ts). Both have the same
// functions, arguments and memory layouts (plan.ts), so blocks.ts schedules either; results agree
// to float rounding. MICRO_KERNELS=native|wasm forces one (native fails with the reason when it
// cannot load).
import { CONTRASTIVE_KERNELS, type ContrastiveKernelKind } from '../../../../shared/vocabulary';
import { loadNativeInfonce, type NativeInfonce } from '../native/load';
import type { Kernels } from './plan';

export interface KernelChoice {
  kind: ContrastiveKernelKind;
  /** Native: the instruction-set level picked at load (e.g. "x86-64-v4 (AVX-512)"). */
  isa?: string;
  /** Native: the module file (the helper thread loads it too). */
  file?: string;
  /** Auto mode on wasm: why the native kernels are not used. */
  reason?: string;
}

/** The kernels the next engine uses (MICRO_KERNELS, else native when available). */
export function chooseKernels(): KernelChoice {
  const forced = process.env.MICRO_KERNELS;
  if (forced !== undefined && forced !== '' && forced !== 'auto' && !(CONTRASTIVE_KERNELS as readonly string[]).includes(forced)) {
    throw new Error(`MICRO_KERNELS must be one of auto, ${CONTRASTIVE_KERNELS.join(', ')}; got "${forced}"`);
  }
  if (forced === 'wasm') return { kind: 'wasm', reason: 'MICRO_KERNELS=wasm' };
  const native = loadNativeInfonce();
  if (native.ok) return { kind: 'native', isa: native.module.isa, file: native.file };
  if (forced === 'native') throw new Error(`MICRO_KERNELS=native, but the native kernels are not available: ${native.reason}`);
  return { kind: 'wasm', reason: native.reason };
}

/** For run records and the app: "native x86-64-v4 (AVX-512)" or "wasm SIMD" (doctor adds the reason). */
export function describeKernels(c: KernelChoice): string {
  return c.kind === 'native' ? `native ${c.isa}` : 'wasm SIMD';
}

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
