// What a person checks first about a trace: how many requests, over what span, at what rate, how
// bursty, and how long the prompts and outputs are.
//
//   TraceStatsBuilder b; for (const Request& r : trace) b.Add(r);
//   TraceStats s = b.Finish();   std::cout << FormatTraceStats(s, "t.jsonl");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/request.h"

namespace rwttt {

// Nearest-rank percentiles (the smallest value with at least p% of values at or below it).
struct LengthSummary {
  double mean = 0;
  std::uint64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::uint64_t total = 0;
};

struct TraceStats {
  std::uint64_t count = 0;
  Nanos first_arrival{0};
  Nanos last_arrival{0};
  double span_s = 0;  // last - first arrival
  // (count - 1) / span; undefined (n/a, null) when the span is 0: all arrivals coincide.
  std::optional<double> rate_per_s;
  // Coefficient of variation of the gaps: 1 Poisson, > 1 bursty; undefined with fewer than two
  // gaps or a mean gap of 0.
  std::optional<double> interarrival_cv;
  LengthSummary prompt;
  LengthSummary output;
};

// Accumulates requests in arrival order. O(count) memory for the length percentiles.
class TraceStatsBuilder {
 public:
  void Add(const Request& r);
  TraceStats Finish();

 private:
  std::vector<std::uint32_t> prompts_;
  std::vector<std::uint32_t> outputs_;
  Nanos first_{0};
  Nanos last_{0};
  // Welford's running mean and variance of the gaps, in seconds.
  std::uint64_t gaps_ = 0;
  double gap_mean_ = 0;
  double gap_m2_ = 0;
};

// Nearest-rank percentile of `sorted` (ascending, non-empty), p in (0, 100].
std::uint64_t NearestRank(const std::vector<std::uint32_t>& sorted, double p);

std::string FormatTraceStats(const TraceStats& stats, const std::string& source);
std::string TraceStatsToJson(const TraceStats& stats, const std::string& source);

}  // namespace rwttt
