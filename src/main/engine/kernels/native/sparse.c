// Native sparse propagation (engine/ops.ts `propagate`: L layers of H ← A·H over a fixed graph,
// the last layer or the mean of all of them): the same results as the WebAssembly kernel of
// simd/sparse.ts, bit for bit, several times faster. Why it is faster: the wasm kernel walks the
// edges in their stored order and adds each one into its output row in memory (a load and a store
// of the row per edge); here the graph is in CSR form (sparse.ts builds it once per pattern), so an
// output row stays in registers while its edges are summed and is stored once, and the vectors are
// 16 floats wide where the CPU has them.
//
// Bit-identical to wasm: per output element the same operations in the same order — start from 0,
// add v_e·h[col_e] for the row's edges in their stored order (a stable CSR keeps it), then
// acc ← acc + next·(1/(L+1)) per layer for the mean — and no fused multiply-add (build-native.mjs
// compiles this file with -ffp-contract=off), so switching kernel sets changes no figure.
//
// Compiled once per instruction-set level like infonce.c (KSUFFIX names the set).
#include <stdint.h>
#include <string.h>

#include "kernel-set.h"

typedef float v16f __attribute__((vector_size(64)));

INLINE v16f ld16(const float *p) { v16f v; memcpy(&v, p, 64); return v; }
INLINE void st16(float *p, v16f v) { memcpy(p, &v, 64); }

// next[r] = Σ_{e ∈ row r} vals[e]·cur[idx[e]] for rows [r0, r1); perm (or NULL) maps CSR position
// to the caller's edge index, for the values.
static void layer(const int32_t *ptr, const int32_t *idx, const float *vals, const int32_t *perm, int r0, int r1, const float *cur, int d,
                  float *next) {
  for (int r = r0; r < r1; r++) {
    const int e0 = ptr[r], e1 = ptr[r + 1];
    float *o = next + (size_t)r * d;
    int c = 0;
    for (; c + 64 <= d; c += 64) {
      v16f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
      for (int e = e0; e < e1; e++) {
        const float v = vals[perm ? perm[e] : e];
        const float *s = cur + (size_t)idx[e] * d + c;
        a0 = a0 + v * ld16(s);
        a1 = a1 + v * ld16(s + 16);
        a2 = a2 + v * ld16(s + 32);
        a3 = a3 + v * ld16(s + 48);
      }
      st16(o + c, a0);
      st16(o + c + 16, a1);
      st16(o + c + 32, a2);
      st16(o + c + 48, a3);
    }
    for (; c + 16 <= d; c += 16) {
      v16f a = {0};
      for (int e = e0; e < e1; e++) a = a + vals[perm ? perm[e] : e] * ld16(cur + (size_t)idx[e] * d + c);
      st16(o + c, a);
    }
    for (; c < d; c++) {
      float a = 0;
      for (int e = e0; e < e1; e++) a = a + vals[perm ? perm[e] : e] * cur[(size_t)idx[e] * d + c];
      o[c] = a;
    }
  }
}

// acc[i] ← acc[i] + src[i]·s (the wasm kernel's addScaled, same operation order).
static void addScaled(float *acc, const float *src, size_t n, float s) {
  for (size_t i = 0; i < n; i++) acc[i] = acc[i] + src[i] * s;
}

// out = A^L·h (mean = 0) or (h + A·h + … + A^L·h)/(L+1) (mean = 1), A given as CSR (ptr: n + 1
// offsets, idx: column per entry, vals[perm[e]] its value). buf0/buf1: two n×d scratch tables.
void K_(k_propagate)(const int32_t *ptr, const int32_t *idx, const float *vals, const int32_t *perm, int n, const float *h, int d, int layers,
                     int mean, float *out, float *buf0, float *buf1) {
  const size_t nd = (size_t)n * d;
  const float scale = (float)(1.0 / (double)(layers + 1)); // as JS computes it, then rounded to f32
  if (mean) {
    memset(out, 0, nd * sizeof(float));
    addScaled(out, h, nd, scale);
  }
  const float *cur = h;
  for (int l = 0; l < layers; l++) {
    float *next = (!mean && l == layers - 1) ? out : (l % 2 ? buf1 : buf0);
    layer(ptr, idx, vals, perm, 0, n, cur, d, next);
    if (mean) addScaled(out, next, nd, scale);
    cur = next;
  }
  if (!mean && layers == 0) memcpy(out, h, nd * sizeof(float));
}
