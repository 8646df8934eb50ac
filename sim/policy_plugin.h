// Policy plugins: a user's scheduler, built out of tree against the installed package
// (`find_package(rwttt)`, `target_link_libraries(x rwttt::sim)`) into a shared library and loaded
// with `--policy-plugin lib.so` (docs/tutorial-scheduler.md).
//
//   RWTTT_POLICY_PLUGIN(register_policy) {  // in the plugin, Mine a Policy (sim/policy.h)
//     auto make = [] { return std::make_unique<Mine>(); };
//     return register_policy({"aligned", "...", {}, /*expected_correct=*/true, make});
//   }
//
// The host calls the plugin's one C entry point, `rwttt_policy_plugin`, which reports the ABI the
// plugin was built against and registers its policies through the host's registry. The ABI is the
// C++ one of this header and sim/policy.h: build the plugin with the same compiler family and
// standard library as rwttt; kPolicyPluginAbi changes whenever those headers change incompatibly.
#pragma once

#include <string>

#include "core/result.h"
#include "sim/policy_registry.h"

namespace rwttt {

// Bumped whenever sim/policy.h or sim/policy_registry.h change in a way a built plugin would
// notice.
inline constexpr int kPolicyPluginAbi = 2;  // 2: PolicyOptionInfo declares type, default, range

// The host's registry, as handed to a plugin.
using RegisterPolicyFn = Status (*)(PolicyInfo info);

// What the entry point returns.
struct PolicyPluginInfo {
  int abi = 0;                                    // the plugin's kPolicyPluginAbi
  Status (*register_policies)(RegisterPolicyFn);  // registers the plugin's policies
};

// Loads `path` and registers its policies. Errors (exit 2 material): the file cannot be loaded,
// the entry point is missing, the ABI differs, or a policy name is taken. Loading the same path
// twice is an error too (its names would clash).
Status LoadPolicyPlugin(const std::string& path);

}  // namespace rwttt

// The symbol a plugin exports.
#define RWTTT_POLICY_PLUGIN_SYMBOL "rwttt_policy_plugin"

// Defines the plugin's entry point around a registration function body that receives
// `RegisterPolicyFn register_fn` and returns a Status.
#define RWTTT_POLICY_PLUGIN(register_fn)                                               \
  static ::rwttt::Status RwtttRegisterPolicies(::rwttt::RegisterPolicyFn register_fn); \
  extern "C" __attribute__((visibility("default"))) const ::rwttt::PolicyPluginInfo*   \
  rwttt_policy_plugin() {                                                              \
    static const ::rwttt::PolicyPluginInfo info{::rwttt::kPolicyPluginAbi,             \
                                                &RwtttRegisterPolicies};               \
    return &info;                                                                      \
  }                                                                                    \
  static ::rwttt::Status RwtttRegisterPolicies(::rwttt::RegisterPolicyFn register_fn)
