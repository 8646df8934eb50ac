#include "harness/policy_spec.h"

namespace rwttt {

std::string PolicySpec::ReplayFlags() const {
  std::string flags = "--policy " + name;
  for (const auto& [key, value] : options.values()) flags += " --policy-opt " + key + "=" + value;
  return flags;
}

std::string PolicySpec::Label() const {
  std::string label = name;
  bool first = true;
  for (const auto& [key, value] : options.values()) {
    label += (first ? ":" : ",") + key + "=" + value;
    first = false;
  }
  return label;
}

}  // namespace rwttt
