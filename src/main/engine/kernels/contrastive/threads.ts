// The two-thread protocol of the fast InfoNCE core: the calling thread publishes a phase in the
// control words of the shared memory (plan.ts) and wakes the helper worker; both claim units of
// work with Atomics until none is left. A unit is processed whole by whichever thread claims it and
// writes outputs of its own (blocks.ts), so results are bit-identical whatever the number of
// threads or their timing.
//
// The worker runs the same functions as the caller: their source (Function.toString) and the
// constants they use are written into the worker's source, which checks that a build step has
// renamed none of them.
import { Worker } from 'node:worker_threads';
import { CALL_PARAM, groupCols, groupRows, KEY_CHUNK, KEY_PANEL_BLOCKS, keyPanel, packAnchors, PHASE, processUnit, storedCols, storedForward, storedRows, type Job } from './blocks';
import { bindNative } from './kernelset';
import { makeViews, type Layout } from './plan';

/** Control words: Int32 indices into the views' `ctl`. */
export const CTL = { TAG: 0, CLAIM: 1, PENDING: 2, NBLOCKS: 3, NA: 4, ERROR: 5, UNITS: 6, ROWS: 7, G0: 8, GROWS: 9 } as const;
/** TAG value that stops the helper. */
export const STOP_TAG = -1;
/** CLAIM word = (tag & TAG_MASK) << SHIFT | next unit; UNIT_MASK marks a closed phase. */
export const CLAIM_WORD = { SHIFT: 20, TAG_MASK: 0xfff, UNIT_MASK: 0xfffff } as const;
/** A phase tag is (sequence number << PHASE_BITS) | phase. */
export const PHASE_BITS = 3;

/** The job of phase `tag` from the control words (read after a claim: stable until the phase closes). */
export function readJob(ctl: Int32Array, tag: number): Job {
  return { phase: tag & 7 /* (1 << PHASE_BITS) − 1 */, units: ctl[CTL.UNITS], nBlocks: ctl[CTL.NBLOCKS], rows: ctl[CTL.ROWS], nA: ctl[CTL.NA], g0: ctl[CTL.G0], gRows: ctl[CTL.GROWS] };
}

/**
 * Claims units of phase `tag` until none is left. `PENDING` counts claimers in flight so the
 * caller can wait for the helper; the tag check makes a late claimer of a finished phase back off.
 */
export function claimLoop(ctl: Int32Array, tag: number, runUnit: (unit: number) => void): void {
  const { SHIFT, TAG_MASK, UNIT_MASK } = CLAIM_WORD;
  for (;;) {
    Atomics.add(ctl, CTL.PENDING, 1);
    const v = Atomics.load(ctl, CTL.CLAIM);
    if (v >>> SHIFT !== (tag & TAG_MASK) || (v & UNIT_MASK) >= ctl[CTL.UNITS]) {
      Atomics.sub(ctl, CTL.PENDING, 1);
      Atomics.notify(ctl, CTL.PENDING);
      return;
    }
    if (Atomics.compareExchange(ctl, CTL.CLAIM, v, v + 1) !== v) {
      Atomics.sub(ctl, CTL.PENDING, 1);
      continue;
    }
    try {
      runUnit(v & UNIT_MASK);
    } catch (e) {
      Atomics.store(ctl, CTL.ERROR, 1);
      throw e;
    } finally {
      Atomics.sub(ctl, CTL.PENDING, 1);
      Atomics.notify(ctl, CTL.PENDING);
    }
  }
}

/**
 * `const NAME = value;` for each constant and function. A bundler may inline a primitive constant
 * (harmless) or rename an identifier on a collision (`CTL$1`, `CTL2`: the worker would not find
 * it), which is refused here with a clear error.
 */
export function shipSource(consts: Record<string, unknown>, fns: Record<string, (...args: never[]) => unknown>): string {
  const lines: string[] = [];
  let code = '';
  for (const [name, fn] of Object.entries(fns)) {
    if (fn.name !== name) throw new Error(`contrastive worker: function ${name} is named ${fn.name} in this build; the worker source needs the original name`);
    code += fn.toString();
    lines.push(`const ${name} = ${fn.toString()};`);
  }
  for (const [name, value] of Object.entries(consts)) {
    const renamed = new RegExp(`(?<![\\w$])${name}(\\$\\d+|\\d+)(?![\\w$])`).test(code);
    const present = new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(code);
    if (renamed || (!present && typeof value === 'object')) throw new Error(`contrastive worker: the shipped functions do not refer to ${name} by that name in this build (renamed by the bundler?)`);
    lines.unshift(`const ${name} = ${JSON.stringify(value)};`);
  }
  return lines.join('\n');
}

