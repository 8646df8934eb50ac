// The cost model (DESIGN §5, docs/cost-model.md): how long a batch takes on the device alone.
//
//   CostModel cost(model, hardware);
//   BatchTiming t = cost.BatchTime({.read_steps = 8, .read_tokens = 8, .read_slots = 8});
//
// Per layer: overhead + max(memory bytes / bandwidth + cached bytes / cache bandwidth,
// flops / peak), summed over the layers a batch runs
// (READs: every layer; WRITEs: the TTT layers, at the WRITE peak), plus one launch overhead and any
// swap copy. A batch reads the shared weights once and each distinct slot's state once: that
// sharing is what batching wins. The overheads are host time; the rest is the device's, which lanes
// running at once (replicas) share (sim/device_sharing.h).
#pragma once

#include <array>
#include <cstdint>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/step_cost.h"
#include "core/strong_types.h"

namespace rwttt {

// What the cost of a batch depends on.
struct BatchShape {
  std::uint64_t read_steps = 0;   // READ steps in the batch
  std::uint64_t read_tokens = 0;  // tokens they cover, summed
  std::uint64_t read_slots = 0;   // distinct slots they read
  std::uint64_t write_steps = 0;  // WRITE steps in the batch
  std::uint64_t write_slots = 0;  // distinct slots they update
  std::uint64_t swap_bytes = 0;   // bytes copied (read and written) before the batch
  // With attention (ModelProfile::attention), summed over the READ steps: the positions whose K
  // and V each reads (AttentionShape::KvTokensRead) and its query-key pairs (AttendedPairs).
  std::uint64_t kv_read_tokens = 0;
  double attended_pairs = 0;
  // With a cache (HardwareProfile::has_cache), what the batch finds in it, left by the batches
  // before (sim/cache_residency.h): the shared weights (1) or not (0), and how many of read_slots
  // and write_slots. The rest of its bytes, and every KV, activation and swap byte, come from
  // memory.
  std::uint64_t cached_weights = 0;
  std::uint64_t cached_read_slots = 0;
  std::uint64_t cached_write_slots = 0;
  friend bool operator==(const BatchShape&, const BatchShape&) = default;
};

// The terms of one batch's time, for reports and the cost-model documentation.
struct BatchCost {
  double launch_ns = 0;
  double overhead_ns = 0;       // per-layer framework overhead, summed
  double memory_ns = 0;         // layers where bytes dominated: their bytes from memory, summed
  double cache_ns = 0;          // the same layers' bytes from the cache, at its bandwidth
  double compute_ns = 0;        // READ layers where flops / peak dominated, summed
  double write_compute_ns = 0;  // WRITE layers where flops / WRITE peak dominated, summed
  double swap_ns = 0;
  double total_ns() const { return launch_ns + overhead_ns + device_ns(); }
  // The device's part: bytes moved and FLOPs done (the overheads are host time).
  double device_ns() const {
    return memory_ns + cache_ns + compute_ns + write_compute_ns + swap_ns;
  }
};

// A batch's time alone on the device, in whole nanoseconds: `total` is BatchCost::total_ns()
// rounded up (at least 1 ns), `device` its device part rounded up (never above `total`).
struct BatchTiming {
  Nanos total{0};
  Nanos device{0};
  Nanos host() const { return total - device; }
  friend bool operator==(const BatchTiming&, const BatchTiming&) = default;
};

class CostModel {
 public:
  CostModel(const ModelProfile& model, const HardwareProfile& hardware);

  // The terms of the batch's time alone on the device.
  BatchCost Cost(const BatchShape& shape) const;
  // Cost(shape) in whole nanoseconds (BatchTiming). Memoised: serving repeats a few shapes (decode
  // batches of the same size) millions of times.
  BatchTiming BatchTime(const BatchShape& shape) const;
  // The shared weight bytes a READ batch reads, over every layer.
  double WeightBytes() const {
    return static_cast<double>(ttt_layers_) * read_ttt_.shared_bytes +
           static_cast<double>(other_layers_) * read_other_.shared_bytes;
  }

 private:
  // Adds `layers` identical layers moving `bytes` (of which `cached` from the cache) and doing
  // `flops` each at `peak` FLOP/ns; their compute-bound time goes to `compute_ns`.
  void AddLayers(BatchCost& cost, std::uint64_t layers, double bytes, double cached, double flops,
                 double peak, double BatchCost::*compute_ns) const;

  std::uint64_t ttt_layers_;
  std::uint64_t other_layers_;
  LayerWork read_ttt_;    // per READ token in a TTT layer (shared_bytes, owner_bytes per batch)
  LayerWork read_other_;  // per READ token in another layer
  LayerWork write_;       // per WRITE in a TTT layer
  double kv_token_bytes_ = 0;  // one token's K and V in one layer (0 without attention)
  double pair_flops_ = 0;      // per query-key pair in one layer
  double bandwidth_;           // bytes per ns
  double cache_bandwidth_;     // bytes per ns from the cache (0: no cache)
  double peak_;                // flops per ns, for the model's dtype
  double write_peak_;          // flops per ns of the WRITE kernels
  double launch_ns_;
  double layer_ns_;

  struct Memo {
    BatchShape shape;
    BatchTiming time;  // total 0: empty entry
  };
  mutable std::array<Memo, 256> memo_{};  // direct-mapped by a hash of the shape
};

}  // namespace rwttt
