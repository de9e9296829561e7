// A MICRO score split into the parts that make it up (eq. 17), from the stored embeddings:
//   ŷ_ui = (x̃_u + ĥ_u)ᵀ(x̃_i + ĥ_i),   ĥ = h/‖h‖.
// The fused item representation is linear in the per-modality item-graph outputs h^m:
//   h_i = α_c h_c + Σ_m α_s^m (h^m − h_c) with h_c = Σ_m α^m h^m   (eq. 8, 11-12, 14-15)
//       = Σ_m w_m h^m,   w_m = (2α_c − 1)·α^m + α_s^m   (Σ_m α_s^m = 1 − α_c),
// with w_m = α^m without specific parts and 1/|M| without fusion (or one modality). So
// ĥ_i = x_i^1 + … + x_i^M with x_i^m = w_{m,i} h_i^m / ‖h_i‖, and likewise on the user side
// (h_u is the mean of h_j over the user's train items, eq. 16). Expanding the product:
//   CF part          x̃_uᵀx̃_i
//   modality m part  x̃_uᵀx_i^m + x_u^mᵀx̃_i + ½ Σ_m' (x_u^mᵀx_i^m' + x_u^m'ᵀx_i^m)
// (each cross-modality term split evenly between its two modalities), which sum to the score
// exactly; `residual` is what float rounding (or an unforeseen model variant) leaves over.
import type { Matrix } from './views';

type F32 = Matrix<Float32Array>;

export interface ScoreInputs {
  userFinal: F32;
  itemFinal: F32;
  /** h_i (eq. 15) and h_u (eq. 16; absent without the preference part). */
  hItem: F32;
  hUser: F32 | null;
  /** h^m per modality (eq. 6), in the order of the attention columns. */
  hm: { modality: string; m: F32 }[];
  /** α (N × |M|, eq. 7) and [α_c, α_s^m…] (N × (1+|M|), eq. 14), when stored. */
  alpha: F32 | null;
  alpha2: F32 | null;
}

export interface ScoreParts {
  cf: number;
  modalities: { modality: string; value: number }[];
  residual: number;
}

const row = (m: F32, r: number) => m.data.subarray(r * m.cols, r * m.cols + m.cols);

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(Math.max(s, 1e-24)); // l2Normalize's floor (ops.ts)
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** w_m of item i: how much of h^m is in h_i. */
export function modalityWeights(x: ScoreInputs, i: number): number[] {
  const M = x.hm.length;
  if (x.alpha && x.alpha2) {
    const ac = x.alpha2.data[i * x.alpha2.cols];
    return x.hm.map((_, m) => (2 * ac - 1) * x.alpha!.data[i * x.alpha!.cols + m] + x.alpha2!.data[i * x.alpha2!.cols + 1 + m]);
  }
  if (x.alpha) return x.hm.map((_, m) => x.alpha!.data[i * x.alpha!.cols + m]);
  return new Array<number>(M).fill(1 / M);
}

/** The per-modality pieces x^m of ĥ_i (item side). */
function itemPieces(x: ScoreInputs, i: number): Float64Array[] {
  const w = modalityWeights(x, i);
  const inv = 1 / norm(row(x.hItem, i));
  return x.hm.map(({ m }, k) => Float64Array.from(row(m, i), (v) => v * w[k] * inv));
}

/** The per-modality pieces of ĥ_u: the mean of the history's item pieces (before ĥ's norm). */
export function userPieces(x: ScoreInputs, u: number, history: readonly number[]): Float64Array[] {
  const d = x.userFinal.cols;
  const pieces = x.hm.map(() => new Float64Array(d));
  if (!x.hUser || history.length === 0) return pieces;
  for (const j of history) {
    const w = modalityWeights(x, j);
    x.hm.forEach(({ m }, k) => {
      const r = row(m, j);
      for (let c = 0; c < d; c++) pieces[k][c] += (w[k] * r[c]) / history.length;
    });
  }
  const inv = 1 / norm(row(x.hUser, u));
  for (const p of pieces) for (let c = 0; c < d; c++) p[c] *= inv;
  return pieces;
}

/** CF vector of a side: final embedding minus its normalised multimodal part. */
function cfVector(final: ArrayLike<number>, h: ArrayLike<number> | null): Float64Array {
  const out = Float64Array.from(final as ArrayLike<number>);
  if (!h) return out;
  const inv = 1 / norm(h);
  for (let c = 0; c < out.length; c++) out[c] -= h[c] * inv;
  return out;
}

/** A scorer for one user: the parts of that user's score for any item. */
export function userScoreParts(x: ScoreInputs, u: number, history: readonly number[]): (item: number, score: number) => ScoreParts {
  const xu = cfVector(row(x.userFinal, u), x.hUser && history.length ? row(x.hUser, u) : null);
  const pu = userPieces(x, u, history);
  return (i, score) => {
    const xi = cfVector(row(x.itemFinal, i), row(x.hItem, i));
    const pi = itemPieces(x, i);
    const cf = dot(xu, xi);
    const modalities = x.hm.map(({ modality }, m) => {
      let v = dot(xu, pi[m]) + dot(pu[m], xi);
      for (let n = 0; n < x.hm.length; n++) v += 0.5 * (dot(pu[m], pi[n]) + dot(pu[n], pi[m]));
      return { modality, value: v };
    });
    return { cf, modalities, residual: score - cf - modalities.reduce((s, p) => s + p.value, 0) };
  };
}
