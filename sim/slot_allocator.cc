#include "sim/slot_allocator.h"

#include "core/check.h"

namespace rwttt {

SlotAllocator::SlotAllocator(SlotMode mode, std::uint32_t capacity)
    : mode_(mode), num_slots_(mode == SlotMode::kShared ? 1 : std::max(capacity, 1u)) {
  if (mode_ != SlotMode::kShared) holder_.assign(num_slots_, -1);
}

SlotAllocator::Grant SlotAllocator::Acquire(std::uint32_t owner_index) {
  if (mode_ == SlotMode::kShared) {
    const Grant grant{0, next_slot_ == 0};
    next_slot_ = 1;
    return grant;
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.top();
    free_.pop();
  } else {
    RWTTT_CHECK(next_slot_ < num_slots_) << "more owners admitted than slots";
    slot = next_slot_++;
  }
  holder_[slot] = owner_index;
  return Grant{slot, true};
}

void SlotAllocator::Release(std::uint32_t slot) {
  if (mode_ == SlotMode::kShared) return;
  RWTTT_CHECK(slot < num_slots_ && holder_[slot] >= 0) << "slot " << slot << " is not held";
  holder_[slot] = -1;
  free_.push(slot);
}

}  // namespace rwttt
