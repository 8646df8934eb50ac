// The paper experiment's table as text and JSON (`rwttt bench paper`, docs/paper-reproduction.md).
//
//   RWTTT_ASSIGN_OR_RETURN(PaperTable t, RunPaperExperiment(setup));
//   std::fputs(FormatPaperTable(t).c_str(), stdout);
#pragma once

#include <string>

#include "harness/paper_experiment.h"

namespace rwttt {

// a / b, or 0 when b is 0 (a policy that decoded nothing).
double SafeRatio(double a, double b);

// Relative error of `ours` against `paper`: ours / paper - 1; 0 when paper is 0.
double RelativeError(double ours, double paper);

// A header naming the setup, one row per policy (decode tok/s, ratio to sequential, ratio to
// replicas, each beside the paper's figure with the relative error), and the roofline row.
std::string FormatPaperTable(const PaperTable& table);

// The same as one JSON object: {"model", "hardware", "streams", "prompt_tokens", "output_tokens",
// "budget_gib", "budget_bytes", "seed", "timing", "backend", "rows": [{"policy", "replay_flags",
// "decode_tokens_per_s", "decode_tokens", "decode_ns", "vs_sequential", "vs_replicas",
// "paper": {...}, "error": {...}, "metrics": {MetricsToJson}}], "roofline": {...}}.
std::string PaperTableToJson(const PaperTable& table);

}  // namespace rwttt
