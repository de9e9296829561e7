// The machine's speed, taken one way for every bench script (run.ts via section.ts, contrastive.ts,
// official.ts), so that figures from two machines — or from two hours of one shared VM — can be
// put side by side: a wasm matMul (XNNPACK), a memory copy, and the wasm SIMD multiply-add peak
// on one thread and on two threads at once (on a 2-vCPU VM the second figure shows whether the
// two vCPUs really run at full speed together); the same peak of the native kernels' vectors (8
// floats, FMA where the CPU has it) when they are built.
import { Worker } from 'node:worker_threads';
import { encodeModule, Fn, I32, V128 } from '../../src/main/engine/kernels/simd/asm';
import { initBackend } from '../../src/main/engine/backend';
import { matmulGflops } from '../../src/main/runs/doctor';
import { loadNativeInfonce } from '../../src/main/engine/kernels/native/load';

export interface Calibration {
  /** float32 n×n matMul on the wasm backend (XNNPACK SIMD), GFLOP/s. */
  matmulGflops: number;
  matmulSize: number;
  /** Float64Array.set of 64 MiB, best of 10, counting read + write, GB/s. */
  copyGBs: number;
  /** Register-resident f32x4 mul+add chains: GMAC/s of one thread alone. */
  simdPeak1: number;
  /** The same loop on two threads at once: GMAC/s per thread (mean of the two). */
  simdPeak2: number;
  /** The native kernels' peak (native/infonce.c's peak loop), alone and per thread with two at once; absent when not built. */
  nativePeak1?: number;
  nativePeak2?: number;
  /** Their instruction-set level. */
  nativeIsa?: string;
}

const CHAINS = 12; // 12 accumulators + 2 operands fit the 16 xmm registers V8 allocates
const ITERS = 40_000_000;

/** peak(iters): CHAINS independent acc = acc·m + a chains, no memory traffic. */
function peakModule(): WebAssembly.Module {
  const f = new Fn('peak', [I32]);
  const acc = f.locals(V128, CHAINS);
  const [mul, add] = f.locals(V128, 2);
  const i = f.local(I32);
  f.f32x4Const(0.999).set(mul).f32x4Const(0.001).set(add);
  acc.forEach((a, k) => f.f32x4Const(k).set(a));
  f.forRange(i, { c: 0 }, 0, 1, () => {
    for (const a of acc) f.get(a).get(mul).f32x4Mul().get(add).f32x4Add().set(a);
  });
  f.i32(0).get(acc[0]);
  for (const a of acc.slice(1)) f.get(a).f32x4Add();
  f.v128Store(0);
  return new WebAssembly.Module(encodeModule([f], { minPages: 1, maxPages: 1, shared: true }));
}

// Plain JS so that it runs as an eval'd worker without the TypeScript loader.
const PEAK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const run = new WebAssembly.Instance(workerData.module, { env: { memory } }).exports.peak;
run(1e6); // tier-up
let best = 0;
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now(); // wall time: process.cpuUsage() would count the other thread too
  run(workerData.iters);
  best = Math.max(best, (workerData.iters * workerData.lanes) / (performance.now() - t) / 1e6);
}
parentPort.postMessage(best);`;

/**
 * Per-thread wasm SIMD multiply-add peak (GMAC/s, wall time, best of 3), with `threads` copies of the
 * loop running at once in worker threads.
 */
export async function simdPeakGmacs(threads = 1): Promise<number> {
  const module = peakModule();
  const workers = Array.from({ length: threads }, () => new Worker(PEAK_WORKER, { eval: true, workerData: { module, iters: ITERS, lanes: CHAINS * 4 } }));
  try {
    const each = await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject))));
    return each.reduce((s, v) => s + v, 0) / each.length;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const NATIVE_PEAK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const nat = require(workerData.file);
nat.peak(1e6);
let best = 0;
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  nat.peak(workerData.iters);
  best = Math.max(best, (workerData.iters * 96) / (performance.now() - t) / 1e6);
}
parentPort.postMessage(best);`;

/** Per-thread native multiply-add peak (GMAC/s, best of 3) with `threads` copies at once, or undefined when not built. */
export async function nativePeakGmacs(threads = 1): Promise<number | undefined> {
  const nat = loadNativeInfonce();
  if (!nat.ok) return undefined;
  const workers = Array.from({ length: threads }, () => new Worker(NATIVE_PEAK_WORKER, { eval: true, workerData: { file: nat.file, iters: ITERS } }));
  try {
    const each = await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject))));
    return each.reduce((s, v) => s + v, 0) / each.length;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Every calibration figure (about 2·seconds + 2 s). */
export async function measureCalibration(seconds = 2): Promise<Calibration> {
  await initBackend('wasm');
  // The same matMul as `micro doctor` (1024², wasm): one figure, one way of taking it.
  const { gflops, n } = await matmulGflops(seconds);
  const src = new Float64Array(8 * 2 ** 20).fill(1); // 64 MiB
  const dst = new Float64Array(src.length);
  let best = Infinity;
  for (let r = 0; r < 10; r++) {
    const t = performance.now();
    dst.set(src);
    best = Math.min(best, performance.now() - t);
  }
  const nat = loadNativeInfonce();
  const native = nat.ok ? { nativePeak1: await nativePeakGmacs(1), nativePeak2: await nativePeakGmacs(2), nativeIsa: nat.module.isa } : {};
  return { matmulGflops: gflops, matmulSize: n, copyGBs: (2 * src.byteLength) / best / 1e6, simdPeak1: await simdPeakGmacs(1), simdPeak2: await simdPeakGmacs(2), ...native };
}

export function calibrationLine(c: Calibration): string {
  const f1 = (x: number) => x.toFixed(1);
  return (
    `calibration: wasm matMul ${f1(c.matmulGflops)} GFLOP/s (${c.matmulSize}², float32), memory copy ${f1(c.copyGBs)} GB/s ` +
    `(64 MiB, best of 10, read + write), wasm SIMD peak ${f1(c.simdPeak1)} GMAC/s per thread alone, ${f1(c.simdPeak2)} with two threads at once` +
    (c.nativePeak1 !== undefined ? `; native ${c.nativeIsa} peak ${f1(c.nativePeak1)} alone, ${f1(c.nativePeak2!)} with two at once` : '')
  );
}
