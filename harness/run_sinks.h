// The history sinks of one run, wired once for every command that runs the simulator: the v1
// history file, the in-memory checker, both (teed, file first) or neither.
//
//   RunSinks sinks;
//   RWTTT_TRY(sinks.WriteTo("h.jsonl", header));
//   sinks.Check(header, InMemoryCheck(trace, "t.jsonl", config.model));
//   config.history = sinks.sink();
//   RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *policy, config));
//   RWTTT_ASSIGN_OR_RETURN(std::optional<CheckReport> report, sinks.Finish());
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checker/check_report.h"
#include "checker/history_checker.h"
#include "checker/history_writer.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "harness/history_sinks.h"

namespace rwttt {

// The checker's options for a run checked in memory: all five checks, the serial reference fed
// `trace` as is (`trace_note` names it in the report), `model` for the chunk size and the
// reference, and `max_per_type` anomalies of one type in detail (CheckOptions::max_per_type).
CheckOptions InMemoryCheck(const std::vector<Request>& trace, const std::string& trace_note,
                           const ModelProfile& model, std::uint64_t max_per_type = 100);

class RunSinks {
 public:
  RunSinks();
  ~RunSinks();
  RunSinks(const RunSinks&) = delete;
  RunSinks& operator=(const RunSinks&) = delete;

  // Writes the history to `path` ("-" is stdout) under `header`. Call at most once, before the
  // run. An Io error names the path. Without Finish() the file is not committed.
  Status WriteTo(const std::string& path, const HistoryHeader& header);

  // Checks the history in memory as it is written, `header` as the checked header. Call at most
  // once, before the run.
  void Check(const HistoryHeader& header, CheckOptions options);

  // Where the simulator writes (SimConfig::history): nullptr when neither was asked for. Owned
  // by this object.
  HistorySink* sink();

  // After the run: commits the history file, then runs the checks. Returns the checker's report,
  // or nothing when Check() was not called. Errors: the history file's. Call once.
  Result<std::optional<CheckReport>> Finish();

 private:
  std::unique_ptr<HistoryWriter> writer_;
  std::unique_ptr<HistoryWriterSink> writer_sink_;
  std::unique_ptr<HistoryChecker> checker_;
  std::unique_ptr<HistoryCheckerSink> checker_sink_;
  TeeSink tee_;
};

}  // namespace rwttt
