// How a batched backend lays a batch out: the items split into parts that can run at once, each
// part's tokens flattened in CSR form and grouped by slot, all built on the host (STYLE: batches
// are described by CSR offset arrays built on the host).
//
//   BatchPlanner planner;  // kept, so that its storage is reused
//   for (const BatchPart& part : planner.Plan(items, /*down_tile_tokens=*/16)) Run(part);  // in
//   order
//
// A correct policy's batch is one part. Items that share a slot (a broken policy's batch) are
// split into waves so that they apply in item order, as Backend::RunBatch promises: a READ waits
// for earlier WRITEs of its slot, a WRITE for earlier READs and WRITEs of its slot.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/backend.h"
#include "core/ttt_math.h"

namespace rwttt::gpu::internal {

// A run of at most `down_tile_tokens` tokens of one slot: the unit that reads the slot's state
// once.
struct TokenTile {
  std::uint32_t slot = 0;
  std::uint32_t token_begin = 0;  // into the part's token arrays
  std::uint32_t token_end = 0;
};

struct BatchPart {
  Effect effect = Effect::kRead;
  std::vector<std::uint32_t> items;         // [num_items] indices into the batch, grouped by slot
  std::vector<std::uint32_t> item_offsets;  // [num_items + 1] CSR: the tokens of items[n]
  std::vector<std::uint64_t> token_key;     // [num_tokens] TokenKey of the token's item
  std::vector<std::uint32_t> token_pos;     // [num_tokens] position in the owner's stream
  std::vector<std::uint32_t> token_owner;   // [num_tokens] low 32 bits of the owner id
  std::vector<std::uint32_t> token_slot;    // [num_tokens] the slot of the token's item
  std::vector<TokenTile> tiles;             // READ: down-projection tiles, grouped by slot
  std::vector<std::uint32_t> item_slot;     // WRITE: [num_items] the slot each item updates
  std::uint32_t num_tokens() const { return static_cast<std::uint32_t>(token_pos.size()); }
};

// Splits batches into parts to run in order, reusing its storage from batch to batch so that a
// steady stream of batches allocates nothing.
class BatchPlanner {
 public:
  // The parts of `items`, valid until the next call. O(waves * n + n log n) for n items (one wave
  // for a correct policy's batch), plus linear in their tokens. REQUIRES: down_tile_tokens > 0.
  std::span<const BatchPart> Plan(std::span<const BatchItem> items,
                                  std::uint32_t down_tile_tokens) {
    const std::uint32_t num_waves = Waves(items);
    num_parts_ = 0;
    for (std::uint32_t w = 0; w < num_waves; ++w) {
      for (const Effect effect : {Effect::kRead, Effect::kWrite}) {
        if (num_parts_ == parts_.size()) parts_.emplace_back();
        BatchPart& part = parts_[num_parts_];
        Clear(part);
        part.effect = effect;
        for (std::uint32_t n = 0; n < items.size(); ++n) {
          if (wave_[n] == w && items[n].effect == effect) part.items.push_back(n);
        }
        if (part.items.empty()) continue;
        ++num_parts_;
        Fill(items, down_tile_tokens, part);
      }
    }
    return {parts_.data(), num_parts_};
  }

 private:
  // wave_[n]: the earliest wave item n may join given earlier items of its slot; returns the
  // number of waves. Distinct slots (every correct batch) are one wave without a map.
  std::uint32_t Waves(std::span<const BatchItem> items) {
    wave_.assign(items.size(), 0);
    sorted_slots_.clear();
    for (const BatchItem& item : items) sorted_slots_.push_back(item.slot);
    std::sort(sorted_slots_.begin(), sorted_slots_.end());
    if (std::adjacent_find(sorted_slots_.begin(), sorted_slots_.end()) == sorted_slots_.end()) {
      return items.empty() ? 0 : 1;
    }
    std::map<std::uint32_t, std::uint32_t> min_read, min_write;  // by slot
    std::uint32_t num_waves = 0;
    for (std::uint32_t n = 0; n < items.size(); ++n) {
      const std::uint32_t s = items[n].slot;
      if (items[n].effect == Effect::kRead) {
        wave_[n] = min_read[s];
        min_write[s] = std::max(min_write[s], wave_[n] + 1);
      } else {
        wave_[n] = std::max(min_read[s], min_write[s]);
        min_read[s] = min_write[s] = wave_[n] + 1;
      }
      num_waves = std::max(num_waves, wave_[n] + 1);
    }
    return num_waves;
  }

  static void Clear(BatchPart& part) {
    part.items.clear();
    part.item_offsets.clear();
    part.token_key.clear();
    part.token_pos.clear();
    part.token_owner.clear();
    part.token_slot.clear();
    part.tiles.clear();
    part.item_slot.clear();
  }

  // The part's items grouped by slot, its tokens in CSR form and, for a READ, its tiles.
  static void Fill(std::span<const BatchItem> items, std::uint32_t down_tile_tokens,
                   BatchPart& part) {
    std::stable_sort(part.items.begin(), part.items.end(), [&](std::uint32_t a, std::uint32_t b) {
      return items[a].slot < items[b].slot;
    });
    part.item_offsets.push_back(0);
    for (const std::uint32_t n : part.items) {
      const BatchItem& item = items[n];
      const std::uint64_t key = TokenKey(item.input_seed, item.carry, item.owner.value());
      for (std::uint32_t t = item.first_token; t < item.end_token; ++t) {
        part.token_key.push_back(key);
        part.token_pos.push_back(t);
        part.token_owner.push_back(static_cast<std::uint32_t>(item.owner.value()));
        part.token_slot.push_back(item.slot);
      }
      part.item_offsets.push_back(part.num_tokens());
      part.item_slot.push_back(item.slot);
    }
    if (part.effect != Effect::kRead) return;
    // Tiles never span two slots, so each tile reads one state.
    for (std::size_t g = 0; g < part.items.size();) {
      const std::uint32_t slot = items[part.items[g]].slot;
      std::size_t h = g;
      while (h < part.items.size() && items[part.items[h]].slot == slot) ++h;
      for (std::uint32_t t = part.item_offsets[g]; t < part.item_offsets[h];
           t += down_tile_tokens) {
        part.tiles.push_back(
            {slot, t, std::min<std::uint32_t>(t + down_tile_tokens, part.item_offsets[h])});
      }
      g = h;
    }
  }

  std::vector<BatchPart> parts_;  // [0, num_parts_) are the last plan's
  std::size_t num_parts_ = 0;
  std::vector<std::uint32_t> wave_;
  std::vector<std::uint32_t> sorted_slots_;
};

// The parts of `items`, as a new vector (BatchPlanner::Plan, without reuse).
inline std::vector<BatchPart> PlanBatch(std::span<const BatchItem> items,
                                        std::uint32_t down_tile_tokens) {
  BatchPlanner planner;
  const std::span<const BatchPart> parts = planner.Plan(items, down_tile_tokens);
  return {parts.begin(), parts.end()};
}

}  // namespace rwttt::gpu::internal
