// The analyst's views of one finished run: an item's neighbours per modality, its attention
// weights, their distribution over all items, a user's recommendations explained by the item
// graphs, and exports. Reads stored artifacts only; the dataset index comes from a task worker.
import type { RunRecord, RunStore } from '../store';
import { exportRun as writeExport, type ExportFormat, type ExportWhat } from '../runs/export';
import { ApiError } from '../../shared/api';
import { ArtifactReader, coldSet } from './artifacts';
import { collectExport } from './export-files';
import type { DatasetIndex, Task, TaskResult } from './task-worker';
import { metaLookup } from './items';
import type { HandlerGroup } from './handlers';
import { attentionRow, columnHistograms, explain, neighbourRow, rowItems, topK, type NeighbourTable } from './views';

export const MIME: Record<string, string> = { '.npy': 'application/octet-stream', '.csv': 'text/csv', '.tsv': 'text/tab-separated-values', '.jsonl': 'application/x-ndjson' };

/** What the explore handlers need from the service. */
export interface ExploreContext {
  store: RunStore;
  artifacts: ArtifactReader;
  runRecord(id: number): RunRecord;
  datasetIndex(run: RunRecord): Promise<DatasetIndex>;
  /** The error for a run that lacks `what` (still running, a model that stores none, ended early). */
  noArtifacts(run: RunRecord, what: string): ApiError;
  /** Heavy work (recommendations for every user) in a bounded dataset task worker. */
  runTask<T extends Task>(task: T): Promise<TaskResult<T>>;
  readonly storePath: string;
}

function checkItem(item: number, nItems: number): void {
  if (item >= nItems) throw new ApiError('INVALID_INPUT', `item: expected an item id between 0 and ${nItems - 1} (got ${item})`);
}

export function exploreHandlers(c: ExploreContext): HandlerGroup<'itemNeighbours' | 'itemAttention' | 'attentionDistribution' | 'userView' | 'exportRun'> {
  const { artifacts: a } = c;
  const attention = (run: RunRecord) => {
    const mod = a.matrix(run.id, 'attention', 'modality', 'f32');
    const ss = a.matrix(run.id, 'attention', 'shared-specific', 'f32');
    if (!mod && !ss) throw c.noArtifacts(run, 'attention weights');
    return { mod, ss };
  };
  return {
    itemNeighbours: async (i) => {
      const run = c.runRecord(i.runId);
      const all = a.graphModalities(run.id);
      if (!all.length) throw c.noArtifacts(run, 'neighbour graphs');
      if (i.modality && !all.includes(i.modality)) throw new ApiError('INVALID_INPUT', `modality: run ${run.id} has no modality "${i.modality}" (has: ${all.join(', ')})`);
      const idx = await c.datasetIndex(run);
      checkItem(i.item, idx.nItems);
      const cold = coldSet(idx);
      const label = (it: number) => idx.itemIds?.[it];
      const rows = (i.modality ? [i.modality] : all).map((modality) => {
        const t = a.neighbourTable(run.id, modality, i.stage);
        if (!t) throw new ApiError('NOT_FOUND', `run ${run.id} has no ${i.stage} graph for ${modality}`);
        return { modality, row: neighbourRow(t, i.item) };
      });
      const meta = metaLookup(c.store, run.datasetId, [i.item, ...rows.flatMap((r) => r.row.map((n) => n.item))]);
      const modalities = rows.map(({ modality, row }) => ({
        modality,
        neighbours: row.map((n) => ({ ...n, cold: cold.has(n.item), ...(label(n.item) ? { label: label(n.item) } : {}), ...meta(n.item) })),
      }));
      return { runId: run.id, item: i.item, ...(label(i.item) ? { label: label(i.item) } : {}), ...meta(i.item), cold: cold.has(i.item), nItems: idx.nItems, stage: i.stage, modalities };
    },

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
      return {
        runId: run.id,
        nItems: (mod ?? ss)!.rows,
        modality: mod ? columnHistograms(mod, ArtifactReader.columns(mod), i.bins) : null,
        sharedSpecific: ss ? columnHistograms(ss, ArtifactReader.columns(ss), i.bins) : null,
      };
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
