// The fast InfoNCE core (src/main/engine/kernels/contrastive) at TikTok's shape:
//   node --import tsx tests/bench/contrastive.ts [--n 6710] [--d 64] [--anchors 256] [--reps 5]
//        [--threads 2] [--baseline DIR] [--only exact|sampled] [--no-breakdown] [--grouped]
//        [--kernels wasm,native]
// Prints, for an exact call (all N anchors) and a sampled call (--anchors anchors), both
// modalities (one call each, as a MICRO batch makes them): the median wall and CPU ms per call,
// the multiply-adds per call and the GMAC/s achieved; then a one-thread per-kernel breakdown of one
// call, and the machine's wasm SIMD peak (a register-resident mul+add loop, per thread). First the
// calibration line of tests/bench/calibration.ts (wasm matMul, memory copy, SIMD peak), so that figures
// from two machines can be put side by side.
// --baseline DIR: a copy of an older src/main/engine/kernels (e.g. `git archive HEAD
// src/main/engine/kernels | tar -x -C /tmp/old`, then DIR = /tmp/old/src/main/engine/kernels)
// timed interleaved with the current one, call by call, so that the load of a shared machine
// hits both alike; the ratio old/new is printed. --grouped: also an exact call on the grouped
// schedule (stored: false; 6·N²·d instead of 4.5·N²·d, E recomputed rather than kept).
// --kernels wasm,native: the current core once per kernel kind (kernelset.ts), interleaved; default
// the kind training would use.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as current from '../../src/main/engine/kernels/contrastive';
import { Engine } from '../../src/main/engine/kernels/contrastive/engine';
import { contrastiveMacs, usesStoredSchedule, type Kernels } from '../../src/main/engine/kernels/contrastive/plan';
import { calibrationLine, measureCalibration } from './calibration';
import { lcg } from '../helpers/arrays';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '6710' },
    d: { type: 'string', default: '64' },
    anchors: { type: 'string', default: '256' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    baseline: { type: 'string' },
    only: { type: 'string' },
    'no-breakdown': { type: 'boolean', default: false },
    grouped: { type: 'boolean', default: false },
    kernels: { type: 'string' },
  },
});
const n = Number(values.n);
const d = Number(values.d);
const nAnchors = Number(values.anchors);
const reps = Math.max(1, Number(values.reps));
const threads = Number(values.threads);
const tau = 0.5;

type Core = typeof current.contrastiveCoreFast;
interface Impl {
  name: string;
  core: Core;
  dispose: () => void;
  kernels?: current.KernelChoice;
}

function unitRows(rows: number, width: number, seed: number): Float32Array {
  const r = lcg(seed);
  const a = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let q = 0; q < width; q++) s += (a[i * width + q] = r()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let q = 0; q < width; q++) a[i * width + q] *= inv;
  }
  return a;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// Two modalities' anchors a^m against one fused c, as MICRO's batch loss calls the core.
const c = unitRows(n, d, 3);
const modalities = [unitRows(n, d, 1), unitRows(n, d, 2)];
const anchorSet = Int32Array.from({ length: nAnchors }, (_, i) => (i * 2654435761) % n);

/** Multiply-adds per call of the schedule the core uses (plan.ts, blocks.ts). */
function macs(exact: boolean, allowStored = true): number {
  return contrastiveMacs(n, d, { anchors: exact ? undefined : nAnchors, stored: allowStored });
}

/** CPU ms of this process (all its threads) since `since`. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/**
 * Wall and CPU ms of one call per modality over reps, the implementations interleaved call by
 * call. CPU time (both threads) is what a loaded machine distorts least: preemption stretches
 * the wall clock, not the work.
 */
function timeCalls(impls: Impl[], exact: boolean, stored = true): { wall: number[]; cpu: number[] }[] {
  const times = impls.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  const call = (impl: Impl, a: Float32Array) =>
    impl.core({ a, c, n, d, tau, anchors: exact ? undefined : anchorSet }, { threads, stored, kernels: impl.kernels });
  for (const impl of impls) for (const a of modalities) call(impl, a); // warm-up: engines, tier-up
  for (let rep = 0; rep < reps; rep++)
    impls.forEach((impl, k) => {
      for (const a of modalities) {
        const cpu = process.cpuUsage();
        const t = performance.now();
        call(impl, a);
        times[k].wall.push(performance.now() - t);
        times[k].cpu.push(cpuMs(cpu));
      }
    });
  return times;
}

function report(impls: Impl[], exact: boolean, stored = true): void {
  const label = exact ? `exact (${n} anchors${stored ? '' : ', grouped schedule'})` : `sampled (${nAnchors} anchors)`;
  const m = macs(exact, stored);
  const times = timeCalls(impls, exact, stored);
  const med = times.map((t) => median(t.wall));
  const cpu = times.map((t) => median(t.cpu));
  console.log(`\n${label}: ${(m / 1e9).toFixed(3)} GMAC per call (one modality), ${threads} thread(s); load ${load()}`);
  impls.forEach((impl, k) => {
    const ms = med[k];
    const w = times[k].wall;
    console.log(`  ${impl.name.padEnd(9)} ${ms.toFixed(1).padStart(8)} ms/call  ${(m / ms / 1e6).toFixed(2).padStart(6)} GMAC/s  (${(2 * m / ms / 1e6).toFixed(1)} GFLOP/s)  min ${Math.min(...w).toFixed(1)}  max ${Math.max(...w).toFixed(1)}  | CPU ${cpu[k].toFixed(1)} ms/call = ${(m / cpu[k] / 1e6).toFixed(2)} GMAC/s per busy thread`);
  });
  if (impls.length === 2) console.log(`  ratio ${impls[0].name}/${impls[1].name}: wall median ${(med[0] / med[1]).toFixed(2)}, wall min ${(Math.min(...times[0].wall) / Math.min(...times[1].wall)).toFixed(2)}, CPU ${(cpu[0] / cpu[1]).toFixed(2)}`);
}

