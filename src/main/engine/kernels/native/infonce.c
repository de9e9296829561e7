// Native versions of the InfoNCE kernels of simd/infonce.ts: the same eight functions, the same
// arguments (byte offsets into the engine's shared memory, plus its base address, d and K) and the
// same layouts, so contrastive/blocks.ts schedules them unchanged. Why native: WebAssembly has
// only 128-bit vectors and V8 keeps its 4×8 tiles at about half of what the core can do; compiled
// for AVX2/AVX-512 with FMA, the same tiles run 2-3× faster per thread (docs/performance.md).
//
// This file is compiled once per instruction-set level (build-native.mjs: x86-64-v4, -v3 and the
// baseline, KSUFFIX naming each set) and addon.c picks one at load from what the CPU supports.
// GCC/Clang vector extensions keep one source for all levels: a v8f is one ymm register on
// AVX2/AVX-512 and two xmm registers on the baseline.
//
// Summation order per output element is the wasm kernels' (sequential over the inner index); only
// rounding differs (FMA where the target has it).
#include <stdint.h>
#include <string.h>

#include "kernel-set.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));


// Row tiles: 8 rows × 4 vectors (32 accumulators) where the ISA has 32 vector registers, else 4×4.
#if defined(__AVX512F__)
#define MR 8
#else
#define MR 4
#endif
#define NV 4

