// The last-level cache as the cost model sees it (docs/cost-model.md#the-cache): which of a
// batch's shared weights and states the batches before it left in the cache, so that the cost
// model reads them at the cache's bandwidth.
//
//   CacheResidency cache = CacheResidencyOf(model, cached);  // hardware with a cache
//   const std::uint32_t slot = 3;
//   BatchShape shape{.read_steps = 1, .read_tokens = 1, .read_slots = 1};
//   cache.Place(/*lane=*/0, {&slot, 1}, {}, shape);  // first: nothing cached
//   cache.Place(/*lane=*/0, {&slot, 1}, {}, shape);  // again: shape.cached_read_slots == 1
//
// The rule: an LRU cache of whole items, each lane's shared weights (replicas hold a copy per
// lane) and each slot's state, of `capacity` bytes, touched a batch at a time. An item a batch
// touches is cached when the batches since it was last touched (that one included) touched
// distinct items of at most `capacity` bytes in all, and none of them alone touched more: such
// a batch empties the cache, as an LRU cache under a cyclic scan larger than itself keeps
// nothing the next scan finds. Batches are placed in the order they start, whatever lane they
// run on. KV, activations and swap copies always come from memory.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/cost_model.h"

namespace rwttt {

class CacheResidency {
 public:
  // `capacity`: the cache's bytes (0: no cache, Place finds nothing); `weight_bytes`: the shared
  // weights a READ batch reads; `state_bytes`: one slot's state.
  CacheResidency(std::uint64_t capacity, std::uint64_t weight_bytes, std::uint64_t state_bytes);

  // Whether there is a cache: without one Place finds nothing and records nothing.
  bool enabled() const { return capacity_ > 0; }

  // Fills shape.cached_weights (when shape.read_steps > 0), cached_read_slots and
  // cached_write_slots for a batch on `lane` reading the states of `read_slots` and updating
  // those of `write_slots` (each may repeat a slot), then records the batch's touches.
  void Place(std::uint32_t lane, std::span<const std::uint32_t> read_slots,
             std::span<const std::uint32_t> write_slots, BatchShape& shape);

 private:
  using Key = std::uint64_t;  // a slot, or kWeights | lane
  static constexpr Key kWeights = Key{1} << 32;

  bool Cached(Key key) const { return where_.contains(key); }
  // Sets `keys` to the distinct slots of `slots`; returns how many of them are cached.
  std::uint64_t DistinctCached(std::span<const std::uint32_t> slots, std::vector<Key>& keys) const;
  std::uint64_t BytesOf(Key key) const { return key >= kWeights ? weight_bytes_ : state_bytes_; }

  std::uint64_t capacity_;
  std::uint64_t weight_bytes_;
  std::uint64_t state_bytes_;
  struct Entry {
    Key key;
    std::uint64_t stamp;  // the batch that touched it last, counting from 1
  };
  std::list<Entry> recency_;  // most recent first
  std::unordered_map<Key, std::list<Entry>::iterator> where_;
  std::uint64_t batches_ = 0;
  std::uint64_t held_ = 0;    // bytes of the keys in recency_
  std::vector<Key> reads_;    // the batch being placed: its distinct READ slots
  std::vector<Key> touched_;  // and every distinct key it touches
};

// The cache of `hardware` (none when it has none) for `model`'s weights and states.
CacheResidency CacheResidencyOf(const ModelProfile& model, const HardwareProfile& hardware);

}  // namespace rwttt
