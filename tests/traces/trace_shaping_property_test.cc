// Properties of shaping over random traces and options.
#include <algorithm>

#include "tests/support/property.h"
#include "traces/trace_shaping.h"

namespace rwttt {
namespace {

std::vector<Request> RandomTrace(const std::vector<std::pair<std::uint32_t, std::uint16_t>>& rows) {
  std::vector<Request> trace;
  std::int64_t t = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    t += rows[i].first;
    trace.push_back(
        Request{OwnerId{i * 3 + 1}, Nanos{t}, rows[i].second, rows[i].second / 2u, std::nullopt});
  }
  return trace;
}

RC_GTEST_PROP(ShapingProperty, SmallerSampleFractionKeepsASubset, ()) {
  const auto trace = RandomTrace(
      *rc::gen::container<std::vector<std::pair<std::uint32_t, std::uint16_t>>>(rc::gen::pair(
          rc::gen::inRange<std::uint32_t>(0, 1u << 30), rc::gen::arbitrary<std::uint16_t>())));
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const double small = *rc::gen::inRange(1, 100) / 100.0;
  const double large = std::min(1.0, small + *rc::gen::inRange(0, 100) / 100.0);
  ShapingOptions o;
  o.seed = Seed{seed};
  o.sample_fraction = small;
  auto a = trace;
  ShapingCounts counts;
  RC_ASSERT(ApplyShaping(a, o, counts).ok());
  o.sample_fraction = large;
  auto b = trace;
  RC_ASSERT(ApplyShaping(b, o, counts).ok());
  for (const Request& r : a) {
    RC_ASSERT(std::any_of(b.begin(), b.end(), [&](const Request& q) { return q.id == r.id; }));
  }
  RC_ASSERT(a.size() <= b.size());
}

RC_GTEST_PROP(ShapingProperty, OutputIsSortedStartsAtZeroAndAccountsForEveryRequest, ()) {
  const auto trace = RandomTrace(
      *rc::gen::container<std::vector<std::pair<std::uint32_t, std::uint16_t>>>(rc::gen::pair(
          rc::gen::inRange<std::uint32_t>(0, 1u << 30), rc::gen::arbitrary<std::uint16_t>())));
  ShapingOptions o;
  o.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
  if (*rc::gen::arbitrary<bool>()) o.sample_fraction = *rc::gen::inRange(1, 101) / 100.0;
  if (*rc::gen::arbitrary<bool>()) {
    o.window = TimeWindow{Nanos{*rc::gen::inRange<std::int64_t>(0, 1LL << 32)},
                          Nanos{*rc::gen::inRange<std::int64_t>(1, 1LL << 34)}};
  }
  if (*rc::gen::arbitrary<bool>()) o.max_prompt = *rc::gen::arbitrary<std::uint16_t>();
  if (*rc::gen::arbitrary<bool>()) o.time_scale = *rc::gen::inRange(1, 1000) / 100.0;
  auto shaped = trace;
  ShapingCounts counts;
  RC_ASSERT(ApplyShaping(shaped, o, counts).ok());
  RC_ASSERT(shaped.size() + counts.outside_window + counts.sampled_out == trace.size());
  if (!shaped.empty() && o.any()) RC_ASSERT(shaped.front().arrival == Nanos{0});
  for (std::size_t i = 1; i < shaped.size(); ++i) {
    RC_ASSERT(shaped[i - 1].arrival <= shaped[i].arrival);
  }
  for (const Request& r : shaped) {
    if (o.max_prompt) RC_ASSERT(r.prompt_tokens <= *o.max_prompt);
  }
}

}  // namespace
}  // namespace rwttt
