// Item metadata in the renderer: title search (suggestions) and thumbnails as data: URLs, cached
// per dataset and item so that a graph, its list and the header share one fetch. Thumbnails are
// only ever shown through <img> or Cytoscape background images (never inlined as HTML/SVG).
import { defineStore } from 'pinia';
import { api } from '../api';
import type { ItemMeta, ItemRow } from '../../../shared/api';

/** Parallel thumbnail fetches at most. */
const CONCURRENCY = 6;

const key = (dataset: number, item: number) => `${dataset}:${item}`;

export const useItemsStore = defineStore('items', {
  state: () => ({
    /** `${dataset}:${item}` → data: URL, or '' when the image could not be read. */
    images: {} as Record<string, string>,
  }),
  actions: {
    imageOf(dataset: number | null, item: number): string | undefined {
      if (dataset === null) return undefined;
      return this.images[key(dataset, item)] || undefined;
    },
    /** Fetch the thumbnails not cached yet of the items that have an image path. */
    async loadImages(dataset: number | null, items: readonly ({ item: number } & ItemMeta)[]): Promise<void> {
      if (dataset === null) return;
      const todo = [...new Set(items.filter((i) => i.image && !(key(dataset, i.item) in this.images)).map((i) => i.item))];
      // Mark as pending ('') first: concurrent callers skip them instead of fetching twice.
      for (const item of todo) this.images[key(dataset, item)] = '';
      let next = 0;
      const worker = async () => {
        while (next < todo.length) {
          const item = todo[next++];
          try {
            const img = await api.itemImage({ dataset, item });
            this.images[key(dataset, item)] = `data:${img.mime};base64,${img.data}`;
          } catch {
            /* no thumbnail: the row shows its title alone */
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
    },
    /** Items whose title or category matches (or whose id is) the query; [] without metadata. */
    async search(dataset: number | null, query: string, limit = 8): Promise<ItemRow[]> {
      if (dataset === null || !query.trim()) return [];
      const r = await api.searchItems({ dataset, query, limit });
      void this.loadImages(dataset, r.items);
      return r.items;
    },
  },
});
