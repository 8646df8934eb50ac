#include "sim/policies/builtin.h"

#include <fmt/format.h>

#include "core/units.h"
#include "sim/policies/naive_policy.h"
#include "sim/policies/replicas_policy.h"
#include "sim/policies/rwttt_policy.h"
#include "sim/policies/sequential_policy.h"

namespace rwttt {

Result<DeviceLayout> OneCopyLayout(const PolicyContext& context, std::string_view policy) {
  const DeviceLayout layout = DeviceLayout::OneCopy(context);
  if (!layout.fits(context.budget_bytes)) {
    return Error::Input(fmt::format(
        "policy {}: no owner can ever be admitted: the shared weights ({}) plus one owner's "
        "state ({}) exceed the memory budget ({})",
        policy, FormatBytes(layout.fixed_bytes), FormatBytes(layout.owner_bytes),
        FormatBytes(context.budget_bytes)));
  }
  return layout;
}

std::vector<PolicyInfo> BuiltinPolicies() {
  std::vector<PolicyInfo> out;
  out.push_back({"sequential",
                 "batch 1, one owner at a time; a switch swaps its fast weights into the single "
                 "weight buffer",
                 SequentialPolicy::Options(), true,
                 [] { return std::make_unique<SequentialPolicy>(); }});
  out.push_back(
      {"replicas", "k full model copies, each serving one owner at batch 1, sharing bandwidth",
       ReplicasPolicy::Options(), true, [] { return std::make_unique<ReplicasPolicy>(); }});
  out.push_back({"naive",
                 "batches every ready step against one shared, updated slot (wrong on purpose)",
                 NaivePolicy::Options(), false, [] { return std::make_unique<NaivePolicy>(); }});
  out.push_back({"rwttt",
                 "batches ready steps of one effect and distinct owners at their current "
                 "versions; commits only to the owner",
                 RwtttPolicy::Options(), true, [] { return std::make_unique<RwtttPolicy>(); }});
  return out;
}

}  // namespace rwttt
