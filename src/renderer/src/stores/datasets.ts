// Datasets: the registry, import / split, and pilot-study diagnostics per dataset.
import { defineStore } from 'pinia';
import { api, errorText, onApiEvent } from '../api';
import type { ApiInput, DatasetInfo, DatasetSummary, DiagnoseResult, TaskInfo } from '../../../shared/api';

export const useDatasetsStore = defineStore('datasets', {
  state: () => ({
    list: [] as DatasetSummary[],
    loaded: false,
    loading: false,
    error: '' as string,
    selectedId: null as number | null,
    info: null as DatasetInfo | null,
    diagnosis: {} as Record<number, DiagnoseResult>,
    diagnosing: false,
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
    },
    async refresh() {
      this.loading = true;
      try {
        this.list = await api.listDatasets();
        this.error = '';
        if (this.selectedId === null && this.list.length) this.selectedId = this.list[0].id;
        if (this.selectedId !== null && !this.list.some((d) => d.id === this.selectedId)) this.selectedId = this.list[0]?.id ?? null;
      } catch (e) {
        this.error = errorText(e);
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
    async select(id: number) {
      this.selectedId = id;
      this.info = null;
      this.diagnoseError = '';
      try {
        this.info = await api.datasetInfo({ dataset: id });
      } catch (e) {
        this.actionAt = 'registry';
        this.actionError = errorText(e);
      }
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
    async diagnose(id: number) {
      this.diagnosing = true;
      this.diagnoseError = '';
      try {
        this.diagnosis[id] = await api.diagnoseDataset({ dataset: id });
      } catch (e) {
        this.diagnoseError = errorText(e);
      } finally {
        this.diagnosing = false;
      }
    },
  },
});
