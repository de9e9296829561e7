// The run picker + route sync that the explorer and the user view share: the run comes from the
// address (else the current one, else the first usable run), the view re-syncs on every route
// change, and a change of run clears the view's form errors (they were about the old run).
import { computed, onMounted, watch } from 'vue';
import type { RunSummary } from '../../../shared/api';
import { navigate, route, type ViewName } from '../router';
import { useExplorerStore } from '../stores/explorer';
import { useRunsStore } from '../stores/runs';

export interface RunRouteOptions {
  view: ViewName;
  usable: (r: RunSummary) => boolean;
  /** Show what the address (or the form) asks for, once the run is loaded. */
  show: () => Promise<void>;
  /** Called before switching to another run. */
  onRunChange: () => void;
  /** Query values kept when the user picks another run. */
  keep?: () => Record<string, string | number | undefined>;
}

export function useRunRoute(o: RunRouteOptions) {
  const ex = useExplorerStore();
  const runs = useRunsStore();

  async function sync(): Promise<void> {
    const run = route.query.run ? Number(route.query.run) : (ex.runId ?? runs.list.find(o.usable)?.id ?? null);
    if (run !== ex.runId) o.onRunChange();
    await ex.setRun(run);
    if (ex.run) await o.show();
  }

  onMounted(async () => {
    runs.subscribe();
    if (!runs.loaded) await runs.refresh();
    await sync();
  });
  watch(
    () => route.query,
    () => {
      if (route.view === o.view) void sync();
    },
  );

  const runId = computed({
    get: () => ex.runId,
    set: (v) => {
      if (v !== ex.runId) o.onRunChange();
      navigate(o.view, { ...(o.keep?.() ?? {}), run: v ?? undefined });
    },
  });
  return { ex, runs, runId };
}
