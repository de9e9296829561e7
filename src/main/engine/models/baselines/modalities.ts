// The feature modalities a multimodal baseline uses: the ones named in its config, in that order,
// or all of the dataset's (visual, textual, acoustic, then others by name).
import type { Dataset, Modality } from '../../types';

export function chooseModalities(ds: Dataset, wanted: readonly string[], model: string): Modality[] {
  const names = wanted.length ? wanted : ds.modalities.map((m) => m.name);
  const twice = names.find((n, q) => names.indexOf(n) !== q);
  if (twice !== undefined) throw new Error(`modalities: "${twice}" is listed twice`);
  const chosen = names.map((name) => {
    const m = ds.modalities.find((x) => x.name === name);
    if (!m) throw new Error(`modalities: "${name}" is not in dataset ${ds.name} (has: ${ds.modalities.map((x) => x.name).join(', ') || 'none'})`);
    return m;
  });
  if (chosen.length === 0) throw new Error(`${model} needs at least one feature modality; dataset ${ds.name} has none`);
  return chosen;
}