INLINE v8f ld(const float *p) { v8f v; memcpy(&v, p, 32); return v; }
INLINE void st(float *p, v8f v) { memcpy(p, &v, 32); }
INLINE v8f splat(float s) { return (v8f){s, s, s, s, s, s, s, s}; }
INLINE float hsum(v8f v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

// 2^y as exp2.ts computes it: y = max(y, −126), k = round(y) by the 1.5·2²³ trick, f = y − k,
// degree-5 polynomial, × 2^k built in the exponent bits.
INLINE v8f exp2v(v8f y) {
  const v8f lo = splat(-126.0f), magic = splat(12582912.0f);
  v8i m = y < lo; // NaN stays NaN, as f32x4.pmax(y, lo)
  y = (v8f)(((v8i)y & ~m) | ((v8i)lo & m));
  v8f t = y + magic;
  v8f k = t - magic;
  v8f f = y - k;
  v8f p = splat(0.0013264728477224708f) * f + splat(0.009671513922512531f);
  p = p * f + splat(0.05550733581185341f);
  p = p * f + splat(0.24022242426872253f);
  p = p * f + splat(0.6931470036506653f);
  p = p * f + splat(1.0f);
  v8i e = ((v8i)t + (127 - 0x4b400000)) << 23;
  return p * (v8f)e;
}

#define F32(off) ((float *)(base + (off)))
#define F64(off) ((double *)(base + (off)))

// fwd: R rows (from abc, 4 copies per value) × P key panels of 8 (xt), then 2^(acc + shift),
// stored into e and added to the rows' f32 sums.
INLINE void fwdTile(const float *a, int d, const float *xp, float *e, int K, float shift, v8f *rs, int R, int P) {
  v8f acc[8][NV];
  for (int r = 0; r < R; r++)
    for (int h = 0; h < P; h++) acc[r][h] = splat(0.0f);
  for (int q = 0; q < d; q++) {
    v8f x[NV];
    for (int h = 0; h < P; h++) x[h] = ld(xp + (long)h * d * 8 + q * 8);
    for (int r = 0; r < R; r++) {
      float s = a[((long)r * d + q) * 4];
      for (int h = 0; h < P; h++) acc[r][h] += s * x[h];
    }
  }
  for (int r = 0; r < R; r++)
    for (int h = 0; h < P; h++) {
      v8f v = exp2v(acc[r][h] + splat(shift));
      st(e + (long)r * K + h * 8, v);
      rs[r] += v;
    }
}

INLINE void fwdRows(const float *abc, int d, const float *xt, int jb, int je, float *e, double *sums, int K, float shift, int R) {
  v8f rs[8];
  for (int r = 0; r < R; r++) rs[r] = splat(0.0f);
  int j = jb;
  for (; j + 8 * NV <= je; j += 8 * NV) fwdTile(abc, d, xt + (long)j * d, e + j, K, shift, rs, R, NV);
  for (; j < je; j += 8) fwdTile(abc, d, xt + (long)j * d, e + j, K, shift, rs, R, 1);
  for (int r = 0; r < R; r++) sums[2 * r] += hsum(rs[r]);
}

void K_(k_fwd)(uint8_t *base, int d, int K, int abc, int rows, int xt, int jb, int je, int e, int sums, float shift) {
  int rg = 0;
  for (; rg + MR <= rows; rg += MR) fwdRows(F32(abc) + (long)rg * d * 4, d, F32(xt), jb, je, F32(e) + (long)rg * K, F64(sums) + 2 * rg, K, shift, MR);
  for (; rg < rows; rg += 4) fwdRows(F32(abc) + (long)rg * d * 4, d, F32(xt), jb, je, F32(e) + (long)rg * K, F64(sums) + 2 * rg, K, shift, 4);
}

// out[R rows × P vectors] += Σ_i A(r, i) · B(i, :), A(r, i) = a[r·sr + i], B row i at b + i·ldb.
INLINE void gemmTile(const float *a, long sr, const float *b, long ldb, int n, float *out, long ldo, int R, int P) {
  v8f acc[8][NV];
  for (int r = 0; r < R; r++)
    for (int h = 0; h < P; h++) acc[r][h] = splat(0.0f);
  for (int i = 0; i < n; i++) {
    v8f x[NV];
    for (int h = 0; h < P; h++) x[h] = ld(b + (long)i * ldb + h * 8);
    for (int r = 0; r < R; r++) {
      float s = a[r * sr + i];
      for (int h = 0; h < P; h++) acc[r][h] += s * x[h];
    }
  }
  for (int r = 0; r < R; r++)
    for (int h = 0; h < P; h++) st(out + r * ldo + h * 8, ld(out + r * ldo + h * 8) + acc[r][h]);
}

INLINE void gemmRows(const float *a, long sr, const float *b, int n, float *out, int d, int R) {
  int c = 0;
  for (; c + 8 * NV <= d; c += 8 * NV) gemmTile(a, sr, b + c, d, n, out + c, d, R, NV);
  for (; c < d; c += 8) gemmTile(a, sr, b + c, d, n, out + c, d, R, 1);
}

// eX: u[r] += Σ_{j∈[jb,je)} e[r, j]·x[j], rows % 4 == 0.
void K_(k_eX)(uint8_t *base, int d, int K, int e, int rows, int x, int jb, int je, int u) {
  const float *E = F32(e) + jb;
  const float *X = F32(x) + (long)jb * d;
  float *U = F32(u);
  int n = je - jb, rg = 0;
  for (; rg + MR <= rows; rg += MR) gemmRows(E + (long)rg * K, K, X, n, U + (long)rg * d, d, MR);
  for (; rg < rows; rg += 4) gemmRows(E + (long)rg * K, K, X, n, U + (long)rg * d, d, 4);
}

#define SHUF(a, b, ...) __builtin_shuffle(a, b, (v8i){__VA_ARGS__})
// dst[m·ldd + i] = src[i·lds + m] for an 8×8 block (the unpack / shuffle / lane-swap sequence).
INLINE void transpose8(const float *src, long lds, float *dst, long ldd) {
  v8f r[8], t[8], u[8];
  for (int i = 0; i < 8; i++) r[i] = ld(src + i * lds);
  for (int i = 0; i < 8; i += 2) {
    t[i] = SHUF(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = SHUF(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4)
    for (int h = 0; h < 2; h++) {
      u[i + h] = SHUF(t[i + h], t[i + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      u[i + h + 2] = SHUF(t[i + h], t[i + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  // u[0] = rows 0-3 of columns 0 and 4 (lanes 0-3 and 4-7), u[2]: columns 1, 5; u[1]: 2, 6; u[3]: 3, 7.
  static const int col[4] = {0, 2, 1, 3};
  for (int q = 0; q < 4; q++) {
    v8f lo = u[q], hi = u[q + 4];
    int c = col[q];
    st(dst + c * ldd, SHUF(lo, hi, 0, 1, 2, 3, 8, 9, 10, 11));
    st(dst + (c + 4) * ldd, SHUF(lo, hi, 4, 5, 6, 7, 12, 13, 14, 15));
  }
}

// eTw: dx[j] += Σ_{r<rows} e[r, j]·w[r], (je − jb) % 4 == 0. The e tile (rows × MR keys) is first
// copied key-major into a small buffer, so the tile's scalars are contiguous.
void K_(k_eTw)(uint8_t *base, int d, int K, int e, int rows, int w, int jb, int je, int dx) {
  float pk[MR * 256];
  const float *E = F32(e);
  const float *W = F32(w);
  float *DX = F32(dx);
  for (int r0 = 0; r0 < rows; r0 += 256) {
    int nr = rows - r0 < 256 ? rows - r0 : 256;
    int j = jb;
    for (; j < je;) {
      int R = je - j >= MR ? MR : 4;
      int r = 0;
      if (R == 8)
        for (; r + 8 <= nr; r += 8) transpose8(E + (long)(r0 + r) * K + j, K, pk + r, 256);
      for (int m = 0; m < R; m++)
        for (int rr = r; rr < nr; rr++) pk[m * 256 + rr] = E[(long)(r0 + rr) * K + j + m];
      gemmRows(pk, 256, W + (long)r0 * d, nr, DX + (long)j * d, d, R);
      j += R;
    }
  }
}

// colsum: out[j] (f64) += Σ_{r<rows} e[r, j]; (je − jb) % 4 == 0.
void K_(k_colsum)(uint8_t *base, int d, int K, int e, int rows, int jb, int je, int out) {
  (void)d;
  const float *E = F32(e);
  double *O = F64(out);
  int j = jb;
  for (; j + 16 <= je; j += 16) {
    double acc[16] = {0};
    for (int r = 0; r < rows; r++)
      for (int t = 0; t < 16; t++) acc[t] += E[(long)r * K + j + t];
    for (int t = 0; t < 16; t++) O[j + t] += acc[t];
  }
  for (; j < je; j += 4) {
    double acc[4] = {0};
    for (int r = 0; r < rows; r++)
      for (int t = 0; t < 4; t++) acc[t] += E[(long)r * K + j + t];
    for (int t = 0; t < 4; t++) O[j + t] += acc[t];
  }
}

// scaleSym: e[r, j] *= wr[r] + wc[j].
void K_(k_scaleSym)(uint8_t *base, int d, int K, int e, int rows, int wr, int wc, int jb, int je) {
  (void)d;
  for (int r = 0; r < rows; r++) {
    float *E = F32(e) + (long)r * K;
    const float wrr = F32(wr)[r];
    const float *WC = F32(wc);
    for (int j = jb; j < je; j++) E[j] *= WC[j] + wrr;
  }
}

// panels: key j, column q of x (K×d) goes to xt[(j>>3)·d·8 + q·8 + (j&7)].
void K_(k_panels)(uint8_t *base, int d, int K, int x, int xt, int keys) {
  (void)K;
  const float *X = F32(x);
  float *XT = F32(xt);
  for (int j = 0; j < keys; j++)
    for (int q = 0; q < d; q++) XT[(long)(j >> 3) * d * 8 + q * 8 + (j & 7)] = X[(long)j * d + q];
}

// exp2: dst[i] = 2^src[i] with fwd's 2^y; n % 4 == 0.
void K_(k_exp2)(uint8_t *base, int d, int K, int src, int dst, int n) {
  (void)d, (void)K;
  const float *S = F32(src);
  float *D = F32(dst);
  int i = 0;
  for (; i + 8 <= n; i += 8) st(D + i, exp2v(ld(S + i)));
  if (i < n) {
    float tmp[8] = {0};
    memcpy(tmp, S + i, (n - i) * 4);
    v8f v = exp2v(ld(tmp));
    st(tmp, v);
    memcpy(D + i, tmp, (n - i) * 4);
  }
}

// touch: one load per 64-byte line of e[r, jb..je) row by row, summed into sink (a software
// prefetch before eTw walks the tile down its columns).
void K_(k_touch)(uint8_t *base, int d, int K, int e, int rows, int jb, int je, int sink) {
  (void)d;
  const float *E = F32(e);
  float acc = 0;
  for (int r = 0; r < rows; r++)
    for (int j = jb; j < je; j += 16) acc += E[(long)r * K + j];
  *(volatile float *)F32(sink) = acc;
}

// peak: 12 register-resident acc = acc·m + a chains of 8 floats for `iters` steps (the benches'
// calibration of what these kernels could reach: 96 multiply-adds per step). Returns a sum so the
// loop stays.
float K_(k_peak)(long iters) {
  v8f acc[12];
  for (int c = 0; c < 12; c++) acc[c] = splat((float)c);
  const v8f m = splat(0.999f), a = splat(0.001f);
  for (long i = 0; i < iters; i++) {
    for (int c = 0; c < 12; c++) acc[c] = acc[c] * m + a;
  }
  v8f t = splat(0.0f);
  for (int c = 0; c < 12; c++) t += acc[c];
  return hsum(t);
}
