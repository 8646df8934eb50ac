// Fault injection (`--inject KIND[@RATE]`, DESIGN §3): perturbs an otherwise correct run so that
// the checker has something to catch. Each kind is a real execution error (a state really read
// stale, an update really lost or torn), not only a wrong line in the history.
//
//   RWTTT_ASSIGN_OR_RETURN(FaultPlan plan, ParseFaultPlan("lost-update@0.2"));
//   FaultInjector inject(plan, seed);  if (inject.Fire(key)) Use(key);  // strike at point `key`
//
// At each point where a kind can strike, it does: always the first time (so a run with any such
// point contains the fault), then with probability RATE (default 0.1), decided by Philox counters
// keyed by the seed and the point, so injection is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/strong_types.h"

namespace rwttt {

enum class FaultKind : std::uint8_t {
  kNone,
  kStaleRead,        // a READ reads its owner's state from before the last commit
  kUncommittedRead,  // a READ starts before its owner's commit has completed (G1b)
  kLostUpdate,       // a WRITE updates the state from before the previous commit: two commits of
                     // one version, the first one lost
  kCrossOwnerWrite,  // a WRITE updates another owner's slot
  kEarlyWrite,       // a WRITE runs before the last READ of the chunk it closes
  kDuplicateStep,    // a READ runs twice
  kTornState,        // a WRITE updates only half of the TTT layers
  // Copy-on-write runs only (SlotMode::kCopyOnWrite; elsewhere they never strike):
  kBaseCommit,  // a first WRITE commits into the shared base instead of its owner's new slot
  kBaseRead,    // a READ past version 0 reads the shared base instead of its owner's slot
  // Runs with the host tier only (DeviceLayout::offload_after_steps; elsewhere it never strikes):
  kStaleRestore,  // a state copied back from host memory comes back as version 0 (the base's)
  kRestoreHeld,   // a state copied back from host memory lands in a slot another owner holds
};

struct FaultPlan {
  FaultKind kind = FaultKind::kNone;
  double rate = 0.1;
};

std::string_view FaultKindName(FaultKind kind);
// Every kind's name, in the order of the enum (kNone excluded).
std::vector<std::string> FaultKindNames();
// The field a malformed plan's Error names (`Error::where.field`); the CLI says it as --inject.
inline constexpr std::string_view kFaultPlanField = "faults";

// "KIND" or "KIND@RATE" with RATE in (0, 1]. A Usage error at kFaultPlanField lists the kinds.
Result<FaultPlan> ParseFaultPlan(std::string_view spec);

class FaultInjector {
 public:
  FaultInjector(FaultPlan plan, Seed seed) : plan_(plan), seed_(seed) {}
  FaultKind kind() const { return plan_.kind; }
  bool is(FaultKind kind) const { return plan_.kind == kind; }
  // Whether the fault strikes at the point `key` (unique per point in a run).
  bool Fire(std::uint64_t key);
  std::uint64_t injected() const { return injected_; }

 private:
  FaultPlan plan_;
  Seed seed_;
  std::uint64_t injected_ = 0;
};

}  // namespace rwttt
