// The slot allocator: which state slot each admitted owner reads and updates, under the layout's
// SlotMode. The simulator asks it for a slot at admission and hands the slot back when the owner
// finishes; nothing else in a run decides slots (a policy may only place steps elsewhere, per
// batch, through BatchPlan::slots).
//
//   SlotAllocator slots(SlotMode::kPerOwner, /*capacity=*/8);
//   SlotAllocator::Grant g = slots.Acquire(owner_index);   // g.slot == 0, g.fresh
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/policy.h"

namespace rwttt {

class SlotAllocator {
 public:
  // `capacity`: the most owners admitted at once (>= 1). kShared has one slot whatever it is.
  SlotAllocator(SlotMode mode, std::uint32_t capacity);

  SlotMode mode() const { return mode_; }
  // Slots the backend holds: `capacity`, or 1 when shared.
  std::uint32_t num_slots() const { return num_slots_; }

  struct Grant {
    std::uint32_t slot = 0;
    bool fresh = true;  // the slot needs a fresh state (a shared slot only the first time)
  };
  // A slot for the owner at trace position `owner_index`: the lowest free one (kPerOwner, and
  // kCopyOnWrite at an owner's first WRITE), or slot 0 (kShared). REQUIRES: fewer than `capacity`
  // owners hold slots (kPerOwner, kCopyOnWrite).
  Grant Acquire(std::uint32_t owner_index);
  // The owner in `slot` finished; the slot is free again (kShared: nothing to free).
  void Release(std::uint32_t slot);

  // The trace position of the owner holding `slot`, or -1 when the slot is free or shared.
  std::int64_t holder(std::uint32_t slot) const {
    return slot < holder_.size() ? holder_[slot] : -1;
  }
  // Distinct slots that `steps` steps of one effect in one batch touch.
  std::uint64_t SlotsTouched(std::uint64_t steps) const {
    return mode_ == SlotMode::kShared ? std::min<std::uint64_t>(1, steps) : steps;
  }
  // The most slots held at once so far, at least 1.
  std::uint32_t high_water() const { return std::max(next_slot_, 1u); }

 private:
  SlotMode mode_;
  std::uint32_t num_slots_;
  std::vector<std::int64_t> holder_;  // [num_slots] kPerOwner: owner index in each slot, or -1
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> free_;
  std::uint32_t next_slot_ = 0;  // slots [0, next_slot_) have been handed out at least once
};

}  // namespace rwttt
