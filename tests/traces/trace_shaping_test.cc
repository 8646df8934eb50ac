// Workload shaping: window, sample, clip, time scale and rate (docs/traces.md#shaping).
#include "traces/trace_shaping.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// Requests 0..n-1 arriving one second apart from `start`, prompt 100*i, output 10*i.
std::vector<Request> Ramp(std::size_t n, std::int64_t start = 0) {
  std::vector<Request> trace;
  for (std::size_t i = 0; i < n; ++i) {
    trace.push_back(Request{OwnerId{i}, Nanos{start + static_cast<std::int64_t>(i) * kSecond},
                            static_cast<std::uint32_t>(100 * i), static_cast<std::uint32_t>(10 * i),
                            std::nullopt});
  }
  return trace;
}

std::vector<std::uint64_t> Ids(const std::vector<Request>& trace) {
  std::vector<std::uint64_t> ids;
  for (const Request& r : trace) ids.push_back(r.id.value());
  return ids;
}

TEST(Shaping, NoOptionsLeavesTheTraceAlone) {
  auto trace = Ramp(3, 77);
  ShapingCounts counts;
  ASSERT_TRUE(ApplyShaping(trace, {}, counts).ok());
  EXPECT_EQ(trace, Ramp(3, 77));
}

TEST(Shaping, WindowIsHalfOpenFromTheFirstArrivalAndRebasesToZero) {
  auto trace = Ramp(10, 5 * kSecond);
  ShapingOptions o;
  o.window = *ParseTimeWindow("2,3", "--window");
  ShapingCounts counts;
  ASSERT_TRUE(ApplyShaping(trace, o, counts).ok());
  EXPECT_EQ(Ids(trace), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(trace.front().arrival, Nanos{0});
  EXPECT_EQ(trace.back().arrival, Nanos{2 * kSecond});
  EXPECT_EQ(counts.outside_window, 7u);
}

TEST(Shaping, ParseTimeWindowIsExactAndStrict) {
  auto w = ParseTimeWindow("0.5,1.000000001", "--window");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->start, Nanos{kSecond / 2});
  EXPECT_EQ(w->duration, Nanos{kSecond + 1});
  EXPECT_FALSE(ParseTimeWindow("5", "--window").ok());
  EXPECT_FALSE(ParseTimeWindow("5,0", "--window").ok());
  EXPECT_FALSE(ParseTimeWindow("-1,5", "--window").ok());
  EXPECT_EQ(ParseTimeWindow("1,x", "--window").error().code, ErrorCode::kUsage);
}

TEST(Shaping, ClipsLengthsAndCountsEachKind) {
  auto trace = Ramp(5);  // prompts 0..400, outputs 0..40
  ShapingOptions o;
  o.max_prompt = 250;
  o.max_output = 35;
  ShapingCounts counts;
  ASSERT_TRUE(ApplyShaping(trace, o, counts).ok());
  EXPECT_EQ(counts.prompt_clipped, 2u);  // 300, 400
  EXPECT_EQ(counts.output_clipped, 1u);  // 40
  EXPECT_EQ(counts.clipped, 2u);
  EXPECT_EQ(trace[3].prompt_tokens, 250u);
  EXPECT_EQ(trace[4].prompt_tokens, 250u);
  EXPECT_EQ(trace[4].output_tokens, 35u);
  EXPECT_EQ(trace[2].prompt_tokens, 200u);
}

TEST(Shaping, RateRescalesTheSpanToTheTargetMeanRate) {
  auto trace = Ramp(11);  // 10 gaps of 1 s: 1 req/s
  ShapingOptions o;
  o.rate_per_s = 4;
  ShapingCounts counts;
  ASSERT_TRUE(ApplyShaping(trace, o, counts).ok());
  EXPECT_DOUBLE_EQ(counts.time_scale, 0.25);
  EXPECT_EQ(trace.back().arrival, Nanos{10 * kSecond / 4});
  EXPECT_EQ(trace[1].arrival, Nanos{kSecond / 4});
}

TEST(Shaping, TimeScaleMultipliesGaps) {
  auto trace = Ramp(3, 9);
  ShapingOptions o;
  o.time_scale = 3;
  ShapingCounts counts;
  ASSERT_TRUE(ApplyShaping(trace, o, counts).ok());
  EXPECT_EQ(trace[0].arrival, Nanos{0});
  EXPECT_EQ(trace[2].arrival, Nanos{6 * kSecond});
}

TEST(Shaping, RateNeedsTwoDistinctArrivals) {
  auto trace = Ramp(1);
  ShapingOptions o;
  o.rate_per_s = 2;
  ShapingCounts counts;
  const Status s = ApplyShaping(trace, o, counts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "`rate_per_s` needs at least two requests at different times; 1 left after shaping");
}

TEST(Shaping, ValidationNamesTheFieldNotAFlag) {
  ShapingOptions o;
  o.sample_fraction = 0;
  EXPECT_EQ(ValidateShaping(o).error().message,
            "`sample_fraction` 0: must be above 0 and at most 1");
  o = {};
  o.time_scale = -1;
  EXPECT_EQ(ValidateShaping(o).error().message, "`time_scale` -1: must be a positive number");
  o = {};
  o.time_scale = 1;
  o.rate_per_s = 1;
  EXPECT_EQ(ValidateShaping(o).error().code, ErrorCode::kUsage);
  EXPECT_EQ(ValidateShaping(o).error().message,
            "`time_scale` and `rate_per_s` both set the time scale: give one");
}

TEST(Shaping, SampleIsAFunctionOfSeedAndIdOnly) {
  ShapingOptions o;
  o.sample_fraction = 0.5;
  o.seed = Seed{42};
  auto a = Ramp(1000);
  auto b = Ramp(1000);
  ShapingCounts ca, cb;
  ASSERT_TRUE(ApplyShaping(a, o, ca).ok());
  ASSERT_TRUE(ApplyShaping(b, o, cb).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(ca.sampled_out + a.size(), 1000u);
  // About half, and a golden count so that a change to the draws is noticed.
  EXPECT_GT(a.size(), 430u);
  EXPECT_LT(a.size(), 570u);
  o.seed = Seed{43};
  auto c = Ramp(1000);
  ASSERT_TRUE(ApplyShaping(c, o, cb).ok());
  EXPECT_NE(Ids(a), Ids(c));
}

}  // namespace
}  // namespace rwttt
