// The embedding map's heavy half, run in a dataset task worker (task-worker.ts, op 'umap'): read
// the stored table through the worker's own store connection and lay it out with UMAP.
import type { RunStore } from '../store';
import { umap2d } from '../engine/projection/umap';
import { pickRows } from '../engine/projection/rows';

/** The `umap` task's input (task-worker.ts's Task union takes it from here). */
export interface UmapTaskInput {
  storePath: string;
  runId: number;
  embedding: string;
  rows?: number[];
  nNeighbors: number;
  minDist: number;
  seed: number;
}

export function umapTask(store: RunStore, t: UmapTaskInput): { coords: Float32Array; ms: number } {
  const a = store.findArtifact(t.runId, 'embeddings', t.embedding, { payload: true });
  if (!a?.payload || !a.shape || a.shape.length !== 2) throw new Error(`run ${t.runId} has no "${t.embedding}" embeddings`);
  const [rows, cols] = a.shape;
  const all = new Float32Array(a.payload.buffer.slice(a.payload.byteOffset, a.payload.byteOffset + a.payload.byteLength));
  const data = pickRows(all, cols, t.rows);
  const n = t.rows ? t.rows.length : rows;
  const t0 = performance.now();
  const coords = umap2d(data, n, cols, { nNeighbors: t.nNeighbors, minDist: t.minDist, seed: t.seed });
  return { coords, ms: performance.now() - t0 };
}
