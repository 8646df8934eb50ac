// naive: what a static-weight engine does with TTT state. Every ready step, READ or WRITE, goes
// into the next batch, and all owners read and update one shared slot. It is wrong on purpose:
// the checker must catch it.
//
//   options: max_batch=N (0: no limit)
#pragma once

#include "sim/policy.h"

namespace rwttt {

class NaivePolicy final : public Policy {
 public:
  // Its `--policy-opt` keys: max_batch.
  static std::vector<PolicyOptionInfo> Options();
  Result<DeviceLayout> Configure(const PolicyContext& context) override;
  void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) override;

 private:
  std::uint64_t max_batch_ = 0;
};

}  // namespace rwttt
