// Check 4 (DESIGN §6): the dependency graph of a history on Boost.Graph. Steps are vertices;
// edges are program order (po), write->read (wr), write->write (ww), read->next write (rw) and
// real-time order (rt) through barrier vertices, so that rt costs O(n) edges, not O(n^2).
//
//   auto order = CheckDependencyGraph(context.set, /*want_order=*/true, findings);
//   // acyclic: *order is the step ids in an equivalent serial order; else a `cycle` finding
//
// Private to checker/; HistoryChecker::Finish is the caller.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "checker/internal/findings.h"
#include "checker/internal/record_set.h"

namespace rwttt::internal {

// Builds the graph, finds its strongly connected components (Tarjan), and reports each cyclic
// component's shortest witness cycle found (BFS from up to kWitnessStarts of its steps) as a
// `cycle` anomaly classified G0 / G1c / G-single / G2. Returns the serial order when `want_order`
// and the graph is acyclic. O((V + E) log V) time; ~40 bytes per step beyond the records.
// REQUIRES: set.IndexByOwner() done (po edges follow each owner's steps in history order).
std::optional<std::vector<std::uint64_t>> CheckDependencyGraph(const RecordSet& set,
                                                               bool want_order, Findings& findings);

inline constexpr int kWitnessStarts = 16;
inline constexpr int kMaxCyclesReported = 8;

}  // namespace rwttt::internal
