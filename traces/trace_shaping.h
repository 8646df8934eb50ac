// Workload shaping: cut a time window, sample a fraction of requests, clip lengths and stretch or
// compress time, on any trace (docs/traces.md#shaping).
//
//   ShapingOptions o; o.window = TimeWindow{Nanos{60'000'000'000}, Nanos{600'000'000'000}};
//   o.sample_fraction = 0.25; o.seed = Seed{7}; RWTTT_TRY(ApplyShaping(trace, o, counts));
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/request.h"
#include "core/result.h"
#include "core/strong_types.h"

namespace rwttt {

// [start, start + duration), measured from the trace's first arrival.
struct TimeWindow {
  Nanos start{0};
  Nanos duration{0};
};

struct ShapingOptions {
  std::optional<TimeWindow> window;
  std::optional<double> sample_fraction;  // (0, 1]: keep each request with this probability
  Seed seed{0};                           // keys the sample draws
  std::optional<std::uint32_t> max_prompt;
  std::optional<std::uint32_t> max_output;
  std::optional<double> time_scale;  // > 0: every gap is multiplied by it (0.5 = twice as fast)
  std::optional<double> rate_per_s;  // > 0: the time scale giving this mean rate (count-1)/span

  // True when any option is set, i.e. ApplyShaping changes something.
  bool any() const {
    return window || sample_fraction || max_prompt || max_output || time_scale || rate_per_s;
  }
};

// What shaping removed or changed.
struct ShapingCounts {
  std::uint64_t outside_window = 0;
  std::uint64_t sampled_out = 0;
  std::uint64_t prompt_clipped = 0;  // requests whose prompt was cut to max_prompt
  std::uint64_t output_clipped = 0;  // requests whose output was cut to max_output
  std::uint64_t clipped = 0;         // requests with either cut
  double time_scale = 1.0;           // the factor applied to arrival offsets
};

// Parses "START,DUR" (decimal seconds, exact to the nanosecond; DUR > 0) for `flag`'s messages.
Result<TimeWindow> ParseTimeWindow(std::string_view text, std::string_view flag);

// Checks the options alone: fractions and factors in range, not both time_scale and rate_per_s.
// A Usage error names the fields inline, quoted ("`sample_fraction` 0: must be above 0 ...").
Status ValidateShaping(const ShapingOptions& options);

// Applies `options` in this order: window, sample, clip, time scale. REQUIRES: `requests` sorted
// by arrival; ValidateShaping(options).ok(). Sampling keeps request r iff a Philox draw keyed by
// (seed, r.id) is below the fraction, so it depends on nothing else: a smaller fraction keeps a
// subset of a larger one. When any option is set, arrivals are then shifted so that the first
// request arrives at 0; otherwise `requests` is left as it is. Ids and seeds are kept.
// An Input error when rate_per_s cannot apply (fewer than two requests left, or all at one time),
// or when a scaled arrival would overflow.
Status ApplyShaping(std::vector<Request>& requests, const ShapingOptions& options,
                    ShapingCounts& counts);

}  // namespace rwttt
