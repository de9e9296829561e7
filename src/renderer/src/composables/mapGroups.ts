// How the embedding map colours its points: one legend group per category, cold / warm state,
// dominant modality, or popularity bin (log-spaced train-interaction counts). Groups become
// ECharts series, so the legend toggles them and each series can render in large mode.
import type { EmbeddingMap } from '../../../shared/api';
import { PALETTE } from '../format';
import { categoryColour, OTHER_CATEGORY } from './graphStyle';

export type ColourBy = 'category' | 'cold' | 'modality' | 'popularity';

export interface PointGroup {
  name: string;
  colour: string;
  /** Point indices (into map.ids / map.coords). */
  points: number[];
}

/** Colour-by choices the map can offer (what its fields allow), first = default. */
export function colourChoices(m: EmbeddingMap): { value: ColourBy; label: string }[] {
  const out: { value: ColourBy; label: string }[] = [];
  if (m.category) out.push({ value: 'category', label: 'Category' });
  if (m.cold) out.push({ value: 'cold', label: 'Cold / warm' });
  if (m.dominant) out.push({ value: 'modality', label: 'Dominant modality (α)' });
  out.push({ value: 'popularity', label: m.side === 'item' ? 'Popularity (train interactions)' : 'Activity (train interactions)' });
  return out;
}

/** Sequential blues → dark, for popularity bins (light = rare, dark = popular). */
const SEQUENTIAL = ['#cbd5e1', '#bfdbfe', '#93c5fd', '#60a5fa', '#3b82f6', '#1d4ed8', '#1e3a8a'];

/** Bins 0, 1, 2–3, 4–7, … (powers of two), at most 7, the last one open. */
export function popularityBins(max: number): { lo: number; hi: number }[] {
  const bins = [{ lo: 0, hi: 0 }];
  for (let lo = 1; lo <= max && bins.length < SEQUENTIAL.length; lo *= 2) bins.push({ lo, hi: lo * 2 - 1 });
  bins[bins.length - 1].hi = Math.max(bins[bins.length - 1].hi, max);
  return bins;
}

export function pointGroups(m: EmbeddingMap, by: ColourBy): PointGroup[] {
  const n = m.ids.length;
  const all = Array.from({ length: n }, (_, p) => p);
  if (by === 'category' && m.category) {
    const names = [...m.categories, 'other', 'no category'];
    const groups = names.map((name, q) => ({
      name,
      colour: q < m.categories.length ? categoryColour(m.categories, name) : q === m.categories.length ? OTHER_CATEGORY : '#e2e8f0',
      points: [] as number[],
    }));
    for (const p of all) {
      const c = m.category[p];
      groups[c < 0 ? names.length - 1 : Math.min(c, m.categories.length)].points.push(p);
    }
    return groups.filter((g) => g.points.length);
  }
  if (by === 'cold' && m.cold) {
    return [
      { name: 'warm (in train)', colour: '#f97316', points: all.filter((p) => !m.cold![p]) },
      { name: 'cold (never in train)', colour: '#0891b2', points: all.filter((p) => m.cold![p]) },
    ].filter((g) => g.points.length);
  }
  if (by === 'modality' && m.dominant) {
    return m.modalities.map((name, q) => ({ name: `${name} dominant`, colour: PALETTE[q % PALETTE.length], points: all.filter((p) => m.dominant![p] === q) })).filter((g) => g.points.length);
  }
  const max = Math.max(0, ...m.interactions);
  const bins = popularityBins(max);
  const groups = bins.map((b, q) => ({ name: b.lo === b.hi ? `${b.lo}` : `${b.lo}–${b.hi}`, colour: SEQUENTIAL[q], points: [] as number[] }));
  for (const p of all) {
    const v = m.interactions[p];
    let q = bins.findIndex((b) => v >= b.lo && v <= b.hi);
    if (q < 0) q = bins.length - 1;
    groups[q].points.push(p);
  }
  return groups.filter((g) => g.points.length);
}
