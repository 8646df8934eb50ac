// What a check of a history found (DESIGN §6): anomalies as data, one record per finding, and the
// three renderings users see: human text, JSON (the contract with other systems) and JUnit XML.
//
//   CheckReport report = checker.Finish();
//   std::cout << RenderText(report);  return report.valid() ? 0 : 1;
//
// Anomaly names are exact strings shared by text, JSON and JUnit: see kAnomalyTypes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwttt {

// The five checks, in the order they run.
enum class CheckKind : std::uint8_t {
  kStructure,
  kOwnerIsolation,
  kVersions,
  kDependencyGraph,
  kSerialReference,
};
inline constexpr int kCheckCount = 5;
// "structure", "owner-isolation", "version-linearizability", "dependency-graph",
// "serial-reference".
std::string_view CheckName(CheckKind kind);

// Every anomaly name, in report order (DESIGN §6).
inline constexpr std::string_view kAnomalyTypes[] = {
    "malformed",   "program-order",    "mixed-batch", "duplicate-step",
    "owner-leak",  "lost-update",      "version-gap", "stale-read",
    "future-read", "uncommitted-read", "cycle",       "digest-mismatch"};
// The check an anomaly name belongs to. REQUIRES: `type` is one of kAnomalyTypes.
CheckKind CheckOf(std::string_view type);

struct Anomaly {
  std::string type;                    // one of kAnomalyTypes
  std::optional<std::uint64_t> owner;  // absent when the finding spans owners (a cycle)
  std::vector<std::uint64_t> steps;    // the step ids involved, in the order the explanation uses
  std::string explanation;             // sentences naming the steps, owner and versions
};

struct CheckOutcome {
  bool ran = true;
  std::string skipped_reason;  // why it did not run, when !ran
};

struct CheckReport {
  std::uint64_t steps_checked = 0;
  // Grouped by type in kAnomalyTypes order, each group in order of its first step.
  std::vector<Anomaly> anomalies;
  // Anomalies left out of `anomalies` because a type reached CheckOptions::max_per_type.
  std::map<std::string, std::uint64_t> omitted;
  std::vector<CheckOutcome> checks = std::vector<CheckOutcome>(kCheckCount);
  // Step ids in an equivalent serial order, when requested and the dependency graph is acyclic.
  std::optional<std::vector<std::uint64_t>> serial_order;

  bool valid() const { return anomalies.empty(); }
  // Anomalies of `type`, including omitted ones.
  std::uint64_t Count(std::string_view type) const;
};

// A summary line, then each anomaly with its steps and explanation, then skipped checks.
std::string RenderText(const CheckReport& report);
// {"valid":..,"steps_checked":..,"anomalies":[{"type","owner","steps","explanation"}]
//  [,"serial_order":[..]]} on one line, no terminator; serial_order only when the report has
// one.
std::string RenderJson(const CheckReport& report);
// One <testsuite> named `suite` with one <testcase> per check; a failure lists its anomalies.
std::string RenderJunit(const CheckReport& report, std::string_view suite);

}  // namespace rwttt
