// Native top-k offering for graph/knn-tf.ts: each value of a similarity tile is offered to its
// row's list (and, off the diagonal, to its column's row), keeping per row the k best by value
// descending, then index ascending — exactly the JS TopKLists/offerTile, so the lists are the
// same whichever runs. Why native: the JS loop was ~5 % of a sampled TikTok epoch; here the
// thresholds are tested 16 values at a time and most of the tile is skipped.
// Compiled once per instruction-set level like infonce.c (KSUFFIX names the set).
#include <stdint.h>
#include <string.h>

#include "kernel-set.h"

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));

// Offer (v, j) to row r (TopKLists.push): insertion into the sorted list; thr[r] is the k-th value
// once the row is full. A stale (lower) threshold in the caller only costs a rejected offer here.
INLINE void push(int32_t *idx, float *val, float *thr, int k, int r, float v, int j) {
  const int base = r * k;
  int p = base + k - 1;
  const int lj = idx[p];
  if (lj >= 0 && (v < val[p] || (v == val[p] && j > lj))) return;
  while (p > base) {
    const int pj = idx[p - 1];
    const float pv = val[p - 1];
    if (pj >= 0 && (pv > v || (pv == v && pj < j))) break;
    idx[p] = pj;
    val[p] = pv;
    p--;
  }
  idx[p] = j;
  val[p] = v;
  if (idx[base + k - 1] >= 0) thr[r] = val[base + k - 1];
}

INLINE void offer(int32_t *idx, float *val, float *thr, int k, int i, int j, float v, int diagonal, int includeSelf) {
  if (v >= thr[i] && (includeSelf || j != i)) push(idx, val, thr, k, i, v, j);
  if (!diagonal && v >= thr[j]) push(idx, val, thr, k, j, v, i);
}

// tile: ni×nj row-major similarities of rows i0.. against rows j0..; clamp: negatives count as 0.
void K_(k_knnOffer)(const float *tile, int i0, int ni, int j0, int nj, int includeSelf, int clamp, int32_t *idx, float *val, float *thr, int k) {
  const int diagonal = i0 == j0;
  for (int ii = 0; ii < ni; ii++) {
    const int i = i0 + ii;
    const float *row = tile + (size_t)ii * nj;
    int jj = 0;
    for (; jj + 16 <= nj; jj += 16) {
      v16f v;
      memcpy(&v, row + jj, 64);
      if (clamp) v = (v16f)((v16i)v & ~(v < 0)); // negatives → +0; -0 and NaN stay, as in JS
      v16f tj;
      memcpy(&tj, thr + j0 + jj, 64);
      const float ti = thr[i];
      v16i hit = (v >= (v16f){ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti, ti});
      if (!diagonal) hit |= (v >= tj);
      int any = 0;
      for (int q = 0; q < 16; q++) any |= hit[q];
      if (!any) continue;
      for (int q = 0; q < 16; q++) offer(idx, val, thr, k, i, j0 + jj + q, v[q], diagonal, includeSelf);
    }
    for (; jj < nj; jj++) {
      float v = row[jj];
      if (clamp && v < 0) v = 0;
      offer(idx, val, thr, k, i, j0 + jj, v, diagonal, includeSelf);
    }
  }
}
