#include "sim/policies/sequential_policy.h"

#include <fmt/format.h>

#include "core/units.h"
#include "sim/policies/builtin.h"

namespace rwttt {
namespace {

const PolicyOptionInfo& Slice() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Uint(
      "slice", "steps an owner runs before the next one gets the device (0: to completion)", 0);
  return option;
}

}  // namespace

std::vector<PolicyOptionInfo> SequentialPolicy::Options() { return {Slice()}; }

Result<DeviceLayout> SequentialPolicy::Configure(const PolicyContext& context) {
  RWTTT_ASSIGN_OR_RETURN(slice_, context.options.GetUint(Slice()));
  state_bytes_ = context.model.state_bytes();
  RWTTT_ASSIGN_OR_RETURN(DeviceLayout layout, OneCopyLayout(context, "sequential"));
  // The single weight buffer the current owner's fast weights are swapped into.
  layout.fixed_bytes += state_bytes_;
  if (!layout.fits(context.budget_bytes)) {
    return Error::Input(fmt::format(
        "policy sequential: the shared weights ({}), the swap buffer ({}) and one owner's state "
        "({}) exceed the memory budget ({})",
        FormatBytes(layout.fixed_bytes - state_bytes_), FormatBytes(state_bytes_),
        FormatBytes(layout.owner_bytes), FormatBytes(context.budget_bytes)));
  }
  return layout;
}

void SequentialPolicy::OnFinish(OwnerId owner) {
  if (current_ == owner) current_finished_ = true;
}

void SequentialPolicy::NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) {
  if (current_ && !current_finished_ && (slice_ == 0 || steps_in_slice_ < slice_)) {
    if (ready.Find(*current_) != nullptr) {
      plan.owners.push_back(*current_);
      ++steps_in_slice_;
    }
    return;
  }
  // Switch to the owner that has waited longest, by the time its step became ready.
  std::optional<ReadyStep> next;  // a copy: the view's steps live only during the visit
  for (Effect e : {Effect::kRead, Effect::kWrite}) {
    ready.ForEach(e, [&](const ReadyStep& s) {
      if (!next || s.ready_since < next->ready_since ||
          (s.ready_since == next->ready_since && s.owner < next->owner)) {
        next = s;
      }
      return false;  // each list is in order: its head is its oldest
    });
  }
  if (!next) return;
  if (next->owner != current_) {
    // Save the outgoing owner's weights (unless it finished) and load the incoming one's.
    plan.swap_bytes = state_bytes_ * ((current_ && !current_finished_) ? 2 : 1);
  }
  current_ = next->owner;
  current_finished_ = false;
  steps_in_slice_ = 1;
  plan.owners.push_back(next->owner);
}

}  // namespace rwttt
