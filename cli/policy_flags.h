// The command-line options every subcommand that runs a policy shares: --policy, --policy-opt
// key=value (repeatable) and --policy-plugin lib.so (repeatable).
//
//   auto flags = std::make_shared<PolicyFlags>();  AddPolicyOptions(sub, *flags);
//   RWTTT_ASSIGN_OR_RETURN(PolicyOptions options, PreparePolicy(*flags));  // loads the plugins
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "sim/policy.h"

namespace rwttt::cli {

struct PolicyFlags {
  std::string policy = "rwttt";
  std::vector<std::string> options;  // key=value
  std::vector<std::string> plugins;  // shared libraries to load first
};

// Registers --policy (with `default_policy`), --policy-opt and --policy-plugin on `app`.
void AddPolicyOptions(CLI::App* app, PolicyFlags& flags);

// "key=value" pairs as PolicyOptions; a pair without '=' is a Usage error.
Result<PolicyOptions> ParsePolicyOptions(const std::vector<std::string>& pairs);

// "NAME" or "NAME:key=value,key=value": a policy and its options in one argument (report's
// --baseline/--candidate, bench's --policy).
struct PolicySpec {
  std::string name;
  std::vector<std::string> options;  // key=value
};
PolicySpec ParsePolicySpec(const std::string& spec);

// Loads each shared library once per process (a path seen before is skipped).
Status LoadPlugins(const std::vector<std::string>& paths);

// Loads every --policy-plugin (LoadPlugins), then checks that --policy names a registered
// policy and returns the parsed --policy-opt pairs. Errors name the plugin or the option.
Result<PolicyOptions> PreparePolicy(const PolicyFlags& flags);

}  // namespace rwttt::cli
