// The checker (DESIGN §6): judges a history in the five checks' order (structure, owner
// isolation, version linearizability, dependency graph, serial reference) and reports every
// violation as an anomaly with its steps and an explanation. The rules: docs/checker.md.
//
//   HistoryChecker checker(header, CheckOptions{.inputs = std::move(inputs)});
//   for (const HistoryStep& s : steps) checker.Add(s);
//   CheckReport report = checker.Finish();
//
// Cost: O(n log n) time for n steps; 80 bytes per step while adding and at most ~256 at Finish
// (the dependency graph), so histories of 10^8 steps check on one machine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "checker/check_inputs.h"
#include "checker/check_report.h"
#include "checker/history.h"
#include "core/result.h"

namespace rwttt {

struct CheckOptions {
  // Record an equivalent serial order in the report (when the graph is acyclic).
  bool serial_order = false;
  // Anomalies of one type reported in detail; the rest are counted (CheckReport::counts). Never
  // changes the verdict.
  std::uint64_t max_per_type = 100;
  // Run check 5 (the serial reference) when the inputs have the trace and model and the header a
  // seed. False: checks 1-4 only, and the report says so.
  bool reference = true;
  // Threads check 5 runs owners on (each owner's serial run is independent; the report is the
  // same whatever the count), at most one per owner and as many as the host memory for a state
  // each allows. 0: the machine's cores, but one per 2^24 multiply-adds of the owners' tokens, so
  // that small histories (a fuzz iteration's) start no thread.
  unsigned reference_threads = 0;
  // What the header names, loaded (LoadCheckInputs): the trace gives completeness and, with the
  // model, check 5; the model gives the chunk size. REQUIRES: a model whose chunk agrees with the
  // header's `chunk`, when both are present.
  CheckInputs inputs;
};

class HistoryChecker {
 public:
  HistoryChecker(const HistoryHeader& header, CheckOptions options);
  ~HistoryChecker();
  HistoryChecker(const HistoryChecker&) = delete;
  HistoryChecker& operator=(const HistoryChecker&) = delete;

  // Adds the next step of the history (in order of start_ns). Never fails: what is wrong with the
  // step is a finding. O(1) amortised; keeps an 80-byte record.
  void Add(const HistoryStep& step);

  // Runs the checks and returns the report. Call once; the checker is spent after.
  CheckReport Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads and checks a history file (`.jsonl` or `.jsonl.zst`, "-" for stdin). The header's trace,
// model and hardware are loaded first (LoadCheckInputs, in DefaultInputDirs(path)), required
// unless !options.reference; options.inputs is replaced. An Error is bad input (exit 2);
// anomalies are in the report (exit 1).
Result<CheckReport> CheckHistoryFile(const std::string& path, CheckOptions options,
                                     const TraceLoader& load_trace);

}  // namespace rwttt
