// The comparison `rwttt report` makes, called directly: metric deltas and their direction, the
// regression rule, the verdict, and the Markdown and JSON renderings.
#include "harness/policy_comparison.h"

#include <gtest/gtest.h>

#include "harness/comparison_report.h"

namespace rwttt {
namespace {

Metrics Sample(double tok_s, std::int64_t ttft_p50_ns, std::uint64_t peak_bytes) {
  Metrics m;
  m.makespan_s = 2.0;
  m.output_tokens_per_s = tok_s;
  m.requests_per_s = 4.0;
  m.ttft.count = 3;
  m.ttft.p50_ns = ttft_p50_ns;
  m.ttft.p99_ns = 2 * ttft_p50_ns;
  m.peak_memory_bytes = peak_bytes;
  return m;  // no TPOT or ITL samples: those deltas are absent
}

CheckedRun Checked(const Metrics& m) {
  CheckedRun r;
  r.run.metrics = m;
  r.report.steps_checked = 10;
  return r;
}

TEST(MetricDelta, ChangeImprovementAndDirectionFollowWhichWayIsBetter) {
  const MetricDelta faster{"throughput", 100.0, 110.0, true, "tok/s"};
  EXPECT_DOUBLE_EQ(*faster.ChangePct(), 10.0);
  EXPECT_DOUBLE_EQ(*faster.ImprovementPct(), 10.0);
  EXPECT_EQ(faster.Direction(), "better");
  const MetricDelta slower_ttft{"TTFT p50", 2.0, 3.0, false, "ms"};
  EXPECT_DOUBLE_EQ(*slower_ttft.ChangePct(), 50.0);
  EXPECT_DOUBLE_EQ(*slower_ttft.ImprovementPct(), -50.0);
  EXPECT_EQ(slower_ttft.Direction(), "worse");
  EXPECT_EQ((MetricDelta{"x", 1000.0, 1000.4, true, ""}.Direction()), "same");  // within 0.05%
}

TEST(MetricDelta, AbsentOrZeroBaselineHasNoChange) {
  const MetricDelta missing{"TPOT p50", std::nullopt, 3.0, false, "ms"};
  EXPECT_FALSE(missing.ChangePct());
  EXPECT_EQ(missing.Direction(), "n/a");
  const MetricDelta zero{"x", 0.0, 0.0, true, ""};
  EXPECT_FALSE(zero.ChangePct());
  EXPECT_EQ(zero.Direction(), "same");  // equal values, though no percentage exists
  EXPECT_EQ((MetricDelta{"x", 0.0, 1.0, true, ""}.Direction()), "n/a");
}

TEST(CompareMetrics, ListsEveryMetricInOrderWithUnits) {
  const auto d = CompareMetrics(Sample(100, 2'000'000, 3u << 20), Sample(50, 1'000'000, 1u << 20));
  ASSERT_EQ(d.size(), 8u);
  const char* names[] = {"throughput", "requests", "TTFT p50", "TTFT p99",
                         "TPOT p50",   "TPOT p99", "ITL p99",  "peak memory"};
  for (std::size_t i = 0; i < d.size(); ++i) EXPECT_EQ(d[i].name, names[i]);
  EXPECT_TRUE(d[0].higher_is_better);
  EXPECT_FALSE(d[2].higher_is_better);
  EXPECT_DOUBLE_EQ(*d[2].baseline, 2.0);  // ms
  EXPECT_DOUBLE_EQ(*d[2].candidate, 1.0);
  EXPECT_FALSE(d[4].baseline);  // no TPOT samples
  EXPECT_EQ(d[7].unit, "MiB");  // the larger value, 3 MiB, picks the unit
  EXPECT_DOUBLE_EQ(*d[7].baseline, 3.0);
  EXPECT_DOUBLE_EQ(*d[7].candidate, 1.0);
  EXPECT_EQ(CompareMetrics(Sample(1, 1, 512), Sample(1, 1, 2048))[7].unit, "KiB");
}

TEST(Regressions, NameTheTraceMetricAndLimitAboveTheLimitOnly) {
  std::vector<TraceComparison> traces;
  // Throughput halves (50% worse), TTFT halves (better), memory a third: 3 MiB -> 1 MiB (better).
  traces.push_back(CompareRuns("t.jsonl", Checked(Sample(100, 2'000'000, 3u << 20)),
                               Checked(Sample(50, 1'000'000, 1u << 20))));
  EXPECT_EQ(Regressions(traces, 5),
            (std::vector<std::string>{"t.jsonl: throughput worse by 50.0% (limit 5%)"}));
  EXPECT_TRUE(Regressions(traces, 50).empty());  // worse by exactly the limit passes
  EXPECT_EQ(Regressions(traces, 0.5).size(), 1u);
}

TEST(PolicyComparison, FailsOnACandidateAnomalyOrARegression) {
  PolicyComparison c;
  c.traces.push_back(CompareRuns("t", Checked(Sample(1, 1, 1)), Checked(Sample(1, 1, 1))));
  EXPECT_FALSE(c.Failed());
  c.traces[0].baseline.report.counts[0] = 1;  // the baseline's anomalies are not the candidate's
  EXPECT_FALSE(c.Failed());
  c.traces[0].candidate.report.counts[0] = 1;
  EXPECT_TRUE(c.Failed());
  c.traces[0].candidate.report.counts[0] = 0;
  c.regressions.push_back("t: throughput worse by 9.0% (limit 5%)");
  EXPECT_TRUE(c.Failed());
}

TEST(ComparisonReport, MarkdownHasTheTitleTableAndRegressions) {
  PolicyComparison c;
  c.setup = {"rwttt", "sequential:slice=2", "tiny", "h100-sxm", 7};
  c.traces.push_back(CompareRuns("t.jsonl", Checked(Sample(100, 2'000'000, 3u << 20)),
                                 Checked(Sample(50, 1'000'000, 1u << 20))));
  c.regressions = Regressions(c.traces, 5);
  const std::string md = ComparisonMarkdown(c);
  EXPECT_EQ(md.rfind("## rwttt report: `sequential:slice=2` (candidate) vs `rwttt` (baseline)\n\n"
                     "Model `tiny` on `h100-sxm`, seed 7.\n\n### `t.jsonl`\n\n",
                     0),
            0u)
      << md;
  EXPECT_NE(md.find("| checker | valid (10 steps) | valid (10 steps) | | |\n"), std::string::npos);
  EXPECT_NE(md.find("| throughput (tok/s) | 100 | 50 | -50.0% | worse |\n"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| TTFT p50 (ms) | 2 | 1 | -50.0% | better |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| TPOT p50 (ms) | n/a | n/a | n/a | n/a |\n"), std::string::npos) << md;
  EXPECT_TRUE(md.ends_with("\n- regression: t.jsonl: throughput worse by 50.0% (limit 5%)\n"))
      << md;
}

TEST(ComparisonReport, JsonHasEveryDeltaAndNullForAbsentValues) {
  PolicyComparison c;
  c.setup = {"a", "b", "tiny", "hw", 3};
  c.traces.push_back(CompareRuns("t", Checked(Sample(100, 2'000'000, 1024)),
                                 Checked(Sample(100, 2'000'000, 1024))));
  const std::string json = ComparisonJson(c);
  EXPECT_EQ(json.rfind(R"({"baseline":"a","candidate":"b","model":"tiny","hardware":"hw",)"
                       R"("seed":3,"traces":[{"trace":"t","baseline_check":{"valid":true)",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find(R"({"metric":"throughput","unit":"tok/s","baseline":100,"candidate":100,)"
                      R"("higher_is_better":true,"change_pct":0,"improvement_pct":0,)"
                      R"("direction":"same"})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"metric":"TPOT p50","unit":"ms","baseline":null,"candidate":null,)"
                      R"("higher_is_better":false,"change_pct":null,"improvement_pct":null,)"
                      R"("direction":"n/a"})"),
            std::string::npos)
      << json;
  EXPECT_TRUE(json.ends_with(R"(],"regressions":[]})")) << json;
}

}  // namespace
}  // namespace rwttt
