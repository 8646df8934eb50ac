// Kernel throughput of the omp backend: READ (decode, one token per owner) and WRITE (one chunk
// per owner) at batch 1, 2, 4, 8, 16 on the `small` and `medium` profiles, and WRITE on one layer
// of `lact-1b` and `lact-1b-muon` at batch 1, 2, 4, each as a fraction of
// its limit measured in the same run on the same threads: READ against a STREAM triad (of_triad)
// and against a read-only stream (of_read: a READ only reads, and one core reads slower than it
// runs a triad), WRITE against the fp32 multiply-plus-add peak without FMA (of_peak).
//
//   build/bench/kernels_bench [--benchmark_filter=Read] [--benchmark_min_time=0.5]
//   OMP_NUM_THREADS=2 build/bench/kernels_bench --benchmark_counters_tabular=true
//
// bytes_per_second counts the bytes a batch must move at least: READ the shared W_up of every TTT
// layer once plus each owner's fast weights once; WRITE W_up once plus each owner's fast weights
// read and written. items_per_second is tokens/s (READ) or chunk tokens/s (WRITE). flops counts a
// WRITE's multiply-adds as two operations each: In-Place TTT every chunk token through W_up and
// the rank-C update of every TTT layer; LaCT the cost model's count (core/step_cost.h).
// docs/performance.md#kernels has the results and how to read them.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "core/host_device.h"
#include "core/model_profile.h"
#include "core/step_cost.h"
#include "gpu/omp_backend.h"

