#include "sim/timeline.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

TEST(TraceMicros, WritesNanosecondsAsExactMicroseconds) {
  EXPECT_EQ(TraceMicros(Nanos{1234567}), "1234.567");
  EXPECT_EQ(TraceMicros(Nanos{5}), "0.005");
  EXPECT_EQ(TraceMicros(Nanos{-1500}), "-1.500");
}

TEST(TimelineWriter, WritesOneBatchEventPerBatchAndOneStepEventPerStep) {
  testing::TempDir dir;
  const std::string path = dir.File("run.trace.json");
  auto timeline = TimelineWriter::Create(path).value();
  const Step read{{OwnerId{7}, Version{2}, Effect::kRead}, 16, 20, 5};
  const Step write{{OwnerId{1ull << 63}, Version{0}, Effect::kWrite}, 0, 8, 1};
  const std::vector<BatchStep> first = {{10, read, 3}, {11, write, 0}};
  const std::vector<BatchStep> second = {{12, read, 3}};
  timeline->OnBatch(BatchRecord{4, 1, Nanos{2000}, Nanos{3500}, 64, first});
  timeline->OnBatch(BatchRecord{5, 1, Nanos{3500}, Nanos{4000}, 0, second});
  ASSERT_TRUE(timeline->Commit().ok());
  const std::string json = testing::ReadFile(path);
  EXPECT_EQ(json.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", 0), 0u);
  EXPECT_EQ(json.substr(json.size() - 4), "\n]}\n");
  EXPECT_NE(json.find(R"({"name":"MIXED x2","cat":"batch","ph":"X","ts":2.000,"dur":1.500,)"
                      R"("pid":0,"tid":1,"args":{"batch":4,"steps":2,"swap_bytes":64}})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("name":"READ x1","cat":"batch")"), std::string::npos);
  // Owner tracks are dense, in order of first appearance; a 64-bit id stays exact as text.
  EXPECT_NE(json.find(R"J({"name":"READ v2 [16,20)","cat":"step","ph":"X","ts":2.000,"dur":1.500,)J"
                      R"J("pid":1,"tid":0,"args":{"owner":"7","step":10,"batch":4,"slot":3}})J"),
            std::string::npos);
  EXPECT_NE(json.find(R"("args":{"name":"owner 9223372036854775808"})"), std::string::npos);
  EXPECT_NE(json.find(R"("tid":1,"args":{"owner":"9223372036854775808","step":11)"),
            std::string::npos);
  // The lane's track is named once, the owners' once each.
  std::size_t lanes = 0;
  for (std::size_t at = 0; (at = json.find("\"name\":\"lane 1\"", at)) != std::string::npos; ++at)
    ++lanes;
  EXPECT_EQ(lanes, 1u);
}

// The host tier's copies: a process "host link" named once, with a track per direction, each copy
// a slice at the time it ran, its owner's id as text.
TEST(TimelineWriter, PutsHostLinkCopiesOnATrackPerDirection) {
  testing::TempDir dir;
  const std::string path = dir.File("run.trace.json");
  auto timeline = TimelineWriter::Create(path).value();
  timeline->OnMove(LinkCopy{true, OwnerId{7}, Nanos{1000}, Nanos{5096}, 4096});
  timeline->OnMove(LinkCopy{false, OwnerId{7}, Nanos{9000}, Nanos{13096}, 4096});
  ASSERT_TRUE(timeline->Commit().ok());
  const std::string json = testing::ReadFile(path);
  EXPECT_NE(json.find(R"({"name":"process_name","ph":"M","pid":2,"args":{"name":"host link"}})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("pid":2,"tid":0,"args":{"name":"to host"})"), std::string::npos);
  EXPECT_NE(json.find(R"("pid":2,"tid":1,"args":{"name":"to device"})"), std::string::npos);
  EXPECT_NE(json.find(R"({"name":"offload owner 7","cat":"copy","ph":"X","ts":1.000,)"
                      R"("dur":4.096,"pid":2,"tid":0,"args":{"owner":"7","bytes":4096}})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"name":"restore owner 7","cat":"copy","ph":"X","ts":9.000,)"
                      R"("dur":4.096,"pid":2,"tid":1,)"),
            std::string::npos);
  std::size_t named = 0;
  for (std::size_t at = 0; (at = json.find("\"host link\"", at)) != std::string::npos; ++at) {
    ++named;
  }
  EXPECT_EQ(named, 1u);
}

}  // namespace
}  // namespace rwttt
