// Shared fixtures for the data tests: temp folders and hand-built .npy bytes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../../../../src/main/engine/types';
import { encodeNpy } from '../../../../src/main/engine/data/npy';
import { userItemsFromLists } from '../../../../src/main/engine/data/csr';
import type { FingerprintInput } from '../../../../src/main/engine/data/fingerprint';
import { tempDir } from '../../../helpers/temp';

/** A fresh temp folder, removed after the test file. */
export function tmpDir(prefix = 'micro-data-'): string {
  return tempDir(prefix);
}

/** Write files (string or bytes) under a folder, creating sub-folders. */
export function writeFiles(root: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
  }
  return root;
}

export function json(obj: unknown): string {
  return JSON.stringify(obj);
}

/** float32 feature matrix rows x dim with value f(r, c). */
export function features(rows: number, dim: number, f: (r: number, c: number) => number = (r, c) => r + c / 100): Uint8Array {
  const a = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) a[r * dim + c] = f(r, c);
  return encodeNpy(a, [rows, dim]);
}

/** Hand-build an .npy file with arbitrary header fields and data bytes. */
export function rawNpy(opts: {
  descr: string;
  shape: number[];
  data: Uint8Array;
  fortran?: boolean;
  version?: 1 | 2 | 3;
  headerOverride?: string;
}): Uint8Array {
  const version = opts.version ?? 1;
  const shape = opts.shape.length === 1 ? `(${opts.shape[0]},)` : `(${opts.shape.join(', ')})`;
  let dict =
    opts.headerOverride ?? `{'descr': '${opts.descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const pre = version === 1 ? 10 : 12;
  const pad = (64 - ((pre + dict.length + 1) % 64)) % 64;
  dict += ' '.repeat(pad) + '\n';
  const head = new Uint8Array(pre + dict.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(head.buffer);
  if (version === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  head.set(new TextEncoder().encode(dict), pre);
  const out = new Uint8Array(head.length + opts.data.length);
  out.set(head);
  out.set(opts.data, head.length);
  return out;
}

/** Run fn, expect a DataError; return it. */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw new Error(`expected a DataError, got ${(e as Error)?.stack ?? e}`);
  }
  throw new Error('expected a DataError, nothing was thrown');
}

/** Plain per-user lists of a CSR. */
export function lists(ui: { nUsers: number; indptr: Int32Array; indices: Int32Array }): number[][] {
  const out: number[][] = [];
  for (let u = 0; u < ui.nUsers; u++) out.push(Array.from(ui.indices.subarray(ui.indptr[u], ui.indptr[u + 1])));
  return out;
}

/** A 3-user, 4-item dataset with train/val/test splits and two modalities (fingerprint and stats tests). */
export function input(): FingerprintInput {
  return {
    nUsers: 3,
    nItems: 4,
    train: userItemsFromLists(3, [[0, 1], [2], [1, 3]]),
    val: userItemsFromLists(3, [[2], [0], []]),
    test: userItemsFromLists(3, [[3], [], [0]]),
    modalities: [
      { name: 'image', dim: 2, features: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) },
      { name: 'text', dim: 1, features: new Float32Array([1, 2, 3, 4]) },
    ],
  };
}
