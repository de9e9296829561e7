// Explorer: one run's item neighbourhoods, attention weights and their distribution, and the
// user view (history + explained recommendations).
import { defineStore } from 'pinia';
import { api, errorText } from '../api';
import type { AttentionDistribution, ItemAttention, ItemGraphDiff, ItemNeighbours, NeighbourStage, RunDetails, UserView } from '../../../shared/api';

export const useExplorerStore = defineStore('explorer', {
  state: () => ({
    runId: null as number | null,
    run: null as RunDetails | null,
    runError: '',
    item: 0,
    stage: 'combined' as NeighbourStage,
    neighbours: null as ItemNeighbours | null,
    attention: null as ItemAttention | null,
    /** Initial ↔ learned difference and modality agreement of the shown item. */
    diff: null as ItemGraphDiff | null,
    diffError: '',
    distribution: null as AttentionDistribution | null,
    loading: false,
    error: '',
    attentionError: '',
    user: 0,
    k: 10,
    userView: null as UserView | null,
    userLoading: false,
    userError: '',
  }),
  actions: {
    async setRun(runId: number | null) {
      if (runId === this.runId && this.run) return;
      this.runId = runId;
      this.run = null;
      this.neighbours = null;
      this.attention = null;
      this.diff = null;
      this.distribution = null;
      this.userView = null;
      this.runError = '';
      this.error = '';
      this.userError = '';
      if (runId === null) return;
      try {
        this.run = await api.getRun({ runId });
      } catch (e) {
        this.runError = errorText(e);
      }
    },
    async showItem(item: number) {
      if (this.runId === null) return;
      this.item = item;
      this.loading = true;
      this.error = '';
      this.attentionError = '';
      const runId = this.runId;
      try {
        const [nb, att, diff] = await Promise.allSettled([
          api.itemNeighbours({ runId, item, stage: this.stage }),
          this.run?.hasAttention ? api.itemAttention({ runId, item }) : Promise.resolve(null),
          this.diff?.item === item && this.diff.runId === runId ? Promise.resolve(this.diff) : api.itemGraphDiff({ runId, item }),
        ]);
        if (this.runId !== runId || this.item !== item) return; // a newer request owns the view
        this.diff = diff.status === 'fulfilled' ? diff.value : null;
        this.diffError = diff.status === 'rejected' ? errorText(diff.reason) : '';
        if (nb.status === 'fulfilled') this.neighbours = nb.value;
        else {
          this.neighbours = null;
          this.error = errorText(nb.reason);
        }
        if (att.status === 'fulfilled') this.attention = att.value;
        else {
          this.attention = null;
          this.attentionError = errorText(att.reason);
        }
        if (!this.distribution && this.run?.hasAttention) this.distribution = await api.attentionDistribution({ runId, bins: 20, tail: 5 });
      } catch (e) {
        this.attentionError = errorText(e);
      } finally {
        this.loading = false;
      }
    },
    async setStage(stage: NeighbourStage) {
      this.stage = stage;
      if (this.neighbours) await this.showItem(this.item);
    },
    async showUser(user: number, k: number) {
      if (this.runId === null) return;
      this.user = user;
      this.k = k;
      this.userLoading = true;
      this.userError = '';
      try {
        this.userView = await api.userView({ runId: this.runId, user, k });
      } catch (e) {
        this.userView = null;
        this.userError = errorText(e);
      } finally {
        this.userLoading = false;
      }
    },
  },
});
