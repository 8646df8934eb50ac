// The `omp` backend: the batched Thrust kernels (gpu/internal/batched_backend.cuh) on Thrust's
// OpenMP system, built with the host compiler, or the cpu backend's kernels for a model too small
// to share (RunsOnCpuKernels). Multi-threaded, bit-identical to `cpu`.
//
//   std::unique_ptr<Backend> omp = MakeOmpBackend(/*threads=*/2);
//   RWTTT_TRY(omp->Reset(model, num_slots, Seed{7}));
#pragma once

#include <cstdint>
#include <memory>

#include "core/backend.h"
#include "core/model_profile.h"

namespace rwttt::gpu {

// Work below this many multiply-adds (or their equivalent) runs inline on the calling thread:
// waking the other threads costs more than sharing it saves (docs/performance.md#kernels).
inline constexpr std::uint64_t kOmpInlineWork = std::uint64_t{1} << 18;

// `threads` > 0: run this backend's work on that many OpenMP threads (set before each call);
// 0: OpenMP's default (OMP_NUM_THREADS, else one per core); a model on the cpu backend's kernels
// runs on the calling thread whatever it says. A batch part or kernel launch of less than
// `inline_work` multiply-adds runs on the calling thread, and an In-Place TTT or LaCT model whose
// one token is below it runs on the cpu backend's kernels (RunsOnCpuKernels). 0: everything is
// shared, which tests of the batched kernels use. Results are the same bits either way.
std::unique_ptr<Backend> MakeOmpBackend(int threads, std::uint64_t inline_work = kOmpInlineWork);

// Whether MakeOmpBackend(_, inline_work) runs `model` on the cpu backend's kernels: In-Place TTT
// or LaCT with tokens of less than `inline_work` multiply-adds each
// (ModelProfile::token_multiply_adds). The batched In-Place TTT kernels are tiled for large
// matrices and ran such a model at half the cpu kernels' speed at every batch size; LaCT's batched
// functors ran one-item batches 5 % slower. Low-rank's ran 7 % faster, and share big batches, so
// low-rank keeps them (docs/performance.md#omp-and-cpu). O(1).
bool RunsOnCpuKernels(const ModelProfile& model, std::uint64_t inline_work = kOmpInlineWork);

}  // namespace rwttt::gpu
