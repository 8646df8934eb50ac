#include "sim/faults/fault_injector.h"

#include <charconv>

#include "core/philox.h"

namespace rwttt {
namespace {

constexpr std::pair<FaultKind, std::string_view> kNames[] = {
    {FaultKind::kStaleRead, "stale-read"},     {FaultKind::kUncommittedRead, "uncommitted-read"},
    {FaultKind::kLostUpdate, "lost-update"},   {FaultKind::kCrossOwnerWrite, "cross-owner-write"},
    {FaultKind::kEarlyWrite, "early-write"},   {FaultKind::kDuplicateStep, "duplicate-step"},
    {FaultKind::kTornState, "torn-state"},     {FaultKind::kBaseCommit, "base-commit"},
    {FaultKind::kBaseRead, "base-read"},       {FaultKind::kStaleRestore, "stale-restore"},
    {FaultKind::kRestoreHeld, "restore-held"},
};

// Third counter word of fault draws: apart from every other Philox stream of a run.
constexpr std::uint32_t kFaultStream = 0xFA017u;

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "none";
}

std::vector<std::string> FaultKindNames() {
  std::vector<std::string> names;
  for (const auto& [k, name] : kNames) names.emplace_back(name);
  return names;
}

namespace {

// A malformed plan, at the field `faults` (SimConfig::faults; the CLI says it as --inject).
Error FaultPlanError(std::string message) {
  Error error = Error::Usage(std::move(message));
  error.where.field = std::string(kFaultPlanField);
  return error;
}

}  // namespace

Result<FaultPlan> ParseFaultPlan(std::string_view spec) {
  const auto at = spec.find('@');
  const std::string_view name = spec.substr(0, at);
  FaultPlan plan;
  for (const auto& [k, n] : kNames) {
    if (n == name) plan.kind = k;
  }
  if (plan.kind == FaultKind::kNone) {
    std::string list;
    for (const auto& n : FaultKindNames()) list += (list.empty() ? "" : ", ") + n;
    return FaultPlanError("'" + std::string(spec) + "': unknown fault kind (known: " + list + ")");
  }
  if (at != std::string_view::npos) {
    const std::string_view rate = spec.substr(at + 1);
    double r = 0;
    const auto [ptr, ec] = std::from_chars(rate.data(), rate.data() + rate.size(), r);
    if (ec != std::errc() || ptr != rate.data() + rate.size() || !(r > 0 && r <= 1)) {
      return FaultPlanError("'" + std::string(spec) + "': RATE must be a number in (0, 1]");
    }
    plan.rate = r;
  }
  return plan;
}

bool FaultInjector::Fire(std::uint64_t key) {
  if (plan_.kind == FaultKind::kNone) return false;
  bool fire = injected_ == 0;
  if (!fire) {
    const PhiloxBlock b = PhiloxBits(seed_.value(), static_cast<std::uint32_t>(key),
                                     static_cast<std::uint32_t>(key >> 32), kFaultStream,
                                     static_cast<std::uint32_t>(plan_.kind));
    fire = UnitDouble(b[0], b[1]) < plan_.rate;
  }
  if (fire) ++injected_;
  return fire;
}

}  // namespace rwttt
