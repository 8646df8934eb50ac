// A second, deliberately simple implementation of checks 1-4 of docs/checker.md ("The rules,
// precisely"), written from that text alone, to hold the production checker against on mutated
// histories (differential testing). Quadratic on purpose: one function per rule, no cleverness.
//
//   std::set<std::string> types = ReferenceAnomalyTypes(history, {.chunk = 8, .trace = requests});
//   EXPECT_EQ(types, Types(production_report));
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checker/history.h"
#include "core/request.h"

namespace rwttt::testing {

struct ReferenceInputs {
  // C from the header's model or its `chunk` field; nullopt (or 0): infer it from the WRITEs as the
  // rules say.
  std::optional<std::uint32_t> chunk;
  // The trace's requests (owner id = Request::id, P = prompt_tokens, O = output_tokens), when the
  // trace is known.
  std::optional<std::vector<Request>> trace;
  // The header's `base_slot`, when declared: the copy-on-write slot that holds version 0 of every
  // owner (docs/checker.md, "The base slot"); nullopt: no base slot. Default-initialized so that
  // callers naming only .chunk and .trace get no -Wmissing-field-initializers.
  std::optional<std::uint64_t> base_slot = std::nullopt;
};

// One rule that fired: for explaining a differential mismatch, and for the reference's own tests.
struct ReferenceFinding {
  std::string type;  // the anomaly type name, e.g. "owner-leak"
  std::string rule;  // which rule fired, e.g. "isolation/foreign-stamp" (see reference_checker.cc)
  // Position in the history of the step or move judged, if one is.
  std::optional<std::size_t> index;
};

// Every rule of checks 1-4 of docs/checker.md that fires on `history` (steps and moves, the
// HistoryStep records with `moved_to` set, in file order), in the order the checks run.
// Complexity: O(n^2) time and O(n^2) bits of memory in the number of records n (the dependency
// graph has an explicit rt edge per pair); meant for n up to ~10^4.
std::vector<ReferenceFinding> ReferenceFindings(const std::vector<HistoryStep>& history,
                                                const ReferenceInputs& inputs);

// The set of anomaly type names ("malformed", "program-order", "missing-step", "mixed-batch",
// "duplicate-step", "owner-leak", "lost-update", "version-gap", "stale-read", "future-read",
// "uncommitted-read", "cycle") that checks 1-4 of docs/checker.md find in `history` (steps and
// moves in file order). The types of ReferenceFindings(history, inputs).
std::set<std::string> ReferenceAnomalyTypes(const std::vector<HistoryStep>& history,
                                            const ReferenceInputs& inputs);

}  // namespace rwttt::testing
