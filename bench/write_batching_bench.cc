// Where batching WRITEs pays (issue 11, docs/performance.md#state-kinds): for each state kind,
// hardware and chunk size, the cost model's time for one batch of k WRITEs against k batches of
// one, and whether a WRITE is memory- or compute-bound. Deterministic: it prints the model's
// figures, no wall time.
//
//   build/bench/write_batching_bench [--k 32]
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "sim/cost_model.h"

int main(int argc, char** argv) {
  using namespace rwttt;
  std::uint64_t k = 32;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--k") == 0) k = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (k == 0) {
    std::fprintf(stderr, "write_batching_bench: --k must be at least 1\n");
    return 2;
  }
  std::printf("%-15s %-11s %6s %9s %14s %14s %8s %s\n", "model", "hardware", "chunk", "write_ms",
              "batch_of_k_ms", "k_singles_ms", "gain", "bound");
  for (const char* model_name : {"inplace-ttt-4b", "lact-1b", "lact-1b-muon", "low-rank-4b"}) {
    for (const char* hw_name : {"h100-sxm", "paper-h100"}) {
      for (const std::uint32_t chunk : {256u, 512u, 2048u, 8192u}) {
        ModelProfile model = LoadModelProfile(model_name).value();
        model.chunk = chunk;
        const CostModel cost(model, LoadHardwareProfile(hw_name).value());
        const BatchCost one = cost.Cost({.write_steps = 1, .write_slots = 1});
        const BatchCost batch = cost.Cost({.write_steps = k, .write_slots = k});
        const double singles = static_cast<double>(k) * one.total_ns();
        std::printf("%-15s %-11s %6u %9.3f %14.3f %14.3f %7.2fx %s\n", model_name, hw_name, chunk,
                    one.total_ns() / 1e6, batch.total_ns() / 1e6, singles / 1e6,
                    singles / batch.total_ns(), one.write_compute_ns > 0 ? "compute" : "memory");
      }
    }
  }
  return 0;
}
