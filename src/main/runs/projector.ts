// TensorBoard projector extras of an embedding export: the metadata TSV (id, kind, the items
// file's title, category and free columns, MICRO's α), a sprite image of the items' thumbnails
// and projector_config.pbtxt tying tensors, metadata and sprite together.
// Thumbnails (PNG, JPEG, WebP, SVG) are rasterised with sharp (libvips + librsvg, prebuilt
// binaries from npm); each is read through readItemImage, confined to the dataset folder.
import fs from 'node:fs';
import path from 'node:path';
import type { ItemRecord } from '../store';
import { readItemImage } from '../engine/data/items';

/** TensorBoard's sprite limit (8192 × 8192 px). */
export const SPRITE_MAX_PX = 8192;
/** Thumbnail size when the grid fits (it shrinks for more than 16,384 items). */
export const SPRITE_CELL_PX = 64;
/** Below this cell size a sprite shows nothing useful: none is written. */
const MIN_CELL_PX = 8;

/** One metadata cell: TSV has no escapes, so tabs and line breaks become spaces. */
export function tsvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/[\t\r\n]+/g, ' ');
}

export interface MetadataInput {
  rows: number;
  idOf: (r: number) => string;
  kind: 'item' | 'user';
  items: Map<number, ItemRecord>;
  /** MICRO's α (eq. 7), rows × columns.length. */
  alpha: { data: Float32Array; columns: string[] } | null;
}

/** Header + one line per row (TensorBoard needs the header when there is more than one column). */
export function projectorMetadata(m: MetadataInput): string {
  const hasMeta = m.items.size > 0;
  // Free columns of the items file, in first-seen order; "item" and known names excluded.
  const free: string[] = [];
  const known = new Set(['index', 'id', 'kind', 'title', 'category', 'image', 'dominant_modality']);
  for (const r of m.items.values()) for (const k of Object.keys(r.meta ?? {})) if (!known.has(k) && !free.includes(k)) free.push(k);
  const cols = m.alpha?.columns ?? [];
  const header = ['index', 'id', 'kind', ...(hasMeta ? ['title', 'category', ...free] : []), ...(m.alpha ? ['dominant_modality', ...cols.map((c) => `alpha_${c}`)] : [])];
  const lines = [header.map(tsvCell).join('\t')];
  for (let r = 0; r < m.rows; r++) {
    const row = [String(r), tsvCell(m.idOf(r)), m.kind];
    if (hasMeta) {
      const it = m.items.get(r);
      row.push(tsvCell(it?.title), tsvCell(it?.category), ...free.map((k) => tsvCell(it?.meta?.[k])));
    }
    if (m.alpha) {
      const c = cols.length;
      let best = 0;
      for (let q = 1; q < c; q++) if (m.alpha.data[r * c + q] > m.alpha.data[r * c + best]) best = q;
      row.push(cols[best], ...cols.map((_, q) => m.alpha!.data[r * c + q].toFixed(4)));
    }
    lines.push(row.join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

/** Cell size and grid width of a sprite for n thumbnails, or null when it cannot fit. */
export function spriteGrid(n: number): { cell: number; perRow: number } | null {
  const perRow = Math.max(1, Math.ceil(Math.sqrt(n)));
  const cell = Math.min(SPRITE_CELL_PX, Math.floor(SPRITE_MAX_PX / perRow));
  return cell >= MIN_CELL_PX ? { cell, perRow } : null;
}

/**
 * Write a sprite of `rows` cells (row-major grid, cell r = row r of the tensors, blank where an
 * item has no usable image). Returns the cell size, or null when no item has an image.
 */
export async function writeSprite(file: string, rows: number, itemsRoot: string, images: (string | null)[]): Promise<{ cell: number; drawn: number; skipped: number } | null> {
  if (!images.some(Boolean)) return null;
  const grid = spriteGrid(rows);
  if (!grid) return null;
  const { default: sharp } = await import('sharp');
  const { cell, perRow } = grid;
  const width = perRow * cell;
  const height = Math.ceil(rows / perRow) * cell;
  const canvas = Buffer.alloc(width * height * 3, 255); // white background
  let drawn = 0;
  let skipped = 0;
  // A few decodes in flight at once: sharp works on libuv's thread pool.
  const BATCH = 16;
  for (let start = 0; start < rows; start += BATCH) {
    const jobs: Promise<void>[] = [];
    for (let r = start; r < Math.min(rows, start + BATCH); r++) {
      const rel = images[r];
      if (!rel) continue;
      jobs.push(
        (async () => {
          try {
            const { bytes } = readItemImage(itemsRoot, rel);
            const px = await sharp(bytes, { density: 144 })
              .resize(cell, cell, { fit: 'contain', background: { r: 255, g: 255, b: 255, alpha: 1 } })
              .flatten({ background: { r: 255, g: 255, b: 255 } })
              .removeAlpha()
              .raw()
              .toBuffer();
            const x0 = (r % perRow) * cell;
            const y0 = Math.floor(r / perRow) * cell;
            for (let y = 0; y < cell; y++) px.copy(canvas, ((y0 + y) * width + x0) * 3, y * cell * 3, (y + 1) * cell * 3);
            drawn++;
          } catch {
            skipped++; // unreadable or undecodable: the cell stays blank
          }
        })(),
      );
    }
    await Promise.all(jobs);
  }
  if (!drawn) return null;
  await sharp(canvas, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toFile(file);
  return { cell, drawn, skipped };
}

/** projector_config.pbtxt (TensorBoard's projector plugin reads it from the log folder). */
export function projectorConfig(o: { tensorName: string; tensorPath: string; shape: [number, number]; metadataPath: string; sprite?: { path: string; cell: number } }): string {
  const q = (s: string) => JSON.stringify(s); // protobuf text strings: double-quoted, backslash escapes
  const lines = [
    'embeddings {',
    `  tensor_name: ${q(o.tensorName)}`,
    `  tensor_path: ${q(o.tensorPath)}`,
    `  tensor_shape: ${o.shape[0]}`,
    `  tensor_shape: ${o.shape[1]}`,
    `  metadata_path: ${q(o.metadataPath)}`,
  ];
  if (o.sprite) lines.push('  sprite {', `    image_path: ${q(o.sprite.path)}`, `    single_image_dim: ${o.sprite.cell}`, `    single_image_dim: ${o.sprite.cell}`, '  }');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Write the pbtxt beside the other files; returns its path. */
export function writeProjectorConfig(dir: string, text: string): string {
  const f = path.join(dir, 'projector_config.pbtxt');
  fs.writeFileSync(f, text);
  return f;
}
