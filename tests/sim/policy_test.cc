// sim/policy.h's layout arithmetic, which every built-in and plugin policy shares: one copy of
// the shared weights plus each owner's state, and whether one owner fits a budget. (The header's
// example policy is compiled and run in tests/sim/header_examples_test.cc.)
#include "sim/policy.h"

#include <gtest/gtest.h>

#include "core/hardware_profile.h"
#include "core/model_profile.h"

namespace rwttt {
namespace {

TEST(DeviceLayout, OneCopyPinsTheSharedWeightsAndEachOwnersState) {
  const ModelProfile model = LoadModelProfile("small").value();
  const HardwareProfile hardware = LoadHardwareProfile("h100-sxm").value();
  const PolicyOptions options;
  const DeviceLayout layout =
      DeviceLayout::OneCopy(PolicyContext{model, hardware, hardware.memory_bytes(), options});
  EXPECT_EQ(layout.lanes, 1u);
  EXPECT_EQ(layout.fixed_bytes, model.shared_weight_bytes());
  EXPECT_EQ(layout.owner_bytes, model.state_bytes());
  EXPECT_EQ(layout.one_owner_bytes(), model.shared_weight_bytes() + model.state_bytes());
  EXPECT_EQ(layout.slot_mode, SlotMode::kPerOwner);
}

TEST(DeviceLayout, OneOwnerFitsExactlyAtItsBytes) {
  DeviceLayout layout;
  layout.fixed_bytes = 1000;
  layout.owner_bytes = 24;
  EXPECT_TRUE(layout.fits(1024));
  EXPECT_FALSE(layout.fits(1023));
  EXPECT_TRUE(layout.fits(UINT64_MAX));
}

}  // namespace
}  // namespace rwttt
