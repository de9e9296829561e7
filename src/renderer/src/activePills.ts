// The header's live-training pills: the first few runs get a pill each, the rest one "+N more"
// pill whose title lists them, so that a study run with --parallel cannot push the header past
// the window's width.
import type { ActiveRun } from '../../shared/api';
import { pct } from './format';

/** Pills beside the navigation at 1280 px. */
export const MAX_PILLS = 2;

/** "#12 micro 40%" (progress unknown: "…"). */
export function pillLabel(a: ActiveRun): string {
  return `#${a.runId} ${a.model} ${a.progress?.fraction !== undefined ? pct(a.progress.fraction, 0) : '…'}`;
}

export function splitPills(active: readonly ActiveRun[], max = MAX_PILLS): { shown: ActiveRun[]; hidden: number; hiddenTitle: string } {
  const hidden = active.slice(max);
  return { shown: active.slice(0, max), hidden: hidden.length, hiddenTitle: hidden.map(pillLabel).join(', ') };
}
