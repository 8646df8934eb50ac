// What a history's header names, loaded for the checks that need it: the trace (completeness and
// the serial reference) and the model (the chunk size and the serial reference). A named input
// that cannot be loaded is an error, never a silently skipped check (DESIGN §6).
//
//   InputSearch search{.dirs = {"runs", "."}, .load_trace = ReadTrace, .required = true};
//   RWTTT_ASSIGN_OR_RETURN(CheckInputs inputs, LoadCheckInputs(header, "runs/h.jsonl", search));
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"

namespace rwttt {

// Reads the requests of a native trace file. The checker depends on core only (DESIGN §7), so the
// trace reader (traces/) is injected: cli/ passes traces' ReadTrace.
using TraceLoader = std::function<Result<std::vector<Request>>(const std::string& path)>;

struct CheckInputs {
  // The trace's requests, when the header names a trace that was loaded (or the caller has them).
  std::optional<std::vector<Request>> trace;
  // The model profile, when the header names one that was loaded.
  std::optional<ModelProfile> model;
  // Words for the report: the trace's name when `trace` is set ("out/demo.jsonl"), else why there
  // is none; why `model` is empty.
  std::string trace_note;
  std::string model_note;

  // "trace out/demo.jsonl" (or "the given trace"), or why there is no trace.
  std::string TraceWords() const;
};

struct InputSearch {
  // Folders a relative trace, model or hardware file name is looked for in, in order. A preset
  // name (model, hardware) is never looked for as a file.
  std::vector<std::string> dirs;
  TraceLoader load_trace;  // REQUIRED when the header names a trace
  // True: an input the header names that cannot be loaded is an Error. False (checks 1-4 only):
  // it is left out, and its note says why.
  bool required = true;
};

// Loads what `header` names. `history` (the file's path) locates errors. Errors: a named trace,
// model or hardware that cannot be found or read (the message says where it looked), when
// `search.required`; a header whose `chunk` disagrees with its model's, always.
Result<CheckInputs> LoadCheckInputs(const HistoryHeader& header, const std::string& history,
                                    const InputSearch& search);

// The folders `rwttt check` looks in for the inputs of the history at `history_path`: the
// history's folder, then the working directory ("-", stdin: the working directory only).
std::vector<std::string> DefaultInputDirs(const std::string& history_path);

}  // namespace rwttt
