// The evaluations table: one metric value per (run, split, setting, k, metric, epoch), epoch
// NULL for the final evaluation.
import { checkInt, type StoreContext } from './context';
import { StoreError } from './errors';
import { mapEvaluation, type EvaluationRow } from './rows';
import type { EvalSplit, EvaluationInput, EvaluationRecord, SplitSetting } from './types';

/** Upserts inside the caller's transaction; rows without an epoch get defaultEpoch. */
export function writeEvaluations(
  ctx: StoreContext,
  runId: number,
  rows: readonly EvaluationInput[],
  defaultEpoch: number | null,
): EvaluationRecord[] {
  const del = ctx.stmt('DELETE FROM evaluations WHERE run_id = ? AND split = ? AND setting = ? AND k = ? AND metric = ? AND epoch IS ?');
  const ins = ctx.stmt(
    `INSERT INTO evaluations (run_id, split, setting, k, metric, value, epoch, at)
     VALUES (@run, @split, @setting, @k, @metric, @value, @epoch, @at) RETURNING *`,
  );
  const now = Date.now();
  return rows.map((r) => {
    checkInt('k', r.k, 1);
    if (!r.metric) throw new StoreError('INVALID_INPUT', 'evaluation metric must not be empty');
    const epoch = r.epoch === undefined ? defaultEpoch : r.epoch;
    del.run(runId, r.split, r.setting, r.k, r.metric, epoch);
    return mapEvaluation(
      ins.get({ run: runId, split: r.split, setting: r.setting, k: r.k, metric: r.metric, value: r.value, epoch, at: r.at ?? now }) as EvaluationRow,
    );
  });
}

/** Upsert evaluation values; one value per (split, setting, k, metric, epoch). */
export function recordEvaluations(ctx: StoreContext, runId: number, rows: readonly EvaluationInput[]): EvaluationRecord[] {
  return ctx.runTx(runId, () => {
    return writeEvaluations(ctx, runId, rows, null);
  });
}

export interface EvaluationFilter {
  split?: EvalSplit;
  setting?: SplitSetting;
  metric?: string;
  k?: number;
  /** A number = that epoch only; null = final evaluations only; omitted = all. */
  epoch?: number | null;
}

export function getEvaluations(ctx: StoreContext, runId: number, filter: EvaluationFilter = {}): EvaluationRecord[] {
  const where = ['run_id = ?'];
  const params: unknown[] = [runId];
  for (const key of ['split', 'setting', 'metric', 'k'] as const) {
    if (filter[key] !== undefined) {
      where.push(`${key} = ?`);
      params.push(filter[key]);
    }
  }
  if (filter.epoch !== undefined) {
    where.push('epoch IS ?');
    params.push(filter.epoch);
  }
  const rows = ctx.db
    .prepare(`SELECT * FROM evaluations WHERE ${where.join(' AND ')} ORDER BY epoch NULLS LAST, split, setting, metric, k`)
    .all(...params) as EvaluationRow[];
  return rows.map(mapEvaluation);
}
