// Reads a run's stored artifacts (neighbour lists, attention, embeddings) as typed matrices for
// the explorer and the user view, cached while the stored artifact is unchanged.
import type { RunStore } from '../store';
import type { DatasetIndex } from './task-worker';
import type { Matrix, NeighbourTable } from './views';

type Typed<T extends 'f32' | 'i32'> = (T extends 'f32' ? Matrix<Float32Array> : Matrix<Int32Array>) & { meta: Record<string, unknown> | null };

export class ArtifactReader {
  private readonly cache = new Map<string, { key: string; value: unknown }>();
  constructor(private readonly store: RunStore) {}

  /** An artifact's payload as a typed matrix; null when absent or not 2-D. */
  matrix<T extends 'f32' | 'i32'>(runId: number, kind: string, name: string, type: T): Typed<T> | null {
    const meta = this.store.findArtifact(runId, kind, name);
    if (!meta || !meta.shape || meta.shape.length !== 2) return null;
    const key = `${meta.id}:${meta.createdAt}:${meta.bytes}`;
    const ck = `${runId}|${kind}|${name}`;
    const hit = this.cache.get(ck);
    if (hit && hit.key === key) return hit.value as Typed<T>;
    const payload = this.store.getArtifactPayload(meta.id);
    if (!payload) return null;
    const buf = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength);
    const data = type === 'f32' ? new Float32Array(buf) : new Int32Array(buf);
    const value = { data, rows: meta.shape[0], cols: meta.shape[1], meta: meta.meta };
    this.cache.set(ck, { key, value });
    if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    return value as Typed<T>;
  }

  /** Modalities with stored neighbour lists. */
  graphModalities(runId: number): string[] {
    return [...new Set(this.store.listArtifacts(runId, { kind: 'neighbours' }).map((a) => a.name.split('/')[0]))];
  }

  neighbourTable(runId: number, modality: string, stage: string): NeighbourTable | null {
    const indices = this.matrix(runId, 'neighbours', `${modality}/${stage}`, 'i32');
    if (!indices) return null;
    const weights = this.matrix(runId, 'neighbour-weights', `${modality}/${stage}`, 'f32');
    return { modality, indices, weights };
  }

  /** Column names of an attention matrix (stored in its meta), c0… otherwise. */
  static columns(m: { meta: Record<string, unknown> | null; cols: number }): string[] {
    return (m.meta?.columns as string[] | undefined) ?? Array.from({ length: m.cols }, (_, c) => `c${c}`);
  }

  forget(runId: number): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${runId}|`)) this.cache.delete(k);
  }
}

const coldSets = new WeakMap<DatasetIndex, Set<number>>();
/** Items that never occur in train. */
export function coldSet(idx: DatasetIndex): Set<number> {
  let s = coldSets.get(idx);
  if (!s) {
    const seen = new Uint8Array(idx.nItems);
    for (const it of idx.train.indices) seen[it] = 1;
    s = new Set<number>();
    for (let i = 0; i < idx.nItems; i++) if (!seen[i]) s.add(i);
    coldSets.set(idx, s);
  }
  return s;
}
