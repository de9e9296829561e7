// Item content for the content-aware baselines (VBPR, content kNN): every modality's rows
// L2-normalised (zero rows stay zero), then concatenated. Normalising per modality keeps one
// modality from dominating by magnitude, and keeps raw row norms (which vary a lot between items,
// e.g. TikTok's image features) from acting as a per-item score scale.
import type { Dataset } from '../../types';
import type { HostMatrix } from '../../ops';

export function normalisedContent(ds: Dataset, model: string): HostMatrix {
  if (ds.modalities.length === 0) throw new Error(`${model} needs feature modalities; dataset ${ds.name} has none`);
  const n = ds.nItems;
  const dim = ds.modalities.reduce((s, m) => s + m.dim, 0);
  const f = new Float32Array(n * dim);
  let off = 0;
  for (const m of ds.modalities) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < m.dim; c++) s += m.features[i * m.dim + c] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let c = 0; c < m.dim; c++) f[i * dim + off + c] = m.features[i * m.dim + c] * inv;
    }
    off += m.dim;
  }
  return { data: f, rows: n, cols: dim };
}
