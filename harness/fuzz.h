// Property-based fuzzing of a policy (`rwttt fuzz`, docs/fuzzing.md): random workloads, each run
// and judged; a failure is shrunk to a small trace that still fails the same way.
//
//   FuzzCase c = MakeFuzzCase(space, Seed{7}, /*iteration=*/3);  // space: a FuzzSpace
//   RWTTT_ASSIGN_OR_RETURN(Verdict v, judge(c));
//   FuzzCase small = Shrink(c, v, judge);
//
// The judge (a replay with history, then the checker) is passed in, so this file knows nothing of
// how a run is checked.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "core/strong_types.h"

namespace rwttt {

// What random workloads may look like.
struct FuzzSpace {
  ModelProfile model;
  std::uint64_t max_owners = 8;
  std::uint64_t shared_weight_bytes = 0;  // the model's, for budgets
  std::uint64_t state_bytes = 0;
};

// One workload: a trace, a memory budget and a run seed.
struct FuzzCase {
  std::uint64_t iteration = 0;
  Seed seed{0};  // the run's seed (inputs, fault injection)
  std::vector<Request> trace;
  std::uint64_t budget_bytes = 0;
};

// How a judged case came out.
struct Verdict {
  bool failed = false;
  std::string anomaly;  // the kind that failed it ("lost-update", "not-caught", ...)
  std::string detail;   // one line for people
};

using Judge = std::function<Result<Verdict>(const FuzzCase&)>;

// The case of `iteration` under `seed`: arrivals in bursts, simultaneous, sparse or Poisson;
// prompt and output lengths near multiples of the chunk size; budgets from one owner at a time to
// all at once. Deterministic in (seed, iteration).
FuzzCase MakeFuzzCase(const FuzzSpace& space, Seed seed, std::uint64_t iteration);

// Greedy delta debugging: repeatedly tries smaller cases (fewer requests, output folded into the
// prompt, shorter prompts and outputs, coarser arrivals) and keeps one whenever it still fails with
// `failure.anomaly`, until none does. `judge` errors end shrinking early with the smallest failing
// case so far. Returns the smallest case and counts the judged candidates in `tries`.
FuzzCase Shrink(const FuzzCase& failing, const Verdict& failure, const Judge& judge,
                std::uint64_t* tries = nullptr);

// Whether `iteration` belongs to shard K (1-based) of N (a campaign split over N machines). Shards
// are disjoint and cover every iteration.
inline bool InShard(std::uint64_t iteration, std::uint64_t k, std::uint64_t n) {
  return iteration % n == k - 1;
}

// Parses "K/N" with 1 <= K <= N. A Usage error names the field "shard" (Error::where.field).
Result<std::pair<std::uint64_t, std::uint64_t>> ParseShard(std::string_view spec);

}  // namespace rwttt
