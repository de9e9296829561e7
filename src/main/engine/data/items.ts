// Optional item metadata beside a dataset: items.csv, items.tsv or items.jsonl (or the file a
// manifest names with "items"). Column `item` is the dataset's item id (raw lists: the original
// id, mapped through the same id map); `title`, `category`, `image` are known columns; any other
// column is kept as free metadata. A malformed file (bad header, wrong field count, bad JSON
// line) is an error naming the file and line; unknown ids, duplicate rows and unusable images are
// warnings (file + line), and the row (or its image) is left out.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../types';
import { checkInputFile, clip, quoted, readTextFile } from './inputs';
import { LineCursor } from './tabular';
import { parseJsonText } from './validate';

export const ITEM_FILES = ['items.csv', 'items.tsv', 'items.jsonl'] as const;
/** Metadata files are text held in memory at once; far above any real catalogue. */
export const MAX_ITEMS_BYTES = 256 * 1024 * 1024;
/** Thumbnails are served whole through the API: refuse anything bigger. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Detailed warnings per kind; the rest are counted in one line. */
const MAX_WARNINGS_PER_KIND = 20;

export const IMAGE_MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

export type MetaValue = string | number | boolean | null;

export interface ItemMetaRow {
  /** Dense item id of the dataset. */
  item: number;
  title: string | null;
  category: string | null;
  /** Path relative to the dataset folder, '/'-separated. */
  image: string | null;
  /** Free metadata columns; null when there are none. */
  meta: Record<string, MetaValue> | null;
}

export interface ItemMetadata {
  file: string;
  /** Folder image paths are relative to. */
  root: string;
  rows: ItemMetaRow[];
  warnings: string[];
}

export interface ItemMetaTarget {
  nItems: number;
  /** Original ids (raw lists and their splits): the `item` column names these. */
  itemIds?: readonly string[];
}

const KNOWN = new Set(['item', 'title', 'category', 'image']);
const ITEM_ALIASES = new Set(['item', 'item_id', 'itemid']);

/** The metadata file of a dataset folder: the manifest's `items`, else items.csv/tsv/jsonl. */
export function findItemsFile(root: string, manifestItems?: string): string | null {
  if (manifestItems) {
    const f = path.resolve(root, manifestItems);
    checkInputFile(f, 'item metadata file', MAX_ITEMS_BYTES);
    return f;
  }
  const found = ITEM_FILES.map((n) => path.join(root, n)).filter((f) => fs.existsSync(f));
  if (found.length > 1) throw new DataError(root, `several item metadata files (${found.map((f) => path.basename(f)).join(', ')}); keep one or name it with the manifest 'items'`);
  return found[0] ?? null;
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * Resolve an item's image path inside `root`: relative, no `..`, a PNG/JPEG/WebP/SVG regular
 * file whose real path (symlinks followed) stays inside the real root, at most MAX_IMAGE_BYTES.
 * Returns the real path, or throws a DataError saying why not.
 */
export function resolveItemImage(root: string, rel: string): { file: string; mime: string; size: number } {
  const shown = quoted(rel, 80);
  if (rel.includes('\0')) throw new DataError(root, `image path ${shown} contains a NUL character`);
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-z][a-z0-9+.-]*:/i.test(rel)) throw new DataError(root, `image path ${shown} must be relative to the dataset folder`);
  if (rel.split(/[\\/]/).includes('..')) throw new DataError(root, `image path ${shown} must not contain '..'`);
  const mime = IMAGE_MIME[path.extname(rel).toLowerCase()];
  if (!mime) throw new DataError(root, `image ${shown}: expected a .png, .jpg, .jpeg, .webp or .svg file`);
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    throw new DataError(root, 'dataset folder not found');
  }
  try {
    real = fs.realpathSync(path.join(realRoot, rel));
  } catch {
    throw new DataError(path.join(root, rel), 'image file not found');
  }
  if (!within(real, realRoot)) throw new DataError(path.join(root, rel), 'image resolves outside the dataset folder (symlink); refused');
  const size = checkInputFile(real, 'image file', MAX_IMAGE_BYTES);
  return { file: real, mime, size };
}

/**
 * Read an item's image (see resolveItemImage). The resolved file is opened without following a
 * symlink and without blocking, and checked again on the open descriptor, so a file swapped in
 * between the check and the read is refused too.
 */
