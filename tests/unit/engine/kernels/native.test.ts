// The native InfoNCE kernels (src/main/engine/kernels/native) against the WebAssembly ones, kernel by
// kernel, on one shared memory: same arguments, same layouts, results equal to float rounding
// (exactly equal where both sum the same float32 values in the same order in float64).
// The shapes hit the native tiles' remainders: rows 12 = 8 + 4, keys 72 = 2·32 + 8, d 24 < 32.
import { describe, expect, it } from 'vitest';
import { loadNativeInfonce } from '../../../../src/main/engine/kernels/native/load';
import { chooseKernels } from '../../../../src/main/engine/kernels/choice';
import { bindNative } from '../../../../src/main/engine/kernels/contrastive/kernelset';
import type { Kernels } from '../../../../src/main/engine/kernels/contrastive/plan';
import { contrastiveKernels } from '../../../../src/main/engine/kernels/simd/infonce';
import { lcg } from '../../../helpers/arrays';

const native = loadNativeInfonce();

describe('native kernels are built and load', () => {
  // npm ci builds them (scripts/build-native.mjs); without a C compiler set MICRO_SKIP_NATIVE=1.
  it.runIf(process.env.MICRO_SKIP_NATIVE !== '1')('build/native/micro_infonce.node loads and picks an instruction-set level', () => {
    expect(native.ok ? native.module.isa : native.reason).toMatch(/^(baseline|x86-64-v[34])/);
  });
  it('MICRO_KERNELS chooses the kernels, and refuses an unknown kind by name', () => {
    const prev = process.env.MICRO_KERNELS;
    try {
      process.env.MICRO_KERNELS = 'wasm';
      expect(chooseKernels().kind).toBe('wasm');
      process.env.MICRO_KERNELS = 'gpu';
      expect(() => chooseKernels()).toThrow(/MICRO_KERNELS must be one of auto, native, wasm; got "gpu"/);
      process.env.MICRO_KERNELS = 'native';
      if (native.ok) expect(chooseKernels()).toMatchObject({ kind: 'native', isa: native.module.isa });
      else expect(() => chooseKernels()).toThrow(/native kernels are not available/);
    } finally {
      if (prev === undefined) delete process.env.MICRO_KERNELS;
      else process.env.MICRO_KERNELS = prev;
    }
  });
});

