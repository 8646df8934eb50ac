// `rwttt policies`: the policy registry, with each policy's options.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/policy_flags.h"
#include "sim/policy_registry.h"

namespace rwttt::cli {

Command AddPoliciesCommand(CLI::App& app) {
  CLI::App* policies = app.add_subcommand("policies", "List the scheduling policies and options");
  auto plugins = std::make_shared<std::vector<std::string>>();
  policies->add_option("--policy-plugin", *plugins, "Load policies from a shared library first")
      ->allow_extra_args(false);
  return {
      policies, [plugins]() -> Result<int> {
        RWTTT_TRY(LoadPlugins(*plugins));
        for (const PolicyInfo& p : Policies()) {
          std::puts(fmt::format("{:<11} {}{}", p.name, p.description,
                                p.expected_correct ? "" : " [incorrect: the checker catches it]")
                        .c_str());
          for (const PolicyOptionInfo& o : p.options) {
            std::puts(fmt::format("            --policy-opt {}=...  {}", o.key, o.help).c_str());
          }
        }
        return kExitOk;
      }};
}

}  // namespace rwttt::cli
