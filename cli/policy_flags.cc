#include "cli/policy_flags.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "sim/policy_plugin.h"
#include "sim/policy_registry.h"

namespace rwttt::cli {

void AddPolicyOptions(CLI::App* app, PolicyFlags& flags) {
  app->add_option("--policy", flags.policy, "Scheduling policy (see 'rwttt policies')")
      ->capture_default_str();
  // Repeatable, one value each, so that a positional argument after them stays positional.
  app->add_option("--policy-opt", flags.options, "Policy option key=value (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--policy-plugin", flags.plugins,
                  "Load policies from a shared library first (repeatable; "
                  "docs/tutorial-scheduler.md)")
      ->allow_extra_args(false);
}

Result<PolicyOptions> ParsePolicyOptions(const std::vector<std::string>& pairs) {
  PolicyOptions options;
  for (const std::string& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::Usage("--policy-opt '" + pair + "': expected key=value");
    }
    const std::string key = pair.substr(0, eq);
    for (const std::string& earlier : pairs) {
      if (&earlier == &pair) break;
      if (earlier.compare(0, key.size() + 1, key + "=") == 0) {
        return Error::Usage(
            fmt::format("--policy-opt {}: the key {} is given twice ({} before); "
                        "give each key once",
                        pair, key, earlier));
      }
    }
    options.Set(key, pair.substr(eq + 1));
  }
  return options;
}

Status LoadPlugins(const std::vector<std::string>& paths) {
  static std::set<std::string> loaded;
  for (const std::string& path : paths) {
    if (loaded.contains(path)) continue;
    RWTTT_TRY(LoadPolicyPlugin(path));
    loaded.insert(path);
  }
  return OkStatus();
}

Result<PolicySpec> PreparePolicy(const PolicyFlags& flags) {
  RWTTT_TRY(LoadPlugins(flags.plugins));
  RWTTT_ASSIGN_OR_RETURN(PolicyOptions options, ParsePolicyOptions(flags.options));
  // Fail early on a bad name or option key, before any trace is read.
  RWTTT_ASSIGN_OR_RETURN(auto probe, MakePolicy(flags.policy, options));
  (void)probe;
  return PolicySpec{flags.policy, std::move(options)};
}

Result<PolicySpec> ParsePolicySpec(const std::string& spec, const std::vector<std::string>& extra) {
  PolicyFlags flags;
  const auto colon = spec.find(':');
  flags.policy = spec.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string rest = spec.substr(colon + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      const auto comma = rest.find(',', start);
      flags.options.push_back(rest.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  flags.options.insert(flags.options.end(), extra.begin(), extra.end());
  return PreparePolicy(flags);
}

}  // namespace rwttt::cli
