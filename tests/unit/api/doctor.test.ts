// `doctor` through the API: every backend of the vocabulary tried in a task worker, in the order
// `auto` tries them; the ones that work here measured, the others with a one-line reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { BACKENDS } from '../../../src/shared/api';
import { fileTempDir } from '../../helpers/temp';
import { loadNativeInfonce } from '../../../src/main/engine/kernels/native/load';

const dir = fileTempDir('micro-doctor-');
let service: WorkbenchService;
beforeAll(() => {
  service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'cli' });
});
afterAll(() => service.close());

describe('doctor', () => {
  it('reports each backend with a throughput or a reason, and the WebGPU adapter', { timeout: 120_000 }, async () => {
    const r = await service.api().doctor({ seconds: 0.2 });
    expect(r.backends.map((b) => b.name)).toEqual([...BACKENDS]);
    const by = Object.fromEntries(r.backends.map((b) => [b.name, b]));
    for (const name of ['cpu', 'wasm'] as const) {
      expect(by[name].available, by[name].reason).toBe(true);
      expect(by[name].matmulGflops).toBeGreaterThan(0);
      expect(by[name].matmulSize).toBe(name === 'cpu' ? 256 : 1024);
    }
    // libtensorflow cannot be fetched on these machines: the native backends say why, on one line.
    for (const b of r.backends.filter((x) => !x.available)) {
      expect(b.reason).toBeTruthy();
      expect(b.reason).not.toMatch(/\n|\bat .*\(/);
    }
    // Either an adapter (and then webgpu works, forced) or the reason there is none.
    if (r.adapter) expect(by.webgpu.available).toBe(true);
    else expect(r.adapterError).toBeTruthy();
    // The contrastive loss's CPU kernels: native where they are built, and an exact call's throughput.
    const native = loadNativeInfonce();
    expect(r.contrastiveKernels).toMatchObject(native.ok ? { kind: 'native', detail: `native ${native.module.isa}` } : { kind: 'wasm', detail: 'wasm SIMD', reason: native.reason });
    expect(r.contrastiveKernels.gmacs).toBeGreaterThan(1);
    expect(r.contrastiveKernels.n).toBe(2048);
    expect(await service.api().listTasks()).toEqual([]); // the worker is gone
  });

  it('refuses a duration outside 0.1-10 s', async () => {
    await expect(service.api().doctor({ seconds: 60 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'seconds: expected a number of seconds between 0.1 and 10' });
  });
});
