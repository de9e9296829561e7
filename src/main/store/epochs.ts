// The epochs table and checkpoints (artifacts of kind 'checkpoint'): one epoch's losses,
// metrics, checkpoint, evaluations and best epoch are written in ONE transaction, and older
// checkpoints are pruned in it.
import { checkInt, type StoreContext } from './context';
import { artifactCols, writeArtifact } from './artifacts';
import { writeEvaluations } from './evaluations';
import { setBestEpoch } from './runs';
import { mapArtifact, mapEpoch, numbersToJson, type ArtifactRow, type EpochRow } from './rows';
import type { ArtifactRecord, CheckpointInput, EpochInput, EpochRecord, RecordEpochOptions, RecordEpochResult } from './types';

/** SQL condition on a run `r`: it has a checkpoint training can continue from (inline payload). */
export const HAS_CHECKPOINT =
  "EXISTS (SELECT 1 FROM artifacts a WHERE a.run_id = r.id AND a.kind = 'checkpoint' AND a.payload IS NOT NULL)";

export function hasCheckpoint(ctx: StoreContext, runId: number): boolean {
  return (ctx.stmt(`SELECT ${HAS_CHECKPOINT} AS ok FROM (SELECT ? AS id) r`).get(runId) as { ok: number }).ok === 1;
}

/** Upsert of one epoch inside the caller's transaction. */
function writeEpoch(ctx: StoreContext, runId: number, input: EpochInput): EpochRecord {
  checkInt('epoch', input.epoch, 0);
  const at = input.at ?? Date.now();
  const row = ctx
    .stmt(
      `INSERT INTO epochs (run_id, epoch, losses, metrics, seconds, at) VALUES (@run, @epoch, @losses, @metrics, @seconds, @at)
       ON CONFLICT(run_id, epoch) DO UPDATE SET losses = excluded.losses, metrics = excluded.metrics,
         seconds = excluded.seconds, at = excluded.at
       RETURNING *`,
    )
    .get({
      run: runId,
      epoch: input.epoch,
      losses: numbersToJson(input.losses),
      metrics: input.metrics ? numbersToJson(input.metrics) : null,
      seconds: input.seconds ?? null,
      at,
    }) as EpochRow;
  // Writing an epoch is a sign of life.
  ctx.stmt("UPDATE runs SET heartbeat_at = max(ifnull(heartbeat_at, 0), ?) WHERE id = ? AND status = 'running'").run(at, runId);
  return mapEpoch(row);
}

export function recordEpoch(ctx: StoreContext, runId: number, input: EpochInput): EpochRecord {
  return ctx.runTx(runId, () => {
    return writeEpoch(ctx, runId, input);
  });
}

/**
 * Losses + validation metrics + (optional) checkpoint + (optional) evaluations, best epoch and
 * checkpoint pruning of one epoch, in ONE transaction: all of it is stored, or none.
 */
export function recordEpochWithCheckpoint(
  ctx: StoreContext,
  runId: number,
  input: EpochInput,
  checkpoint?: CheckpointInput | null,
  opts: RecordEpochOptions = {},
): RecordEpochResult {
  return ctx.runTx(runId, () => {
    const epoch = writeEpoch(ctx, runId, input);
    let ckpt: ArtifactRecord | null = null;
    if (checkpoint) {
      ckpt = writeArtifact(ctx, runId, {
        kind: 'checkpoint',
        name: checkpoint.name ?? `epoch-${input.epoch}`,
        format: checkpoint.format ?? 'weights',
        payload: checkpoint.payload,
        epoch: input.epoch,
        shape: checkpoint.shape ?? null,
        meta: checkpoint.meta ?? null,
      });
    }
    if (opts.evaluations?.length) writeEvaluations(ctx, runId, opts.evaluations, input.epoch);
    if (opts.bestEpoch !== undefined) setBestEpoch(ctx, runId, opts.bestEpoch);
    let pruned = 0;
    if (opts.retainCheckpoints) pruned = pruneCheckpoints(ctx, runId, opts.retainCheckpoints);
    return { epoch, checkpoint: ckpt, pruned };
  });
}

export function getEpochs(ctx: StoreContext, runId: number, range: { from?: number; to?: number } = {}): EpochRecord[] {
  const rows = ctx
    .stmt('SELECT * FROM epochs WHERE run_id = ? AND epoch >= ? AND epoch <= ? ORDER BY epoch')
    .all(runId, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER) as EpochRow[];
  return rows.map(mapEpoch);
}

export function lastEpoch(ctx: StoreContext, runId: number): number | null {
  return (ctx.stmt('SELECT max(epoch) AS e FROM epochs WHERE run_id = ?').get(runId) as { e: number | null }).e;
}

/** The checkpoint with the highest epoch (newest on ties). */
export function latestCheckpoint(ctx: StoreContext, runId: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
  const row = ctx
    .stmt(
      `SELECT ${artifactCols(opts)} FROM artifacts
       WHERE run_id = ? AND kind = 'checkpoint' ORDER BY epoch DESC NULLS LAST, id DESC LIMIT 1`,
    )
    .get(runId) as ArtifactRow | undefined;
  return row ? mapArtifact(row) : null;
}

/** Keeps the newest `last` checkpoints and, with keepBest, the best epoch's; returns how many went. */
function pruneCheckpoints(ctx: StoreContext, runId: number, retain: { last: number; keepBest?: boolean }): number {
  checkInt('retainCheckpoints.last', retain.last, 1);
  const best = retain.keepBest
    ? (ctx.stmt('SELECT best_epoch AS b FROM runs WHERE id = ?').get(runId) as { b: number | null }).b
    : null;
  return ctx
    .stmt(
      `DELETE FROM artifacts WHERE run_id = @run AND kind = 'checkpoint'
         AND id NOT IN (SELECT id FROM artifacts WHERE run_id = @run AND kind = 'checkpoint'
                        ORDER BY epoch DESC NULLS LAST, id DESC LIMIT @last)
         AND (@best IS NULL OR epoch IS NOT @best)`,
    )
    .run({ run: runId, last: retain.last, best }).changes;
}
