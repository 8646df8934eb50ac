// replicas: the memory budget split into k full model copies, each serving one owner at batch 1;
// the copies run at once and share the device's bandwidth and compute. Correct.
//
//   options: replicas=K (0: as many as the budget holds)
#pragma once

#include <optional>
#include <vector>

#include "sim/policy.h"

namespace rwttt {

class ReplicasPolicy final : public Policy {
 public:
  // Its `--policy-opt` keys: replicas.
  static std::vector<PolicyOptionInfo> Options();
  Result<DeviceLayout> Configure(const PolicyContext& context) override;
  void OnAdmit(OwnerId owner, std::uint32_t slot) override;
  void OnFinish(OwnerId owner) override;
  void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) override;

 private:
  std::vector<std::optional<OwnerId>> lane_owner_;  // [replicas]: the owner each copy serves
};

}  // namespace rwttt
