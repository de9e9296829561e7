// Training: model options (from the engine's schemas), the form's overrides, live progress and
// curves of the watched run, fed by progress events; once the run ends, its final state from the
// store (live progress of an ended run would freeze at its last event).
import { defineStore } from 'pinia';
import { api, errorText, isNetworkError, onApiEvent } from '../api';
import { duration, fmt } from '../format';
import { onReconnect } from './connection';
import type { EpochInfo, ModelOption, ModelOptions, ProgressInfo, RunPage, RunStatus } from '../../../shared/api';

/** Final metrics shown for an ended run, in this order, when it has them. */
const FINAL_METRICS = ['recall@20', 'ndcg@20'];

export interface LivePoint {
  epoch: number;
  losses: Record<string, number>;
  metrics: Record<string, number> | null;
}

export const useTrainingStore = defineStore('training', {
  state: () => ({
    options: null as ModelOptions | null,
    optionsError: '',
    dataset: '' as string,
    model: 'micro' as string,
    preset: 'paper' as 'paper' | 'reference',
    seed: 123,
    name: '',
    /** Current form values (model + training), keyed by field. */
    modelValues: {} as Record<string, unknown>,
    trainValues: {} as Record<string, unknown>,
    serverErrors: [] as string[],
    /** "model/preset" the form's values belong to (a preset change resets them, a clone does not). */
    valuesFor: '',
    /** The run the form was cloned from, and why a clone failed. */
    clonedFrom: null as number | null,
    cloneError: '',
    starting: false,
    startError: '',
    // the watched run
    runId: null as number | null,
    runName: '',
    status: null as RunStatus | null,
    runError: null as string | null,
    progress: null as ProgressInfo | null,
    epochs: [] as LivePoint[],
    batchLosses: [] as number[],
    /** The watched run's page: its resolved configuration, shown beside the live curves. */
    watched: null as RunPage | null,
    /** The run this page asked to cancel (a cancel can also come from the CLI or a server shutdown). */
    cancelRequested: null as number | null,
    subscribed: false,
  }),
  getters: {
    modelOption(state): ModelOption | null {
      return state.options?.models.find((m) => m.model === state.model) ?? null;
    },
    /** The watched run has ended (its end event or its page says so). */
    ended(state): boolean {
      return !!state.status && state.status !== 'running' && state.status !== 'queued' && !!state.watched;
    },
    /** Epochs the watched run was configured for (null: a fitted model, or unknown). */
    plannedEpochs(state): number | null {
      const trainable = state.options?.models.find((m) => m.model === state.watched?.run.model)?.trainable ?? true;
      const p = state.watched?.params.find((x) => x.section === 'train' && x.key === 'epochs');
      return trainable && typeof p?.value === 'number' ? p.value : null;
    },
    /** 0..1: live while running; for an ended run, its recorded epochs (1 when completed). */
    fraction(): number {
      if (!this.ended) return this.progress?.fraction ?? 0;
      if (this.status === 'completed') return 1;
      const done = this.epochsDone;
      return this.plannedEpochs ? Math.min(1, done / this.plannedEpochs) : 0;
    },
    /** Epochs recorded: the page's count, or the last live epoch while the page is catching up. */
    epochsDone(state): number {
      return Math.max(state.watched?.run.epochsRecorded ?? 0, state.epochs.at(-1)?.epoch ?? 0);
    },
    /** One line for an ended run: "completed · 3/3 epochs · 12s · best epoch 3 · test recall@20 0.0812". */
    finalLine(): string {
      const page = this.watched;
      if (!this.ended || !page) return '';
      const r = page.run;
      const parts: string[] = [this.status!];
      parts.push(this.plannedEpochs !== null ? `${this.epochsDone}/${this.plannedEpochs} epochs` : 'fitted');
      // Time and metrics are final once the page has caught up with the end event.
      if (r.status !== this.status) return parts.join(' · ');
      if (r.wallSeconds !== null) parts.push(duration(r.wallSeconds));
      if (r.bestEpoch !== null && this.plannedEpochs !== null) parts.push(`best epoch ${r.bestEpoch}`);
      for (const m of FINAL_METRICS) {
        const key = [`test/${m}`, `val/${m}`].find((k) => r.metrics[k] !== undefined);
        if (key) parts.push(`${key.replace('/', ' ')} ${fmt(r.metrics[key])}`);
      }
      return parts.join(' · ');
    },
  },
  actions: {
    async loadOptions() {
      if (this.options) return;
      try {
        this.options = await api.modelOptions();
        this.optionsError = '';
        this.resetValues();
      } catch (e) {
        this.optionsError = errorText(e);
      }
    },
    resetValues() {
      const m = this.modelOption;
      if (!m) return;
      this.modelValues = JSON.parse(JSON.stringify(m.defaults[this.preset])) as Record<string, unknown>;
      this.trainValues = JSON.parse(JSON.stringify(m.trainDefaults[this.preset])) as Record<string, unknown>;
      this.valuesFor = `${this.model}/${this.preset}`;
      this.serverErrors = [];
      this.clonedFrom = null;
    },
    /** Fill the form from a stored run: model, preset, seed, dataset and every override. */
    async cloneFrom(runId: number) {
      this.cloneError = '';
      try {
        const p = await api.runPage({ runId });
        const m = this.options?.models.find((x) => x.model === p.resolved?.model);
        if (!p.resolved || !m) throw new Error(`run ${runId} has no stored configuration this version can train`);
        const preset = p.resolved.preset as 'paper' | 'reference';
        this.model = m.model;
        this.preset = preset;
        this.seed = p.resolved.seed;
        if (p.dataset?.name && p.dataset.id !== null) this.dataset = p.dataset.name;
        this.modelValues = { ...JSON.parse(JSON.stringify(m.defaults[preset])), ...p.overrides.modelOverrides };
        this.trainValues = { ...JSON.parse(JSON.stringify(m.trainDefaults[preset])), ...p.overrides.trainOverrides };
        this.valuesFor = `${m.model}/${preset}`;
        this.name = '';
        this.clonedFrom = runId;
      } catch (e) {
        this.cloneError = errorText(e);
      }
    },
    /** Values that differ from the preset's defaults (what the run record stores as overrides). */
    overrides(): { modelOverrides: Record<string, unknown>; trainOverrides: Record<string, unknown> } {
      const m = this.modelOption;
      const diff = (vals: Record<string, unknown>, defs: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(vals).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defs[k])));
      return {
        modelOverrides: m ? diff(this.modelValues, m.defaults[this.preset]) : {},
        trainOverrides: m ? diff(this.trainValues, m.trainDefaults[this.preset]) : {},
      };
    },
    async validate() {
      if (!this.dataset) return;
      try {
        const r = await api.validateRun({ dataset: this.dataset, model: this.model as never, preset: this.preset, seed: this.seed, ...this.overrides() });
        this.serverErrors = r.errors;
      } catch (e) {
        // Out of reach: keep the last answer; validated again on reconnect.
        if (!isNetworkError(e)) this.serverErrors = [errorText(e)];
      }
    },
    subscribe() {
      if (this.subscribed) return;
      this.subscribed = true;
      onApiEvent((e) => {
        if (e.type === 'progress' && e.runId === this.runId) {
          const p = e.progress;
          if (p.phase === 'train') {
            this.progress = p;
            if (p.losses?.total !== undefined) this.batchLosses.push(p.losses.total);
          } else if (p.phase === 'epoch' && p.epoch !== undefined) {
            this.progress = { ...(this.progress ?? {}), ...p, fraction: p.epochs ? p.epoch / p.epochs : this.progress?.fraction };
            const point = { epoch: p.epoch, losses: p.losses ?? {}, metrics: p.metrics ?? null };
            this.epochs = [...this.epochs.filter((x) => x.epoch !== p.epoch), point].sort((a, b) => a.epoch - b.epoch);
          } else {
            this.progress = { ...(this.progress ?? { phase: p.phase }), phase: p.phase, message: p.message };
          }
          this.status = 'running';
        } else if (e.type === 'run-updated' && e.runId === this.runId) {
          this.status = e.status;
          this.runError = e.error;
          if (e.status !== 'running') void this.watch(e.runId, true);
        }
      });
      // Events sent while the server was out of reach are lost: the watched run may have ended
      // (or stopped with the server), and the form's validation may be stale.
      onReconnect(() => {
        if (this.runId !== null) void this.watch(this.runId, true);
        if (!this.options) void this.loadOptions();
        void this.validate();
      });
    },
    async start() {
      this.starting = true;
      this.startError = '';
      try {
        const o = this.overrides();
        const { runId } = await api.startRun({
          dataset: this.dataset,
          model: this.model as never,
          preset: this.preset,
          seed: this.seed,
          ...(this.name.trim() ? { name: this.name.trim() } : {}),
          ...o,
        });
        this.name = '';
        await this.watch(runId);
      } catch (e) {
        this.startError = errorText(e);
      } finally {
        this.starting = false;
      }
    },
    /** Follow a run: stored epochs now, then live events. */
    async watch(runId: number, keepLive = false) {
      if (this.runId !== runId) {
        this.runId = runId;
        this.progress = null;
        this.batchLosses = [];
        this.epochs = [];
        this.watched = null;
      }
      try {
        const d = await api.runPage({ runId });
        if (this.runId !== runId) return;
        this.watched = d;
        this.runName = d.run.name;
        this.status = d.run.status;
        this.runError = d.run.error;
        const stored = d.epochs.map((e: EpochInfo) => ({ epoch: e.epoch, losses: e.losses, metrics: e.metrics }));
        const merged = new Map<number, LivePoint>(stored.map((p) => [p.epoch, p]));
        if (keepLive || d.run.status === 'running') for (const p of this.epochs) if (!merged.has(p.epoch)) merged.set(p.epoch, p);
        this.epochs = [...merged.values()].sort((a, b) => a.epoch - b.epoch);
        if (d.run.status === 'running' && !this.progress) {
          const act = (await api.activeRuns()).find((a) => a.runId === runId);
          if (act?.progress) this.progress = act.progress;
        }
        // An ended run shows its final state (finalLine), not its last progress event.
        if (d.run.status !== 'running') this.progress = null;
      } catch (e) {
        this.runError = errorText(e);
      }
    },
    async cancel() {
      if (this.runId === null) return;
      try {
        this.cancelRequested = this.runId;
        await api.cancelRun({ runId: this.runId });
      } catch (e) {
        this.startError = errorText(e);
      }
    },
    async resume() {
      if (this.runId === null) return;
      try {
        const { runId } = await api.resumeRun({ runId: this.runId });
        await this.watch(runId, true);
      } catch (e) {
        this.startError = errorText(e);
      }
    },
  },
});
