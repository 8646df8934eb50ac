// Every history an independent implementation of the specification found `rwttt check` calling
// valid (or misnaming), as a regression test: the production checker and the reference checker
// (tests/checker/reference_checker.cc) must both give the expected anomaly types.
#include <gtest/gtest.h>

#include "core/model_profile.h"
#include "tests/checker/history_builder.h"
#include "tests/checker/reference_checker.h"

namespace rwttt {
namespace {

using Set = std::set<std::string>;
using testing::HistoryBuilder;
using testing::Types;

struct Inputs {
  std::optional<std::uint32_t> header_chunk;
  std::optional<std::vector<Request>> trace;
};

CheckReport Check(const HistoryBuilder& h, const Inputs& in = {}) {
  HistoryHeader header;
  header.chunk = in.header_chunk;
  CheckOptions options;
  options.inputs.trace = in.trace;
  return h.Check(options, header);
}

// Both checkers' types, which must agree; returns them.
Set Judge(HistoryBuilder& h, const Inputs& in = {}) {
  const CheckReport report = Check(h, in);
  const Set production = Types(report);
  const Set reference = testing::ReferenceAnomalyTypes(
      h.steps(), testing::ReferenceInputs{.chunk = in.header_chunk, .trace = in.trace});
  EXPECT_EQ(production, reference) << RenderText(report);
  return production;
}

Request Req(std::uint64_t id, std::uint32_t prompt, std::uint32_t output) {
  return Request{.id = OwnerId{id},
                 .arrival = Nanos{0},
                 .prompt_tokens = prompt,
                 .output_tokens = output,
                 .seed = {}};
}

// Owner 0, C = 8: R[0,8) v0, W[0,8) v0->1, R[8,16) v1, R[16,17) v1 — chunk [8,16) never written.
HistoryBuilder SkippedWrite() {
  HistoryBuilder h;
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  h.Read(0, 1, {8, 16}, 20, 30);
  h.Read(0, 1, {16, 17}, 30, 40);
  return h;
}

TEST(Soundness, ASkippedWriteIsCaughtWhereverCComesFrom) {
  HistoryBuilder h = SkippedWrite();
  EXPECT_EQ(Judge(h), (Set{"program-order", "missing-step"}));  // C inferred from the WRITE
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), (Set{"program-order", "missing-step"}));
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = std::vector<Request>{Req(0, 9, 8)}}),
            (Set{"program-order", "missing-step"}));
  const CheckReport r = Check(h);
  EXPECT_EQ(r.chunk, 8u);
  EXPECT_EQ(r.chunk_source, ChunkSource::kInferred);
  EXPECT_NE(RenderText(r).find("chunk rule: C = 8, inferred from the WRITEs' token spans"),
            std::string::npos);
}

TEST(Soundness, AReadAcrossAChunkBoundaryIsOutOfProgramOrder) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  h.Read(0, 1, {8, 20}, 20, 30);
  EXPECT_EQ(Judge(h), (Set{"program-order"}));
  const CheckReport r = Check(h);
  EXPECT_NE(r.anomalies[0].explanation.find("crosses the chunk boundary at token 16 (C = 8)"),
            std::string::npos)
      << r.anomalies[0].explanation;
}

TEST(Soundness, WithNoChunkSizeTheReportSaysTheRuleWasNotChecked) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 20}, 0, 10);  // no WRITE, no model, no chunk field: nothing gives C
  EXPECT_EQ(Judge(h), Set{});
  const CheckReport r = Check(h);
  EXPECT_EQ(r.chunk_source, ChunkSource::kUnknown);
  EXPECT_NE(RenderText(r).find("chunk rule: not checked"), std::string::npos) << RenderText(r);
  // With C from the header the same READ crosses two chunk boundaries.
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), (Set{"program-order"}));
  // And a READ that completes a chunk must be followed by that chunk's WRITE.
  h.steps()[0].end_token = 16;
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), (Set{"program-order", "missing-step"}));
}

