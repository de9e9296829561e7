// One visual vocabulary for the item graphs, their lists and their legend: category colours
// (stable per dataset: the API lists its categories most frequent first), edge widths on one
// absolute scale per run (the same weight is the same width in every item, modality and stage),
// and the colours of the initial ↔ learned difference.
export type DiffStatus = 'kept' | 'gained' | 'lost';

/** Tableau 20: ten hues, dark and light, for up to 20 categories. */
const CATEGORY_PALETTE = ['#4e79a7', '#a0cbe8', '#f28e2b', '#ffbe7d', '#59a14f', '#8cd17d', '#b6992d', '#f1ce63', '#499894', '#86bcb6', '#e15759', '#ff9d9a', '#79706e', '#bab0ac', '#d37295', '#fabfd2', '#b07aa1', '#d4a6c8', '#9d7660', '#d7b5a6'];
export const OTHER_CATEGORY = '#cbd5e1';

export function categoryColour(categories: readonly string[], category: string | undefined): string {
  const i = category === undefined ? -1 : categories.indexOf(category);
  return i >= 0 && i < CATEGORY_PALETTE.length ? CATEGORY_PALETTE[i] : OTHER_CATEGORY;
}

export const MIN_WIDTH = 0.75;
export const MAX_WIDTH = 10;

/** Edge width in px, linear in the weight on the run's scale [0, weightMax]. */
export function edgeWidth(weight: number, weightMax: number): number {
  if (!Number.isFinite(weight) || !(weightMax > 0)) return MIN_WIDTH;
  return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * Math.max(0, Math.min(1, weight / weightMax));
}

export const DIFF_COLOURS: Record<DiffStatus, string> = { kept: '#475569', gained: '#16a34a', lost: '#dc2626' };
export const DIFF_TEXT: Record<DiffStatus, string> = {
  kept: 'in both the initial and the learned graph',
  gained: 'gained: in the learned graph only',
  lost: 'lost: in the initial graph only',
};
