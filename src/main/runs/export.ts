// Exports of a stored run: embeddings (.npy, CSV, TensorBoard projector: TSV + metadata + sprite
// + projector_config.pbtxt, see projector.ts),
// neighbour graphs (CSV edge lists), attention weights and metrics (CSV).
import fs from 'node:fs';
import path from 'node:path';
import type { RunStore, ArtifactRecord } from '../store';
import { writeNpy } from '../engine/data';
import { readIdMap } from './run-artifacts';
import { csvField } from './recommend';
import { projectorConfig, projectorMetadata, writeProjectorConfig, writeSprite } from './projector';

export type ExportWhat = 'embeddings' | 'graphs' | 'metrics' | 'attention';
export type ExportFormat = 'npy' | 'csv' | 'projector';

export interface ExportOptions {
  what: ExportWhat;
  format: ExportFormat;
  out: string;
  /** Embedding table name (item_final, user_final, item_id, h_<modality>, h_shared, h_item, ...). */
  embedding?: string;
}

function f32(a: ArtifactRecord): Float32Array {
  const p = a.payload!;
  return new Float32Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
}
function i32(a: ArtifactRecord): Int32Array {
  const p = a.payload!;
  return new Int32Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
}

function csvNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}

/** Rows of a 2-D table as delimited text, streamed in chunks to keep memory flat. */
function writeRows(file: string, rows: number, cols: number, data: Float32Array, sep: string, header?: string, prefix?: (r: number) => string): void {
  const fd = fs.openSync(file, 'w');
  try {
    if (header) fs.writeSync(fd, `${header}\n`);
    let buf: string[] = [];
    for (let r = 0; r < rows; r++) {
      const vals: string[] = prefix ? [prefix(r)] : [];
      for (let c = 0; c < cols; c++) vals.push(csvNumber(data[r * cols + c]));
      buf.push(vals.join(sep));
      if (buf.length >= 2048) {
        fs.writeSync(fd, `${buf.join('\n')}\n`);
        buf = [];
      }
    }
    if (buf.length) fs.writeSync(fd, `${buf.join('\n')}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the export's files into `o.out` and returns their paths (the main table first). */
export async function exportRun(store: RunStore, runId: number, o: ExportOptions): Promise<string[]> {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found`);
  fs.mkdirSync(o.out, { recursive: true });
  const base = `run${runId}`;
  const written: string[] = [];
  if (o.what === 'embeddings') {
    const name = o.embedding ?? 'item_final';
    const a = store.findArtifact(runId, 'embeddings', name, { payload: true });
    if (!a?.payload || !a.shape) {
      const have = store.listArtifacts(runId, { kind: 'embeddings' }).map((x) => x.name);
      throw new Error(`run ${runId} has no "${name}" embeddings${have.length ? ` (has: ${have.join(', ')})` : ' (its model stores none: MICRO, MF, LightGCN and VBPR runs do)'}`);
    }
    const [rows, cols] = a.shape;
    const data = f32(a);
    // Dense row ↔ original id, beside every embedding export (identity for LATTICE/MMRec ids).
    const side = name.startsWith('user') || name === 'h_user' ? 'user' : 'item';
    const ids = readIdMap(store, runId, side);
    const idOf = (r: number) => ids?.[r] ?? String(r);
    const idFile = path.join(o.out, `${base}-${name}-ids.csv`);
    fs.writeFileSync(idFile, `index,${side}\n${Array.from({ length: rows }, (_, r) => `${r},${csvField(idOf(r))}`).join('\n')}\n`);
    if (o.format === 'npy') {
      const f = path.join(o.out, `${base}-${name}.npy`);
      writeNpy(f, data, [rows, cols], 'float32');
      written.push(f, idFile);
    } else if (o.format === 'csv') {
      const f = path.join(o.out, `${base}-${name}.csv`);
      writeRows(f, rows, cols, data, ',', ['index', 'id', ...Array.from({ length: cols }, (_, c) => `d${c}`)].join(','), (r) => `${r},${csvField(idOf(r))}`);
      written.push(f, idFile);
    } else {
      // TensorBoard projector: tensors TSV without header, metadata TSV with a header row, a
      // sprite of the items' thumbnails (when they have any) and projector_config.pbtxt.
      const t = path.join(o.out, `${base}-${name}-tensors.tsv`);
      writeRows(t, rows, cols, data, '\t');
      const m = path.join(o.out, `${base}-${name}-metadata.tsv`);
      const isItem = side === 'item';
      const att = isItem ? store.findArtifact(runId, 'attention', 'modality', { payload: true }) : null;
      const alpha = att?.payload && att.shape?.[0] === rows ? { data: f32(att), columns: (att.meta?.columns as string[] | undefined) ?? [] } : null;
      const items = isItem && run.datasetId ? store.getItems(run.datasetId, Array.from({ length: rows }, (_, r) => r)) : new Map();
      fs.writeFileSync(m, projectorMetadata({ rows, idOf, kind: side, items, alpha }));
      written.push(t, m, idFile);
      const dataset = run.datasetId ? store.getDataset(run.datasetId) : null;
      const images = Array.from({ length: rows }, (_, r) => items.get(r)?.image ?? null);
      const spriteFile = path.join(o.out, `${base}-${name}-sprite.png`);
      const sprite = isItem && dataset?.itemsRoot ? await writeSprite(spriteFile, rows, dataset.itemsRoot, images) : null;
      if (sprite) written.push(spriteFile);
      const config = projectorConfig({
        tensorName: `${base}-${name}`,
        tensorPath: path.basename(t),
        shape: [rows, cols],
        metadataPath: path.basename(m),
        ...(sprite ? { sprite: { path: path.basename(spriteFile), cell: sprite.cell } } : {}),
      });
      written.push(writeProjectorConfig(o.out, config));
    }
  } else if (o.what === 'graphs') {
    const f = path.join(o.out, `${base}-graphs.csv`);
    const lines = ['source,target,weight,modality,stage'];
    const lists = store.listArtifacts(runId, { kind: 'neighbours' });
    if (!lists.length) throw new Error(`run ${runId} has no neighbour graphs (MICRO and LATTICE runs store them)`);
    for (const meta of lists) {
      const idx = store.getArtifact(meta.id, { payload: true })!;
      const w = store.findArtifact(runId, 'neighbour-weights', meta.name, { payload: true });
      const [n, k] = idx.shape!;
      const ids = i32(idx);
      const ws = w ? f32(w) : new Float32Array(ids.length);
      const [modality, stage] = meta.name.split('/');
      for (let i = 0; i < n; i++)
        for (let j = 0; j < k; j++) if (ids[i * k + j] >= 0) lines.push(`${i},${ids[i * k + j]},${csvNumber(ws[i * k + j])},${modality},${stage}`);
    }
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    written.push(f);
  } else if (o.what === 'attention') {
    const f = path.join(o.out, `${base}-attention.csv`);
    const parts = store.listArtifacts(runId, { kind: 'attention' }).map((a) => store.getArtifact(a.id, { payload: true })!);
    if (!parts.length) throw new Error(`run ${runId} has no attention weights (MICRO with ≥ 2 modalities and fusion)`);
    const n = parts[0].shape![0];
    const header = ['item', ...parts.flatMap((p) => ((p.meta?.columns as string[]) ?? []).map((c) => `${p.name}:${c}`))];
    const data = parts.map((p) => ({ d: f32(p), c: p.shape![1] }));
    const lines = [header.join(',')];
    for (let i = 0; i < n; i++) lines.push([String(i), ...data.flatMap(({ d, c }) => Array.from(d.subarray(i * c, i * c + c), csvNumber))].join(','));
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    written.push(f);
  } else {
    const f = path.join(o.out, `${base}-metrics.csv`);
    const evs = store.getEvaluations(runId);
    const lines = ['split,setting,metric,k,value,epoch', ...evs.map((e) => `${e.split},${e.setting},${e.metric},${e.k},${csvNumber(e.value)},${e.epoch ?? ''}`)];
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    const g = path.join(o.out, `${base}-epochs.csv`);
    const epochs = store.getEpochs(runId);
    const lossKeys = [...new Set(epochs.flatMap((e) => Object.keys(e.losses)))];
    const metricKeys = [...new Set(epochs.flatMap((e) => Object.keys(e.metrics ?? {})))];
    const rows = epochs.map((e) => [e.epoch, ...lossKeys.map((k) => csvNumber(e.losses[k])), ...metricKeys.map((k) => csvNumber(e.metrics?.[k] ?? NaN)), csvNumber(e.seconds ?? NaN)].join(','));
    fs.writeFileSync(g, `${['epoch', ...lossKeys.map((k) => `loss_${k}`), ...metricKeys.map((k) => `val_${k}`), 'seconds'].join(',')}\n${rows.join('\n')}\n`);
    written.push(f, g);
  }
  return written;
}
