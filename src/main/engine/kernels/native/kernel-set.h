// Shared by the kernel files, each compiled once per instruction-set level (build-native.mjs:
// x86-64-v4, -v3 and the baseline): KSUFFIX names the set, K_(name) gives a kernel its set's name
// (k_fwd_v4, …) so that addon.c can link all sets and pick one at load.
#ifndef MICRO_KERNEL_SET_H
#define MICRO_KERNEL_SET_H
#ifndef KSUFFIX
#define KSUFFIX _base
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define K_(name) CAT(name, KSUFFIX)
#define INLINE static inline __attribute__((always_inline))
#endif
