// Node-API module of the native InfoNCE kernels (infonce.c): picks the kernel set built for the
// best instruction-set level this CPU runs, and exposes each kernel as a function taking the
// memory's base address (from `address`) followed by the wasm kernel's arguments. Node-API keeps
// one binary valid for every Node and Electron version; the module is context-aware, so the
// engine's helper worker thread loads it too.
#include <node_api.h>
#include <stdint.h>
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
  float k_peak##S(long);
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
} KernelSet;

#define SET(name, S) {name, k_fwd##S, k_eX##S, k_eTw##S, k_colsum##S, k_scaleSym##S, k_panels##S, k_exp2##S, k_touch##S, k_peak##S}
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
  };
  napi_value isa;
  napi_create_string_utf8(env, K->isa, NAPI_AUTO_LENGTH, &isa);
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_set_named_property(env, exports, "isa", isa);
  return exports;
}
