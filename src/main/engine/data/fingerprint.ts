// Content fingerprint of a dataset: SHA-256 over the canonical interactions (train, val, test as
// CSR: users, sorted unique items) and every modality's name, shape and float32 feature bytes.
// Streamed: typed-array views are fed to the hash in chunks, nothing is copied, so a
// 23k x 4096 feature table costs no extra memory. Names, layouts, source paths and original id
// strings are NOT part of the hash: the same content loaded from two layouts gets the same
// fingerprint. Feature bytes are hashed as little-endian float32 (the in-memory form after
// float16/float64 casting).

import { createHash, type Hash } from 'node:crypto';
import type { Dataset, UserItems } from '../types';

const CHUNK = 1 << 24;

function updateView(h: Hash, a: Int32Array | Float32Array): void {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let off = 0; off < bytes.length; off += CHUNK) h.update(bytes.subarray(off, Math.min(bytes.length, off + CHUNK)));
}

function updateText(h: Hash, s: string): void {
  h.update(`${s.length}:${s};`);
}

/** Trailing users without items do not change the hash (n_users is hashed separately). */
function updateSplit(h: Hash, name: string, ui: UserItems): void {
  let last = ui.nUsers;
  while (last > 0 && ui.indptr[last] === ui.indptr[last - 1]) last--;
  updateText(h, `split ${name} ${last} ${ui.indices.length}`);
  updateView(h, ui.indptr.subarray(0, last + 1));
  updateView(h, ui.indices);
}

/** What the fingerprint covers: the interactions and the feature tables, not names or paths. */
export type FingerprintInput = Pick<Dataset, 'nUsers' | 'nItems' | 'train' | 'val' | 'test' | 'modalities'>;

export function fingerprintDataset(d: FingerprintInput): string {
  const h = createHash('sha256');
  updateText(h, `micro-dataset-v1 users=${d.nUsers} items=${d.nItems}`);
  updateSplit(h, 'train', d.train);
  updateSplit(h, 'val', d.val);
  updateSplit(h, 'test', d.test);
  updateText(h, `modalities ${d.modalities.length}`);
  for (const m of d.modalities) {
    updateText(h, `modality ${m.name} dim=${m.dim} rows=${m.dim ? m.features.length / m.dim : 0}`);
    updateView(h, m.features);
  }
  return h.digest('hex');
}
