// A policy as a run names it: its registry name and its options. The harnesses run it, the CLI
// parses it from --policy/--policy-opt or from one "NAME:key=value,..." argument.
//
//   PolicySpec s{"sequential", {}};  s.options.Set("slice", "1");
//   s.ReplayFlags();  // "--policy sequential --policy-opt slice=1"
#pragma once

#include <string>

#include "sim/policy.h"

namespace rwttt {

struct PolicySpec {
  std::string name;       // as registered (sim/policy_registry.h)
  PolicyOptions options;  // key order: PolicyOptions' (sorted)

  // The flags that select it in `rwttt replay`, e.g. "--policy sequential --policy-opt slice=1".
  std::string ReplayFlags() const;
  // "name", or "name:key=value,key=value" when it has options: the one-argument spelling.
  std::string Label() const;
};

}  // namespace rwttt
