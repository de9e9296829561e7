// Training: model options (from the engine's schemas), the form's overrides, live progress and
// curves of the watched run, fed by progress events.
import { defineStore } from 'pinia';
import { api, errorText, onApiEvent } from '../api';
import type { EpochInfo, ModelOption, ModelOptions, ProgressInfo, RunPage, RunStatus } from '../../../shared/api';

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
    subscribed: false,
  }),
  getters: {
    modelOption(state): ModelOption | null {
      return state.options?.models.find((m) => m.model === state.model) ?? null;
    },
  },
  actions: {
    async loadOptions() {
      if (this.options) return;
      try {
        this.options = await api.modelOptions();
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
        this.serverErrors = [errorText(e)];
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
        if (d.run.status !== 'running' && this.progress) this.progress = { ...this.progress, fraction: d.run.status === 'completed' ? 1 : this.progress.fraction, etaSeconds: 0 };
      } catch (e) {
        this.runError = errorText(e);
      }
    },
    async cancel() {
      if (this.runId === null) return;
      try {
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
