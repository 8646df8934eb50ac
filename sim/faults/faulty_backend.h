// FaultyBackend: a Backend decorator that really does to the state what fault injection asks,
// so that the production Backend contract and every kernel know nothing of faults (FoundationDB
// injects disk faults by wrapping IAsyncFile in AsyncFileNonDurable the same way). It keeps one
// spare slot past those the run asked for: the shadow that stale-read and lost-update save a state
// into, or the scratch a torn WRITE keeps the untouched layers in.
//
//   FaultyBackend faulty(cpu, /*spare_slot=*/true);
//   faulty.PlanNextBatch(items.size())[k] = FaultyBackend::Fault::kTorn;
//   faulty.RunBatch(items, results);   // item k updates only the first half of the TTT layers
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/backend.h"

namespace rwttt {

class FaultyBackend final : public Backend {
 public:
  // What one item of a batch suffers.
  enum class Fault : std::uint8_t {
    kNone,
    kSaveShadow,     // before the batch's math, its slot is copied to the shadow
    kReadShadow,     // a READ reads the shadow instead of its slot: a stale state
    kRestoreShadow,  // before the batch's math, the shadow is copied over its slot: a lost update
    kReplay,         // a READ run again on the carry its previous run started from; its result
                     // carry is its input carry, so the retry leaves the owner's carry as it was
    kTorn,           // a WRITE updates only the first num_ttt_layers / 2 TTT layers
  };

  // `inner` outlives this. `spare_slot`: keep the shadow / scratch slot (every Fault but kReplay
  // needs it).
  FaultyBackend(Backend& inner, bool spare_slot) : inner_(inner), spare_slot_(spare_slot) {}

  // The faults of the next RunBatch's items, by position, all kNone until set. Valid until the
  // next call; RunBatch consumes it.
  std::span<Fault> PlanNextBatch(std::size_t items);

  std::string_view name() const override { return inner_.name(); }
  // Reset the inner backend with the spare slot too (initialised).
  Status Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) override;
  void InitSlot(std::uint32_t slot) override { inner_.InitSlot(slot); }
  // Runs the batch with the planned faults: shadow copies first, in item order, then the math.
  // A torn WRITE runs as a batch of its own between the items before and after it, which keeps
  // the Backend's item-order semantics for items that share its slot.
  void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) override;
  std::uint64_t StateDigest(std::uint32_t slot) override { return inner_.StateDigest(slot); }
  void CopySlot(std::uint32_t from, std::uint32_t to) override { inner_.CopySlot(from, to); }
  void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                  std::uint32_t end) override {
    inner_.CopyLayers(from, to, first, end);
  }

 private:
  // Runs items [begin, end) on the inner backend; `torn`: the one item is a torn WRITE.
  void RunPart(std::size_t begin, std::size_t end, bool torn, std::span<ItemResult> results);

  Backend& inner_;
  bool spare_slot_;
  std::uint32_t spare_ = 0;  // index of the spare slot: the first past the run's
  std::uint32_t ttt_layers_ = 0;
  std::vector<Fault> plan_;       // [items of the next batch]
  std::vector<BatchItem> items_;  // the batch as the inner backend runs it
  // Owner id -> the carry its last READ (not a replay) started from.
  std::unordered_map<std::uint64_t, std::uint64_t> read_carry_;
};

}  // namespace rwttt
