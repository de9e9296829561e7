// Store records as the API's response shapes: dataset and run summaries, a run's final
// metrics (final evaluation, else the best epoch's, else the latest), ordering of metric rows.
import fs from 'node:fs';
import type { DatasetRecord, EvaluationRecord, PilotRecord, RunRecord } from '../store';
import type { DatasetInfo, DatasetPilot, DatasetSummary, EpochInfo, EvaluationInfo } from '../../shared/api';

export function datasetSummary(d: DatasetRecord, runCounts: Map<number, number>): DatasetSummary {
  return {
    id: d.id,
    name: d.name,
    layout: d.layout,
    setting: d.setting,
    sourcePaths: d.sourcePaths,
    modalities: d.modalities,
    stats: d.stats,
    fingerprint: d.fingerprint,
    createdAt: d.createdAt,
    runCount: runCounts.get(d.id) ?? 0,
  };
}

/**
 * `warnings`: the stored ones (the last import's) unless given. `pilot`: the stored pilot study,
 * shown only while the dataset still has the data it was computed on.
 */
export function datasetInfo(d: DatasetRecord, runCounts: Map<number, number>, warnings: string[] = d.warnings ?? [], itemsWithMetadata = 0, pilot: PilotRecord | null = null): DatasetInfo {
  return {
    ...datasetSummary(d, runCounts),
    sourceExists: d.sourcePaths.every((p) => fs.existsSync(p)),
    warnings,
    itemsWithMetadata,
    pilot: pilot && pilot.fingerprint === d.fingerprint ? pilotInfo(pilot) : null,
  };
}

export function pilotInfo(p: PilotRecord): DatasetPilot {
  return { ks: p.ks, modalities: p.modalities, seconds: p.seconds, at: p.at };
}

/** Final values: the final evaluation (epoch null), else the best epoch's, else the latest epoch's. */
export function finalEvaluations(run: RunRecord, evs: EvaluationRecord[]): EvaluationInfo[] {
  const best = new Map<string, EvaluationRecord>();
  const rank = (e: EvaluationRecord) => (e.epoch === null ? 3 : e.epoch === run.bestEpoch ? 2 : 1);
  for (const e of evs) {
    const key = `${e.split}/${e.setting}/${e.metric}@${e.k}`;
    const cur = best.get(key);
    if (!cur || rank(e) > rank(cur) || (rank(e) === rank(cur) && (e.epoch ?? 0) > (cur.epoch ?? 0))) best.set(key, e);
  }
  return [...best.values()].map(evalInfo).sort(evalOrder);
}

export function epochInfo(e: EpochInfo): EpochInfo {
  return { epoch: e.epoch, losses: e.losses, metrics: e.metrics, seconds: e.seconds, at: e.at };
}

export function evalInfo(e: EvaluationRecord): EvaluationInfo {
  return { split: e.split, setting: e.setting, metric: e.metric, k: e.k, value: e.value, epoch: e.epoch };
}

const METRIC_ORDER = ['recall', 'ndcg', 'precision', 'hit', 'map', 'mrr', 'ndcg_ref'];
/** val before test, then setting, then the usual metric order, then K. */
export function evalOrder(a: EvaluationInfo, b: EvaluationInfo): number {
  const ma = METRIC_ORDER.indexOf(a.metric);
  const mb = METRIC_ORDER.indexOf(b.metric);
  return (
    (a.split === b.split ? 0 : a.split === 'val' ? -1 : 1) ||
    a.setting.localeCompare(b.setting) ||
    (ma === -1 ? 99 : ma) - (mb === -1 ? 99 : mb) ||
    a.metric.localeCompare(b.metric) ||
    a.k - b.k
  );
}

/** Key of one metric row across runs. */
export const metricKey = (e: EvaluationInfo): string => `${e.split}/${e.setting}/${e.metric}@${e.k}`;
