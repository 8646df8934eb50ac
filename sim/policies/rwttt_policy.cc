// rwttt: batches ready steps of one effect and distinct owners, each at its current version, and
// commits only to the owner (RW-TTT, arXiv 2605.28053).
#include "sim/policies/rwttt_policy.h"

#include <fmt/format.h>

#include "core/units.h"
#include "sim/policies/builtin.h"

namespace rwttt {
namespace {

const PolicyOptionInfo& MaxBatch() {
  static const PolicyOptionInfo option =
      PolicyOptionInfo::Uint("max_batch", "largest batch (0: no limit)", 0);
  return option;
}

const PolicyOptionInfo& ShareBase() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Choice(
      "share_base",
      "on: owners share version 0 copy-on-write and get a state of their own, and its memory, at "
      "their first WRITE",
      {"off", "on"});
  return option;
}

const PolicyOptionInfo& Offload() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Choice(
      "offload",
      "on (with share_base=on, on hardware with a host tier): while a first WRITE or a restore "
      "waits for memory, copy an owner's state to host memory and back later",
      {"off", "on"});
  return option;
}

const PolicyOptionInfo& OffloadAfter() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Uint(
      "offload_after",
      "steps an owner completes in its slot before offload may move it to host memory", 128, 1);
  return option;
}

const PolicyOptionInfo& Prefer() {
  static const PolicyOptionInfo option = PolicyOptionInfo::Choice(
      "prefer", "oldest (the effect of the longest-waiting step) or largest",
      {"oldest", "largest"});
  return option;
}

// An option the others rule out, at the field the CLI names --policy-opt.
Error OptionError(std::string message) {
  Error error = Error::Usage(std::move(message));
  error.where.field = std::string(kPolicyOptionsField);
  return error;
}

}  // namespace

std::vector<PolicyOptionInfo> RwtttPolicy::Options() {
  return {MaxBatch(), Prefer(), ShareBase(), Offload(), OffloadAfter()};
}

Result<DeviceLayout> RwtttPolicy::Configure(const PolicyContext& context) {
  RWTTT_ASSIGN_OR_RETURN(max_batch_, context.options.GetUint(MaxBatch()));
  RWTTT_ASSIGN_OR_RETURN(std::string prefer, context.options.GetChoice(Prefer()));
  prefer_largest_ = prefer == "largest";
  RWTTT_ASSIGN_OR_RETURN(const std::string share, context.options.GetChoice(ShareBase()));
  RWTTT_ASSIGN_OR_RETURN(const std::string offload, context.options.GetChoice(Offload()));
  RWTTT_ASSIGN_OR_RETURN(const std::uint64_t offload_after,
                         context.options.GetUint(OffloadAfter()));
  RWTTT_ASSIGN_OR_RETURN(DeviceLayout layout, OneCopyLayout(context, "rwttt"));
  if (offload == "on") {
    if (share == "off") {
      return OptionError(
          "offload=on: needs share_base=on (the host tier makes room for the "
          "states owners take at their first WRITE)");
    }
    if (!context.hardware.has_host_tier()) {
      return OptionError(fmt::format(
          "offload=on: hardware {} has no host tier (host_memory_gib and host_link_gbs, "
          "docs/formats.md#hardware-profile)",
          context.hardware.name));
    }
    layout.offload_after_steps = offload_after;
  }
  if (share == "on") {
    // The base (every owner's version 0) is pinned beside the shared weights.
    layout.slot_mode = SlotMode::kCopyOnWrite;
    layout.fixed_bytes += context.model.state_bytes();
    if (!layout.fits(context.budget_bytes)) {
      return Error::Input(fmt::format(
          "policy rwttt with share_base=on: the shared weights and the base ({}) plus one owner's "
          "state ({}) exceed the memory budget ({})",
          FormatBytes(layout.fixed_bytes), FormatBytes(layout.owner_bytes),
          FormatBytes(context.budget_bytes)));
    }
  }
  return layout;
}

Effect RwtttPolicy::ChooseEffect(const ReadyView& ready) const {
  const std::size_t reads = ready.count(Effect::kRead);
  const std::size_t writes = ready.count(Effect::kWrite);
  if (reads == 0) return Effect::kWrite;
  if (writes == 0) return Effect::kRead;
  const Effect larger = writes >= reads ? Effect::kWrite : Effect::kRead;
  if (prefer_largest_) return larger;
  // Oldest first, so that neither effect starves; ties go to the larger group.
  const Nanos r = ready.oldest(Effect::kRead);
  const Nanos w = ready.oldest(Effect::kWrite);
  if (r == w) return larger;
  return r < w ? Effect::kRead : Effect::kWrite;
}

void RwtttPolicy::NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) {
  if (ready.count(Effect::kRead) + ready.count(Effect::kWrite) == 0) return;
  ready.ForEach(ChooseEffect(ready), [&](const ReadyStep& s) {
    plan.owners.push_back(s.owner);
    return max_batch_ == 0 || plan.owners.size() < max_batch_;
  });
}

}  // namespace rwttt
