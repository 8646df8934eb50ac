// The four built-in policies of DESIGN §3, as registry entries.
//
//   for (PolicyInfo& p : BuiltinPolicies()) ...   // sequential, replicas, naive, rwttt
#pragma once

#include <vector>

#include "sim/policy_registry.h"

namespace rwttt {

std::vector<PolicyInfo> BuiltinPolicies();

// Layout shared by every policy that keeps one copy of the weights and one state per owner.
Result<DeviceLayout> OneCopyLayout(const PolicyContext& context, std::string_view policy);

}  // namespace rwttt
