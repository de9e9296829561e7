// Item metadata methods of the API: title search (FTS5 in the run store) and thumbnails, read
// from the dataset folder with the path confined to it (no absolute paths, no `..`, no symlink
// out of it, regular files only, size-capped, content checked against the extension).
import type { ItemRecord, RunStore } from '../store';
import { readItemImage } from '../engine/data/items';
import { ApiError, type ItemMeta, type ItemRow } from '../../shared/api';
import type { HandlerGroup } from './handlers';
import { datasetRecord } from './datasets';

/** The API's view of a stored row: absent fields left out. */
export function itemMeta(r: ItemRecord | undefined): ItemMeta {
  if (!r) return {};
  return { ...(r.title !== null ? { title: r.title } : {}), ...(r.category !== null ? { category: r.category } : {}), ...(r.image !== null ? { image: r.image } : {}) };
}

function itemRow(r: ItemRecord): ItemRow {
  return { item: r.item, ...itemMeta(r), ...(r.meta ? { meta: r.meta } : {}) };
}

/** Metadata of many items at once (one query), as a lookup. */
export function metaLookup(store: RunStore, datasetId: number | null, ids: readonly number[]): (item: number) => ItemMeta {
  if (datasetId === null || ids.length === 0) return () => ({});
  const m = store.getItems(datasetId, ids);
  return (item) => itemMeta(m.get(item));
}

/** Does the file's content start like its declared type? (An SVG named .png is refused.) */
export function sniffMatches(mime: string, b: Buffer): boolean {
  if (mime === 'image/png') return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (mime === 'image/jpeg') return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  if (mime === 'image/webp') return b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';
  if (mime === 'image/svg+xml') return /<svg[\s>]/i.test(b.subarray(0, 4096).toString('utf8'));
  return false;
}

export function itemHandlers(c: { store: RunStore }): HandlerGroup<'searchItems' | 'itemImage'> {
  return {
    searchItems: (i) => {
      const rec = datasetRecord(c.store, i.dataset);
      const q = i.query.trim();
      const asId = /^\d+$/.test(q) && Number(q) < rec.stats.items ? Number(q) : undefined;
      const rows = c.store.searchItems(rec.id, { query: q, item: asId, limit: i.limit, offset: i.offset });
      return { dataset: rec.name, total: c.store.countItems(rec.id), items: rows.map(itemRow) };
    },

    itemImage: (i) => {
      const rec = datasetRecord(c.store, i.dataset);
      const row = c.store.getItems(rec.id, [i.item]).get(i.item);
      if (!row?.image || !rec.itemsRoot) throw new ApiError('NOT_FOUND', `item ${i.item} of dataset "${rec.name}" has no image`);
      let img: { bytes: Buffer; mime: string };
      try {
        img = readItemImage(rec.itemsRoot, row.image);
      } catch (e) {
        throw new ApiError('NOT_FOUND', `item ${i.item}: ${(e as Error).message}`);
      }
      const { bytes, mime } = img;
      if (!sniffMatches(mime, bytes)) throw new ApiError('INVALID_INPUT', `item ${i.item}: ${row.image} does not hold ${mime} data`);
      return { item: i.item, path: row.image, mime, size: bytes.length, data: bytes.toString('base64') };
    },
  };
}
