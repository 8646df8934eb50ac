// The registry of policies, selectable by name (`--policy NAME`). The four built-ins register
// themselves on first use; a user's scheduler registers with RegisterPolicy.
//
//   RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy("rwttt", options));
//   for (const PolicyInfo& p : Policies()) std::puts(p.name.c_str());
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sim/policy.h"

namespace rwttt {

struct PolicyInfo {
  std::string name;
  std::string description;
  std::vector<PolicyOptionInfo> options;  // the `--policy-opt` keys it accepts (sim/policy.h)
  bool expected_correct = true;           // false for policies that exist to be caught
  std::function<std::unique_ptr<Policy>()> make;
};

// Adds a policy. A name already registered is an Error.
Status RegisterPolicy(PolicyInfo info);

// Every registered policy: the built-ins first (sequential, replicas, naive, rwttt), then others
// in registration order.
const std::vector<PolicyInfo>& Policies();

// A new instance of the named policy, after checking every option key is one it declared. An
// unknown name or key is an Error listing what exists.
Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options);

}  // namespace rwttt
