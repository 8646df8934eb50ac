#include "sim/policies/naive_policy.h"

#include <fmt/format.h>

namespace rwttt {

Result<DeviceLayout> NaivePolicy::Configure(const PolicyContext& context) {
  RWTTT_ASSIGN_OR_RETURN(max_batch_, context.options.GetUint("max_batch", 0));
  DeviceLayout layout;
  // One copy of the weights, whose W_down every owner reads and updates.
  layout.fixed_bytes = context.model.shared_weight_bytes() + context.model.state_bytes();
  layout.owner_bytes = 0;
  layout.slot_mode = SlotMode::kShared;
  if (layout.fixed_bytes > context.budget_bytes) {
    return Error::Input(
        fmt::format("policy naive: the model ({} bytes) exceeds the memory budget "
                    "({} bytes)",
                    layout.fixed_bytes, context.budget_bytes));
  }
  return layout;
}

void NaivePolicy::NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) {
  const auto take = [&](const ReadyStep& s) {
    plan.owners.push_back(s.owner);
    return max_batch_ == 0 || plan.owners.size() < max_batch_;
  };
  ready.ForEach(Effect::kRead, take);
  if (max_batch_ == 0 || plan.owners.size() < max_batch_) ready.ForEach(Effect::kWrite, take);
}

}  // namespace rwttt
