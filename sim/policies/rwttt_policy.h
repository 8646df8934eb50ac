// The rwttt policy: one effect per batch, distinct owners, oldest ready steps first.
//
//   options: max_batch=N (0: no limit), prefer=oldest|largest, share_base=off|on (copy-on-write
//   version 0: SlotMode::kCopyOnWrite)
#pragma once

#include "sim/policy.h"

namespace rwttt {

class RwtttPolicy final : public Policy {
 public:
  // Its `--policy-opt` keys: max_batch, prefer, share_base.
  static std::vector<PolicyOptionInfo> Options();
  Result<DeviceLayout> Configure(const PolicyContext& context) override;
  void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) override;

 private:
  // The effect of the next batch: by default that of the step ready the longest.
  Effect ChooseEffect(const ReadyView& ready) const;

  std::uint64_t max_batch_ = 0;
  bool prefer_largest_ = false;
};

}  // namespace rwttt
