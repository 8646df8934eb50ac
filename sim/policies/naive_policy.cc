#include "sim/policies/naive_policy.h"

#include <fmt/format.h>

namespace rwttt {
namespace {

const PolicyOptionInfo& MaxBatch() {
  static const PolicyOptionInfo option =
      PolicyOptionInfo::Uint("max_batch", "largest batch (0: no limit)", 0);
  return option;
}

}  // namespace

std::vector<PolicyOptionInfo> NaivePolicy::Options() { return {MaxBatch()}; }

Result<DeviceLayout> NaivePolicy::Configure(const PolicyContext& context) {
  RWTTT_ASSIGN_OR_RETURN(max_batch_, context.options.GetUint(MaxBatch()));
  // One copy of the weights, whose W_down every owner reads and updates: one owner's layout, all
  // of it pinned.
  DeviceLayout layout = DeviceLayout::OneCopy(context);
  layout.fixed_bytes = layout.one_owner_bytes();
  layout.owner_bytes = 0;
  layout.slot_mode = SlotMode::kShared;
  if (!layout.fits(context.budget_bytes)) {
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
