// Studies: the list, the new-study form (create + start in one step, the API's validation errors
// beside the fields they name), and the open study: its details kept live from `study-updated`
// events (and its running cells' progress events), cancel / resume, and its results table.
import { defineStore } from 'pinia';
import { api, errorText, isNetworkError, onApiEvent } from '../api';
import { onReconnect } from './connection';
import type { EvalProtocol, ModelOptions, StudyDetails, StudySummary, StudyTable } from '../../../shared/api';
import { fieldsOf, splitErrors, studyInput, type FormField, type StudyForm } from '../components/study/studyForm';

/** Metrics of the results table: the four measures at the three cut-offs every schedule evaluates by default. */
export const STUDY_METRICS = ['recall', 'ndcg', 'precision', 'hit'].flatMap((m) => [10, 20, 50].map((k) => `${m}@${k}`));

let listTimer: ReturnType<typeof setTimeout> | null = null;
let loadTimer: ReturnType<typeof setTimeout> | null = null;
/** Numbers of the latest getStudy and studyTable requests: an older answer arriving later is dropped. */
let loadSeq = 0;
let tableSeq = 0;

export const useStudiesStore = defineStore('studies', {
  state: () => ({
    list: [] as StudySummary[],
    loaded: false,
    error: '',
    options: null as ModelOptions | null,
    optionsError: '',
    form: { kind: 'ablation', dataset: '', name: '', preset: 'paper', seeds: 3, baseSeed: 123, epochs: '', model: 'micro', param: 'topK', values: '', models: [], parallel: 1 } as StudyForm,
    fieldErrors: {} as Partial<Record<FormField, string>>,
    formErrors: [] as string[],
    creating: false,
    /** A study created whose start failed (the form links to it). */
    createdId: null as number | null,
    // the open study
    openId: null as number | null,
    current: null as StudyDetails | null,
    currentError: '',
    /** When the open study's progress (and its ETA) was last heard. */
    progressAt: 0,
    /** Live fraction of each running cell's run. */
    live: {} as Record<number, number>,
    actionError: '',
    acting: false,
    parallel: 1,
    table: null as StudyTable | null,
    tableError: '',
    metric: 'recall@20',
    split: 'test' as 'val' | 'test',
    /** Ranking protocol (cold-start studies: all items, or the cold candidates only). */
    protocol: 'all' as EvalProtocol,
    /** Completed cells the table was computed from (a newly completed cell reloads it). */
    tableCompleted: -1,
    subscribed: false,
  }),
  getters: {
    /** 0..1 over the whole study: completed cells plus the running cells' own progress. */
    fraction(state): number {
      const d = state.current;
      if (!d || !d.progress.total) return 0;
      const running = d.cells.filter((c) => c.status === 'running' && c.runId !== null).reduce((s, c) => s + (state.live[c.runId!] ?? 0), 0);
      return Math.min(1, (d.progress.completed + running) / d.progress.total);
    },
    /** Cancelled or interrupted cells (the counts above them are the API's). */
    stopped(state): number {
      return state.current?.cells.filter((c) => c.status === 'cancelled' || c.status === 'interrupted').length ?? 0;
    },
  },
  actions: {
    subscribe() {
      if (this.subscribed) return;
      this.subscribed = true;
      onApiEvent((e) => {
        if (e.type === 'study-updated') {
          const s = this.list.find((x) => x.id === e.studyId);
          // Study events come from this service's own queue: running means running here.
          if (s) Object.assign(s, { status: e.status, completed: e.progress.completed, active: e.status === 'running' });
          this.refreshSoon();
          if (this.current?.study.id === e.studyId) {
            Object.assign(this.current.study, { status: e.status, active: e.status === 'running' });
            this.current.progress = e.progress;
            this.progressAt = Date.now();
            this.loadSoon(0);
          }
        }
        if (e.type === 'progress' && this.current?.cells.some((c) => c.runId === e.runId)) {
          if (e.progress.fraction !== undefined) this.live[e.runId] = e.progress.fraction;
          // An epoch's end moves the server's ETA (it projects the running cells from their progress).
          if (e.progress.phase === 'epoch') this.loadSoon(500);
        }
      });
      // Cells may have finished (or the study been interrupted with the server) while the stream was down.
      onReconnect(() => {
        this.refreshSoon();
        if (this.current) this.loadSoon(0);
      });
    },
    refreshSoon() {
      if (listTimer) clearTimeout(listTimer);
      listTimer = setTimeout(() => void this.refresh(), 200);
    },
    async refresh() {
      try {
        this.list = await api.listStudies();
        this.error = '';
      } catch (e) {
        if (!isNetworkError(e) || !this.loaded) this.error = errorText(e);
      } finally {
        this.loaded = true;
      }
    },
    async loadOptions() {
      if (this.options) return;
      try {
        this.options = await api.modelOptions();
        this.optionsError = '';
        if (!this.form.models.length) this.form.models = this.options.models.map((m) => m.model);
      } catch (e) {
        this.optionsError = errorText(e);
      }
    },
    /** Create the study and start its queue; returns its id (null when refused). */
    async createAndRun(): Promise<number | null> {
      this.creating = true;
      this.fieldErrors = {};
      this.formErrors = [];
      this.createdId = null;
      const shown = fieldsOf(this.form.kind);
      const refuse = (message: string) => {
        const { byField, other } = splitErrors(message, shown);
        this.fieldErrors = byField;
        this.formErrors = other;
      };
      try {
        let studyId: number;
        try {
          studyId = (await api.createStudy(studyInput(this.form))).study.id;
        } catch (e) {
          refuse(errorText(e));
          return null;
        }
        try {
          await api.startStudy({ studyId, parallel: this.form.parallel });
        } catch (e) {
          this.createdId = studyId;
          refuse(errorText(e));
          return null;
        }
        this.refreshSoon();
        return studyId;
      } finally {
        this.creating = false;
      }
    },
    /** Open a study: its details now, its table once it has a completed cell. */
    async open(studyId: number) {
      this.openId = studyId;
      if (this.current?.study.id !== studyId) {
        this.current = null;
        this.table = null;
        this.tableCompleted = -1;
        this.protocol = 'all';
        this.live = {};
        this.actionError = '';
      }
      await this.load(studyId);
    },
    loadSoon(ms: number) {
      if (loadTimer) clearTimeout(loadTimer);
      const id = this.openId;
      if (id !== null) loadTimer = setTimeout(() => void this.load(id), ms);
    },
    async load(studyId: number) {
      const seq = ++loadSeq;
      try {
        const d = await api.getStudy({ studyId });
        // A later load (or an open() of another study) wins.
        if (seq !== loadSeq || this.openId !== studyId) return;
        this.current = d;
        this.progressAt = Date.now();
        this.currentError = '';
        for (const c of d.cells) if (c.runId !== null && c.status !== 'running') delete this.live[c.runId];
        if (d.progress.completed !== this.tableCompleted) await this.loadTable();
      } catch (e) {
        if (seq === loadSeq && (!isNetworkError(e) || !this.current)) this.currentError = errorText(e);
      }
    },
    async loadTable() {
      const d = this.current;
      if (!d) return;
      const seq = ++tableSeq;
      const completed = d.progress.completed;
      try {
        const table = await api.studyTable({ studyId: d.study.id, metric: this.metric, split: this.split, protocol: d.study.setting === 'cold' ? this.protocol : 'all' });
        if (seq !== tableSeq) return;
        this.table = table;
        this.tableCompleted = completed;
        this.tableError = '';
      } catch (e) {
        if (seq === tableSeq && (!isNetworkError(e) || !this.table)) this.tableError = errorText(e);
      }
    },
    async act(fn: () => Promise<unknown>) {
      const id = this.current?.study.id;
      if (id === undefined) return;
      this.actionError = '';
      this.acting = true;
      try {
        await fn();
      } catch (e) {
        this.actionError = errorText(e);
      } finally {
        this.acting = false;
        await this.load(id);
      }
    },
    cancel() {
      return this.act(() => api.cancelStudy({ studyId: this.current!.study.id }));
    },
    /** Start a pending study, or resume a stopped one (completed cells are kept; stopped cells continue their runs). */
    resume() {
      return this.act(() => api.startStudy({ studyId: this.current!.study.id, parallel: this.parallel }));
    },
  },
});
