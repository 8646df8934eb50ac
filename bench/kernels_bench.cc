// Kernel throughput of the omp backend (issue 4): READ (decode, one token per owner) and WRITE
// (one chunk per owner) at batch 1, 2, 4, 8, 16 on the `small` and `medium` profiles, beside a
// STREAM triad measured in the same run on the same threads.
//
//   build/bench/kernels_bench [--benchmark_filter=Read] [--benchmark_min_time=0.5]
//   OMP_NUM_THREADS=2 build/bench/kernels_bench --benchmark_counters_tabular=true
//
// bytes_per_second counts the bytes a batch must move at least: READ the shared W_up of every TTT
// layer once plus each owner's fast weights once; WRITE W_up once plus each owner's fast weights
// read and written. items_per_second is tokens/s (READ) or chunk tokens/s (WRITE).
// docs/performance.md#kernels has the results and how to read them.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/model_profile.h"
#include "gpu/omp_backend.h"

namespace rwttt {
namespace {

// STREAM triad a = b + s * c over arrays far larger than the caches, on OpenMP threads.
void BM_StreamTriad(benchmark::State& state) {
  const std::size_t n = std::size_t{1} << 25;  // 32 Mi floats = 128 MiB per array
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  const float s = 3.0f;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 3 * n * sizeof(float));
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK(BM_StreamTriad)->Unit(benchmark::kMillisecond)->UseRealTime();

constexpr std::uint32_t kSlots = 16;

// One backend per profile, with kSlots slots, reused by every batch size.
Backend& BackendFor(const ModelProfile& model) {
  static std::unique_ptr<Backend> backend;
  static std::string loaded;
  if (loaded != model.name) {
    backend = gpu::MakeOmpBackend(0);
    if (!backend->Reset(model, kSlots, Seed{1}).ok()) std::abort();
    for (std::uint32_t s = 0; s < kSlots; ++s) backend->InitSlot(s);
    loaded = model.name;
  }
  return *backend;
}

// Each iteration runs the next `batch` of 16 owners (slots), round robin, so that states come
// from memory as they do when many owners are served, not from a cache that one owner fits in.
void RunKernel(benchmark::State& state, const char* profile, Effect effect) {
  const ModelProfile model = LoadModelProfile(profile).value();
  Backend& backend = BackendFor(model);
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  std::vector<std::uint64_t> carry(kSlots, 0);
  std::vector<BatchItem> items(batch);
  std::vector<ItemResult> results(batch);
  std::uint32_t next = 0;
  for (auto _ : state) {
    for (std::uint32_t k = 0; k < batch; ++k) {
      const std::uint32_t slot = (next + k) % kSlots;
      items[k] = BatchItem{.owner = OwnerId{slot},
                           .effect = effect,
                           .first_token = effect == Effect::kRead ? 100u : 0u,
                           .end_token = effect == Effect::kRead ? 101u : model.chunk,
                           .slot = slot,
                           .input_seed = 1,
                           .carry = carry[slot]};
    }
    backend.RunBatch(items, results);
    for (std::uint32_t k = 0; k < batch; ++k) carry[items[k].slot] = results[k].carry;
    next = (next + batch) % kSlots;
  }
  // W_up of each TTT layer, read once per batch (In-Place TTT presets only here).
  const std::uint64_t shared =
      model.ttt_layers.size() * std::uint64_t{model.d_model} * model.d_ff * DTypeBytes(model.dtype);
  const std::uint64_t owner = model.state_bytes() * (effect == Effect::kRead ? 1 : 2);
  const std::uint64_t tokens = effect == Effect::kRead ? 1 : model.chunk;
  state.SetBytesProcessed(state.iterations() * (shared + batch * owner));
  state.SetItemsProcessed(state.iterations() * batch * tokens);
  state.counters["batch"] = batch;
}

void BM_ReadSmall(benchmark::State& s) { RunKernel(s, "small", Effect::kRead); }
void BM_ReadMedium(benchmark::State& s) { RunKernel(s, "medium", Effect::kRead); }
void BM_WriteSmall(benchmark::State& s) { RunKernel(s, "small", Effect::kWrite); }
void BM_WriteMedium(benchmark::State& s) { RunKernel(s, "medium", Effect::kWrite); }

BENCHMARK(BM_ReadSmall)
    ->RangeMultiplier(2)
    ->Range(1, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ReadMedium)
    ->RangeMultiplier(2)
    ->Range(1, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_WriteSmall)
    ->RangeMultiplier(2)
    ->Range(1, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// A medium WRITE is ~34 GFLOP per owner (C = 256 tokens through W_up and the rank-C update of
// eight 4096 x 1024 layers): one iteration each keeps the run in minutes.
BENCHMARK(BM_WriteMedium)
    ->RangeMultiplier(2)
    ->Range(1, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace rwttt

BENCHMARK_MAIN();