// Worker body (CommonJS, eval'd); `__name` shims esbuild's keepNames helper, which would otherwise
// be undefined in function sources transpiled by tsx / vitest.
function workerSource(): string {
  return `
var __name = function (t) { return t; };
const { workerData } = require('node:worker_threads');
${shipSource({ CTL, CLAIM_WORD, KEY_CHUNK, KEY_PANEL_BLOCKS, PHASE, CALL_PARAM }, { makeViews, bindNative, keyPanel, processUnit, packAnchors, storedForward, storedRows, storedCols, groupRows, groupCols, readJob, claimLoop })}
const w = workerData;
let kernels;
if (w.nativeFile) {
  const nat = require(w.nativeFile);
  kernels = bindNative(nat, nat.address(new Uint8Array(w.memory.buffer)), w.L.d, w.L.K);
} else kernels = new WebAssembly.Instance(w.module, { env: { memory: w.memory } }).exports;
const V = makeViews(w.memory.buffer, w.L);
let last = Atomics.load(V.ctl, CTL.TAG);
for (;;) {
  Atomics.wait(V.ctl, CTL.TAG, last);
  const tag = Atomics.load(V.ctl, CTL.TAG);
  if (tag === ${STOP_TAG}) break;
  last = tag;
  try {
    claimLoop(V.ctl, tag, (unit) => processUnit(V, w.L, kernels, w.th, unit, readJob(V.ctl, tag)));
  } catch (e) { /* flagged in ERROR by claimLoop */ }
}
`;
}

/** The helper workers of one engine and the caller's side of the protocol. */
export class HelperThreads {
  private readonly workers: Worker[] = [];
  private seq = 0;

  /** Starts `count` helpers (thread ids 1..count) on the shared memory whose control words are `ctl`, running the wasm module or the native file's kernels. */
  constructor(
    private readonly ctl: Int32Array,
    kernels: { module: WebAssembly.Module } | { nativeFile: string },
    memory: WebAssembly.Memory,
    L: Layout,
    count: number,
  ) {
    const source = count > 0 ? workerSource() : '';
    for (let th = 1; th <= count; th++) {
      const worker = new Worker(source, { eval: true, workerData: { ...kernels, memory, L, th } });
      worker.unref();
      worker.on('error', () => Atomics.store(this.ctl, CTL.ERROR, 1));
      this.workers.push(worker);
    }
  }

  get count(): number {
    return this.workers.length;
  }

  dispose(): void {
    Atomics.store(this.ctl, CTL.TAG, STOP_TAG);
    Atomics.notify(this.ctl, CTL.TAG);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  /** Publishes `job`, works on its units on this thread too, and waits for the helpers' units. */
  runPhase(job: Job, runUnit: (unit: number) => void): void {
    const ctl = this.ctl;
    const { SHIFT, TAG_MASK, UNIT_MASK } = CLAIM_WORD;
    if (job.phase >>> PHASE_BITS !== 0 || job.units > UNIT_MASK) throw new Error(`contrastive threads: phase ${job.phase} with ${job.units} units does not fit the control words`);
    ctl[CTL.NBLOCKS] = job.nBlocks;
    ctl[CTL.UNITS] = job.units;
    ctl[CTL.ROWS] = job.rows;
    ctl[CTL.NA] = job.nA;
    ctl[CTL.G0] = job.g0;
    ctl[CTL.GROWS] = job.gRows;
    ctl[CTL.ERROR] = 0;
    this.seq = (this.seq + 1) & 0x0fffffff;
    const tag = (this.seq << PHASE_BITS) | job.phase;
    Atomics.store(ctl, CTL.CLAIM, (tag & TAG_MASK) << SHIFT);
    Atomics.store(ctl, CTL.TAG, tag);
    Atomics.notify(ctl, CTL.TAG);
    claimLoop(ctl, tag, runUnit);
    // Wait for the helper's units (it may still be working on one; it may also never have started).
    const started = Date.now();
    for (;;) {
      const p = Atomics.load(ctl, CTL.PENDING);
      if (p === 0) break;
      if (Atomics.load(ctl, CTL.ERROR)) throw new Error('contrastive helper thread failed');
      Atomics.wait(ctl, CTL.PENDING, p, 1000);
      if (Date.now() - started > 600_000) throw new Error('contrastive helper thread did not finish in 10 minutes');
    }
    // Close the phase: a helper that wakes late must not claim a unit once the next job is written.
    Atomics.store(ctl, CTL.CLAIM, ((tag & TAG_MASK) << SHIFT) | UNIT_MASK);
    if (Atomics.load(ctl, CTL.ERROR)) throw new Error('contrastive helper thread failed');
  }
}
