// Embedding map: the projection on screen and the one being computed. Only the newest request
// may replace the map (a slow UMAP answered after a switch to PCA must not overwrite it).
import { defineStore } from 'pinia';
import { api, errorText } from '../api';
import type { EmbeddingMap, MapMethod } from '../../../shared/api';

export interface MapRequest {
  runId: number;
  embedding: string;
  method: MapMethod;
  nNeighbors: number;
  minDist: number;
}

const same = (a: MapRequest | null, b: MapRequest) => !!a && a.runId === b.runId && a.embedding === b.embedding && a.method === b.method && (b.method === 'pca' || (a.nNeighbors === b.nNeighbors && a.minDist === b.minDist));

export const useMapStore = defineStore('map', {
  state: () => ({
    map: null as EmbeddingMap | null,
    shown: null as MapRequest | null,
    pending: null as MapRequest | null,
    /** Sequence number of the newest request (state objects are proxies: compare numbers, not objects). */
    seq: 0,
    loading: false,
    error: '',
    /** Wall time of the last answer in the renderer, ms (the cache makes a repeat fast). */
    answeredMs: 0,
  }),
  actions: {
    async load(req: MapRequest) {
      if (same(this.shown, req) && this.map && !this.error) return;
      if (same(this.pending, req)) return;
      const seq = ++this.seq;
      this.pending = req;
      this.loading = true;
      this.error = '';
      const t0 = performance.now();
      try {
        const m = await api.embeddingMap({ runId: req.runId, embedding: req.embedding, method: req.method, nNeighbors: req.nNeighbors, minDist: req.minDist });
        if (this.seq !== seq) return;
        this.map = m;
        this.shown = req;
        this.answeredMs = performance.now() - t0;
      } catch (e) {
        if (this.seq !== seq) return;
        this.error = errorText(e);
        this.map = null;
        this.shown = null;
      } finally {
        if (this.seq === seq) {
          this.pending = null;
          this.loading = false;
        }
      }
    },
    clear() {
      this.seq++;
      this.map = null;
      this.shown = null;
      this.pending = null;
      this.loading = false;
      this.error = '';
    },
  },
});
