// The artifacts table: named blobs (inline payload) or external files per run — embeddings,
// attention weights, per-modality neighbour lists. Checkpoints are in epochs.ts.
import { checkInt, type StoreContext } from './context';
import { StoreError } from './errors';
import { ARTIFACT_COLS, mapArtifact, toBuffer, type ArtifactRow } from './rows';
import type { ArtifactInput, ArtifactRecord, NeighbourStage } from './types';

/** The columns to select: payloads only when asked for (blobs can be large). */
export const artifactCols = (opts: { payload?: boolean }): string => `${ARTIFACT_COLS}${opts.payload ? ', payload' : ''}`;

/** Upsert by (run, kind, name) inside the caller's transaction. */
export function writeArtifact(ctx: StoreContext, runId: number, input: ArtifactInput): ArtifactRecord {
  if (!input.kind || !input.name || !input.format) {
    throw new StoreError('INVALID_INPUT', 'artifact kind, name and format must not be empty');
  }
  const payload = input.payload ? toBuffer(input.payload) : null;
  if (!payload && !input.path) throw new StoreError('INVALID_INPUT', `artifact ${input.kind}/${input.name}: give a payload or a path`);
  if (input.epoch !== undefined && input.epoch !== null) checkInt('artifact epoch', input.epoch, 0);
  const row = ctx
    .stmt(
      `INSERT INTO artifacts (run_id, kind, name, format, epoch, payload, path, bytes, shape, meta, created_at)
       VALUES (@run, @kind, @name, @format, @epoch, @payload, @path, @bytes, @shape, @meta, @now)
       ON CONFLICT(run_id, kind, name) DO UPDATE SET format = excluded.format, epoch = excluded.epoch,
         payload = excluded.payload, path = excluded.path, bytes = excluded.bytes, shape = excluded.shape,
         meta = excluded.meta, created_at = excluded.created_at
       RETURNING ${ARTIFACT_COLS}`,
    )
    .get({
      run: runId,
      kind: input.kind,
      name: input.name,
      format: input.format,
      epoch: input.epoch ?? null,
      payload,
      path: input.path ?? null,
      bytes: payload ? payload.byteLength : null,
      shape: input.shape ? JSON.stringify(input.shape) : null,
      meta: input.meta ? JSON.stringify(input.meta) : null,
      now: Date.now(),
    }) as ArtifactRow;
  return mapArtifact(row);
}

/** Insert, or replace the artifact with the same (run, kind, name). */
export function putArtifact(ctx: StoreContext, runId: number, input: ArtifactInput): ArtifactRecord {
  return ctx.runTx(runId, () => {
    return writeArtifact(ctx, runId, input);
  });
}

export function getArtifact(ctx: StoreContext, id: number, opts: { payload?: boolean } = {}): ArtifactRecord | null {
  const row = ctx.stmt(`SELECT ${artifactCols(opts)} FROM artifacts WHERE id = ?`).get(id) as ArtifactRow | undefined;
  return row ? mapArtifact(row) : null;
}

export function getArtifactPayload(ctx: StoreContext, id: number): Buffer | null {
  const row = ctx.stmt('SELECT payload FROM artifacts WHERE id = ?').get(id) as { payload: Buffer | null } | undefined;
  return row?.payload ?? null;
}

export function findArtifact(
  ctx: StoreContext,
  runId: number,
  kind: string,
  name: string,
  opts: { payload?: boolean } = {},
): ArtifactRecord | null {
  const row = ctx
    .stmt(`SELECT ${artifactCols(opts)} FROM artifacts WHERE run_id = ? AND kind = ? AND name = ?`)
    .get(runId, kind, name) as ArtifactRow | undefined;
  return row ? mapArtifact(row) : null;
}

/** Metadata only (no payloads). */
export function listArtifacts(ctx: StoreContext, runId: number, filter: { kind?: string } = {}): ArtifactRecord[] {
  const rows = (
    filter.kind === undefined
      ? ctx.stmt(`SELECT ${ARTIFACT_COLS} FROM artifacts WHERE run_id = ? ORDER BY kind, epoch NULLS FIRST, name`).all(runId)
      : ctx
          .stmt(`SELECT ${ARTIFACT_COLS} FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY epoch NULLS FIRST, name`)
          .all(runId, filter.kind)
  ) as ArtifactRow[];
  return rows.map(mapArtifact);
}

export interface NeighboursInput {
  modality: string;
  stage: NeighbourStage;
  payload: ArrayBufferView;
  shape: readonly number[];
  format?: string;
  epoch?: number | null;
  meta?: Record<string, unknown>;
}

/** A per-modality item-item neighbour list (name `<modality>/<stage>`). */
export function putNeighbours(ctx: StoreContext, runId: number, n: NeighboursInput): ArtifactRecord {
  return putArtifact(ctx, runId, {
    kind: 'neighbours',
    name: `${n.modality}/${n.stage}`,
    format: n.format ?? 'i32',
    payload: n.payload,
    shape: n.shape,
    epoch: n.epoch ?? null,
    meta: { ...n.meta, modality: n.modality, stage: n.stage },
  });
}
