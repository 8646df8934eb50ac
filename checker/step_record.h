// The checker's compact record of one step (72 bytes, vs. ~200 for HistoryStep and far more for
// the parsed line), and the anomaly collector the checks share. Public only because
// history_checker.h holds them; not an interface for users.
//
//   StepRecord r = ...;  if (r.is_write()) ...;
//   findings.Add("stale-read", owner, {r.step_id}, [&] { return "..."; });
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "checker/check_report.h"

namespace rwttt::internal {

inline constexpr std::uint32_t kNone = 0xffffffffu;

struct StepRecord {
  std::uint64_t step_id = 0;
  std::uint64_t batch = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::uint64_t digest = 0;      // out_digest (READ) or state_digest (WRITE), when has_digest
  std::uint32_t owner = 0;       // dense owner index (HistoryChecker's table)
  std::uint32_t seen_owner = 0;  // dense owner index
  std::uint32_t version = 0;     // the tag
  std::uint32_t seen_version = 0;
  std::uint32_t commit_version = 0;  // WRITE only
  std::uint32_t first_token = 0;
  std::uint32_t end_token = 0;
  bool write = false;
  bool has_batch = false;
  bool has_digest = false;

  bool is_write() const { return write; }
};
static_assert(sizeof(StepRecord) <= 72);

// Real-time order (DESIGN §6): `a` precedes `b` when it ended before `b` started, or ended exactly
// when `b` started and one of them took time. Two instantaneous steps at one instant are
// concurrent, so that the relation stays a strict partial order (irreflexive and transitive).
inline bool Precedes(const StepRecord& a, const StepRecord& b) {
  return a.end_ns < b.start_ns ||
         (a.end_ns == b.start_ns && (a.start_ns < a.end_ns || b.start_ns < b.end_ns));
}

// Collects anomalies, at most `max_per_type` of each type in detail; the explanation of one past
// the cap is never built (a broken policy can produce one per step).
class Findings {
 public:
  explicit Findings(std::uint64_t max_per_type) : max_per_type_(max_per_type) {}
  void Add(std::string_view type, std::optional<std::uint64_t> owner,
           std::vector<std::uint64_t> steps, const std::function<std::string()>& explain);
  // Moves the anomalies into `report`, grouped by type in kAnomalyTypes order.
  void MoveInto(CheckReport& report);

 private:
  std::uint64_t max_per_type_;
  std::vector<Anomaly> anomalies_;
  std::map<std::string, std::uint64_t> count_;
  std::map<std::string, std::uint64_t> omitted_;
};

}  // namespace rwttt::internal
