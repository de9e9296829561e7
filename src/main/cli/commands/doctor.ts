// `micro doctor`: the API's doctor report (backends available here, the WebGPU adapter, a short
// matMul throughput per backend), as a table.
import type { Command } from 'commander';
import { withApi, type GlobalOpts } from '../context';
import { out, table } from '../output';

export function registerDoctor(program: Command, g: () => GlobalOpts): void {
  program
    .command('doctor')
    .description('TF.js backends available here, the WebGPU adapter, a 1-second matMul throughput per backend, the contrastive-loss kernels and their throughput')
    .option('--seconds <s>', 'seconds of matMul per backend (0.1-10)', '1')
    .action(async (o: { seconds: string }) => {
      const seconds = Math.min(10, Math.max(0.1, Number(o.seconds) || 1));
      const r = await withApi(g(), (api) => api.doctor({ seconds }));
      const a = r.adapter;
      const adapterLine = a
        ? `WebGPU adapter: ${[a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' / ')}${a.software ? ' — SOFTWARE (CPU emulation: a smoke test, not GPU speed; not used in auto mode)' : ''}`
        : `WebGPU adapter: none (${r.adapterError})`;
      const k = r.contrastiveKernels;
      const kernelsLine = `contrastive-loss kernels (CPU): ${k.detail}${k.gmacs !== undefined ? `, ${k.gmacs.toFixed(1)} GMAC/s on an exact InfoNCE call (N = ${k.n}, d = 64)` : ''}${k.reason ? ` — native not used: ${k.reason}` : ''}${k.error ? ` — ${k.error}` : ''}`;
      out(
        g(),
        () =>
          `${adapterLine}\n${kernelsLine}\n` +
          table(
            r.backends.map((b) => [b.name, b.available ? 'yes' : 'no', b.matmulGflops !== undefined ? `${b.matmulGflops.toFixed(1)} (${b.matmulSize}²)` : '', b.reason ?? '']),
            ['backend', 'available', 'matMul GFLOP/s', 'reason'],
          ),
        r,
      );
    });
}