namespace rwttt {
namespace {

// STREAM triad a = b + s * c over arrays far larger than the caches, on OpenMP threads.
constexpr std::size_t kTriadFloats = std::size_t{1} << 25;  // 32 Mi floats = 128 MiB per array

void Triad(std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& c) {
  const float s = 3.0f;
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = b[i] + s * c[i];
  benchmark::DoNotOptimize(a.data());
  benchmark::ClobberMemory();
}

// A read-only stream over the triad's inputs: the sum of b and c, in 16 partial sums a thread so
// that no add waits on another. A READ only reads, and on a CPU one core may read slower than it
// runs a triad's two reads and a write together; this is the ceiling of a kernel that only reads.
RWTTT_HOST_CLONES double ReadStream(const std::vector<float>& b, const std::vector<float>& c) {
  constexpr std::size_t kPartial = 16;
  double total = 0;
  const std::size_t n = b.size() / kPartial * kPartial;
#pragma omp parallel reduction(+ : total)
  {
    float partial[kPartial] = {};
#pragma omp for schedule(static)
    for (std::size_t i = 0; i < n; i += kPartial) {
      for (std::size_t k = 0; k < kPartial; ++k) partial[k] += b[i + k] + c[i + k];
    }
    for (float p : partial) total += p;
  }
  benchmark::DoNotOptimize(total);
  return total;
}

// The fp32 peak without FMA: 256 independent chains x = x * m + k per thread (a multiply and an
// add, never fused: -ffp-contract=off), compiled for the widest vectors the CPU has, as the
// kernels are. Returns the multiply-adds done.
RWTTT_HOST_CLONES std::uint64_t MulAddChains(std::uint64_t rounds) {
  constexpr int kChains = 256;
  std::uint64_t done = 0;
#pragma omp parallel reduction(+ : done)
  {
    float x[kChains];
    for (int c = 0; c < kChains; ++c) x[c] = 1.0f + static_cast<float>(c) * 1e-3f;
    float m = 0.9999999f;
    const float k = 1e-7f;
    for (std::uint64_t r = 0; r < rounds; ++r) {
      // m is opaque to the compiler each round, so that no round can be skipped or merged.
      asm volatile("" : "+x"(m));
      for (int c = 0; c < kChains; ++c) x[c] = x[c] * m + k;
    }
    benchmark::DoNotOptimize(x);
    done += rounds * kChains;
  }
  return done;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The limits every kernel is reported against, measured once per run (best of five) on the
// kernels' threads, so that a noisy machine's figures stay comparable within one run.
struct Limits {
  double triad_bytes_per_second = 0;
  double read_bytes_per_second = 0;  // ReadStream's
  double peak_flops = 0;             // a multiply and an add are two
};

const Limits& MeasuredLimits() {
  static const Limits limits = [] {
    Limits l;
    std::vector<float> a(kTriadFloats), b(kTriadFloats, 1.0f), c(kTriadFloats, 2.0f);
    Triad(a, b, c);  // fault the pages in
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      Triad(a, b, c);
      l.triad_bytes_per_second =
          std::max(l.triad_bytes_per_second, 3.0 * kTriadFloats * sizeof(float) / Seconds(t0));
      const auto t_read = std::chrono::steady_clock::now();
      ReadStream(b, c);
      l.read_bytes_per_second =
          std::max(l.read_bytes_per_second, 2.0 * kTriadFloats * sizeof(float) / Seconds(t_read));
      const auto t1 = std::chrono::steady_clock::now();
      const std::uint64_t mul_adds = MulAddChains(std::uint64_t{1} << 20);
      l.peak_flops = std::max(l.peak_flops, 2.0 * static_cast<double>(mul_adds) / Seconds(t1));
    }
    return l;
  }();
  return limits;
}

void BM_StreamTriad(benchmark::State& state) {
  std::vector<float> a(kTriadFloats), b(kTriadFloats, 1.0f), c(kTriadFloats, 2.0f);
  for (auto _ : state) Triad(a, b, c);
  state.SetBytesProcessed(state.iterations() * 3 * kTriadFloats * sizeof(float));
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK(BM_StreamTriad)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamRead(benchmark::State& state) {
  std::vector<float> b(kTriadFloats, 1.0f), c(kTriadFloats, 2.0f);
  for (auto _ : state) ReadStream(b, c);
  state.SetBytesProcessed(state.iterations() * 2 * kTriadFloats * sizeof(float));
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK(BM_StreamRead)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PeakMulAdd(benchmark::State& state) {
  std::uint64_t mul_adds = 0;
  for (auto _ : state) mul_adds += MulAddChains(std::uint64_t{1} << 20);
  state.counters["flops"] =
      benchmark::Counter(2.0 * static_cast<double>(mul_adds), benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK(BM_PeakMulAdd)->Unit(benchmark::kMillisecond)->UseRealTime();

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
void RunKernel(benchmark::State& state, const ModelProfile& model, Effect effect) {
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
  // W_up of each TTT layer (In-Place TTT), read once per batch.
  const std::uint64_t shared =
      model.ttt_layers.size() * model.shared_up_elems() * DTypeBytes(model.dtype);
  const std::uint64_t owner = model.state_bytes() * (effect == Effect::kRead ? 1 : 2);
  const std::uint64_t tokens = effect == Effect::kRead ? 1 : model.chunk;
  const double bytes = static_cast<double>(state.iterations()) * (shared + batch * owner);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * batch * tokens);
  state.counters["batch"] = batch;
  const Limits& limits = MeasuredLimits();
  if (effect == Effect::kRead) {
    state.counters["of_triad"] =
        benchmark::Counter(bytes / limits.triad_bytes_per_second, benchmark::Counter::kIsRate);
    state.counters["of_read"] =
        benchmark::Counter(bytes / limits.read_bytes_per_second, benchmark::Counter::kIsRate);
  } else {
    // In-Place TTT: every chunk token through W_up and the rank-C update (the cost model counts
    // only the update); another kind: the cost model's count of its WRITE.
    const double per_layer = std::holds_alternative<InplaceTttKind>(model.state_kind)
                                 ? 4.0 * static_cast<double>(tokens) * model.d_model * model.d_ff
                                 : WriteLayerWork(model).flops;
    const double flops = static_cast<double>(state.iterations()) * batch *
                         static_cast<double>(model.ttt_layers.size()) * per_layer;
    state.counters["flops"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
    state.counters["of_peak"] =
        benchmark::Counter(flops / limits.peak_flops, benchmark::Counter::kIsRate);
  }
}

ModelProfile Preset(const char* name) { return LoadModelProfile(name).value(); }

// One TTT layer of a preset's shapes: what one layer of a LaCT-1B WRITE costs, in a second.
ModelProfile OneLayerOf(const char* name) {
  ModelProfile model = Preset(name);
  model.name += "-one-layer";
  model.layers = 1;
  model.ttt_layers = {0};
  return model;
}

void BM_ReadSmall(benchmark::State& s) { RunKernel(s, Preset("small"), Effect::kRead); }
void BM_ReadMedium(benchmark::State& s) { RunKernel(s, Preset("medium"), Effect::kRead); }
void BM_WriteSmall(benchmark::State& s) { RunKernel(s, Preset("small"), Effect::kWrite); }
void BM_WriteMedium(benchmark::State& s) { RunKernel(s, Preset("medium"), Effect::kWrite); }
void BM_ReadLact1bLayer(benchmark::State& s) { RunKernel(s, OneLayerOf("lact-1b"), Effect::kRead); }
void BM_WriteLact1bLayer(benchmark::State& s) {
  RunKernel(s, OneLayerOf("lact-1b"), Effect::kWrite);
}
void BM_WriteLact1bMuonLayer(benchmark::State& s) {
  RunKernel(s, OneLayerOf("lact-1b-muon"), Effect::kWrite);
}

// Batches 1, 2, 4, ... up to 16 (LaCT: 4), in milliseconds of real time; one iteration each for
// the medium WRITEs, which take a large part of a second per owner, and three for the LaCT layers
// (a tenth to a third of a second each), whose single runs moved by 15% on this noisy VM.
void Batches16(benchmark::internal::Benchmark* b) {
  b->RangeMultiplier(2)->Range(1, 16)->Unit(benchmark::kMillisecond)->UseRealTime();
}
void Batches16Once(benchmark::internal::Benchmark* b) { Batches16(b->Iterations(1)); }
void Batches4ThreeTimes(benchmark::internal::Benchmark* b) {
  b->RangeMultiplier(2)->Range(1, 4)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
}

BENCHMARK(BM_ReadSmall)->Apply(Batches16);
BENCHMARK(BM_ReadMedium)->Apply(Batches16);
BENCHMARK(BM_WriteSmall)->Apply(Batches16);
// A medium WRITE is ~34 GFLOP per owner (C = 256 tokens through W_up and the rank-C update of
// eight 4096 x 1024 layers).
BENCHMARK(BM_WriteMedium)->Apply(Batches16Once);
// A LaCT-1B layer's WRITE (four 512-wide heads, C = 2048): about 26 GFLOP per owner, 74 with
// Muon's Newton–Schulz steps.
BENCHMARK(BM_ReadLact1bLayer)->Apply(Batches16);
BENCHMARK(BM_WriteLact1bLayer)->Apply(Batches4ThreeTimes);
BENCHMARK(BM_WriteLact1bMuonLayer)->Apply(Batches4ThreeTimes);

}  // namespace
}  // namespace rwttt

BENCHMARK_MAIN();
