// Contract of the embedding map: a 2-D projection (PCA or UMAP) of a run's stored item or user
// embeddings, with what the map colours points by. api.ts spreads the schema into its method
// table and re-exports the types.
import { z } from 'zod';

export const MAP_METHODS = ['pca', 'umap'] as const;
export type MapMethod = (typeof MAP_METHODS)[number];

const POS_INT = 'expected a positive integer';
const between = (lo: number, hi: number, int: boolean) => {
  const msg = `expected ${int ? 'an integer' : 'a number'} between ${lo} and ${hi}`;
  const n = z.number({ error: msg }).min(lo, { error: msg }).max(hi, { error: msg });
  return int ? n.int({ error: msg }) : n;
};

export const embeddingMapSchemas = {
  /** 2-D map of one embedding table: PCA (with explained variance) or UMAP (seeded, cached per run, table and parameters). */
  embeddingMap: z
    .object({
      runId: z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT }),
      /** item_final, user_final, item_id, user_id, h_<modality>, … (getRun lists a run's tables). */
      embedding: z.string({ error: 'expected an embedding name' }).trim().min(1, { error: 'expected an embedding name' }).max(100, { error: 'expected an embedding name of at most 100 characters' }).default('item_final'),
      method: z.enum(MAP_METHODS, { error: `expected one of ${MAP_METHODS.join(', ')}` }).default('pca'),
      /** UMAP: neighbours per point (local vs global structure). */
      nNeighbors: between(2, 100, true).default(15),
      /** UMAP: how tightly points may pack. */
      minDist: between(0, 1, false).default(0.1),
      seed: between(0, 2 ** 31 - 1, true).default(123),
      /** At most this many points (a seeded random subset of the rows); default: every row. */
      sample: between(10, 200_000, true).optional(),
    })
    .strict(),
};

export interface EmbeddingMap {
  runId: number;
  embedding: string;
  /** Rows are items or users (user_final, user_id, h_user). */
  side: 'item' | 'user';
  method: MapMethod;
  /** Rows and width of the stored table. */
  rows: number;
  dim: number;
  /** Row id of each point (every row, or the sampled ones, ascending). */
  ids: number[];
  /** Coordinates, one pair per point: [x0, y0, x1, y1, …]. */
  coords: number[];
  /** PCA: each component's share of the total variance; null for UMAP. */
  explained: [number, number] | null;
  /** UMAP's parameters as used; null for PCA. */
  params: { nNeighbors: number; minDist: number; seed: number } | null;
  /** Titles from the items file (items only; null where an item has none). */
  titles: (string | null)[] | null;
  /** The dataset's most frequent categories; `category[p]` indexes it, −1 when the item has none, `categories.length` for the rest ("other"). */
  categories: string[];
  category: number[] | null;
  /** Items never seen in train (cold start); null for users. */
  cold: boolean[] | null;
  /** MICRO's α (eq. 7): the modality with the largest weight per item and that weight; null without stored attention. */
  modalities: string[];
  dominant: number[] | null;
  alpha: number[] | null;
  /** Train interactions per point: an item's popularity, a user's activity. */
  interactions: number[];
  /** Items with a thumbnail (fetch it with itemImage). */
  hasImage: boolean[] | null;
  /** The projection came from the cache (UMAP's first call runs for seconds in a worker). */
  cached: boolean;
  /** Time to compute the projection when it was computed (not the cache lookup). */
  computeMs: number;
}

export interface EmbeddingMapOutputs {
  embeddingMap: EmbeddingMap;
}