TEST(Soundness, AStampThatContradictsTheSlotTableIsAnOwnerLeak) {
  // Owner 1 commits (1,1) into slot 1; owner 0 runs a WRITE in slot 1 logging its own stamp and
  // commits (0,1) there; owner 1 then reads slot 1 logging (1,1).
  HistoryBuilder h;
  h.Read(1, 0, {0, 8}, 0, 10);
  h.Write(1, 0, {0, 8}, 10, 20);
  HistoryStep& w = h.Write(0, 0, {0, 8}, 20, 30);
  w.slot = 1;
  w.commit_slot = 1;
  h.Read(1, 1, {8, 9}, 30, 40);
  const Set types = Judge(h, {.header_chunk = 8, .trace = {}});
  EXPECT_TRUE(types.count("owner-leak")) << ::testing::PrintToString(types);
}

TEST(Soundness, TwoOwnersReadingOneSlotInOneBatchIsAnOwnerLeak) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).batch = 0;
  HistoryStep& other = h.Read(1, 0, {0, 4}, 0, 10);
  other.batch = 0;
  other.slot = 0;  // its own stamp, logged in owner 0's slot
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), (Set{"owner-leak"}));
}

TEST(Soundness, MovingIntoAFreeSlotIsLegalAndIntoALiveOneIsNot) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Read(1, 0, {0, 4}, 0, 10);
  h.Read(0, 0, {4, 5}, 10, 20).slot = 7;  // a fresh slot, with its own stamp: a restore
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), Set{});
  HistoryBuilder live = h;
  live.steps()[2].slot = 1;  // owner 1's slot, and owner 1 runs again after
  live.Read(1, 0, {4, 5}, 20, 30);
  EXPECT_EQ(Judge(live, {.header_chunk = 8, .trace = {}}), (Set{"owner-leak"}));
}

TEST(Soundness, IncompleteHistoriesOfAKnownTraceAreMissingSteps) {
  const std::vector<Request> trace{Req(0, 6, 3), Req(1, 4, 2)};
  HistoryBuilder whole;
  std::int64_t t = 0;
  for (const Request& r : trace) {
    const std::uint64_t o = r.id.value();
    whole.Read(o, 0, {0, r.prompt_tokens}, t, t + 10);
    t += 10;
    for (std::uint64_t k = r.prompt_tokens; k < r.total_tokens(); ++k, t += 10) {
      whole.Read(o, 0, {k, k + 1}, t, t + 10);
    }
  }
  const Inputs in{.header_chunk = 16, .trace = trace};
  EXPECT_EQ(Judge(whole, in), Set{});
  HistoryBuilder without_owner_1;
  for (const HistoryStep& s : whole.steps()) {
    if (s.owner == OwnerId{0}) without_owner_1.steps().push_back(s);
  }
  EXPECT_EQ(Judge(without_owner_1, in), (Set{"missing-step"}));
  HistoryBuilder cut = whole;
  cut.steps().resize(cut.steps().size() - 2);  // the last two steps of owner 1
  EXPECT_EQ(Judge(cut, in), (Set{"missing-step"}));
  const CheckReport r = Check(cut, in);
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_NE(r.anomalies[0].explanation.find("2 never appear in the history, the first being the "
                                            "READ of tokens [4,5)"),
            std::string::npos)
      << r.anomalies[0].explanation;
  EXPECT_EQ(r.completeness, Completeness::kFull);
}

TEST(Soundness, MaxPerTypeZeroHidesDetailsNeverTheVerdict) {
  HistoryBuilder h;
  for (std::uint64_t o = 0; o < 5; ++o) h.Read(o, 0, {0, 4}, 0, 10).seen_owner = OwnerId{99};
  CheckOptions o;
  o.max_per_type = 0;
  const CheckReport r = h.Check(o);
  EXPECT_FALSE(r.valid());
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_EQ(r.Count(AnomalyType::kOwnerLeak), 5u);
  EXPECT_EQ(RenderText(r).rfind("INVALID: 5 steps checked, anomalies: 5 owner-leak", 0), 0u);
  EXPECT_EQ(RenderJson(r).rfind(R"({"valid":false,)", 0), 0u);
  EXPECT_NE(RenderJson(r).find(R"("counts":{"owner-leak":5})"), std::string::npos);
  EXPECT_NE(RenderJunit(r, "h").find("failures=\"1\""), std::string::npos);
}

