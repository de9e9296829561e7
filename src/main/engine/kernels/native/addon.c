// Node-API module of the native kernels (InfoNCE: infonce.c; sparse propagation: sparse.c;
// kNN top-k: topk.c): picks the kernel set built for the
// best instruction-set level this CPU runs, and exposes each kernel as a function taking the
// memory's base address (from `address`) followed by the wasm kernel's arguments. Node-API keeps
// one binary valid for every Node and Electron version; the module is context-aware, so the
// engine's helper worker thread loads it too.
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECLARE(S)                                                                                  \
  void k_fwd##S(uint8_t *, int, int, int, int, int, int, int, int, int, float);                     \
  void k_eX##S(uint8_t *, int, int, int, int, int, int, int, int);                                  \
  void k_eTw##S(uint8_t *, int, int, int, int, int, int, int, int);                                 \
  void k_colsum##S(uint8_t *, int, int, int, int, int, int, int);                                   \
  void k_scaleSym##S(uint8_t *, int, int, int, int, int, int, int, int);                            \
  void k_panels##S(uint8_t *, int, int, int, int, int);                                             \
  void k_exp2##S(uint8_t *, int, int, int, int, int);                                               \
  void k_touch##S(uint8_t *, int, int, int, int, int, int, int);                                   \
  float k_peak##S(long);                                                                             \
  void k_propagate##S(const int32_t *, const int32_t *, const float *, const int32_t *, int, const float *, int, int, int, float *, float *, float *); \
  void k_knnOffer##S(const float *, int, int, int, int, int, int, int32_t *, float *, float *, int);
DECLARE(_base)
#ifdef HAVE_X86_LEVELS
DECLARE(_v3)
DECLARE(_v4)
#endif

typedef struct {
  const char *isa;
  void (*fwd)(uint8_t *, int, int, int, int, int, int, int, int, int, float);
  void (*eX)(uint8_t *, int, int, int, int, int, int, int, int);
  void (*eTw)(uint8_t *, int, int, int, int, int, int, int, int);
  void (*colsum)(uint8_t *, int, int, int, int, int, int, int);
  void (*scaleSym)(uint8_t *, int, int, int, int, int, int, int, int);
  void (*panels)(uint8_t *, int, int, int, int, int);
  void (*exp2)(uint8_t *, int, int, int, int, int);
  void (*touch)(uint8_t *, int, int, int, int, int, int, int);
  float (*peak)(long);
  void (*propagate)(const int32_t *, const int32_t *, const float *, const int32_t *, int, const float *, int, int, int, float *, float *, float *);
  void (*knnOffer)(const float *, int, int, int, int, int, int, int32_t *, float *, float *, int);
} KernelSet;

#define SET(name, S) {name, k_fwd##S, k_eX##S, k_eTw##S, k_colsum##S, k_scaleSym##S, k_panels##S, k_exp2##S, k_touch##S, k_peak##S, k_propagate##S, k_knnOffer##S}
static const KernelSet BASE = SET("baseline", _base);
#ifdef HAVE_X86_LEVELS
static const KernelSet V3 = SET("x86-64-v3 (AVX2, FMA)", _v3);
static const KernelSet V4 = SET("x86-64-v4 (AVX-512)", _v4);
#endif

static const KernelSet *pick(void) {
#ifdef HAVE_X86_LEVELS
  __builtin_cpu_init();
  int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
  int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq");
  if (v4) return &V4;
  if (v3) return &V3;
#endif
  return &BASE;
}

static const KernelSet *K;

#define MAX_ARGS 12

// Reads argument 0 (the base address, a double holding a pointer) and `n` int32 arguments.
static int readArgs(napi_env env, napi_callback_info info, int n, uint8_t **base, int32_t *iv, size_t *argc, napi_value *argv) {
  *argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok || *argc < (size_t)(n + 1)) {
    napi_throw_type_error(env, NULL, "native InfoNCE kernel: too few arguments");
    return 0;
  }
  double b;
  if (napi_get_value_double(env, argv[0], &b) != napi_ok) {
    napi_throw_type_error(env, NULL, "native InfoNCE kernel: the base address must be a number");
    return 0;
  }
  *base = (uint8_t *)(uintptr_t)b;
  for (int i = 0; i < n; i++)
    if (napi_get_value_int32(env, argv[i + 1], &iv[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "native InfoNCE kernel: arguments must be numbers");
      return 0;
    }
  return 1;
}

#define ARGS(n)                                                                                     \
  uint8_t *base;                                                                                    \
  int32_t a[MAX_ARGS];                                                                              \
  size_t argc;                                                                                      \
  napi_value argv[MAX_ARGS];                                                                        \
  if (!readArgs(env, info, n, &base, a, &argc, argv)) return NULL;

