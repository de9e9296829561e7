// `micro doctor`: which TF.js backends work here (each tried, with the reason when not), the WebGPU
// adapter, and a ~1-second matMul throughput figure per working backend, so a user can see
// whether training will use a GPU and roughly how fast each option is.
import type { Command } from 'commander';
import { BACKEND_ORDER, initBackend, probeWebgpuAdapter, tf, type AdapterInfo, type BackendName } from '../../engine/backend';
import type { GlobalOpts } from '../context';
import { out, table } from '../output';

interface BackendReport {
  name: BackendName;
  available: boolean;
  reason?: string;
  /** float32 matMul throughput, GFLOP/s, measured for about one second. */
  matmulGflops?: number;
  matmulSize?: number;
}

/** Repeated n×n matMuls for ~`seconds`, synchronised by an async read so GPU work is counted. */
async function matmulGflops(seconds: number): Promise<{ gflops: number; n: number }> {
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

export async function doctorReport(seconds = 1): Promise<{ backends: BackendReport[]; adapter: AdapterInfo | null; adapterError?: string }> {
  let adapter: AdapterInfo | null = null;
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
      const msg = (e as Error).message.split('\n')[0];
      backends.push({ name, available: false, reason: msg.replace(/^no TF\.js backend could be initialised \([\w-]+: (.*)\)$/, '$1') });
    }
  }
  return { backends, adapter, ...(adapterError ? { adapterError } : {}) };
}

export function registerDoctor(program: Command, g: () => GlobalOpts): void {
  program
    .command('doctor')
    .description('TF.js backends available here, the WebGPU adapter, a 1-second matMul throughput per backend')
    .option('--seconds <s>', 'seconds of matMul per backend', '1')
    .action(async (o: { seconds: string }) => {
      const r = await doctorReport(Math.max(0.1, Number(o.seconds) || 1));
      const a = r.adapter;
      const adapterLine = a
        ? `WebGPU adapter: ${[a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' / ')}${a.software ? ' — SOFTWARE (CPU emulation: a smoke test, not GPU speed; not used in auto mode)' : ''}`
        : `WebGPU adapter: none (${r.adapterError})`;
      out(
        g(),
        () =>
          `${adapterLine}\n` +
          table(
            r.backends.map((b) => [b.name, b.available ? 'yes' : 'no', b.matmulGflops !== undefined ? `${b.matmulGflops.toFixed(1)} (${b.matmulSize}²)` : '', b.reason ?? '']),
            ['backend', 'available', 'matMul GFLOP/s', 'reason'],
          ),
        r,
      );
    });
}
