// Runs: the table (searched by the store: name, notes, tags; sorted client-side), selection for
// comparison, rename / tags / notes / delete / resume / cancel.
import { defineStore } from 'pinia';
import { api, errorText, isNetworkError, onApiEvent } from '../api';
import { onReconnect } from './connection';
import type { CompareResult, CompareTable, RunSummary } from '../../../shared/api';

export type SortKey = 'id' | 'name' | 'model' | 'dataset' | 'status' | 'bestEpoch' | 'wallSeconds' | 'createdAt' | `metric:${string}`;

function sortValue(r: RunSummary, key: SortKey): string | number {
  if (key.startsWith('metric:')) return r.metrics[key.slice(7)] ?? -Infinity;
  switch (key) {
    case 'dataset':
      return r.datasetName ?? '';
    case 'bestEpoch':
      return r.bestEpoch ?? -1;
    case 'wallSeconds':
      return r.wallSeconds ?? -1;
    default:
      return (r[key as keyof RunSummary] as string | number | null) ?? '';
  }
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;

export const useRunsStore = defineStore('runs', {
  state: () => ({
    list: [] as RunSummary[],
    loaded: false,
    loading: false,
    error: '',
    actionError: '',
    sortKey: 'id' as SortKey,
    sortDesc: true,
    selected: [] as number[],
    /** Search text (name, notes, tags), applied by the store's query. */
    search: '',
    compare: null as CompareResult | null,
    compareTable: null as CompareTable | null,
    comparing: false,
    compareError: '',
    subscribed: false,
  }),
  getters: {
    sorted(state): RunSummary[] {
      const dir = state.sortDesc ? -1 : 1;
      return [...state.list].sort((a, b) => {
        const x = sortValue(a, state.sortKey);
        const y = sortValue(b, state.sortKey);
        return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id - b.id) * dir;
      });
    },
  },
  actions: {
    subscribe() {
      if (this.subscribed) return;
      this.subscribed = true;
      onApiEvent((e) => {
        if (e.type === 'runs-changed' || e.type === 'run-updated') this.refreshSoon();
      });
      // Runs ended (or were interrupted with the server) while the event stream was down.
      onReconnect(() => this.refreshSoon());
    },
    refreshSoon() {
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void this.refresh(), 150);
    },
    async refresh() {
      this.loading = true;
      try {
        this.list = await api.listRuns(this.search.trim() ? { search: this.search.trim() } : undefined);
        this.error = '';
        // A search hides runs without deselecting them.
        if (!this.search.trim()) this.selected = this.selected.filter((id) => this.list.some((r) => r.id === id));
      } catch (e) {
        // Out of reach: keep the last table (the connection banner explains).
        if (!isNetworkError(e) || !this.loaded) this.error = errorText(e);
      } finally {
        this.loading = false;
        this.loaded = true;
      }
    },
    sortBy(key: SortKey) {
      if (this.sortKey === key) this.sortDesc = !this.sortDesc;
      else {
        this.sortKey = key;
        this.sortDesc = key !== 'name' && key !== 'model' && key !== 'dataset' && key !== 'status';
      }
    },
    toggle(id: number) {
      this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id];
    },
    async runCompare() {
      if (!this.selected.length) return;
      this.comparing = true;
      this.compareError = '';
      try {
        const runIds = [...this.selected].sort((a, b) => a - b);
        [this.compare, this.compareTable] = await Promise.all([api.compareRuns({ runIds }), api.compareTable({ runIds })]);
      } catch (e) {
        this.compareError = errorText(e);
      } finally {
        this.comparing = false;
      }
    },
    async act(fn: () => Promise<unknown>) {
      this.actionError = '';
      try {
        await fn();
        await this.refresh();
        return true;
      } catch (e) {
        this.actionError = errorText(e);
        return false;
      }
    },
    rename(runId: number, name: string) {
      return this.act(() => api.renameRun({ runId, name }));
    },
    remove(runId: number) {
      return this.act(async () => {
        await api.deleteRun({ runId });
        if (this.compare?.runs.some((r) => r.id === runId)) [this.compare, this.compareTable] = [null, null];
      });
    },
    setTags(runId: number, tags: string[]) {
      return this.act(() => api.setRunTags({ runId, tags }));
    },
    setNotes(runId: number, notes: string) {
      return this.act(() => api.setRunNotes({ runId, notes }));
    },
    resume(runId: number) {
      return this.act(() => api.resumeRun({ runId }));
    },
    cancel(runId: number) {
      return this.act(() => api.cancelRun({ runId }));
    },
  },
});