static napi_value Fwd(napi_env env, napi_callback_info info) {
  ARGS(9) // d, K, abc, rows, xt, jb, je, e, sums; then shift (f32)
  double shift;
  if (argc < 11 || napi_get_value_double(env, argv[10], &shift) != napi_ok) {
    napi_throw_type_error(env, NULL, "native InfoNCE kernel: fwd needs a shift");
    return NULL;
  }
  K->fwd(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], (float)shift);
  return NULL;
}
static napi_value EX(napi_env env, napi_callback_info info) {
  ARGS(8) K->eX(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  return NULL;
}
static napi_value ETw(napi_env env, napi_callback_info info) {
  ARGS(8) K->eTw(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  return NULL;
}
static napi_value Colsum(napi_env env, napi_callback_info info) {
  ARGS(7) K->colsum(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  return NULL;
}
static napi_value ScaleSym(napi_env env, napi_callback_info info) {
  ARGS(8) K->scaleSym(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  return NULL;
}
static napi_value Panels(napi_env env, napi_callback_info info) {
  ARGS(5) K->panels(base, a[0], a[1], a[2], a[3], a[4]);
  return NULL;
}
static napi_value Exp2(napi_env env, napi_callback_info info) {
  ARGS(5) K->exp2(base, a[0], a[1], a[2], a[3], a[4]);
  return NULL;
}
static napi_value Touch(napi_env env, napi_callback_info info) {
  ARGS(7) K->touch(base, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  return NULL;
}

// peak(iters): the calibration loop of infonce.c (96·iters multiply-adds); returns its sum.
static napi_value Peak(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  double iters;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_double(env, arg, &iters) != napi_ok) {
    napi_throw_type_error(env, NULL, "native InfoNCE kernels: peak(iters) needs a number");
    return NULL;
  }
  napi_create_double(env, K->peak((long)iters), &out);
  return out;
}

// address(typedArray): the address of its first byte, as a number (exact: user-space addresses
// are below 2^53). The caller keeps the memory alive and never grows it.
static napi_value Address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  bool is;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc < 1 || napi_is_typedarray(env, arg, &is) != napi_ok || !is) {
    napi_throw_type_error(env, NULL, "native InfoNCE kernels: address() needs a typed array");
    return NULL;
  }
  void *data;
  size_t length;
  if (napi_get_typedarray_info(env, arg, NULL, &length, &data, NULL, NULL) != napi_ok || data == NULL) {
    napi_throw_error(env, NULL, "native InfoNCE kernels: the typed array has no data pointer");
    return NULL;
  }
  napi_value out;
  napi_create_double(env, (double)(uintptr_t)data, &out);
  return out;
}

// A typed-array argument: its data and element count; 0 (with a TypeError thrown) when it is not
// one of the expected type. `optional`: null/undefined gives data NULL.
static int typedArg(napi_env env, napi_value v, napi_typedarray_type want, const char *name, void **data, size_t *len, int optional) {
  napi_valuetype t;
  if (optional && napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined)) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is || napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok || type != want) {
    char msg[160];
    snprintf(msg, sizeof msg, "native propagate: %s must be a %s", name, want == napi_int32_array ? "Int32Array" : "Float32Array");
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

// propagate(ptr, idx, vals, perm | null, h, d, layers, mean, out): sparse.c's k_propagate on the
// arrays' own memory (no copies). Checks every length against n = ptr.length − 1 and d, so a wrong
// call throws instead of reading out of bounds.
static napi_value Propagate(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 9) {
    napi_throw_type_error(env, NULL, "native propagate: expected (ptr, idx, vals, perm, h, d, layers, mean, out)");
    return NULL;
  }
  void *ptr, *idx, *vals, *perm, *h, *out;
  size_t nPtr, nIdx, nVals, nPerm, nH, nOut;
  int32_t d, layers, mean;
  if (!typedArg(env, argv[0], napi_int32_array, "ptr", &ptr, &nPtr, 0) || !typedArg(env, argv[1], napi_int32_array, "idx", &idx, &nIdx, 0) ||
      !typedArg(env, argv[2], napi_float32_array, "vals", &vals, &nVals, 0) || !typedArg(env, argv[3], napi_int32_array, "perm", &perm, &nPerm, 1) ||
      !typedArg(env, argv[4], napi_float32_array, "h", &h, &nH, 0) || !typedArg(env, argv[8], napi_float32_array, "out", &out, &nOut, 0))
    return NULL;
  if (napi_get_value_int32(env, argv[5], &d) != napi_ok || napi_get_value_int32(env, argv[6], &layers) != napi_ok ||
      napi_get_value_int32(env, argv[7], &mean) != napi_ok) {
    napi_throw_type_error(env, NULL, "native propagate: d, layers and mean must be numbers");
    return NULL;
  }
  if (nPtr < 1 || d < 1 || layers < 0) {
    napi_throw_range_error(env, NULL, "native propagate: needs ptr.length >= 1, d >= 1, layers >= 0");
    return NULL;
  }
  const size_t n = nPtr - 1;
  const int32_t *p = (const int32_t *)ptr, *ix = (const int32_t *)idx, *pm = (const int32_t *)perm;
  const size_t nnz = (size_t)p[n];
  int bad = p[0] != 0 || nnz > nIdx || (pm ? nPerm < nnz : nVals < nnz) || nH != n * (size_t)d || nOut != n * (size_t)d;
  for (size_t r = 0; !bad && r < n; r++) bad = p[r + 1] < p[r];
  for (size_t e = 0; !bad && e < nnz; e++) bad = ix[e] < 0 || (size_t)ix[e] >= n || (pm && (pm[e] < 0 || (size_t)pm[e] >= nVals));
  if (bad) {
    napi_throw_range_error(env, NULL, "native propagate: inconsistent CSR arrays (offsets, indices or lengths)");
    return NULL;
  }
  float *bufs = layers > 0 ? malloc(2 * n * (size_t)d * sizeof(float)) : NULL;
  if (layers > 0 && !bufs) {
    napi_throw_error(env, NULL, "native propagate: out of memory");
    return NULL;
  }
  K->propagate(p, ix, (const float *)vals, pm, (int)n, (const float *)h, d, layers, mean != 0, (float *)out, bufs, bufs ? bufs + n * (size_t)d : NULL);
  free(bufs);
  return NULL;
}

// knnOffer(tile, i0, ni, j0, nj, includeSelf, clamp, idx, val, thr, k): topk.c on the arrays' own
// memory. Checks the tile and list sizes (rows i0+ni and j0+nj within the lists) first.
static napi_value KnnOffer(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 11) {
    napi_throw_type_error(env, NULL, "native knnOffer: expected (tile, i0, ni, j0, nj, includeSelf, clamp, idx, val, thr, k)");
    return NULL;
  }
  void *tile, *idx, *val, *thr;
  size_t nTile, nIdx, nVal, nThr;
  int32_t a[6], k;
  if (!typedArg(env, argv[0], napi_float32_array, "tile", &tile, &nTile, 0) || !typedArg(env, argv[7], napi_int32_array, "idx", &idx, &nIdx, 0) ||
      !typedArg(env, argv[8], napi_float32_array, "val", &val, &nVal, 0) || !typedArg(env, argv[9], napi_float32_array, "thr", &thr, &nThr, 0))
    return NULL;
  for (int i = 0; i < 6; i++)
    if (napi_get_value_int32(env, argv[i + 1], &a[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "native knnOffer: offsets and flags must be numbers");
      return NULL;
    }
  if (napi_get_value_int32(env, argv[10], &k) != napi_ok) {
    napi_throw_type_error(env, NULL, "native knnOffer: k must be a number");
    return NULL;
  }
  const int64_t i0 = a[0], ni = a[1], j0 = a[2], nj = a[3], n = (int64_t)nThr;
  if (k < 1 || i0 < 0 || ni < 0 || j0 < 0 || nj < 0 || i0 + ni > n || j0 + nj > n || (int64_t)nTile < ni * nj || (int64_t)nIdx < n * k ||
      (int64_t)nVal < n * k) {
    napi_throw_range_error(env, NULL, "native knnOffer: tile or lists too small for the offsets");
    return NULL;
  }
  K->knnOffer((const float *)tile, a[0], a[1], a[2], a[3], a[4], a[5], (int32_t *)idx, (float *)val, (float *)thr, k);
  return NULL;
}

NAPI_MODULE_INIT() {
  if (!K) K = pick();
  napi_property_descriptor props[] = {
      {"fwd", NULL, Fwd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eX", NULL, EX, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eTw", NULL, ETw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"colsum", NULL, Colsum, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scaleSym", NULL, ScaleSym, NULL, NULL, NULL, napi_enumerable, NULL},
      {"panels", NULL, Panels, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exp2", NULL, Exp2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"touch", NULL, Touch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peak", NULL, Peak, NULL, NULL, NULL, napi_enumerable, NULL},
      {"address", NULL, Address, NULL, NULL, NULL, napi_enumerable, NULL},
      {"propagate", NULL, Propagate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"knnOffer", NULL, KnnOffer, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value isa;
  napi_create_string_utf8(env, K->isa, NAPI_AUTO_LENGTH, &isa);
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_set_named_property(env, exports, "isa", isa);
  return exports;
}
