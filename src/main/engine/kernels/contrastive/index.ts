// The InfoNCE core of models/micro/contrastive.ts on WebAssembly SIMD kernels, run by the calling
// thread plus one helper worker thread on a shared memory. Same loss and gradients as the
// reference core (contrastive.ts), to float32 rounding. The schedules are described in blocks.ts,
// the memory in plan.ts, the thread protocol in threads.ts; this module keeps one engine per
// problem size.
import { availableParallelism } from 'node:os';
import { simdSupported } from '../simd/infonce';
import { Engine, type FastContrastiveResult } from './engine';
import { chooseKernels, type KernelChoice } from '../choice';
import { BLOCK, GROUP_MAX_BYTES, MIN_TAU, padded, usesStoredSchedule } from './plan';

export { MIN_TAU, STORED_MAX_BYTES, GROUP_MAX_BYTES, contrastiveMacs } from './plan';
export type { FastContrastiveResult } from './engine';
export { chooseKernels, describeKernels, type KernelChoice } from '../choice';

/** One engine per kernel kind (a bench may alternate them), for the last problem size of each. */
const engines = new Map<string, { n: number; d: number; threads: number; engine: Engine }>();
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
  /** Grouped schedule: anchors per group, a multiple of 8 (default: as many as GROUP_MAX_BYTES holds). */
  groupRows?: number;
  /** Kernels (default: chooseKernels(), i.e. MICRO_KERNELS, else native when built). */
  kernels?: KernelChoice;
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

function checkMultipleOf8(name: string, v: number | undefined, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 8 && v <= max && v % 8 === 0)) {
    throw new RangeError(`contrastiveCoreFast: ${name} must be a multiple of 8 from 8 to ${max}, got ${v}`);
  }
}

/**
 * Loss and gradients of contrastive.ts's core on the SIMD kernels. The engine (memory, worker)
 * is cached for the last problem size (per kernel kind); a sampled call reuses an exact call's engine.
 */
export function contrastiveCoreFast({ a, c, n, d, tau, anchors }: ContrastiveProblem, opts: FastOptions = {}): FastContrastiveResult {
  checkMultipleOf8('blockRows', opts.blockRows, BLOCK);
  checkMultipleOf8('groupRows', opts.groupRows, Number.MAX_SAFE_INTEGER);
  if (anchors) {
    if (anchors.length > n) throw new RangeError(`contrastiveCoreFast: anchors has ${anchors.length} entries, more than the ${n} items`);
    for (const i of anchors) if (!(i >= 0 && i < n)) throw new RangeError(`contrastiveCoreFast: anchor ${i} is not an item index below ${n}`);
  }
  const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
  const { np } = padded(n, d);
  const rowBytes = 2 * np * 4;
  const stored = usesStoredSchedule(n, d, { anchors: anchors?.length, stored: opts.stored });
  // Rows of E the call keeps: all (stored), else one group of anchors.
  const groupCap = Math.max(BLOCK, Math.floor(GROUP_MAX_BYTES / rowBytes / BLOCK) * BLOCK);
  const groupRows = Math.min(np, opts.groupRows ?? groupCap, Math.ceil((anchors?.length ?? n) / 8) * 8);
  const need = stored ? np : Math.max(8, groupRows);
  const kernels = opts.kernels ?? chooseKernels();
  let cached = engines.get(kernels.kind);
  const fits = cached && cached.n === n && cached.d === d && cached.threads === threads && (stored ? cached.engine.L.stored : cached.engine.L.bigRows >= need);
  if (!fits) {
    cached?.engine.dispose();
    cached = { n, d, threads, engine: new Engine(n, d, threads, need, kernels) };
    engines.set(kernels.kind, cached);
  }
  return cached!.engine.run(a, c, tau, anchors, { blockRows: opts.blockRows, groupRows: stored ? undefined : groupRows, stored });
}

/** Stops the helper thread and frees the shared memory (tests; process exit does not need it). */
export function disposeFastContrastive(): void {
  for (const e of engines.values()) e.engine.dispose();
  engines.clear();
}
