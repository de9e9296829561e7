// The analyst's views of one finished run: an item's neighbours per modality, its attention
// weights, their distribution over all items, a user's recommendations explained by the item
// graphs, and exports. Reads stored artifacts only; the dataset index comes from a task worker.
import type { RunRecord } from '../store';
import { exportRun as writeExport, type ExportFormat, type ExportWhat } from '../runs/export';
import { ApiError } from '../../shared/api';
import { ArtifactReader, coldSet } from './artifacts';
import { collectExport } from './export-files';
import { metaLookup } from './items';
import type { HandlerGroup } from './handlers';
import { attentionRow, columnHistograms, explain, rowItems, topK, type Matrix, type NeighbourTable } from './views';
import { graphHandlers } from './explore-graphs';
import { checkItem, type ExploreContext } from './explore-context';
import { userScoreParts, type ScoreInputs } from './score-parts';

export const MIME: Record<string, string> = { '.npy': 'application/octet-stream', '.csv': 'text/csv', '.tsv': 'text/tab-separated-values', '.jsonl': 'application/x-ndjson' };

export type { ExploreContext } from './explore-context';

export function exploreHandlers(c: ExploreContext): HandlerGroup<'itemNeighbours' | 'itemGraphDiff' | 'itemAttention' | 'attentionDistribution' | 'userView' | 'exportRun'> {
  const { artifacts: a } = c;
  const attention = (run: RunRecord) => {
    const mod = a.matrix(run.id, 'attention', 'modality', 'f32');
    const ss = a.matrix(run.id, 'attention', 'shared-specific', 'f32');
    if (!mod && !ss) throw c.noArtifacts(run, 'attention weights');
    return { mod, ss };
  };
  /** What the score split of eq. 17 needs (MICRO runs); null for other models. */
  const scoreInputs = (run: RunRecord, userFinal: Matrix<Float32Array>, itemFinal: Matrix<Float32Array>): ScoreInputs | null => {
    const emb = (name: string) => a.matrix(run.id, 'embeddings', name, 'f32');
    const hItem = emb('h_item');
    if (!hItem) return null;
    const alpha = a.matrix(run.id, 'attention', 'modality', 'f32');
    const alpha2 = a.matrix(run.id, 'attention', 'shared-specific', 'f32');
    const names = alpha ? ArtifactReader.columns(alpha) : a.graphModalities(run.id);
    const hm = names.map((modality) => ({ modality, m: emb(`h_${modality}`) }));
    if (!names.length || hm.some((x) => !x.m)) return null;
    return { userFinal, itemFinal, hItem, hUser: emb('h_user'), hm: hm as ScoreInputs['hm'], alpha, alpha2 };
  };
  return {
    ...graphHandlers(c),
    itemAttention: async (i) => {
      const run = c.runRecord(i.runId);
      const { mod, ss } = attention(run);
      const idx = await c.datasetIndex(run);
      checkItem(i.item, idx.nItems);
      return {
        runId: run.id,
        item: i.item,
        cold: coldSet(idx).has(i.item),
        modality: mod ? attentionRow(mod, ArtifactReader.columns(mod), i.item) : null,
        sharedSpecific: ss ? attentionRow(ss, ArtifactReader.columns(ss), i.item) : null,
      };
    },

    attentionDistribution: (i) => {
      const run = c.runRecord(i.runId);
      const { mod, ss } = attention(run);
      const hm = mod ? columnHistograms(mod, ArtifactReader.columns(mod), i.bins, i.tail) : null;
      const hs = ss ? columnHistograms(ss, ArtifactReader.columns(ss), i.bins, i.tail) : null;
      const all = [...(hm ?? []), ...(hs ?? [])];
      const meta = metaLookup(c.store, run.datasetId, all.flatMap((h) => [...h.low, ...h.high].map((t) => t.item)));
      const withMeta = (hs: ReturnType<typeof columnHistograms> | null) =>
        hs?.map((h) => ({ ...h, low: h.low.map((t) => ({ ...t, ...meta(t.item) })), high: h.high.map((t) => ({ ...t, ...meta(t.item) })) })) ?? null;
      return { runId: run.id, nItems: (mod ?? ss)!.rows, modality: withMeta(hm), sharedSpecific: withMeta(hs) };
    },

    userView: async (i) => {
      const run = c.runRecord(i.runId);
      const users = a.matrix(run.id, 'embeddings', 'user_final', 'f32');
      const items = a.matrix(run.id, 'embeddings', 'item_final', 'f32');
      if (!users || !items) throw c.noArtifacts(run, 'final embeddings');
      const idx = await c.datasetIndex(run);
      if (i.user >= Math.min(idx.nUsers, users.rows)) throw new ApiError('INVALID_INPUT', `user: expected a user id between 0 and ${Math.min(idx.nUsers, users.rows) - 1} (got ${i.user})`);
      const history = rowItems(idx.train, i.user);
      const val = rowItems(idx.val, i.user);
      const test = rowItems(idx.test, i.user);
      const cold = coldSet(idx);
      const label = (it: number) => (idx.itemIds?.[it] ? { label: idx.itemIds[it] } : {});
      const graphs = a
        .graphModalities(run.id)
        .map((m) => a.neighbourTable(run.id, m, 'combined'))
        .filter((g): g is NeighbourTable => g !== null);
      const recs = topK(users, items, i.user, i.k, history);
      const si = scoreInputs(run, users, items);
      const parts = si ? userScoreParts(si, i.user, history) : null;
      const meta = metaLookup(c.store, run.datasetId, [...history, ...recs.map((r) => r.item)]);
      return {
        runId: run.id,
        user: i.user,
        ...(idx.userIds?.[i.user] ? { label: idx.userIds[i.user] } : {}),
        nUsers: idx.nUsers,
        history: history.map((item) => ({ item, cold: cold.has(item), ...label(item), ...meta(item) })),
        heldOut: { val, test },
        recommendations: recs.map((r, q) => ({
          rank: q + 1,
          item: r.item,
          ...label(r.item),
          ...meta(r.item),
          score: r.score,
          parts: parts ? parts(r.item, r.score) : null,
          cold: cold.has(r.item),
          heldOut: test.includes(r.item) ? ('test' as const) : val.includes(r.item) ? ('val' as const) : null,
          explanations: explain(r.item, history, graphs),
        })),
      };
    },

    exportRun: async (i) => {
      const run = c.runRecord(i.runId);
      if (i.what === 'recommendations') {
        if (i.format !== 'csv' && i.format !== 'jsonl') throw new ApiError('INVALID_INPUT', `format: recommendations export as csv or jsonl (got ${i.format})`);
        if (run.status === 'running' || run.status === 'queued') throw new ApiError('CONFLICT', `run ${run.id} is still ${run.status}; export its recommendations when it finishes`);
        const r = await c.runTask({ op: 'recommend', storePath: c.storePath, runId: run.id, k: i.k, split: i.split, format: i.format });
        return { files: r.files };
      }
      if (i.what !== 'embeddings' && i.format !== 'csv') throw new ApiError('INVALID_INPUT', `format: ${i.what} export as csv only (got ${i.format})`);
      try {
        return { files: await collectExport((dir) => writeExport(c.store, run.id, { what: i.what as ExportWhat, format: i.format as ExportFormat, out: dir, embedding: i.embedding })) };
      } catch (e) {
        const msg = (e as Error).message;
        if (/has no /.test(msg)) throw new ApiError('NOT_FOUND', msg);
        throw e;
      }
    },
  };
}
