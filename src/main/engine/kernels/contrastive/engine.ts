// One problem size (n, d) of the fast InfoNCE core: the shared memory (plan.ts), the kernels
// (simd/infonce.ts), the helper thread (threads.ts), and the work of a call around the blocks
// (blocks.ts): loading inputs, choosing the blocks, the stored schedule's normalisers, lane sums.
import { contrastiveKernels } from '../simd/infonce';
import { processLane, type Job } from './blocks';
import { makeViews, planLayout, type Kernels, type Layout, type Views } from './plan';
import { HelperThreads } from './threads';

export interface FastContrastiveResult {
  loss: number;
  gradA: Float32Array;
  gradC: Float32Array;
}

export class Engine {
  readonly L: Layout;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly V: Views;
  private readonly helpers: HelperThreads;

  constructor(n: number, dIn: number, threads: number, stored: boolean) {
    this.L = planLayout(n, dIn, threads, stored);
    const pages = Math.ceil(this.L.bytes / 65536);
    const module = new WebAssembly.Module(contrastiveKernels(this.L.d, this.L.K, pages));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernels;
    this.V = makeViews(this.memory.buffer, this.L);
    this.helpers = new HelperThreads(this.V.ctl, module, this.memory, this.L, threads - 1);
  }

  get threads(): number {
    return 1 + this.helpers.count;
  }

  dispose(): void {
    this.helpers.dispose();
  }

  /** exp(−invTau) as the kernels compute it: the value of every zero-padding key. */
  private kernelExp(v: number): number {
    const t = this.V.t[0].u;
    t.fill(v, 0, 4);
    this.k.exp4(t.byteOffset, t.byteOffset + 16, 4);
    return t[4];
  }

  private loadInputs(a: Float32Array, c: Float32Array): void {
    const { n, dIn, d, np, K } = this.L;
    const x = this.V.x;
    if (dIn === d) {
      x.set(a.subarray(0, n * d), 0);
      x.set(c.subarray(0, n * d), np * d);
    } else {
      for (let i = 0; i < n; i++) {
        x.set(a.subarray(i * dIn, i * dIn + dIn), i * d);
        x.set(c.subarray(i * dIn, i * dIn + dIn), (np + i) * d);
      }
    }
    this.k.panels(this.L.x, this.L.xt, K); // the forward kernel's key layout
  }

  private runPhase(job: Job): void {
    this.helpers.runPhase(job, (lane) => processLane(this.V, this.L, this.k, 0, lane, job));
  }

  /**
   * Loss and gradients for anchors `anchors` (all n when absent). `blockRows`: anchors per block,
   * a multiple of 8 up to L.b (default: L.b, smaller for small anchor sets).
   */
  run(a: Float32Array, c: Float32Array, tau: number, anchors?: Int32Array, blockRows?: number): FastContrastiveResult {
    const { n, dIn, d, np, b, lanes } = this.L;
    const V = this.V;
    this.loadInputs(a, c);
    const nA = anchors ? anchors.length : n;
    if (anchors) V.anchors.set(anchors);
    else for (let i = 0; i < n; i++) V.anchors[i] = i;
    const invTau = 1 / tau;
    V.p[0] = invTau;
    V.p[1] = 1 / nA;
    V.p[2] = this.kernelExp(-invTau);
    // Small anchor sets (sampled mode) get smaller blocks, so that both threads have work.
    const rows = blockRows ?? Math.min(b, Math.max(32, Math.ceil(nA / 16 / 8) * 8));
    const nBlocks = Math.ceil(nA / rows);
    // Lanes in use depend only on the problem, never on timing: results stay deterministic.
    const used = Math.min(lanes, nBlocks);
    V.p.fill(0, 3, 3 + used);
    for (const l of V.l.slice(0, used)) {
      l.dx.fill(0);
      l.colsum.fill(0);
    }
    const job: Job = { phase: 0, nBlocks, lanes: used, rows, nA };
    let loss = 0;
    if (this.L.stored && !anchors) {
      this.runPhase({ ...job, phase: 1 });
      loss = this.normalisers(invTau, 1 / nA, used);
      this.runPhase({ ...job, phase: 2 });
    } else {
      this.runPhase(job);
    }
    for (let l = 0; l < used; l++) loss += V.p[3 + l];
    // Lane sums in lane order (deterministic), then unpad.
    const dx = V.l[0].dx;
    for (let l = 1; l < used; l++) this.k.addTo(dx.byteOffset, V.l[l].dx.byteOffset, dx.length);
    const gradA = new Float32Array(n * dIn);
    const gradC = new Float32Array(n * dIn);
    if (dIn === d) {
      gradA.set(dx.subarray(0, n * d));
      gradC.set(dx.subarray(np * d, (np + n) * d));
    } else {
      for (let i = 0; i < n; i++) {
        gradA.set(dx.subarray(i * d, i * d + dIn), i * dIn);
        gradC.set(dx.subarray((np + i) * d, (np + i) * d + dIn), i * dIn);
      }
    }
    return { loss: loss / nA, gradA, gradC };
  }

  /** Stored schedule, between the phases: Z_i from row and column sums, the loss sum, and w_i. */
  private normalisers(invTau: number, scale: number, lanes: number): number {
    const { n, np, d, dIn } = this.L;
    const V = this.V;
    const x = V.x;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let z = V.sums[2 * i] + V.sums[2 * i + 1];
      for (let l = 0; l < lanes; l++) z += V.l[l].colsum[i];
      let pos = 0;
      for (let q = 0; q < dIn; q++) pos += x[i * d + q] * x[(np + i) * d + q];
      loss += Math.log(z) - (pos - 1) * invTau;
      V.w[i] = (scale * invTau) / z;
    }
    V.w.fill(0, n, np);
    return loss;
  }
}
