// The checker (DESIGN §6): judges a history, step by step as it is produced or read, in the five
// checks' order (structure, owner isolation, version linearizability, dependency graph, serial
// reference) and reports every violation as an anomaly with its steps and an explanation.
//
//   HistoryChecker checker(header, CheckOptions{});
//   for (const HistoryStep& s : steps) checker.Add(s);   CheckReport report = checker.Finish();
//
// Cost: O(n log n) time for n steps; about 72 bytes per step while adding and at most ~256 at
// Finish (the dependency graph), so histories of 10^8 steps check on one machine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker/check_report.h"
#include "checker/history.h"
#include "checker/step_record.h"
#include "core/request.h"
#include "core/result.h"

namespace rwttt {

// Reads the requests of a trace file. The checker depends on core only (DESIGN §7), so the native
// trace reader (traces/) is injected: cli/ passes traces' ReadTrace.
using TraceLoader = std::function<Result<std::vector<Request>>(const std::string& path)>;

struct CheckOptions {
  // Record an equivalent serial order in the report (when the graph is acyclic).
  bool serial_order = false;
  // Anomalies of one type reported in detail; the rest are counted (CheckReport::omitted).
  std::uint64_t max_per_type = 100;
  // Step 5 runs when this is set and the header names a trace, a model and a seed; else it is
  // reported as skipped. Relative trace paths are resolved against `trace_dir` when not empty.
  TraceLoader load_trace;
  std::string trace_dir;
};

class HistoryChecker {
 public:
  HistoryChecker(const HistoryHeader& header, CheckOptions options);
  ~HistoryChecker();
  HistoryChecker(const HistoryChecker&) = delete;
  HistoryChecker& operator=(const HistoryChecker&) = delete;

  // Adds the next step of the history (in order of start_ns). Never fails: what is wrong with the
  // step is a finding. O(1) amortised.
  void Add(const HistoryStep& step);

  // Runs the whole-history checks and returns the report. Call once; the checker is spent after.
  CheckReport Finish();

 private:
  struct OwnerState;
  std::uint32_t OwnerIndex(OwnerId id);
  void CheckProgramOrder(std::uint32_t index, const HistoryStep& s);
  void CheckIsolation(std::uint32_t index, const HistoryStep& s);
  void CheckVersions(std::uint32_t index);
  void CheckBatchesAndIds();
  std::string Describe(std::uint32_t index) const;

  HistoryHeader header_;
  CheckOptions options_;
  internal::Findings findings_;
  std::vector<internal::StepRecord> records_;
  std::vector<OwnerId> owner_ids_;  // [owners], dense index -> id
  std::vector<OwnerState> owners_;  // [owners]
  std::unordered_map<std::uint64_t, std::uint32_t> owner_index_;
  std::unordered_map<std::uint64_t, std::uint32_t> slot_owner_;    // slot -> dense owner index
  std::vector<std::pair<std::uint32_t, std::uint32_t>> po_edges_;  // [steps - owners]
  std::uint32_t chunk_ = 0;  // tokens per chunk, from the first WRITE (0: none seen yet)
  std::int64_t last_start_ = INT64_MIN;
  std::uint32_t last_start_step_ = internal::kNone;
};

// Reads and checks a history file (`.jsonl` or `.jsonl.zst`, "-" for stdin). An Error is bad
// input (exit 2); anomalies are in the report (exit 1).
Result<CheckReport> CheckHistoryFile(const std::string& path, CheckOptions options);

}  // namespace rwttt
