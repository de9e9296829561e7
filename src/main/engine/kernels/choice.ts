// Which kernel set runs the engine's hand-written kernels — the fast InfoNCE core, the sparse
// propagation and the kNN top-k offering: the native ones (native/*.c) when they are built and
// load, else the generated WebAssembly SIMD ones (simd/*.ts; the top-k in JS). The InfoNCE sets
// agree to float rounding, the other two bit for bit. MICRO_KERNELS=native|wasm forces one (native fails with the reason when it
// cannot load).
import { CONTRASTIVE_KERNELS, type ContrastiveKernelKind } from '../../../shared/vocabulary';
import { loadNativeInfonce, type NativeInfonce } from './native/load';

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

/** The native module when the chosen set is native (kernels called on the calling thread: propagation, top-k), else null. */
export function nativeKernels(): NativeInfonce | null {
  if (chooseKernels().kind !== 'native') return null;
  const l = loadNativeInfonce();
  return l.ok ? l.module : null;
}