describe.runIf(native.ok)('native kernel = wasm kernel', () => {
  for (const d of [24, 64]) {
    const K = 72;
    const rows = 12;
    const pages = 8;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const wasm = new WebAssembly.Instance(new WebAssembly.Module(contrastiveKernels(d, K, pages)), { env: { memory } }).exports as unknown as Kernels;
    const nat = native.ok ? native.module : (null as never);
    const k = bindNative(nat, nat.address(new Uint8Array(memory.buffer)), d, K);
    const f32 = new Float32Array(memory.buffer);
    const f64 = new Float64Array(memory.buffer);
    // Regions (float32 indices; 64-byte aligned).
    let next = 0;
    const region = (floats: number) => {
      const at = next;
      next += Math.ceil(floats / 16) * 16;
      return at;
    };
    const X = region(K * d); // keys, row-major
    const XT = region(K * d);
    const ABC = region(rows * d * 4);
    const E = region(rows * K);
    const W = region(rows * d);
    const outW = region(K * d);
    const outN = region(K * d);
    const sumsW = region(4 * rows); // f64 pairs
    const sumsN = region(4 * rows);
    const r = lcg(d);
    const fill = (at: number, len: number, lo: number, hi: number) => {
      for (let i = 0; i < len; i++) f32[at + i] = lo + (hi - lo) * r();
    };
    const rel = (a: Float32Array | Float64Array, b: Float32Array | Float64Array) => {
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      return worst / scale;
    };
    const view = (at: number, len: number) => f32.slice(at, at + len);

    it(`d=${d}: panels (exact) and fwd: E = 2^(A'·Xᵀ + shift) and its row sums`, () => {
      fill(X, K * d, -0.3, 0.3);
      wasm.panels(X * 4, XT * 4, K);
      const xtW = view(XT, K * d);
      f32.fill(0, XT, XT + K * d);
      k.panels(X * 4, XT * 4, K);
      expect(Array.from(view(XT, K * d))).toEqual(Array.from(xtW));
      for (let i = 0; i < rows * d; i++) f32.fill(-0.5 + r(), ABC + i * 4, ABC + i * 4 + 4);
      const shift = -2.5;
      const run = (kk: Kernels, sums: number) => {
        f64.fill(0, sums / 2, sums / 2 + 2 * rows);
        kk.fwd(ABC * 4, rows, XT * 4, 8, K, E * 4, sums * 4, shift); // a key range that starts past 0
        return { e: view(E, rows * K), s: f64.slice(sums / 2, sums / 2 + 2 * rows) };
      };
      const w = run(wasm, sumsW);
      const n = run(k, sumsN);
      expect(rel(n.e, w.e)).toBeLessThan(2e-6);
      const total = (s: Float64Array) => Float64Array.from({ length: rows }, (_, i) => s[2 * i] + s[2 * i + 1]);
      expect(rel(total(n.s), total(w.s))).toBeLessThan(2e-6);
      for (let i = 0; i < rows; i++) expect(n.e[i * K + 3]).toBe(w.e[i * K + 3]); // keys before the range stay as they were
    });

    it(`d=${d}: eX and eTw (the 8- and 4-row / -key tiles)`, () => {
      fill(E, rows * K, 0, 1);
      fill(W, rows * d, -1, 1);
      for (const [name, jb, je] of [['eX', 0, K], ['eX', 8, 40], ['eTw', 0, K], ['eTw', 4, 40]] as const) {
        fill(outW, K * d, -1, 1);
        f32.copyWithin(outN, outW, outW + K * d); // the same starting values
        const outs = [outW, outN].map((o, i) => {
          const kk = i === 0 ? wasm : k;
          if (name === 'eX') kk.eX(E * 4, rows, X * 4, jb, je, o * 4);
          else kk.eTw(E * 4, rows, W * 4, jb, je, o * 4);
          return view(o, K * d);
        });
        expect(rel(outs[1], outs[0]), `${name} [${jb}, ${je})`).toBeLessThan(2e-6);
      }
    });

    it(`d=${d}: colsum (exactly), scaleSym (exactly), exp2 and touch`, () => {
      fill(E, rows * K, 0, 1);
      const cs = (kk: Kernels, at: number) => {
        f64.fill(0.5, at / 2, at / 2 + K);
        kk.colsum(E * 4, rows - 1, 4, K, at * 4);
        return f64.slice(at / 2, at / 2 + K);
      };
      expect(Array.from(cs(k, outN))).toEqual(Array.from(cs(wasm, outW)));
      fill(W, rows + K, 0, 1); // wr (rows), then wc (K)
      const e0 = view(E, rows * K);
      wasm.scaleSym(E * 4, rows, W * 4, (W + rows) * 4, 8, 40);
      const scaledW = view(E, rows * K);
      f32.set(e0, E);
      k.scaleSym(E * 4, rows, W * 4, (W + rows) * 4, 8, 40);
      expect(Array.from(view(E, rows * K))).toEqual(Array.from(scaledW));
      fill(W, 20, -126, 0);
      wasm.exp2(W * 4, outW * 4, 20);
      k.exp2(W * 4, outN * 4, 20); // 20 = 2·8 + a 4-value tail
      expect(rel(view(outN, 20), view(outW, 20))).toBeLessThan(1e-6);
      f32.fill(1, E, E + rows * K);
      k.touch(E * 4, rows, 8, 72, outN * 4);
      expect(f32[outN]).toBe(rows * 4); // one value per 16 floats of each row: keys 8, 24, 40, 56
    });
  }
});
