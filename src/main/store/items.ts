// Item metadata of a dataset (title, category, image path, free columns) and its FTS5 title
// search. A re-import replaces a dataset's rows (and its stored warnings) in one transaction.
import type { StoreContext } from './context';
import { checkInt } from './context';
import type { ItemRecord } from './types';

interface ItemRow {
  item: number;
  title: string | null;
  category: string | null;
  image: string | null;
  meta: string | null;
}

const mapItem = (r: ItemRow): ItemRecord => ({
  item: r.item,
  title: r.title,
  category: r.category,
  image: r.image,
  meta: r.meta ? (JSON.parse(r.meta) as ItemRecord['meta']) : null,
});

export interface ReplaceItemsInput {
  rows: readonly ItemRecord[];
  /** Folder that image paths are relative to (null when there is no metadata). */
  root: string | null;
  /** The import's warnings (loader + metadata), shown by `datasets info`. */
  warnings: readonly string[];
}

/** Replace a dataset's item rows, its items root and its warnings, all or nothing. */
export function replaceItems(ctx: StoreContext, datasetId: number, input: ReplaceItemsInput): number {
  ctx.writable();
  checkInt('datasetId', datasetId, 1);
  return ctx.tx(() => {
    if (!ctx.stmt('SELECT 1 FROM datasets WHERE id = ?').get(datasetId)) throw ctx.notFound('dataset', datasetId);
    ctx.stmt('DELETE FROM dataset_items WHERE dataset_id = ?').run(datasetId);
    const ins = ctx.stmt('INSERT INTO dataset_items (dataset_id, item, title, category, image, meta) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of input.rows) {
      checkInt('item', r.item, 0);
      ins.run(datasetId, r.item, r.title, r.category, r.image, r.meta ? JSON.stringify(r.meta) : null);
    }
    ctx.stmt('UPDATE datasets SET warnings = ?, items_root = ? WHERE id = ?').run(JSON.stringify(input.warnings), input.root, datasetId);
    return input.rows.length;
  });
}

/** Copy another dataset's item rows and items root (a split has the same dense item ids). */
export function copyItems(ctx: StoreContext, fromId: number, toId: number): number {
  ctx.writable();
  return ctx.tx(() => {
    ctx.stmt('DELETE FROM dataset_items WHERE dataset_id = ?').run(toId);
    const n = ctx
      .stmt('INSERT INTO dataset_items (dataset_id, item, title, category, image, meta) SELECT ?, item, title, category, image, meta FROM dataset_items WHERE dataset_id = ? ORDER BY item')
      .run(toId, fromId).changes;
    ctx.stmt('UPDATE datasets SET items_root = (SELECT items_root FROM datasets WHERE id = ?) WHERE id = ?').run(fromId, toId);
    return n;
  });
}

/**
 * An FTS5 query from free text: each word (letters/digits) a quoted prefix term, all required.
 * Quoting keeps FTS syntax (AND, NEAR, *, :, ") in user input from being interpreted.
 */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.slice(0, 16).map((w) => `"${w}"*`).join(' ') : null;
}

export interface ItemSearch {
  /** Free text matched against titles and categories (prefix per word); empty: all items by id. */
  query?: string;
  /** Also match this dense item id exactly (a search for "42" finds item 42 first). */
  item?: number;
  limit?: number;
  offset?: number;
}

export function searchItems(ctx: StoreContext, datasetId: number, s: ItemSearch = {}): ItemRecord[] {
  const limit = Math.max(1, Math.min(s.limit ?? 50, 10_000));
  const offset = Math.max(0, s.offset ?? 0);
  const cols = 'i.item, i.title, i.category, i.image, i.meta';
  const q = s.query ? ftsQuery(s.query) : null;
  const exact = s.item !== undefined ? (ctx.stmt(`SELECT ${cols} FROM dataset_items i WHERE i.dataset_id = ? AND i.item = ?`).get(datasetId, s.item) as ItemRow | undefined) : undefined;
  let rows: ItemRow[];
  if (q) {
    rows = ctx
      .stmt(
        `SELECT ${cols} FROM dataset_items_fts f JOIN dataset_items i ON i.id = f.rowid
         WHERE dataset_items_fts MATCH ? AND i.dataset_id = ? ORDER BY f.rank, i.item LIMIT ? OFFSET ?`,
      )
      .all(q, datasetId, limit, offset) as ItemRow[];
  } else if (s.query?.trim()) {
    rows = []; // punctuation only: no word to match
  } else {
    rows = ctx.stmt(`SELECT ${cols} FROM dataset_items i WHERE i.dataset_id = ? ORDER BY i.item LIMIT ? OFFSET ?`).all(datasetId, limit, offset) as ItemRow[];
  }
  if (exact && offset === 0) rows = [exact, ...rows.filter((r) => r.item !== exact.item)].slice(0, limit);
  return rows.map(mapItem);
}

/** Metadata of the given items (those that have any), keyed by item id. */
export function getItems(ctx: StoreContext, datasetId: number, items: readonly number[]): Map<number, ItemRecord> {
  const out = new Map<number, ItemRecord>();
  const ids = [...new Set(items)].filter((i) => Number.isInteger(i) && i >= 0);
  const st = ctx.stmt('SELECT item, title, category, image, meta FROM dataset_items WHERE dataset_id = ? AND item IN (SELECT value FROM json_each(?))');
  for (let k = 0; k < ids.length; k += 5000) {
    for (const r of st.all(datasetId, JSON.stringify(ids.slice(k, k + 5000))) as ItemRow[]) out.set(r.item, mapItem(r));
  }
  return out;
}

export function countItems(ctx: StoreContext, datasetId: number): number {
  return (ctx.stmt('SELECT count(*) AS n FROM dataset_items WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
}

export function itemCategories(ctx: StoreContext, datasetId: number, limit: number): { category: string; count: number }[] {
  return ctx
    .stmt('SELECT category, count(*) AS count FROM dataset_items WHERE dataset_id = ? AND category IS NOT NULL GROUP BY category ORDER BY count DESC, category LIMIT ?')
    .all(datasetId, Math.max(1, Math.min(limit, 10_000))) as { category: string; count: number }[];
}