export function readItemImage(root: string, rel: string): { bytes: Buffer; mime: string } {
  const { file, mime } = resolveItemImage(root, rel);
  const c = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, c.O_RDONLY | (c.O_NOFOLLOW ?? 0) | (c.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new DataError(file, `cannot read image file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new DataError(file, 'image is not a regular file');
    if (st.size > MAX_IMAGE_BYTES) throw new DataError(file, `image is over the ${MAX_IMAGE_BYTES / (1024 * 1024)} MB limit`);
    const bytes = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, bytes, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return { bytes: bytes.subarray(0, off), mime };
  } finally {
    fs.closeSync(fd);
  }
}

/** Minimal RFC 4180 line split: quoted fields with "" escapes; a quote may not span lines. */
export function splitCsvLine(text: string, file: string, line: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= n) throw new DataError(file, 'unterminated quoted field (a quoted value may not span lines)', `line ${line}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (i < n && text[i] !== ',') throw new DataError(file, `unexpected ${quoted(text[i])} after a quoted field`, `line ${line}, column ${i + 1}`);
      out.push(v);
    } else {
      const end = text.indexOf(',', i);
      const v = text.slice(i, end < 0 ? n : end);
      if (v.includes('"')) throw new DataError(file, `stray quote in unquoted field ${quoted(v.trim())}`, `line ${line}`);
      out.push(v.trim());
      i = end < 0 ? n : end;
    }
    if (i >= n) return out;
    i++; // the comma
    if (i >= n) {
      out.push('');
      return out;
    }
  }
}

interface RawRow {
  line: number;
  item: string;
  title: string | null;
  category: string | null;
  image: string | null;
  meta: Record<string, MetaValue> | null;
}

function checkHeader(cols: string[], file: string, line: number): { itemCol: number } {
  const seen = new Map<string, number>();
  cols.forEach((c, k) => {
    if (c === '') throw new DataError(file, `header column ${k + 1} has no name`, `line ${line}`);
    const key = c.toLowerCase();
    if (seen.has(key)) throw new DataError(file, `duplicate column ${quoted(c)} in the header (columns ${seen.get(key)! + 1} and ${k + 1})`, `line ${line}`);
    seen.set(key, k);
  });
  const itemCol = cols.findIndex((c) => ITEM_ALIASES.has(c.toLowerCase()));
  if (itemCol < 0) throw new DataError(file, `header has no 'item' column (found: ${cols.map((c) => clip(c, 20)).join(', ')})`, `line ${line}`);
  return { itemCol };
}

function parseDelimited(text: string, file: string, tsv: boolean): RawRow[] {
  const cursor = new LineCursor(text);
  const head = cursor.next();
  if (!head) throw new DataError(file, "file is empty (expected a header line with an 'item' column)");
  const split = (t: string, line: number) => (tsv ? t.split('\t').map((f) => f.trim()) : splitCsvLine(t, file, line));
  const cols = split(head.text, head.line);
  const { itemCol } = checkHeader(cols, file, head.line);
  const idx = (name: string) => cols.findIndex((c) => c.toLowerCase() === name);
  const [ti, ci, ii] = [idx('title'), idx('category'), idx('image')];
  const extra = cols.map((c, k) => ({ c, k })).filter(({ c, k }) => k !== itemCol && !KNOWN.has(c.toLowerCase()));
  const rows: RawRow[] = [];
  for (let l = cursor.next(); l; l = cursor.next()) {
    const f = split(l.text, l.line);
    if (f.length !== cols.length) throw new DataError(file, `expected ${cols.length} ${tsv ? 'tab' : 'comma'}-separated fields (as the header), found ${f.length}`, `line ${l.line}`);
    if (f[itemCol] === '') throw new DataError(file, "missing value for 'item'", `line ${l.line}`);
    const opt = (k: number) => (k >= 0 && f[k] !== '' ? f[k] : null);
    const meta: Record<string, MetaValue> = {};
    for (const { c, k } of extra) if (f[k] !== '') meta[c] = f[k];
    rows.push({ line: l.line, item: f[itemCol], title: opt(ti), category: opt(ci), image: opt(ii), meta: extra.length && Object.keys(meta).length ? meta : null });
  }
  return rows;
}

