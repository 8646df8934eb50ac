// sequential: batch 1, one step at a time. An owner runs to completion (or for `slice` steps),
// then the next owner's fast weights are swapped into the model's single weight buffer, as a
// static-weight engine serving TTT requests one by one would. Correct and slow.
//
//   options: slice=N (0: run each owner to completion)
#pragma once

#include <optional>

#include "sim/policy.h"

namespace rwttt {

class SequentialPolicy final : public Policy {
 public:
  // Its `--policy-opt` keys: slice.
  static std::vector<PolicyOptionInfo> Options();
  Result<DeviceLayout> Configure(const PolicyContext& context) override;
  void OnFinish(OwnerId owner) override;
  void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) override;

 private:
  std::uint64_t slice_ = 0;
  std::uint64_t state_bytes_ = 0;
  std::optional<OwnerId> current_;  // whose weights are in the buffer
  bool current_finished_ = false;
  std::uint64_t steps_in_slice_ = 0;
};

}  // namespace rwttt
