#include "sim/cost_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/check.h"

namespace rwttt {

CostModel::CostModel(const ModelProfile& model, const HardwareProfile& hw)
    : ttt_layers_(model.ttt_layers.size()),
      other_layers_(model.layers - model.ttt_layers.size()),
      read_ttt_(ReadLayerWork(model, true, 1)),
      read_other_(ReadLayerWork(model, false, 1)),
      write_(WriteLayerWork(model)),
      kv_token_bytes_(model.attention ? model.attention->kv_token_layer_bytes() : 0.0),
      pair_flops_(model.attention ? model.attention->flops_per_pair() : 0.0),
      bandwidth_(hw.bandwidth_bytes_per_ns()),
      cache_bandwidth_(hw.cache_bandwidth_gbs),
      peak_(hw.peak_flops_per_ns(model.dtype)),
      write_peak_(hw.write_peak_flops_per_ns(model.dtype)),
      launch_ns_(static_cast<double>(hw.launch_overhead_ns)),
      layer_ns_(static_cast<double>(hw.layer_overhead_ns)) {}

void CostModel::AddLayers(BatchCost& cost, std::uint64_t layers, double bytes, double cached,
                          double flops, double peak, double BatchCost::*compute_ns) const {
  if (layers == 0) return;
  const double n = static_cast<double>(layers);
  cost.overhead_ns += n * layer_ns_;
  const double from_memory = (bytes - cached) / bandwidth_;
  const double from_cache = cached > 0 ? cached / cache_bandwidth_ : 0.0;
  const double compute = flops / peak;
  if (from_memory + from_cache >= compute) {
    cost.memory_ns += n * from_memory;
    cost.cache_ns += n * from_cache;
  } else {
    cost.*compute_ns += n * compute;
  }
}

BatchCost CostModel::Cost(const BatchShape& s) const {
  BatchCost cost;
  cost.launch_ns = launch_ns_;
  // No cache, nothing cached: a hand-built shape cannot divide by a zero cache bandwidth.
  const bool cache = cache_bandwidth_ > 0;
  // At most what the batch moves: a hand-built shape cannot make bytes negative.
  const double cached_weights =
      cache ? static_cast<double>(std::min<std::uint64_t>(s.cached_weights, 1)) : 0.0;
  if (s.read_steps > 0) {
    const double tokens = static_cast<double>(s.read_tokens);
    const double slots = static_cast<double>(s.read_slots);
    const double cached_slots =
        cache ? static_cast<double>(std::min(s.cached_read_slots, s.read_slots)) : 0.0;
    // Every layer attends: it reads the attended positions' K and V and writes the new tokens'.
    const double kv_bytes = (static_cast<double>(s.kv_read_tokens) + tokens) * kv_token_bytes_;
    const double attention_flops = s.attended_pairs * pair_flops_;
    AddLayers(cost, ttt_layers_,
              read_ttt_.shared_bytes + slots * read_ttt_.owner_bytes +
                  tokens * read_ttt_.token_bytes + kv_bytes,
              cached_weights * read_ttt_.shared_bytes + cached_slots * read_ttt_.owner_bytes,
              tokens * read_ttt_.flops + attention_flops, peak_, &BatchCost::compute_ns);
    AddLayers(cost, other_layers_,
              read_other_.shared_bytes + tokens * read_other_.token_bytes + kv_bytes,
              cached_weights * read_other_.shared_bytes,
              tokens * read_other_.flops + attention_flops, peak_, &BatchCost::compute_ns);
  }
  if (s.write_steps > 0) {
    const double steps = static_cast<double>(s.write_steps);
    const double slots = static_cast<double>(s.write_slots);
    const double cached_slots =
        cache ? static_cast<double>(std::min(s.cached_write_slots, s.write_slots)) : 0.0;
    AddLayers(cost, ttt_layers_, slots * write_.owner_bytes + steps * write_.token_bytes,
              cached_slots * write_.owner_bytes, steps * write_.flops, write_peak_,
              &BatchCost::write_compute_ns);
  }
  // A copy reads and writes every byte.
  cost.swap_ns = 2.0 * static_cast<double>(s.swap_bytes) / bandwidth_;
  return cost;
}

namespace {

// Saturated, never wrapped: the simulator refuses a batch that would end past 2^63 ns.
std::int64_t WholeNanos(double ns) {
  const double up = std::ceil(ns);
  return up >= 9.2e18 ? INT64_MAX : static_cast<std::int64_t>(up);
}

}  // namespace

BatchTiming CostModel::BatchTime(const BatchShape& shape) const {
  std::uint64_t h = 0;
  for (std::uint64_t x :
       {shape.read_steps, shape.read_tokens, shape.read_slots, shape.write_steps, shape.write_slots,
        shape.swap_bytes, shape.kv_read_tokens, static_cast<std::uint64_t>(shape.attended_pairs),
        shape.cached_weights, shape.cached_read_slots, shape.cached_write_slots}) {
    h = (h ^ x) * 0x9E3779B97F4A7C15ull;
  }
  Memo& m = memo_[(h >> 56) & 0xFF];
  if (m.time.total.value() != 0 && m.shape == shape) return m.time;
  const BatchCost cost = Cost(shape);
  const Nanos total{std::max<std::int64_t>(1, WholeNanos(cost.total_ns()))};
  m = Memo{shape, BatchTiming{total, Nanos{std::min(total.value(), WholeNanos(cost.device_ns()))}}};
  return m.time;
}

}  // namespace rwttt
