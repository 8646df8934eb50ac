#include "sim/policies/replicas_policy.h"

#include <fmt/format.h>

#include "core/units.h"

namespace rwttt {
namespace {

const PolicyOptionInfo& Replicas() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Uint(
      "replicas", "number of copies (0: as many as the memory budget holds)", 0, 0, 4096);
  return option;
}

}  // namespace

std::vector<PolicyOptionInfo> ReplicasPolicy::Options() { return {Replicas()}; }

Result<DeviceLayout> ReplicasPolicy::Configure(const PolicyContext& context) {
  // Each copy: the weights and the one owner it serves.
  const std::uint64_t per_copy = DeviceLayout::OneCopy(context).one_owner_bytes();
  const std::uint64_t fit = context.budget_bytes / per_copy;
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t k, context.options.GetUint(Replicas()));
  if (fit == 0) {
    return Error::Input(
        fmt::format("policy replicas: one model copy with its owner's state "
                    "({:.3f} GiB) exceeds the memory budget ({:.3f} GiB)",
                    per_copy / kBytesPerGib, context.budget_bytes / kBytesPerGib));
  }
  if (k == 0) k = std::min<std::uint64_t>(fit, Replicas().max);
  if (k > fit) {
    return Error::Usage(
        fmt::format("policy replicas: {} replicas need {:.3f} GiB but the memory "
                    "budget is {:.3f} GiB (at most {} fit)",
                    k, k * per_copy / kBytesPerGib, context.budget_bytes / kBytesPerGib, fit));
  }
  lane_owner_.assign(k, std::nullopt);
  DeviceLayout layout;
  layout.lanes = static_cast<std::uint32_t>(k);
  layout.fixed_bytes = k * context.model.shared_weight_bytes();
  layout.owner_bytes = context.model.state_bytes();
  layout.max_admitted = k;
  return layout;
}

void ReplicasPolicy::OnAdmit(OwnerId owner, std::uint32_t slot) {
  // At most k owners are admitted and slots are handed out lowest first, so slot < k: the copy.
  lane_owner_.at(slot) = owner;
}

void ReplicasPolicy::OnFinish(OwnerId owner) {
  for (auto& o : lane_owner_) {
    if (o == owner) o.reset();
  }
}

void ReplicasPolicy::NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) {
  const auto& owner = lane_owner_.at(lane);
  if (owner && ready.Find(*owner) != nullptr) plan.owners.push_back(*owner);
}

}  // namespace rwttt
