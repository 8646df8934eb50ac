#include "sim/cache_residency.h"

#include <algorithm>

namespace rwttt {

CacheResidency::CacheResidency(std::uint64_t capacity, std::uint64_t weight_bytes,
                               std::uint64_t state_bytes)
    : capacity_(capacity), weight_bytes_(weight_bytes), state_bytes_(state_bytes) {}

std::uint64_t CacheResidency::DistinctCached(std::span<const std::uint32_t> slots,
                                             std::vector<Key>& keys) const {
  keys.assign(slots.begin(), slots.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return static_cast<std::uint64_t>(
      std::count_if(keys.begin(), keys.end(), [&](Key k) { return Cached(k); }));
}

void CacheResidency::Place(std::uint32_t lane, std::span<const std::uint32_t> read_slots,
                           std::span<const std::uint32_t> write_slots, BatchShape& shape) {
  if (!enabled()) return;
  // A slot both read and updated (the naive engine's shared slot in a mixed batch) counts as
  // cached for each effect, once in the batch's bytes. Never more than the shape's own count: a
  // policy may place two owners in one slot (BatchPlan::slots), which the shape counts as two.
  shape.cached_read_slots = std::min(DistinctCached(read_slots, reads_), shape.read_slots);
  shape.cached_write_slots = std::min(DistinctCached(write_slots, touched_), shape.write_slots);
  touched_.insert(touched_.end(), reads_.begin(), reads_.end());
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  if (shape.read_steps > 0) {
    const Key weights = kWeights | lane;
    shape.cached_weights = Cached(weights) ? 1 : 0;
    touched_.push_back(weights);
  }

  std::uint64_t footprint = 0;
  for (Key key : touched_) footprint += BytesOf(key);
  if (footprint > capacity_) {
    recency_.clear();
    where_.clear();
    held_ = 0;
    return;
  }
  ++batches_;
  for (Key key : touched_) {
    if (auto it = where_.find(key); it != where_.end()) {
      it->second->stamp = batches_;
      recency_.splice(recency_.begin(), recency_, it->second);
    } else {
      recency_.push_front({key, batches_});
      where_.emplace(key, recency_.begin());
      held_ += BytesOf(key);
    }
  }
  // The least recent batch's items go together: which of them its kernels touched last is not
  // the simulator's to say.
  while (held_ > capacity_) {
    const std::uint64_t oldest = recency_.back().stamp;
    while (recency_.back().stamp == oldest) {
      held_ -= BytesOf(recency_.back().key);
      where_.erase(recency_.back().key);
      recency_.pop_back();
    }
  }
}

CacheResidency CacheResidencyOf(const ModelProfile& model, const HardwareProfile& hardware) {
  return CacheResidency(hardware.has_cache() ? hardware.cache_bytes() : 0,
                        static_cast<std::uint64_t>(CostModel(model, hardware).WeightBytes()),
                        model.state_bytes());
}

}  // namespace rwttt
