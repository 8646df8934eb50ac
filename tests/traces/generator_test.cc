#include "traces/generator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "traces/trace_stats.h"

namespace rwttt {
namespace {

TraceStats StatsOf(const GeneratorOptions& o) {
  TraceStatsBuilder b;
  for (const Request& r : GenerateTraceVector(o).value()) b.Add(r);
  return b.Finish();
}

TEST(Generator, PoissonRateAndBurstinessAreAsAsked) {
  GeneratorOptions o;
  o.count = 20000;
  o.rate_per_s = 50;
  o.seed = Seed{1};
  const TraceStats s = StatsOf(o);
  EXPECT_NEAR(s.rate_per_s.value(), 50, 2);
  EXPECT_NEAR(s.interarrival_cv.value(), 1.0, 0.05);
}

TEST(Generator, GammaArrivalsHaveTheRequestedCoefficientOfVariation) {
  GeneratorOptions o;
  o.count = 40000;
  o.rate_per_s = 10;
  o.arrival = ArrivalProcess::kGamma;
  o.seed = Seed{2};
  for (double cv : {0.5, 3.0}) {
    o.cv = cv;
    const TraceStats s = StatsOf(o);
    EXPECT_NEAR(s.interarrival_cv.value(), cv, 0.12 * cv) << cv;
    EXPECT_NEAR(s.rate_per_s.value(), 10, 1.0) << cv;
  }
}

TEST(Generator, LengthDistributionsHaveTheirMeans) {
  GeneratorOptions o;
  o.count = 20000;
  o.prompt = ParseLengthDistribution("lognormal:500:0.8", "--prompt").value();
  o.output = ParseLengthDistribution("uniform:10:30", "--output").value();
  const TraceStats s = StatsOf(o);
  EXPECT_NEAR(s.prompt.mean, 500, 20);
  EXPECT_NEAR(s.output.mean, 20, 0.3);
  EXPECT_EQ(s.output.min, 10u);
  EXPECT_EQ(s.output.max, 30u);
}

TEST(Generator, DurationStopsBeforeTheEnd) {
  GeneratorOptions o;
  o.duration_s = 2.0;
  o.rate_per_s = 100;
  const auto t = GenerateTraceVector(o).value();
  EXPECT_GT(t.size(), 150u);
  EXPECT_LT(t.back().arrival.value(), 2'000'000'000);
  EXPECT_EQ(t.front().arrival.value(), 0);
}

TEST(Generator, DifferentSeedsGiveDifferentTraces) {
  GeneratorOptions o;
  o.count = 10;
  o.prompt = {LengthDistribution::Kind::kUniform, 1, 1000};
  const auto a = GenerateTraceVector(o).value();
  o.seed = Seed{1};
  EXPECT_NE(a, GenerateTraceVector(o).value());
}

TEST(Generator, RejectsBadOptions) {
  GeneratorOptions o;
  EXPECT_FALSE(GenerateTraceVector(o).ok());  // neither count nor duration
  o.count = 1;
  o.rate_per_s = 0;
  EXPECT_EQ(GenerateTraceVector(o).error().message,
            "`rate_per_s` must be above 0 and at most 1000000000 requests per second, found 0");
  // The real limit, not a wrong reason: five seconds at a billion a second is too many requests.
  o.count.reset();
  o.duration_s = 5;
  o.rate_per_s = 1e9;
  EXPECT_EQ(
      GenerateTraceVector(o).error().message,
      "`duration_s` 5 at `rate_per_s` 1000000000 would generate about 5e+09 requests; at most "
      "1000000000 can be generated");
}

TEST(LengthDistribution, ParsesAndRejectsSpellings) {
  EXPECT_TRUE(ParseLengthDistribution("fixed:5", "--prompt").ok());
  EXPECT_EQ(ParseLengthDistribution("uniform:9:3", "--prompt").error().message,
            "--prompt 'uniform:9:3': A must not exceed B (expected fixed:N, uniform:A:B or "
            "lognormal:MEAN:SIGMA)");
  EXPECT_FALSE(ParseLengthDistribution("normal:3:1", "--prompt").ok());
  EXPECT_FALSE(ParseLengthDistribution("fixed:-1", "--prompt").ok());
  EXPECT_FALSE(ParseLengthDistribution("fixed:1.5", "--prompt").ok());
  EXPECT_FALSE(ParseLengthDistribution("fixed:", "--prompt").ok());
  EXPECT_FALSE(ParseLengthDistribution("lognormal:0:1", "--prompt").ok());
}

TEST(TraceStats, NearestRankPercentiles) {
  const std::vector<std::uint32_t> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(NearestRank(v, 50), 5u);
  EXPECT_EQ(NearestRank(v, 90), 9u);
  EXPECT_EQ(NearestRank(v, 99), 10u);
  EXPECT_EQ(NearestRank({7}, 1), 7u);
}

}  // namespace
}  // namespace rwttt
