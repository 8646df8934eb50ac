// The four built-in policies of DESIGN §3, as registry entries.
//
//   for (PolicyInfo& p : BuiltinPolicies()) ...   // sequential, replicas, naive, rwttt
#pragma once

#include <vector>

#include "sim/policy_registry.h"

namespace rwttt {

std::vector<PolicyInfo> BuiltinPolicies();

// DeviceLayout::OneCopy, or an Input error naming `policy` when one owner can never be admitted.
Result<DeviceLayout> OneCopyLayout(const PolicyContext& context, std::string_view policy);

}  // namespace rwttt
