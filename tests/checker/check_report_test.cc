// The report's arithmetic and its three renderings, on reports built by hand: the JSON shape of
// docs/checker.md#reports (the contract with other systems), JUnit's per-check cases, and the
// text report's summary and omitted counts.
#include "checker/check_report.h"

#include <gtest/gtest.h>

#include <string>

namespace rwttt {
namespace {

CheckReport TwoStaleReadsOneShown() {
  CheckReport r;
  r.steps_checked = 3;
  r.counts[Index(AnomalyType::kStaleRead)] = 2;
  r.anomalies.push_back(
      {AnomalyType::kStaleRead, 0, {2}, "step 2 read <version 0> & \"older\"", std::nullopt});
  r.chunk = 4;
  r.chunk_source = ChunkSource::kInferred;
  r.completeness = Completeness::kChunkWrites;
  r.completeness_note = "partial";
  r.checks[static_cast<int>(CheckKind::kSerialReference)] = {false, "no seed"};
  return r;
}

TEST(CheckReport, CountsDecideTheVerdictAndWhatWasOmitted) {
  CheckReport r = TwoStaleReadsOneShown();
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.Total(), 2u);
  EXPECT_EQ(r.Count(AnomalyType::kStaleRead), 2u);
  EXPECT_EQ(r.Omitted(AnomalyType::kStaleRead), 1u);
  EXPECT_EQ(r.Omitted(AnomalyType::kOwnerLeak), 0u);
  EXPECT_EQ(r.ChecksRun(), 4);
  r.counts = {};
  r.anomalies.clear();
  EXPECT_TRUE(r.valid());
}

TEST(CheckReport, JsonHasTheDocumentedShape) {
  const std::string json = RenderJson(TwoStaleReadsOneShown());
  EXPECT_EQ(
      json.rfind("{\"valid\":false,\"steps_checked\":3,\"anomalies\":[{\"type\":\"stale-read\","
                 "\"owner\":0,\"steps\":[2],\"explanation\":\"step 2 read <version 0> & "
                 "\\\"older\\\"\"}],\"counts\":{\"stale-read\":2},\"checks\":{\"structure\":"
                 "{\"ran\":true,\"chunk\":4,\"chunk_source\":\"inferred\",\"completeness\":"
                 "\"chunk-writes\",\"completeness_note\":\"partial\"}",
                 0),
      0u)
      << json;
  EXPECT_NE(json.find("\"serial-reference\":{\"ran\":false,\"reason\":\"no seed\"}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("serial_order"), std::string::npos) << "only when the report has one";
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one line, no terminator";

  CheckReport valid;
  valid.serial_order = std::vector<std::uint64_t>{0, 2, 1};
  const std::string with_order = RenderJson(valid);
  EXPECT_EQ(with_order.rfind("{\"valid\":true,", 0), 0u) << with_order;
  EXPECT_NE(with_order.find(",\"serial_order\":[0,2,1]}"), std::string::npos) << with_order;
}

TEST(CheckReport, CycleAnomaliesCarryTheirClassAndANullOwner) {
  CheckReport r;
  r.counts[Index(AnomalyType::kCycle)] = 1;
  r.anomalies.push_back({AnomalyType::kCycle, std::nullopt, {1, 2}, "why", CycleClass::kGSingle});
  const std::string json = RenderJson(r);
  EXPECT_NE(json.find("{\"type\":\"cycle\",\"owner\":null,\"steps\":[1,2],\"cycle_class\":"
                      "\"G-single\",\"explanation\":\"why\"}"),
            std::string::npos)
      << json;
}

TEST(CheckReport, JunitHasOneCasePerCheckAndEscapesExplanations) {
  const std::string xml = RenderJunit(TwoStaleReadsOneShown(), "rwttt check h.jsonl");
  EXPECT_NE(xml.find("<testsuite name=\"rwttt check h.jsonl\" tests=\"5\" failures=\"1\" "
                     "skipped=\"1\">"),
            std::string::npos)
      << xml;
  std::size_t cases = 0;
  for (std::size_t at = xml.find("<testcase "); at != std::string::npos;
       at = xml.find("<testcase ", at + 1)) {
    ++cases;
  }
  EXPECT_EQ(cases, 5u);
  EXPECT_NE(xml.find("&lt;version 0&gt; &amp; &quot;older&quot;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<version 0>"), std::string::npos) << "unescaped text in XML";
  EXPECT_NE(xml.find("<skipped message=\"no seed\"/>"), std::string::npos) << xml;
}

TEST(CheckReport, TextSaysTheVerdictAndWhatWasNotShown) {
  const std::string text = RenderText(TwoStaleReadsOneShown());
  EXPECT_EQ(text.rfind("INVALID: ", 0), 0u) << text;
  EXPECT_NE(text.find("step 2 read <version 0>"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 1 more stale-read anomalies not shown"), std::string::npos) << text;
  EXPECT_NE(text.find("no seed"), std::string::npos) << "skipped checks say why: " << text;
  EXPECT_EQ(RenderText(CheckReport{}).rfind("valid: ", 0), 0u);
}

}  // namespace
}  // namespace rwttt