function parseJsonl(text: string, file: string): RawRow[] {
  const cursor = new LineCursor(text);
  const rows: RawRow[] = [];
  for (let l = cursor.next(); l; l = cursor.next()) {
    let v: unknown;
    try {
      v = parseJsonText(l.text, file);
    } catch (e) {
      const where = (e as DataError).where?.replace(/^line \d+, /, '') ?? '';
      throw new DataError(file, (e as DataError).problem ?? (e as Error).message, `line ${l.line}${where ? `, ${where}` : ''}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DataError(file, `expected a JSON object per line, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`, `line ${l.line}`);
    const o = v as Record<string, unknown>;
    const key = Object.keys(o).find((k) => ITEM_ALIASES.has(k.toLowerCase()));
    const id = key === undefined ? undefined : o[key];
    if (id === undefined || id === null || id === '') throw new DataError(file, "missing field 'item'", `line ${l.line}`);
    if (typeof id !== 'string' && typeof id !== 'number') throw new DataError(file, `field 'item' must be a string or a number, got ${typeof id}`, `line ${l.line}`);
    const str = (name: string): string | null => {
      const x = o[name];
      if (x === undefined || x === null || x === '') return null;
      if (typeof x === 'string') return x;
      if (typeof x === 'number' || typeof x === 'boolean') return String(x);
      throw new DataError(file, `field '${name}' must be a string, got ${Array.isArray(x) ? 'an array' : typeof x}`, `line ${l.line}`);
    };
    const meta: Record<string, MetaValue> = {};
    for (const [k, x] of Object.entries(o)) {
      if (k === key || KNOWN.has(k)) continue;
      meta[k] = x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? x : JSON.stringify(x);
    }
    rows.push({ line: l.line, item: String(id), title: str('title'), category: str('category'), image: str('image'), meta: Object.keys(meta).length ? meta : null });
  }
  return rows;
}

/** Warnings of one kind: the first few in full, the rest counted. */
class WarningList {
  private readonly kinds = new Map<string, { shown: string[]; more: number }>();
  add(kind: string, text: string): void {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { shown: [], more: 0 }));
    if (k.shown.length < MAX_WARNINGS_PER_KIND) k.shown.push(text);
    else k.more++;
  }
  list(file: string): string[] {
    const out: string[] = [];
    for (const [kind, k] of this.kinds) {
      out.push(...k.shown);
      if (k.more) out.push(`${file}: … and ${k.more} more ${kind}`);
    }
    return out;
  }
}

/** Parse one metadata file and map its rows onto the dataset's items. */
export function parseItemMetadata(file: string, root: string, target: ItemMetaTarget): ItemMetadata {
  const text = readTextFile(file, 'item metadata file', MAX_ITEMS_BYTES);
  const lower = file.toLowerCase();
  const raw = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? parseJsonl(text, file) : parseDelimited(text, file, lower.endsWith('.tsv'));
  const byId = target.itemIds ? new Map(target.itemIds.map((id, k) => [id, k])) : null;
  const firstLine = new Map<number, number>();
  const w = new WarningList();
  const rows: ItemMetaRow[] = [];
  for (const r of raw) {
    const at = `${file} (line ${r.line})`;
    let item: number | undefined;
    if (byId) item = byId.get(r.item);
    else if (/^\d+$/.test(r.item) && Number(r.item) < target.nItems) item = Number(r.item);
    if (item === undefined) {
      w.add('unknown item ids', `${at}: unknown item id ${quoted(r.item)} (${byId ? 'not in the dataset' : `expected 0 to ${target.nItems - 1}`}); row ignored`);
      continue;
    }
    const prev = firstLine.get(item);
    if (prev !== undefined) {
      w.add('duplicate rows', `${at}: duplicate row for item ${quoted(r.item)} (first on line ${prev}); row ignored`);
      continue;
    }
    firstLine.set(item, r.line);
    let image: string | null = null;
    if (r.image !== null) {
      try {
        resolveItemImage(root, r.image);
        image = r.image.split(path.sep).join('/');
      } catch (e) {
        w.add('unusable images', `${at}: ${(e as DataError).problem ?? (e as Error).message} (${quoted(r.image, 80)}); image left out`);
      }
    }
    rows.push({ item, title: r.title, category: r.category, image, meta: r.meta });
  }
  rows.sort((a, b) => a.item - b.item);
  return { file, root, rows, warnings: w.list(file) };
}

/** The metadata of a dataset folder (null when it has none). */
export function loadItemMetadata(root: string, target: ItemMetaTarget, manifestItems?: string): ItemMetadata | null {
  const file = findItemsFile(root, manifestItems);
  return file ? parseItemMetadata(file, root, target) : null;
}
