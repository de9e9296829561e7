// The explorer's item-graph methods: an item's neighbours in one stage (strongest first, with the
// run's k, λ and one weight scale for all modalities and stages), and how its initial and learned
// graphs differ and agree across modalities, beside the dataset-wide means.
import type { RunRecord } from '../store';
import { ApiError, NEIGHBOUR_STAGES, type GraphSummary, type ItemGraphDiff, type NeighbourStage } from '../../shared/api';
import { coldSet } from './artifacts';
import { metaLookup } from './items';
import type { HandlerGroup } from './handlers';
import { checkItem, type ExploreContext } from './explore-context';
import { diffSets, jaccard, meanJaccard, neighbourIds, pairs } from './graph-diff';
import { neighbourRow, type NeighbourTable } from './views';

/** Categories that get their own colour in the explorer (the rest share one). */
const CATEGORY_COLOURS = 20;

/** λ of the run's resolved MICRO configuration, when stored. */
function runLambda(run: RunRecord): number | null {
  const l = (run.config as { resolved?: { modelConfig?: { lambda?: unknown } } }).resolved?.modelConfig?.lambda;
  return typeof l === 'number' ? l : null;
}

// Derived values, keyed by the (cached, immutable) typed arrays they were computed from.
const maxCache = new WeakMap<Float32Array, number>();
const summaryCache = new WeakMap<Int32Array, GraphSummary>();

function maxWeight(t: NeighbourTable): number {
  if (!t.weights) return 0;
  let m = maxCache.get(t.weights.data);
  if (m === undefined) {
    m = 0;
    for (const w of t.weights.data) if (w > m) m = w;
    maxCache.set(t.weights.data, m);
  }
  return m;
}

export function graphHandlers(c: ExploreContext): HandlerGroup<'itemNeighbours' | 'itemGraphDiff'> {
  const { artifacts: a } = c;
  const modalitiesOf = (run: RunRecord) => {
    const all = a.graphModalities(run.id);
    if (!all.length) throw c.noArtifacts(run, 'neighbour graphs');
    return all;
  };
  const table = (run: RunRecord, modality: string, stage: NeighbourStage) => {
    const t = a.neighbourTable(run.id, modality, stage);
    if (!t) throw new ApiError('NOT_FOUND', `run ${run.id} has no ${stage} graph for ${modality}`);
    return t;
  };
  const kOf = (run: RunRecord, modality: string) => a.neighbourTable(run.id, modality, 'initial')?.indices.cols ?? null;

  return {
    itemNeighbours: async (i) => {
      const run = c.runRecord(i.runId);
      const all = modalitiesOf(run);
      if (i.modality && !all.includes(i.modality)) throw new ApiError('INVALID_INPUT', `modality: run ${run.id} has no modality "${i.modality}" (has: ${all.join(', ')})`);
      const idx = await c.datasetIndex(run);
      checkItem(i.item, idx.nItems);
      const cold = coldSet(idx);
      const label = (it: number) => idx.itemIds?.[it];
      const rows = (i.modality ? [i.modality] : all).map((modality) => ({ modality, row: neighbourRow(table(run, modality, i.stage), i.item) }));
      const meta = metaLookup(c.store, run.datasetId, [i.item, ...rows.flatMap((r) => r.row.map((n) => n.item))]);
      const modalities = rows.map(({ modality, row }) => ({
        modality,
        neighbours: row.map((n) => ({ ...n, cold: cold.has(n.item), ...(label(n.item) ? { label: label(n.item) } : {}), ...meta(n.item) })),
      }));
      let weightMax = 0;
      for (const m of all)
        for (const s of NEIGHBOUR_STAGES) {
          const t = a.neighbourTable(run.id, m, s);
          if (t) weightMax = Math.max(weightMax, maxWeight(t));
        }
      const categories = run.datasetId === null ? [] : c.store.itemCategories(run.datasetId, CATEGORY_COLOURS).map((r) => r.category);
      return {
        runId: run.id,
        item: i.item,
        ...(label(i.item) ? { label: label(i.item) } : {}),
        ...meta(i.item),
        cold: cold.has(i.item),
        nItems: idx.nItems,
        stage: i.stage,
        modalities,
        k: kOf(run, all[0]),
        lambda: runLambda(run),
        weightMax,
        categories,
      };
    },

    itemGraphDiff: async (i): Promise<ItemGraphDiff> => {
      const run = c.runRecord(i.runId);
      const all = modalitiesOf(run);
      const idx = await c.datasetIndex(run);
      checkItem(i.item, idx.nItems);
      const cold = coldSet(idx);
      const tables = Object.fromEntries(all.map((m) => [m, Object.fromEntries(NEIGHBOUR_STAGES.map((s) => [s, table(run, m, s)]))])) as Record<string, Record<NeighbourStage, NeighbourTable>>;
      const diffs = all.map((modality) => {
        const t = tables[modality];
        const weightOf = (stage: 'initial' | 'learned') => new Map(neighbourRow(t[stage], i.item).map((n) => [n.item, n.weight]));
        const wi = weightOf('initial');
        const wl = weightOf('learned');
        const combined = neighbourRow(t.combined, i.item).filter((n) => n.item !== i.item);
        const d = diffSets(neighbourIds(t.initial, i.item), neighbourIds(t.learned, i.item));
        // Combined order (strongest first); anything the combined list lacks (it should not) last.
        const order = [...new Set([...combined.map((n) => n.item), ...d.kept, ...d.gained, ...d.lost])];
        return { modality, order, wi, wl, d };
      });
      const meta = metaLookup(c.store, run.datasetId, diffs.flatMap((x) => x.order));
      const agreement = NEIGHBOUR_STAGES.flatMap((stage) =>
        pairs(all).map(([ma, mb]) => {
          const la = neighbourIds(tables[ma][stage], i.item);
          const lb = new Set(neighbourIds(tables[mb][stage], i.item));
          return { stage, a: ma, b: mb, shared: la.filter((x) => lb.has(x)), jaccard: jaccard(la, [...lb]) };
        }),
      );
      return {
        runId: run.id,
        item: i.item,
        k: kOf(run, all[0]),
        lambda: runLambda(run),
        modalities: diffs.map(({ modality, order, wi, wl, d }) => ({
          modality,
          neighbours: order.map((item) => ({ item, cold: cold.has(item), initial: wi.get(item) ?? null, learned: wl.get(item) ?? null, ...meta(item) })),
          kept: d.kept.length,
          gained: d.gained.length,
          lost: d.lost.length,
          jaccard: d.jaccard,
        })),
        agreement,
        summary: summarise(all, tables),
      };
    },
  };
}

/** Dataset-wide means, O(N·k) per comparison; cached while the stored lists are unchanged. */
function summarise(all: string[], tables: Record<string, Record<NeighbourStage, NeighbourTable>>): GraphSummary {
  const key = tables[all[0]].combined.indices.data;
  const hit = summaryCache.get(key);
  if (hit) return hit;
  const s: GraphSummary = {
    modalities: all.map((modality) => {
      const r = meanJaccard(tables[modality].initial, tables[modality].learned);
      return { modality, meanJaccard: r.meanJaccard, meanKept: r.meanShared };
    }),
    agreement: NEIGHBOUR_STAGES.flatMap((stage) => pairs(all).map(([ma, mb]) => ({ stage, a: ma, b: mb, meanJaccard: meanJaccard(tables[ma][stage], tables[mb][stage]).meanJaccard }))),
  };
  summaryCache.set(key, s);
  return s;
}
