// What a check of a history found (DESIGN §6): anomalies as data, one record per finding, what
// each check could judge, and the three renderings users see: human text, JSON (the contract with
// other systems) and JUnit XML.
//
//   CheckReport report = checker.Finish();
//   std::cout << RenderText(report);  return report.valid() ? 0 : 1;
//
// Anomaly names are exact strings shared by text, JSON and JUnit: see checker/anomaly.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/anomaly.h"

namespace rwttt {

struct Anomaly {
  AnomalyType type = AnomalyType::kMalformed;
  std::optional<std::uint64_t> owner;  // absent when the finding spans owners (a cycle)
  std::vector<std::uint64_t> steps;    // the step ids involved, in the order the explanation uses
  std::string explanation;             // sentences naming the steps, owner and versions
  std::optional<CycleClass> cycle_class;  // on `cycle` anomalies only
};

struct CheckOutcome {
  bool ran = true;
  std::string skipped_reason;  // why it did not run, when !ran
};

// Where the chunk size C of the chunk rule came from (docs/checker.md#the-rules-precisely).
enum class ChunkSource : std::uint8_t { kUnknown, kModel, kHeader, kInferred };
// How much of each program the completeness rule (`missing-step`) could require.
enum class Completeness : std::uint8_t {
  kNone,          // no trace and no C: nothing
  kChunkWrites,   // no trace: the WRITE of every chunk a READ completed
  kAbsentOwners,  // a trace but no C: that every request with tokens has a step
  kFull,          // a trace and C: every step of every program
};
// "unknown", "model", "header", "inferred" / "none", "chunk-writes", "absent-owners", "full".
std::string_view ChunkSourceName(ChunkSource source);
std::string_view CompletenessName(Completeness completeness);

struct CheckReport {
  std::uint64_t steps_checked = 0;
  // Anomalies reported in detail (at most CheckOptions::max_per_type of each type), grouped by
  // type in AnomalyType order, each group in the order found.
  std::vector<Anomaly> anomalies;
  // Every anomaly found, by type (indexed by AnomalyType), detailed or not.
  std::array<std::uint64_t, kAnomalyTypeCount> counts{};
  std::vector<CheckOutcome> checks = std::vector<CheckOutcome>(kCheckCount);
  // The chunk rule: C (0 when unknown) and its source, with words for the text report ("model
  // tiny", "the header's chunk field", ...).
  std::uint32_t chunk = 0;
  ChunkSource chunk_source = ChunkSource::kUnknown;
  std::string chunk_note;
  // The completeness rule: how far it went, and in words why not further (or what it covered).
  Completeness completeness = Completeness::kNone;
  std::string completeness_note;
  // Step ids in an equivalent serial order, when requested and the dependency graph is acyclic.
  std::optional<std::vector<std::uint64_t>> serial_order;

  // Every check that ran found nothing (the report says which ran).
  bool valid() const { return Total() == 0; }
  std::uint64_t Count(AnomalyType type) const { return counts[Index(type)]; }
  std::uint64_t Total() const;
  // Anomalies of `type` found but not reported in detail.
  std::uint64_t Omitted(AnomalyType type) const;
  int ChecksRun() const;
};

// A summary line (verdict, counts, how many checks ran), each detailed anomaly with its steps and
// explanation, the omitted counts, then what the checks could judge (chunk rule, completeness,
// skipped checks and why).
std::string RenderText(const CheckReport& report);
// {"valid":..,"steps_checked":..,"anomalies":[{"type","owner","steps"[,"cycle_class"],
//  "explanation"}],"counts":{type:n},"checks":{name:{"ran":..,...}}[,"serial_order":[..]]} on one
// line, no terminator (docs/checker.md#reports); serial_order only when the report has one.
std::string RenderJson(const CheckReport& report);
// One <testsuite> named `suite` with one <testcase> per check; a failure lists its anomalies.
std::string RenderJunit(const CheckReport& report, std::string_view suite);

}  // namespace rwttt
