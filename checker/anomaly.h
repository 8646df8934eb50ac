// The checker's vocabulary as data (DESIGN §6): the five checks, every anomaly type with the
// check it belongs to, and the Adya classes of a dependency cycle. One table; the exact strings
// are a contract with other systems (text, JSON and JUnit reports use them).
//
//   AnomalyName(AnomalyType::kOwnerLeak);              // "owner-leak"
//   CheckOf(AnomalyType::kCycle);                      // CheckKind::kDependencyGraph
//   ParseAnomalyType("stale-read");                    // AnomalyType::kStaleRead
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

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

// Every anomaly type, in report order (DESIGN §6).
enum class AnomalyType : std::uint8_t {
  kMalformed,
  kProgramOrder,
  kMissingStep,
  kMixedBatch,
  kDuplicateStep,
  kOwnerLeak,
  kLostUpdate,
  kVersionGap,
  kStaleRead,
  kFutureRead,
  kUncommittedRead,
  kCycle,
  kDigestMismatch,
};
inline constexpr int kAnomalyTypeCount = 13;

struct AnomalyTypeInfo {
  AnomalyType type;
  std::string_view name;  // the exact string of reports
  CheckKind check;        // the check that finds it
};

// Indexed by AnomalyType.
inline constexpr std::array<AnomalyTypeInfo, kAnomalyTypeCount> kAnomalyTypes = {{
    {AnomalyType::kMalformed, "malformed", CheckKind::kStructure},
    {AnomalyType::kProgramOrder, "program-order", CheckKind::kStructure},
    {AnomalyType::kMissingStep, "missing-step", CheckKind::kStructure},
    {AnomalyType::kMixedBatch, "mixed-batch", CheckKind::kStructure},
    {AnomalyType::kDuplicateStep, "duplicate-step", CheckKind::kStructure},
    {AnomalyType::kOwnerLeak, "owner-leak", CheckKind::kOwnerIsolation},
    {AnomalyType::kLostUpdate, "lost-update", CheckKind::kVersions},
    {AnomalyType::kVersionGap, "version-gap", CheckKind::kVersions},
    {AnomalyType::kStaleRead, "stale-read", CheckKind::kVersions},
    {AnomalyType::kFutureRead, "future-read", CheckKind::kVersions},
    {AnomalyType::kUncommittedRead, "uncommitted-read", CheckKind::kVersions},
    {AnomalyType::kCycle, "cycle", CheckKind::kDependencyGraph},
    {AnomalyType::kDigestMismatch, "digest-mismatch", CheckKind::kSerialReference},
}};

constexpr int Index(AnomalyType type) { return static_cast<int>(type); }
constexpr std::string_view AnomalyName(AnomalyType type) { return kAnomalyTypes[Index(type)].name; }
constexpr CheckKind CheckOf(AnomalyType type) { return kAnomalyTypes[Index(type)].check; }
// The type named `name`, or nullopt for a name that is not in the table.
constexpr std::optional<AnomalyType> ParseAnomalyType(std::string_view name) {
  for (const AnomalyTypeInfo& info : kAnomalyTypes) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

// "structure", "owner-isolation", "version-linearizability", "dependency-graph",
// "serial-reference".
constexpr std::string_view CheckName(CheckKind kind) {
  constexpr std::string_view kNames[kCheckCount] = {"structure", "owner-isolation",
                                                    "version-linearizability", "dependency-graph",
                                                    "serial-reference"};
  return kNames[static_cast<int>(kind)];
}

// Adya's class of a dependency cycle, by its dependency edges (docs/checker.md#the-dependency-graph).
enum class CycleClass : std::uint8_t {
  kG0,       // write-write edges only
  kG1c,      // ww and wr, no rw
  kGSingle,  // exactly one rw
  kG2,       // two or more rw
};
constexpr std::string_view CycleClassName(CycleClass c) {
  constexpr std::string_view kNames[] = {"G0", "G1c", "G-single", "G2"};
  return kNames[static_cast<int>(c)];
}

}  // namespace rwttt
