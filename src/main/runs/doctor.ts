// `doctor`: which TF.js backends work here (each tried, with the reason when not), the WebGPU
// adapter, and a short matMul throughput figure per working backend, so a user can see whether
// training will use a GPU and roughly how fast each option is. Runs in a task worker: trying a
// backend loads native code that should not stay in the service's process.
import { BACKEND_ORDER, initBackend, probeWebgpuAdapter, tf } from '../engine/backend';
import { chooseKernels, contrastiveCoreFast, contrastiveMacs, describeKernels } from '../engine/kernels/contrastive';
import type { BackendReport, DoctorReport } from '../../shared/records';

/** Repeated n×n matMuls for ~`seconds`, synchronised by an async read so GPU work is counted. */
export async function matmulGflops(seconds: number): Promise<{ gflops: number; n: number }> {
  const n = tf.getBackend() === 'cpu' ? 256 : 1024;
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  try {
    const step = async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    };
    await step(); // warm-up: shader compilation, XNNPACK packing
    let count = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      await step();
      count++;
    }
    const s = (performance.now() - t0) / 1000;
    return { gflops: (2 * n ** 3 * count) / s / 1e9, n };
  } finally {
    tf.dispose([a, b]);
  }
}

/** Why a backend failed, in one line a user can act on (no paths of this installation). */
function oneLineReason(e: unknown): string {
  const msg = ((e as Error)?.message ?? String(e)).split('\n')[0].replace(/^no TF\.js backend could be initialised \([\w-]+: (.*)\)$/, '$1');
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(msg);
  if (missing) return `the optional package ${missing[1].replace(/^.*node_modules\//, '')} is not installed`;
  return msg.replace(/(?:\/[^\s/'"()]+)+\/([^\s/'"()]+)/g, '$1'); // file paths → their base names
}

/** Exact InfoNCE calls (N = 2,048 random unit rows, d = 64) on the chosen kernels for ~`seconds`: GMAC/s. */
export function contrastiveThroughput(seconds: number): { gmacs: number; n: number } {
  const n = 2048;
  const d = 64;
  const unit = (seed: number) => {
    const v = new Float32Array(n * d);
    let s = seed;
    for (let i = 0; i < v.length; i++) v[i] = ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
    for (let i = 0; i < n; i++) {
      const row = v.subarray(i * d, (i + 1) * d);
      const norm = Math.hypot(...row);
      for (let q = 0; q < d; q++) row[q] /= norm;
    }
    return v;
  };
  const problem = { a: unit(1), c: unit(2), n, d, tau: 0.5 };
  contrastiveCoreFast(problem); // warm-up: memory, helper thread
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    contrastiveCoreFast(problem);
    calls++;
  }
  return { gmacs: (contrastiveMacs(n, d) * calls) / ((performance.now() - t0) / 1000) / 1e9, n };
}

function kernelsReport(seconds: number): DoctorReport['contrastiveKernels'] {
  try {
    const k = chooseKernels();
    const base = { kind: k.kind, detail: describeKernels(k), ...(k.reason ? { reason: k.reason } : {}) };
    try {
      return { ...base, ...contrastiveThroughput(seconds) };
    } catch (e) {
      return { ...base, error: oneLineReason(e) };
    }
  } catch (e) {
    return { kind: 'wasm', detail: 'unavailable', error: oneLineReason(e) };
  }
}

export async function doctorReport(seconds = 1): Promise<DoctorReport> {
  let adapter: DoctorReport['adapter'] = null;
  let adapterError: string | undefined;
  try {
    adapter = await probeWebgpuAdapter();
  } catch (e) {
    adapterError = (e as Error).message.split('\n')[0];
  }
  const backends: BackendReport[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      await initBackend(name); // forced: a software adapter counts as available (labelled)
      const m = await matmulGflops(seconds);
      backends.push({ name, available: true, matmulGflops: m.gflops, matmulSize: m.n });
    } catch (e) {
      backends.push({ name, available: false, reason: oneLineReason(e) });
    }
  }
  return { backends, adapter, ...(adapterError ? { adapterError } : {}), contrastiveKernels: kernelsReport(seconds) };
}
