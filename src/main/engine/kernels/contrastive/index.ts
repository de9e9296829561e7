// The InfoNCE core of models/micro/contrastive.ts on WebAssembly SIMD kernels, run by the calling
// thread plus one helper worker thread on a shared memory. Same loss and gradients as the
// reference core (contrastive.ts), to float32 rounding. The schedules are described in blocks.ts,
// the memory in plan.ts, the thread protocol in threads.ts; this module keeps one engine per
// problem size.
import { availableParallelism } from 'node:os';
import { simdSupported } from '../simd/infonce';
import { Engine, type FastContrastiveResult } from './engine';
import { BLOCK, MIN_TAU, padded, STORED_MAX_BYTES } from './plan';

export { MIN_TAU, STORED_MAX_BYTES } from './plan';
export type { FastContrastiveResult } from './engine';

let cached: { key: string; engine: Engine } | null = null;
let supported: boolean | null = null;

/**
 * One InfoNCE problem: normalised embeddings a and c (N×d, row-major), temperature τ, and
 * optionally the anchor rows the mean runs over (sampled mode; negatives always run over all N).
 */
export interface ContrastiveProblem {
  a: Float32Array;
  c: Float32Array;
  n: number;
  d: number;
  tau: number;
  anchors?: Int32Array;
}

export interface FastOptions {
  /** Threads including the caller (default: MICRO_CONTRASTIVE_THREADS, else min(2, cores)). */
  threads?: number;
  /** Allow the stored symmetric schedule in exact mode (default true when it fits). */
  stored?: boolean;
  /** Anchors per block: a multiple of 8 from 8 to 64 (default: 64, smaller for few anchors). */
  blockRows?: number;
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
export function contrastiveCoreFast({ a, c, n, d, tau, anchors }: ContrastiveProblem, opts: FastOptions = {}): FastContrastiveResult {
  const br = opts.blockRows;
  if (br !== undefined && !(Number.isInteger(br) && br >= 8 && br <= BLOCK && br % 8 === 0)) {
    throw new RangeError(`contrastiveCoreFast: blockRows must be a multiple of 8 from 8 to ${BLOCK}, got ${br}`);
  }
  const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
  const { np } = padded(n, d);
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
  return cached!.engine.run(a, c, tau, anchors, br);
}

/** Stops the helper thread and frees the shared memory (tests; process exit does not need it). */
export function disposeFastContrastive(): void {
  cached?.engine.dispose();
  cached = null;
}
