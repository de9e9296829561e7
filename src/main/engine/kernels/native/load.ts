// Finds and loads the optional native InfoNCE kernels (infonce.c, built by scripts/build-native.mjs
// into build/native/micro_infonce.node). Loading never throws: a missing or unloadable module
// gives the reason, and the engine runs the WebAssembly kernels instead.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The module's exports: each InfoNCE kernel takes the memory's base address, then d and K, then the wasm kernel's arguments; propagate and knnOffer take typed arrays. */
export interface NativeInfonce {
  isa: string;
  address(view: ArrayBufferView): number;
  fwd(base: number, d: number, K: number, abc: number, rows: number, xt: number, jb: number, je: number, e: number, sums: number, shift: number): void;
  eX(base: number, d: number, K: number, e: number, rows: number, x: number, jb: number, je: number, u: number): void;
  eTw(base: number, d: number, K: number, e: number, rows: number, w: number, jb: number, je: number, dx: number): void;
  colsum(base: number, d: number, K: number, e: number, rows: number, jb: number, je: number, out: number): void;
  scaleSym(base: number, d: number, K: number, e: number, rows: number, wr: number, wc: number, jb: number, je: number): void;
  panels(base: number, d: number, K: number, x: number, xt: number, keys: number): void;
  exp2(base: number, d: number, K: number, src: number, dst: number, n: number): void;
  touch(base: number, d: number, K: number, e: number, rows: number, jb: number, je: number, sink: number): void;
  /** Calibration: 96·iters register-resident multiply-adds (benches). */
  peak(iters: number): number;
  /** topk.c: offers an ni×nj similarity tile to the top-k lists of graph/knn-tf.ts (same lists as its JS offerTile); sizes checked. */
  knnOffer(tile: Float32Array, i0: number, ni: number, j0: number, nj: number, includeSelf: number, clamp: number, idx: Int32Array, val: Float32Array, thr: Float32Array, k: number): void;
  /** sparse.c: out = A^L·h or the mean of h..A^L·h over a CSR graph (vals[perm[e]] per entry); lengths checked. */
  propagate(ptr: Int32Array, idx: Int32Array, vals: Float32Array, perm: Int32Array | null, h: Float32Array, d: number, layers: number, mean: number, out: Float32Array): void;
}

export const NATIVE_FILE = path.join('build', 'native', 'micro_infonce.node');

export type NativeLoad = { ok: true; module: NativeInfonce; file: string } | { ok: false; reason: string };

let cached: NativeLoad | null = null;

/** build/native/micro_infonce.node in the nearest folder above this module (source tree or out/), or MICRO_NATIVE_KERNELS. */
function findFile(): string | null {
  const override = process.env.MICRO_NATIVE_KERNELS;
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const f = path.join(dir, NATIVE_FILE);
    if (existsSync(f)) return f;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The native kernels, or why they are not available (cached). */
export function loadNativeInfonce(): NativeLoad {
  if (cached) return cached;
  const file = findFile();
  if (!file) cached = { ok: false, reason: `${NATIVE_FILE} not found (build it with \`npm run build:native\`; needs a C compiler)` };
  else {
    try {
      const module = createRequire(import.meta.url)(file) as NativeInfonce;
      cached = typeof module.fwd === 'function' && typeof module.address === 'function' && typeof module.propagate === 'function' && typeof module.knnOffer === 'function' ? { ok: true, module, file } : { ok: false, reason: `${file} is not the native kernels module (an older build? \`npm run build:native\`)` };
    } catch (e) {
      cached = { ok: false, reason: `${file} does not load: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return cached;
}
