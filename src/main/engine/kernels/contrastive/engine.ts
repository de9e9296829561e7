// One problem size (n, d) of the fast InfoNCE core: the shared memory (plan.ts), the kernels
// (simd/infonce.ts), the helper thread (threads.ts), and the work of a call around the units
// (blocks.ts): loading inputs, the phases of a schedule, the stored schedule's normalisers, the
// grouped schedule's anchor side.
import { createRequire } from 'node:module';
import { contrastiveKernels } from '../simd/infonce';
import type { NativeInfonce } from '../native/load';
import { CALL_PARAM, KEY_PANEL_BLOCKS, keyPanel, PHASE, processUnit, type Job } from './blocks';
import { LANES, makeViews, planLayout, type Kernels, type Layout, type Views } from './plan';
import type { KernelChoice } from '../choice';
import { bindNative } from './kernelset';
import { HelperThreads } from './threads';

export interface FastContrastiveResult {
  loss: number;
  gradA: Float32Array;
  gradC: Float32Array;
}

export interface RunOptions {
  /** Anchors per block, a multiple of 8 up to L.b (default: L.b, smaller for small anchor sets). */
  blockRows?: number;
  /** Grouped schedule: anchors per group, at most L.bigRows (default L.bigRows). */
  groupRows?: number;
  /** Use the stored schedule for an exact call when the engine has its buffer (default true). */
  stored?: boolean;
}

export class Engine {
  readonly L: Layout;
  readonly kernels: KernelChoice;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly V: Views;
  private readonly helpers: HelperThreads;

  /** `bigRows`: rows of E kept (np: the stored schedule; fewer: the grouped schedule's group). */
  constructor(n: number, dIn: number, threads: number, bigRows: number, kernels: KernelChoice) {
    this.L = planLayout(n, dIn, threads, bigRows);
    this.kernels = kernels;
    const pages = Math.ceil(this.L.bytes / 65536);
    // A fixed-size memory: the native kernels hold its address, which growing would move.
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    let source: { module: WebAssembly.Module } | { nativeFile: string };
    if (kernels.kind === 'native') {
      const nat = createRequire(import.meta.url)(kernels.file!) as NativeInfonce;
      this.k = bindNative(nat, nat.address(new Uint8Array(this.memory.buffer)), this.L.d, this.L.K);
      source = { nativeFile: kernels.file! };
    } else {
      const module = new WebAssembly.Module(contrastiveKernels(this.L.d, this.L.K, pages));
      this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernels;
      source = { module };
    }
    this.V = makeViews(this.memory.buffer, this.L);
    this.helpers = new HelperThreads(this.V.ctl, source, this.memory, this.L, threads - 1);
  }

  get threads(): number {
    return 1 + this.helpers.count;
  }

  dispose(): void {
    this.helpers.dispose();
  }

  /** 2^v as the forward kernel computes it (v = the shift: the value of every zero-padding key). */
  private kernelExp2(v: number): number {
    const t = this.V.t[0].u2;
    t.fill(v, 0, 4);
    this.k.exp2(t.byteOffset, t.byteOffset + 16, 4);
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
    this.helpers.runPhase(job, (unit) => processUnit(this.V, this.L, this.k, 0, unit, job));
  }

  /** Loss and gradients for anchors `anchors` (all n when absent). */
  run(a: Float32Array, c: Float32Array, tau: number, anchors?: Int32Array, opts: RunOptions = {}): FastContrastiveResult {
    const { n, dIn, d, np, K, b } = this.L;
    const V = this.V;
    this.loadInputs(a, c);
    const nA = anchors ? anchors.length : n;
    if (nA === 0) return { loss: 0, gradA: new Float32Array(n * dIn), gradC: new Float32Array(n * dIn) };
    if (anchors) V.anchors.set(anchors);
    else for (let i = 0; i < n; i++) V.anchors[i] = i;
    const invTau = 1 / tau;
    V.p[CALL_PARAM.INV_TAU] = invTau;
    V.p[CALL_PARAM.SCALE] = 1 / nA;
    V.p[CALL_PARAM.LOG2E_INV_TAU] = Math.LOG2E * invTau;
    V.p[CALL_PARAM.E0] = this.kernelExp2(-V.p[CALL_PARAM.LOG2E_INV_TAU]);
    let loss: number;
    if (!anchors && this.L.stored && opts.stored !== false) {
      const rows = opts.blockRows ?? b;
      const nBlocks = Math.ceil(n / rows);
      // Lanes in use depend only on the problem, never on timing: results stay deterministic.
      const lanes = Math.min(LANES, nBlocks);
      for (const l of V.l.slice(0, lanes)) l.colsum.fill(0);
      const job: Job = { phase: PHASE.STORED_FWD, units: lanes, nBlocks, rows, nA, g0: 0, gRows: nA };
      this.runPhase(job);
      loss = this.normalisers(invTau, 1 / nA, lanes);
      this.runPhase({ ...job, phase: PHASE.STORED_ROWS, units: nBlocks });
      this.runPhase({ ...job, phase: PHASE.STORED_COLS, units: 2 * Math.ceil(np / (KEY_PANEL_BLOCKS * rows)) });
    } else {
      // Small anchor sets (sampled mode) get smaller blocks, so that both threads have work.
      const rows = opts.blockRows ?? Math.min(b, Math.max(32, Math.ceil(nA / 16 / 8) * 8));
      // Whole blocks per group; a group smaller than a block is one short block.
      const cap = Math.min(this.L.bigRows, opts.groupRows ?? this.L.bigRows);
      const group = Math.min(cap, Math.max(rows, Math.floor(cap / rows) * rows));
      V.dx.fill(0);
      for (let g0 = 0; g0 < nA; g0 += group) {
        const gRows = Math.min(group, nA - g0);
        const nBlocks = Math.ceil(gRows / rows);
        const job: Job = { phase: PHASE.GROUP_ROWS, units: nBlocks, nBlocks, rows, nA, g0, gRows };
        this.runPhase(job);
        this.runPhase({ ...job, phase: PHASE.GROUP_COLS, units: Math.ceil(K / keyPanel(this.L)) });
      }
      loss = this.anchorSide(nA, invTau / nA);
    }
    const dx = V.dx;
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

  /**
   * Grouped schedule, after the groups, in anchor order: dX[a_i] += w·U − posCoef·c_i and
   * dX[c_i] −= posCoef·a_i for each anchor (anchors may repeat, so not in parallel); the loss sum.
   */
  private anchorSide(nA: number, posCoef: number): number {
    const { np, d, dIn } = this.L;
    const { x, u, dx, anchors, wr } = this.V;
    let loss = 0;
    for (let p = 0; p < nA; p++) {
      const ai = anchors[p] * d;
      const ci = (np + anchors[p]) * d;
      const w = wr[p];
      for (let q = 0; q < dIn; q++) {
        dx[ai + q] += w * u[p * d + q] - posCoef * x[ci + q];
        dx[ci + q] -= posCoef * x[ai + q];
      }
      loss += this.V.loss[p];
    }
    return loss;
  }
}
