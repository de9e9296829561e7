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
    lastMessage: '',
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
        this.actionError = errorText(e);
      }
    },
    async importDataset(input: ApiInput<'importDataset'>) {
      this.busy = true;
      this.actionError = '';
      this.lastMessage = '';
      try {
        const rec = await api.importDataset(input);
        await this.refresh();
        await this.select(rec.id);
        this.lastMessage = `Imported "${rec.name}": ${rec.stats.users} users, ${rec.stats.items} items${rec.warnings.length ? ` (${rec.warnings.length} warning(s))` : ''}.`;
        return rec;
      } catch (e) {
        this.actionError = errorText(e);
        return null;
      } finally {
        this.busy = false;
      }
    },
    async split(input: ApiInput<'splitDataset'>) {
      this.busy = true;
      this.actionError = '';
      this.lastMessage = '';
      try {
        const rec = await api.splitDataset(input);
        await this.refresh();
        this.lastMessage = `Built "${rec.name}" (${rec.setting}) in ${rec.sourcePaths[0]}.`;
        return rec;
      } catch (e) {
        this.actionError = errorText(e);
        return null;
      } finally {
        this.busy = false;
      }
    },
    async remove(id: number) {
      this.actionError = '';
      try {
        await api.deleteDataset({ dataset: id });
        await this.refresh();
      } catch (e) {
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
