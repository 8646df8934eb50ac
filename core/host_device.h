// RWTTT_HD marks functions that run on host and device: __host__ __device__ under nvcc, plain
// inline under a host compiler (as CUTLASS_HOST_DEVICE). Headers using it include no CUDA header.
//
//   RWTTT_HD float Silu(float x);
#pragma once

#if defined(__CUDACC__)
#define RWTTT_HD __host__ __device__ inline
#else
#define RWTTT_HD inline
#endif

// RWTTT_HD_ALWAYS_INLINE: RWTTT_HD for the loops a RWTTT_HOST_CLONES function must inline, so that
// they are compiled for the clone's ISA rather than called at the default one.
#if defined(__GNUC__) && !defined(__CUDACC__)
#define RWTTT_HD_ALWAYS_INLINE RWTTT_HD __attribute__((always_inline))
#else
#define RWTTT_HD_ALWAYS_INLINE RWTTT_HD
#endif

// RWTTT_LAMBDA_INLINE, written after a lambda's parameter list: the same for a lambda.
#if defined(__GNUC__) && !defined(__CUDACC__)
#define RWTTT_LAMBDA_INLINE __attribute__((always_inline))
#else
#define RWTTT_LAMBDA_INLINE
#endif

// RWTTT_HOST_CLONES marks a hot host loop nest to be compiled three times, for x86-64-v4
// (AVX-512), x86-64-v3 (AVX2) and the default target, the widest the CPU has being chosen when the
// program loads (GCC's target_clones). Results are the same bits on every clone: lanes are
// independent and -ffp-contract=off forbids fused multiply-adds whatever the ISA offers. Inline
// helpers called from the function are inlined into each clone. Empty under nvcc, Clang, other
// architectures, or with -DRWTTT_NO_HOST_CLONES.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__) && \
    !defined(RWTTT_NO_HOST_CLONES)
#define RWTTT_HOST_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RWTTT_HOST_CLONES
#endif
