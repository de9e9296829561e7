// The embedding map: a 2-D projection of a run's stored item or user embeddings and what the map
// colours points by (category, cold/warm, MICRO's dominant modality α, train interactions).
// PCA runs here (≈ 100 ms at TikTok size: 6,710 × 64); UMAP (≈ 20 s there) in a task worker.
// Both are cached per run, stored table (id + write time) and parameters, so the second call of a
// map costs only the colouring fields; concurrent calls for one UMAP share one worker.
import { pickRows } from '../engine/projection/rows';
import type { RunRecord } from '../store';
import { ApiError, type EmbeddingMap } from '../../shared/api';
import { createRng } from '../engine/data/random';
import { pca } from '../engine/projection/pca';
import { ArtifactReader, coldSet } from './artifacts';
import type { HandlerGroup } from './handlers';
import type { ExploreContext } from './explore-context';
import type { DatasetIndex } from './task-worker';

/** Categories with their own colour on the map (the rest share "other"). */
const CATEGORY_COLOURS = 20;
/** Projections kept in memory (each is 2 floats per point). */
const CACHE_SIZE = 24;

type Projection = { coords: Float32Array; explained: [number, number] | null; computeMs: number };

/** Which side a table's rows are (the export's rule). */
export function sideOf(embedding: string): 'item' | 'user' {
  return embedding.startsWith('user') || embedding === 'h_user' ? 'user' : 'item';
}

/** Row ids to show: all, or a seeded subset of `sample`, ascending. */
export function sampleRows(rows: number, sample: number | undefined, seed: number): number[] | undefined {
  if (sample === undefined || sample >= rows) return undefined;
  return Array.from(createRng(seed).sample(rows, sample)).sort((a, b) => a - b);
}

/** Rows `rows` of a row-major table (all of it when omitted), as a compact copy. */

const itemCounts = new WeakMap<DatasetIndex, Int32Array>();
/** Train interactions per item. */
function popularity(idx: DatasetIndex): Int32Array {
  let c = itemCounts.get(idx);
  if (!c) {
    c = new Int32Array(idx.nItems);
    for (const it of idx.train.indices) c[it]++;
    itemCounts.set(idx, c);
  }
  return c;
}

export function embeddingMapHandlers(c: ExploreContext): HandlerGroup<'embeddingMap'> {
  const cache = new Map<string, Projection>();
  const inflight = new Map<string, Promise<Projection>>();
  const remember = (key: string, p: Projection) => {
    cache.delete(key);
    cache.set(key, p);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  };

  /** The dataset index for the colouring fields; null when the run's dataset is gone. */
  const indexOf = async (run: RunRecord): Promise<DatasetIndex | null> => {
    try {
      return await c.datasetIndex(run);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  };

  return {
    embeddingMap: async (i): Promise<EmbeddingMap> => {
      const run = c.runRecord(i.runId);
      const meta = c.store.findArtifact(run.id, 'embeddings', i.embedding);
      const table = meta ? c.artifacts.matrix(run.id, 'embeddings', i.embedding, 'f32') : null;
      if (!meta || !table) {
        const have = c.store.listArtifacts(run.id, { kind: 'embeddings' }).map((a) => a.name);
        if (!have.length) throw c.noArtifacts(run, 'embeddings');
        throw new ApiError('NOT_FOUND', `embedding: run ${run.id} has no "${i.embedding}" table (has: ${have.join(', ')})`);
      }
      const side = sideOf(i.embedding);
      const rows = sampleRows(table.rows, i.sample, i.seed);
      const ids = rows ?? Array.from({ length: table.rows }, (_, r) => r);
      const umap = i.method === 'umap';
      const key = [run.id, meta.id, meta.createdAt, i.method, umap ? `${i.nNeighbors}/${i.minDist}/${i.seed}` : '', rows ? `${i.sample}/${i.seed}` : 'all'].join('|');
      let proj = cache.get(key);
      const cached = proj !== undefined;
      if (!proj) {
        let pending = inflight.get(key);
        if (!pending) {
          pending = umap
            ? c.runTask({ op: 'umap', storePath: c.storePath, runId: run.id, embedding: i.embedding, rows, nNeighbors: i.nNeighbors, minDist: i.minDist, seed: i.seed }).then((r) => ({ coords: r.coords, explained: null, computeMs: r.ms }))
            : Promise.resolve().then(() => {
                const t0 = performance.now();
                const data = pickRows(table.data, table.cols, rows);
                const p = pca(data, ids.length, table.cols, { components: 2, seed: i.seed });
                const coords = p.coords.length === ids.length * 2 ? p.coords : Float32Array.from({ length: ids.length * 2 }, (_, q) => (q % 2 === 0 ? p.coords[q / 2] : 0));
                return { coords, explained: [p.explained[0] ?? 0, p.explained[1] ?? 0] as [number, number], computeMs: performance.now() - t0 };
              });
          inflight.set(key, pending);
          pending.then((p) => remember(key, p)).finally(() => inflight.delete(key)).catch(() => {});
        }
        proj = await pending;
      }

      const idx = await indexOf(run);
      const counts = idx ? (side === 'item' ? popularity(idx) : null) : null;
      const interactions = ids.map((r) => {
        if (!idx) return 0;
        if (side === 'item') return r < counts!.length ? counts![r] : 0;
        return r < idx.train.nUsers ? idx.train.indptr[r + 1] - idx.train.indptr[r] : 0;
      });
      const out: EmbeddingMap = {
        runId: run.id,
        embedding: i.embedding,
        side,
        method: i.method,
        rows: table.rows,
        dim: table.cols,
        ids,
        coords: Array.from(proj.coords),
        explained: proj.explained,
        params: umap ? { nNeighbors: i.nNeighbors, minDist: i.minDist, seed: i.seed } : null,
        titles: null,
        categories: [],
        category: null,
        cold: null,
        modalities: [],
        dominant: null,
        alpha: null,
        interactions,
        hasImage: null,
        cached,
        computeMs: proj.computeMs,
      };
      if (side === 'user') return out;

      if (run.datasetId !== null) {
        const items = c.store.getItems(run.datasetId, ids);
        if (items.size) {
          out.categories = c.store.itemCategories(run.datasetId, CATEGORY_COLOURS).map((r) => r.category);
          const slot = new Map(out.categories.map((name, q) => [name, q]));
          out.titles = ids.map((r) => items.get(r)?.title ?? null);
          out.category = ids.map((r) => {
            const cat = items.get(r)?.category;
            return cat == null ? -1 : (slot.get(cat) ?? out.categories.length);
          });
          out.hasImage = ids.map((r) => !!items.get(r)?.image);
        }
      }
      if (idx) {
        const cold = coldSet(idx);
        out.cold = ids.map((r) => cold.has(r));
      }
      const att = c.artifacts.matrix(run.id, 'attention', 'modality', 'f32');
      if (att && att.rows === table.rows) {
        out.modalities = ArtifactReader.columns(att);
        const dominant: number[] = [];
        const alpha: number[] = [];
        for (const r of ids) {
          let best = 0;
          for (let q = 1; q < att.cols; q++) if (att.data[r * att.cols + q] > att.data[r * att.cols + best]) best = q;
          dominant.push(best);
          alpha.push(att.data[r * att.cols + best]);
        }
        out.dominant = dominant;
        out.alpha = alpha;
      }
      return out;
    },
  };
}
