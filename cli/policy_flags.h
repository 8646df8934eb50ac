// The command-line options every subcommand that runs a policy shares: --policy, --policy-opt
// key=value (repeatable) and --policy-plugin lib.so (repeatable), and the one-argument spelling
// "NAME:key=value,..." of report's --baseline/--candidate and bench's --policy. Both end as a
// PolicySpec (harness/policy_spec.h).
//
//   auto flags = std::make_shared<PolicyFlags>();  AddPolicyOptions(sub, *flags);
//   RWTTT_ASSIGN_OR_RETURN(PolicySpec policy, PreparePolicy(*flags));  // loads the plugins
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "harness/policy_spec.h"
#include "sim/policy.h"

namespace rwttt::cli {

// The values --policy, --policy-opt and --policy-plugin are parsed into.
struct PolicyFlags {
  std::string policy = "rwttt";
  std::vector<std::string> options;  // key=value
  std::vector<std::string> plugins;  // shared libraries to load first
};

// Registers --policy (its default: flags.policy as it is now), --policy-opt and --policy-plugin
// on `app`.
void AddPolicyOptions(CLI::App* app, PolicyFlags& flags);

// "key=value" pairs as PolicyOptions; a pair without '=' or a key given twice is a Usage error
// naming --policy-opt.
Result<PolicyOptions> ParsePolicyOptions(const std::vector<std::string>& pairs);

// Loads each shared library once per process (a path seen before is skipped).
Status LoadPlugins(const std::vector<std::string>& paths);

// Loads every --policy-plugin (LoadPlugins), then checks that --policy names a registered
// policy and takes the --policy-opt pairs. Errors name the plugin or the option.
Result<PolicySpec> PreparePolicy(const PolicyFlags& flags);

// "NAME" or "NAME:key=value,key=value" with `extra` key=value pairs after those of the spec,
// checked as PreparePolicy checks (plugins are not loaded here).
Result<PolicySpec> ParsePolicySpec(const std::string& spec,
                                   const std::vector<std::string>& extra = {});

}  // namespace rwttt::cli
