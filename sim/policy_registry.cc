#include "sim/policy_registry.h"

#include <algorithm>
#include <charconv>

#include "sim/policies/builtin.h"

namespace rwttt {
namespace {

std::vector<PolicyInfo>& Registry() {
  static auto* registry = [] {
    auto* r = new std::vector<PolicyInfo>();
    for (PolicyInfo& info : BuiltinPolicies()) r->push_back(std::move(info));
    return r;
  }();
  return *registry;
}

}  // namespace

namespace {

// A malformed option value, at the field `policy_options` (the CLI says it as --policy-opt).
Error PolicyOptionError(std::string message) {
  Error error = Error::Usage(std::move(message));
  error.where.field = std::string(kPolicyOptionsField);
  return error;
}

}  // namespace

Result<std::uint64_t> PolicyOptions::GetUint(std::string_view key, std::uint64_t fallback,
                                             std::uint64_t min, std::uint64_t max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& s = it->second;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value < min || value > max) {
    return PolicyOptionError(std::string(key) + "=" + s + ": expected an integer in [" +
                             std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

Result<std::string> PolicyOptions::GetChoice(std::string_view key, std::string fallback,
                                             const std::vector<std::string>& choices) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (std::find(choices.begin(), choices.end(), it->second) != choices.end()) return it->second;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  return PolicyOptionError(std::string(key) + "=" + it->second + ": expected one of " + list);
}

Status RegisterPolicy(PolicyInfo info) {
  for (const PolicyInfo& p : Registry()) {
    if (p.name == info.name)
      return Error::Usage("a policy named '" + info.name + "' already exists");
  }
  Registry().push_back(std::move(info));
  return OkStatus();
}

const std::vector<PolicyInfo>& Policies() { return Registry(); }

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options) {
  for (const PolicyInfo& p : Registry()) {
    if (p.name != name) continue;
    for (const auto& [key, value] : options.values()) {
      const bool known = std::any_of(p.options.begin(), p.options.end(),
                                     [&](const PolicyOptionInfo& o) { return o.key == key; });
      if (!known) {
        std::string keys;
        for (const auto& o : p.options) keys += (keys.empty() ? "" : ", ") + o.key;
        return Error::Usage("policy '" + p.name + "' has no option '" + key +
                            "' (it takes: " + (keys.empty() ? "none" : keys) + ")");
      }
    }
    return p.make();
  }
  std::string names;
  for (const PolicyInfo& p : Registry()) names += (names.empty() ? "" : ", ") + p.name;
  return Error::Usage("unknown policy '" + std::string(name) + "' (known: " + names + ")");
}

}  // namespace rwttt
