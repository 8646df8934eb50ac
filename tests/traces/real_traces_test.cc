// The real public traces in ../shared/traces (never copied into the repository), when present:
// the importers must reproduce the counts and means their READMEs give.
#include <gtest/gtest.h>

#include <filesystem>

#include "traces/trace_loader.h"
#include "traces/trace_stats.h"

namespace rwttt {
namespace {

std::string SharedTrace(const std::string& relative) {
  return std::string(RWTTT_SHARED_TRACES_DIR) + "/" + relative;
}

TraceStats StatsOf(const std::vector<Request>& requests) {
  TraceStatsBuilder b;
  for (const Request& r : requests) b.Add(r);
  return b.Finish();
}

TEST(RealTraces, AzureConversation2023MatchesItsReadme) {
  const std::string path = SharedTrace("azure-llm-2023/AzureLLMInferenceTrace_conv.csv");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "absent: " << path;
  auto t = LoadTrace(path, TraceFormat::kAzure, {});
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  const TraceStats s = StatsOf(t->requests);
  EXPECT_EQ(s.count, 19366u);
  EXPECT_EQ(t->report.rows, 19366u);
  EXPECT_EQ(t->report.dropped(), 0u);
  EXPECT_EQ(t->report.out_of_order, 0u);  // "Rows are already sorted by time"
  EXPECT_NEAR(s.prompt.mean, 1154.7, 0.05);
  EXPECT_NEAR(s.output.mean, 211.1, 0.05);
  EXPECT_EQ(s.prompt.p50, 1020u);
  EXPECT_EQ(s.output.p50, 129u);
  EXPECT_EQ(s.prompt.max, 14050u);
  EXPECT_EQ(s.output.max, 1000u);
  EXPECT_EQ(s.prompt.min, 2u);
  EXPECT_EQ(s.output.min, 7u);
  // 18:15:46.6805900 to 19:14:08.4025270, exactly.
  EXPECT_EQ(s.last_arrival, Nanos{3'501'721'937'000});
  EXPECT_NEAR(s.rate_per_s.value(), 5.53, 0.005);
}

TEST(RealTraces, MooncakeConversationMatchesItsReadme) {
  const std::string path = SharedTrace("mooncake/conversation_trace.jsonl");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "absent: " << path;
  auto t = LoadTrace(path, TraceFormat::kMooncake, {});
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  const TraceStats s = StatsOf(t->requests);
  EXPECT_EQ(s.count, 12031u);
  EXPECT_EQ(t->report.dropped(), 0u);
  EXPECT_NEAR(s.prompt.mean, 12035.1, 0.05);
  EXPECT_NEAR(s.output.mean, 342.6, 0.05);
  EXPECT_EQ(s.prompt.p50, 6909u);
  EXPECT_EQ(s.output.p50, 350u);
  EXPECT_EQ(s.prompt.max, 126195u);
  EXPECT_EQ(s.output.max, 2000u);
  EXPECT_EQ(s.prompt.min, 891u);
  EXPECT_EQ(s.output.min, 1u);
  EXPECT_EQ(s.last_arrival, Nanos{3'536'999'000'000});
  EXPECT_NEAR(s.rate_per_s.value(), 3.40, 0.005);
}

TEST(RealTraces, ShapingTheAzureTraceToTenRequestsPerSecond) {
  const std::string path = SharedTrace("azure-llm-2023/AzureLLMInferenceTrace_conv.csv");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "absent: " << path;
  TraceLoadOptions o;
  o.shaping.window = TimeWindow{Nanos{600'000'000'000}, Nanos{600'000'000'000}};
  o.shaping.rate_per_s = 10;
  o.shaping.max_prompt = 4096;
  auto t = LoadTrace(path, TraceFormat::kAzure, o);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  const TraceStats s = StatsOf(t->requests);
  EXPECT_NEAR(s.rate_per_s.value(), 10.0, 1e-6);
  EXPECT_EQ(s.prompt.max, 4096u);
  EXPECT_GT(t->report.shaping.prompt_clipped, 0u);
  EXPECT_EQ(t->report.shaping.outside_window + s.count, 19366u);
}

}  // namespace
}  // namespace rwttt
