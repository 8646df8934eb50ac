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
