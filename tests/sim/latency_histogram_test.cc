// LatencyHistogram against exact nearest-rank percentiles, and the ITL metric in a replay.
#include "sim/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/metrics.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

std::int64_t ExactRank(std::vector<std::int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  const auto r = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(r, 1, v.size()) - 1];
}

RC_GTEST_PROP(LatencyHistogram, PercentilesAreWithinOneSixtyFourthAboveTheExactOnes, ()) {
  const auto v = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::int64_t>>(
      rc::gen::oneOf(rc::gen::inRange<std::int64_t>(0, 200),
                     rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 40))));
  LatencyHistogram h;
  for (const std::int64_t x : v) h.Add(x);
  const LatencySummary s = h.Summary();
  RC_ASSERT(s.count == v.size());
  RC_ASSERT(s.max_ns == *std::max_element(v.begin(), v.end()));
  for (const auto& [p, got] : {std::pair{50.0, s.p50_ns}, {90.0, s.p90_ns}, {99.0, s.p99_ns}}) {
    const std::int64_t want = ExactRank(v, p);
    RC_ASSERT(got >= want);
    RC_ASSERT(static_cast<double>(got) <= static_cast<double>(want) * (1.0 + 1.0 / 64) + 1);
  }
}

TEST(LatencyHistogram, SmallValuesAreExactAndEmptyIsZero) {
  EXPECT_EQ(LatencyHistogram().Summary().count, 0u);
  LatencyHistogram h;
  for (std::int64_t x = 1; x <= 50; ++x) h.Add(x);
  const LatencySummary s = h.Summary();
  EXPECT_EQ(s.p50_ns, 25);
  EXPECT_EQ(s.p99_ns, 50);
  EXPECT_DOUBLE_EQ(s.mean_ns, 25.5);
}

TEST(Metrics, ItlCountsTheGapsBetweenEachOwnersOutputTokens) {
  MetricsBuilder m(2);
  m.OnArrival(0, Nanos{0});
  m.OnArrival(1, Nanos{0});
  for (std::int64_t t : {10, 20, 60}) m.OnOutputToken(0, Nanos{t});  // gaps 10, 40
  for (std::int64_t t : {15, 16}) m.OnOutputToken(1, Nanos{t});      // gap 1
  m.OnFinish(0, Nanos{60});
  m.OnFinish(1, Nanos{16});
  const Metrics s = m.Finish(0, 5, 1, 0);
  EXPECT_EQ(s.itl.count, 3u);
  EXPECT_EQ(s.itl.max_ns, 40);
  EXPECT_EQ(s.itl.p50_ns, 10);
}

}  // namespace
}  // namespace rwttt