TEST(Soundness, AFirstWriteCommittingVersionZeroIsALostUpdate) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{0};
  EXPECT_EQ(Judge(h), (Set{"lost-update"}));
  HistoryBuilder later = h;  // and so is a later one: one rule
  later.steps()[1].commit_version = Version{1};
  later.Read(0, 1, {4, 8}, 20, 30);
  later.Write(0, 1, {4, 8}, 30, 40).commit_version = Version{1};
  EXPECT_TRUE(Judge(later).count("lost-update"));
}

TEST(Soundness, AWriteTaggedTwoCommittingOneIsNoVersionGap) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  HistoryStep& w = h.Write(0, 2, {0, 4}, 10, 20);
  w.commit_version = Version{1};  // the next version after 0: the commit is in order
  const Set types = Judge(h);
  EXPECT_FALSE(types.count("version-gap"));
  EXPECT_TRUE(types.count("program-order"));  // the tag is wrong
}

TEST(Soundness, AReadRepeatedAfterAnotherReadIsADuplicate) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 5}, 0, 10);
  h.Read(0, 0, {5, 6}, 10, 20);
  h.Read(0, 0, {0, 5}, 20, 30);
  EXPECT_EQ(Judge(h, {.header_chunk = 8, .trace = {}}), (Set{"duplicate-step"}));
}

TEST(Soundness, AReadOverlappingItsOwnersCommitWithAStepBetweenIsUncommitted) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 50);  // committing until 50
  h.Read(0, 1, {4, 5}, 20, 25);
  h.Read(0, 1, {5, 6}, 30, 35);  // overlaps the commit too, with a step between
  const CheckReport r = Check(h);
  EXPECT_EQ(Judge(h), (Set{"program-order", "uncommitted-read"}));
  EXPECT_EQ(r.Count(AnomalyType::kUncommittedRead), 2u) << RenderText(r);
}

TEST(Soundness, ExplanationsOfAnUnsortedHistoryClaimOnlyWhatTheTimesShow) {
  // Step 1 comes after step 0 in the file but ran entirely before it.
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 20, 30);
  h.Read(0, 0, {4, 5}, 0, 10);
  const CheckReport r = Check(h);
  // The file's order and the times contradict each other: a cycle of po and rt edges too.
  EXPECT_EQ(Judge(h), (Set{"malformed", "program-order", "cycle"}));
  for (const Anomaly& a : r.anomalies) {
    EXPECT_EQ(a.explanation.find("overlap"), std::string::npos) << a.explanation;
    EXPECT_EQ(a.explanation.find("during"), std::string::npos) << a.explanation;
  }
  ASSERT_EQ(r.anomalies[1].type, AnomalyType::kProgramOrder);
  const Anomaly& order = r.anomalies[1];
  EXPECT_NE(order.explanation.find("ran over [0, 10] ns, which does not come after its owner's "
                                   "previous step, step 0 (owner 0, READ of tokens [0,4) at "
                                   "version 0), over [20, 30] ns"),
            std::string::npos)
      << order.explanation;
}

TEST(Soundness, CyclesCarryTheirAdyaClassInJson) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30).seen_version = Version{0};
  const CheckReport r = Check(h);
  ASSERT_EQ(r.anomalies.back().type, AnomalyType::kCycle);
  EXPECT_EQ(r.anomalies.back().cycle_class, CycleClass::kGSingle);
  EXPECT_NE(
      RenderJson(r).find(R"("steps":[1,2],"cycle_class":"G-single","explanation":"G-single:)"),
      std::string::npos)
      << RenderJson(r);
}

}  // namespace
}  // namespace rwttt