/** One call on one thread with every kernel call timed (the engine's kernels wrapped). */
function breakdown(exact: boolean): void {
  const np = Math.ceil(n / 8) * 8;
  const stored = usesStoredSchedule(n, d, { anchors: exact ? undefined : nAnchors });
  const groupCap = Math.max(64, Math.floor(current.GROUP_MAX_BYTES / (2 * np * 4) / 64) * 64); // as index.ts
  const engine = new Engine(n, d, 1, stored ? np : Math.min(np, exact ? groupCap : Math.ceil(nAnchors / 8) * 8), current.chooseKernels());
  const self = engine as unknown as { k: Kernels };
  const ms: Record<string, number> = {};
  const wrapped: Record<string, (...args: number[]) => void> = {};
  for (const [name, fn] of Object.entries(self.k)) {
    wrapped[name] = (...args: number[]) => {
      const t = performance.now();
      fn(...args);
      ms[name] = (ms[name] ?? 0) + performance.now() - t;
    };
  }
  self.k = wrapped as Kernels;
  const anchors = exact ? undefined : anchorSet;
  engine.run(modalities[0], c, tau, anchors); // warm-up
  for (const key of Object.keys(ms)) delete ms[key];
  const cpu = process.cpuUsage();
  const t = performance.now();
  engine.run(modalities[0], c, tau, anchors);
  const total = performance.now() - t;
  const cpuTotal = cpuMs(cpu);
  engine.dispose();
  const inKernels = Object.values(ms).reduce((s, v) => s + v, 0);
  const parts = Object.entries(ms)
    .sort((p, q) => q[1] - p[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  console.log(`  1 thread, ${exact ? 'exact' : 'sampled'}: ${total.toFixed(1)} ms (CPU ${cpuTotal.toFixed(1)}) = ${parts}, outside kernels ${(total - inKernels).toFixed(1)} (wall ms)`);
}

async function main(): Promise<void> {
  const cal = await measureCalibration();
  console.log(calibrationLine(cal));
  const impls: Impl[] = [];
  if (values.baseline) {
    const dir = path.resolve(values.baseline);
    const old = (await import(pathToFileURL(path.join(dir, 'contrastive', 'index.ts')).href)) as typeof current;
    impls.push({ name: 'baseline', core: old.contrastiveCoreFast, dispose: old.disposeFastContrastive });
  }
  if (values.kernels) {
    for (const kind of values.kernels.split(',')) {
      const prev = process.env.MICRO_KERNELS;
      process.env.MICRO_KERNELS = kind;
      const kernels = current.chooseKernels(); // refuses an unknown or unavailable kind
      if (prev === undefined) delete process.env.MICRO_KERNELS;
      else process.env.MICRO_KERNELS = prev;
      impls.push({ name: kind, core: current.contrastiveCoreFast, dispose: current.disposeFastContrastive, kernels });
    }
  } else impls.push({ name: 'current', core: current.contrastiveCoreFast, dispose: current.disposeFastContrastive });
  for (const impl of impls) {
    const k = impl.kernels ?? current.chooseKernels();
    console.log(`${impl.name}: kernels ${current.describeKernels(k)}${k.reason ? ` (native not used: ${k.reason})` : ''}`);
  }
  console.log(`InfoNCE core, N = ${n}, d = ${d}, τ = ${tau}, ${reps} timed calls per modality; load ${load()}`);
  const modes = values.only === 'exact' ? [true] : values.only === 'sampled' ? [false] : [true, false];
  for (const exact of modes) {
    report(impls, exact);
    for (const impl of impls) impl.dispose();
    if (exact && values.grouped) {
      report(impls.slice(-1), true, false);
      current.disposeFastContrastive();
    }
  }
  if (!values['no-breakdown']) {
    console.log('\nper kernel (current, one thread, one modality):');
    for (const exact of modes) breakdown(exact);
  }
  const peak = threads > 1 ? cal.simdPeak2 : cal.simdPeak1;
  console.log(`\nwasm SIMD peak: ${peak.toFixed(1)} GMAC/s per thread with ${threads} thread(s) at once (12 register-resident f32x4 mul+add chains)`);
  console.log(`exact floor at that peak on ${threads} thread(s): ${(macs(true) / (peak * threads) / 1e6).toFixed(0)} ms per call`);
  const nPeak = threads > 1 ? cal.nativePeak2 : cal.nativePeak1;
  if (nPeak !== undefined) console.log(`native ${cal.nativeIsa} peak: ${nPeak.toFixed(1)} GMAC/s per thread (12 register-resident 8-float chains); exact floor ${(macs(true) / (nPeak * threads) / 1e6).toFixed(0)} ms per call`);
}

await main();
