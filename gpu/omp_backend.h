// The `omp` backend: the batched Thrust kernels (gpu/internal/batched_backend.cuh) on Thrust's
// OpenMP system, built with the host compiler. Multi-threaded, bit-identical to `cpu`.
//
//   std::unique_ptr<Backend> omp = MakeOmpBackend(/*threads=*/2);
//   RWTTT_TRY(omp->Reset(model, num_slots, Seed{7}));
#pragma once

#include <memory>

#include "core/backend.h"

namespace rwttt::gpu {

// `threads` > 0: run this backend's work on that many OpenMP threads (set before each call);
// 0: OpenMP's default (OMP_NUM_THREADS, else one per core).
std::unique_ptr<Backend> MakeOmpBackend(int threads);

}  // namespace rwttt::gpu
