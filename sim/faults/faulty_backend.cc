#include "sim/faults/faulty_backend.h"

#include <algorithm>

#include "core/check.h"

namespace rwttt {

std::span<FaultyBackend::Fault> FaultyBackend::PlanNextBatch(std::size_t items) {
  plan_.assign(items, Fault::kNone);
  return plan_;
}

Status FaultyBackend::Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) {
  spare_ = num_slots;
  ttt_layers_ = static_cast<std::uint32_t>(model.ttt_layers.size());
  read_carry_.clear();
  plan_.clear();
  RWTTT_TRY(inner_.Reset(model, num_slots + (spare_slot_ ? 1 : 0), seed));
  if (spare_slot_) inner_.InitSlot(spare_);
  return OkStatus();
}

void FaultyBackend::RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) {
  RWTTT_CHECK(plan_.empty() || plan_.size() == items.size())
      << "planned " << plan_.size() << " items, ran " << items.size();
  plan_.resize(items.size(), Fault::kNone);
  items_.assign(items.begin(), items.end());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    BatchItem& item = items_[i];
    switch (plan_[i]) {
      case Fault::kSaveShadow:
        inner_.CopySlot(item.slot, spare_);
        break;
      case Fault::kRestoreShadow:
        inner_.CopySlot(spare_, item.slot);
        break;
      case Fault::kReadShadow:
        item.slot = spare_;
        break;
      case Fault::kReplay:
        item.carry = read_carry_.at(item.owner.value());
        break;
      case Fault::kNone:
      case Fault::kTorn:
        break;
    }
    if (item.effect == Effect::kRead && plan_[i] != Fault::kReplay) {
      read_carry_[item.owner.value()] = item.carry;
    }
  }
  std::size_t begin = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (plan_[i] != Fault::kTorn) continue;
    RunPart(begin, i, false, results);
    RunPart(i, i + 1, true, results);
    begin = i + 1;
  }
  RunPart(begin, items_.size(), false, results);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (plan_[i] == Fault::kReplay) results[i].carry = items[i].carry;
  }
  plan_.clear();
}

void FaultyBackend::RunPart(std::size_t begin, std::size_t end, bool torn,
                            std::span<ItemResult> results) {
  if (begin == end) return;
  const std::span<const BatchItem> part(items_.data() + begin, end - begin);
  const std::span<ItemResult> out = results.subspan(begin, end - begin);
  if (!torn) {
    inner_.RunBatch(part, out);
    return;
  }
  // The WRITE updates every layer; the second half then gets its old contents back.
  const std::uint32_t slot = part.front().slot;
  inner_.CopySlot(slot, spare_);
  inner_.RunBatch(part, out);
  inner_.CopyLayers(spare_, slot, ttt_layers_ / 2, ttt_layers_);
  out.front().state_digest = inner_.StateDigest(slot);
}

}  // namespace rwttt
