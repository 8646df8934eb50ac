#include "sim/slot_allocator.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

TEST(SlotAllocator, PerOwnerHandsOutTheLowestFreeSlot) {
  SlotAllocator slots(SlotMode::kPerOwner, 3);
  EXPECT_EQ(slots.num_slots(), 3u);
  EXPECT_EQ(slots.Acquire(10).slot, 0u);
  EXPECT_EQ(slots.Acquire(11).slot, 1u);
  EXPECT_EQ(slots.Acquire(12).slot, 2u);
  EXPECT_EQ(slots.holder(1), 11);
  slots.Release(1);
  slots.Release(0);
  EXPECT_EQ(slots.holder(1), -1);
  const SlotAllocator::Grant g = slots.Acquire(13);
  EXPECT_EQ(g.slot, 0u);
  EXPECT_TRUE(g.fresh);
  EXPECT_EQ(slots.holder(0), 13);
  EXPECT_EQ(slots.holder(7), -1);  // past the end
  EXPECT_EQ(slots.high_water(), 3u);
  EXPECT_EQ(slots.SlotsTouched(5), 5u);
}

TEST(SlotAllocator, SharedGivesEveryoneSlotZeroFreshOnlyOnce) {
  SlotAllocator slots(SlotMode::kShared, 64);
  EXPECT_EQ(slots.num_slots(), 1u);
  EXPECT_EQ(slots.high_water(), 1u);
  const SlotAllocator::Grant first = slots.Acquire(0);
  const SlotAllocator::Grant second = slots.Acquire(1);
  EXPECT_EQ(first.slot, 0u);
  EXPECT_TRUE(first.fresh);
  EXPECT_EQ(second.slot, 0u);
  EXPECT_FALSE(second.fresh);  // the shared state carries every owner's updates
  EXPECT_EQ(slots.holder(0), -1);
  slots.Release(0);
  EXPECT_FALSE(slots.Acquire(2).fresh);
  EXPECT_EQ(slots.SlotsTouched(5), 1u);
  EXPECT_EQ(slots.SlotsTouched(0), 0u);
}

TEST(SlotAllocator, CapacityIsAtLeastOne) {
  SlotAllocator slots(SlotMode::kPerOwner, 0);
  EXPECT_EQ(slots.num_slots(), 1u);
  EXPECT_EQ(slots.high_water(), 1u);
}

}  // namespace
}  // namespace rwttt
