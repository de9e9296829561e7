// Datasets: the registry, import / split, and the selected dataset's details with its stored
// pilot study. One datasetInfo request per selection: concurrent asks for the same dataset share it.
import { defineStore } from 'pinia';
import { api, errorText, isNetworkError, onApiEvent } from '../api';
import { onReconnect } from './connection';
import type { ApiInput, DatasetInfo, DatasetSummary, TaskInfo } from '../../../shared/api';

/** The datasetInfo request in flight (not state: a promise is no view's business). */
let pendingInfo: { id: number; token: object; done: Promise<void> } | null = null;

export const useDatasetsStore = defineStore('datasets', {
  state: () => ({
    list: [] as DatasetSummary[],
    loaded: false,
    loading: false,
    error: '' as string,
    selectedId: null as number | null,
    info: null as DatasetInfo | null,
    /** The dataset whose details are being loaded. */
    loadingInfo: null as number | null,
    /** The dataset whose pilot study is being computed. */
    diagnosing: null as number | null,
    diagnoseError: '',
    busy: false,
    actionError: '',
    /** Which form the last action (and its error) belongs to: shown beside that form. */
    actionAt: 'import' as 'import' | 'split' | 'registry',
    /** Success message of the last import and split, each shown beside its own form. */
    messages: { import: '', split: '' },
    subscribed: false,
    /** Dataset tasks running in the main process's workers (import, split, pilot studies). */
    tasks: [] as TaskInfo[],
  }),
  getters: {
    selected(state): DatasetSummary | null {
      return state.list.find((d) => d.id === state.selectedId) ?? null;
    },
  },
  actions: {
    subscribe() {
      if (this.subscribed) return;
      this.subscribed = true;
      onApiEvent((e) => {
        if (e.type === 'datasets-changed' || e.type === 'runs-changed') void this.refresh();
        if (e.type === 'tasks-changed') void this.refreshTasks();
      });
      // Imports, removals and studies may have happened while the server was out of reach.
      onReconnect(() => {
        void this.refresh().then(() => (this.selectedId !== null ? this.select(this.selectedId, true) : undefined));
        void this.refreshTasks();
      });
    },
    async refresh() {
      this.loading = true;
      try {
        this.list = await api.listDatasets();
        this.error = '';
        if (this.selectedId === null && this.list.length) this.selectedId = this.list[0].id;
        if (this.selectedId !== null && !this.list.some((d) => d.id === this.selectedId)) this.selectedId = this.list[0]?.id ?? null;
        if (this.info && this.info.id !== this.selectedId) this.info = null;
      } catch (e) {
        // Out of reach: keep the last list (the connection banner explains).
        if (!isNetworkError(e) || !this.loaded) this.error = errorText(e);
      } finally {
        this.loading = false;
        this.loaded = true;
      }
    },
    async refreshTasks() {
      try {
        this.tasks = (await api.listTasks()).filter((t) => t.op !== 'index');
      } catch {
        this.tasks = [];
      }
    },
    /** Stop the dataset work in flight; the pending call then answers "cancelled". */
    async cancelTasks() {
      await this.refreshTasks();
      await Promise.all(this.tasks.map((t) => api.cancelTask({ taskId: t.id }).catch(() => undefined)));
    },
    /**
     * Select a dataset and load its details, unless they are loaded (same data) or on their way;
     * `force` reloads loaded ones (a view opening, a reconnect).
     */
    async select(id: number, force = false): Promise<void> {
      if (this.selectedId !== id) {
        this.selectedId = id;
        this.info = null;
        this.diagnoseError = '';
      }
      if (pendingInfo?.id === id) return pendingInfo.done;
      const current = this.info?.id === id && this.info.fingerprint === (this.selected?.fingerprint ?? this.info.fingerprint);
      if (current && !force) return;
      const token = {};
      const done = (async () => {
        this.loadingInfo = id;
        try {
          const info = await api.datasetInfo({ dataset: id });
          if (this.selectedId === id) this.info = info;
        } catch (e) {
          if (isNetworkError(e)) return; // loaded again on reconnect
          this.actionAt = 'registry';
          this.actionError = errorText(e);
        } finally {
          if (pendingInfo?.token === token) [pendingInfo, this.loadingInfo] = [null, null];
        }
      })();
      pendingInfo = { id, token, done };
      return done;
    },
    /** Import or split: one at a time (busy), then the registry is reloaded; its message shows beside its own form. */
    async busyCall(where: 'import' | 'split', fn: () => Promise<DatasetInfo>, message: (r: DatasetInfo) => string, then?: (r: DatasetInfo) => Promise<void>): Promise<DatasetInfo | null> {
      this.busy = true;
      this.actionError = '';
      this.messages = { import: '', split: '' };
      this.actionAt = where;
      try {
        const r = await fn();
        await this.refresh();
        await then?.(r);
        this.messages[where] = message(r);
        return r;
      } catch (e) {
        this.actionError = errorText(e);
        return null;
      } finally {
        this.busy = false;
      }
    },
    importDataset(input: ApiInput<'importDataset'>) {
      const message = (rec: DatasetInfo) => `Imported "${rec.name}": ${rec.stats.users} users, ${rec.stats.items} items${rec.warnings.length ? ` (${rec.warnings.length} warning(s))` : ''}.`;
      return this.busyCall('import', () => api.importDataset(input), message, (rec) => this.select(rec.id));
    },
    split(input: ApiInput<'splitDataset'>) {
      return this.busyCall('split', () => api.splitDataset(input), (rec) => `Built "${rec.name}" (${rec.setting}) in ${rec.sourcePaths[0]}.`);
    },
    async remove(id: number) {
      this.actionError = '';
      try {
        await api.deleteDataset({ dataset: id });
        await this.refresh();
      } catch (e) {
        this.actionAt = 'registry';
        this.actionError = errorText(e);
      }
    },
    /** Run the pilot studies; the server stores the result with the dataset (info.pilot). */
    async diagnose(id: number) {
      this.diagnosing = id;
      this.diagnoseError = '';
      try {
        const { dataset: _name, ...pilot } = await api.diagnoseDataset({ dataset: id });
        if (this.info?.id === id) this.info = { ...this.info, pilot };
      } catch (e) {
        if (this.selectedId === id) this.diagnoseError = errorText(e);
      } finally {
        this.diagnosing = null;
      }
    },
  },
});
