#include "sim/faults/faulty_history.h"

#include <gtest/gtest.h>

#include "tests/sim/sim_test_util.h"

namespace rwttt {
namespace {

HistoryStep Record(std::uint64_t step, std::int64_t start, std::int64_t end, std::uint64_t owner,
                   std::uint32_t seen_version) {
  HistoryStep h;
  h.step = step;
  h.owner = OwnerId{owner};
  h.start = Nanos{start};
  h.end = Nanos{end};
  h.seen_owner = OwnerId{owner};
  h.seen_version = Version{seen_version};
  return h;
}

TEST(FaultyHistory, PassesRecordsThroughUnchangedWhenNothingIsPlanned) {
  testing::HistoryLog log;
  FaultyHistory history(log);
  history.Write(Record(0, 0, 10, 1, 0));
  history.Write(Record(1, 10, 20, 2, 0));
  ASSERT_EQ(log.steps.size(), 2u);
  EXPECT_EQ(log.steps[1].end, Nanos{20});
}

TEST(FaultyHistory, AHeldCommitEndsJustAfterItsReleasingReadStarts) {
  testing::HistoryLog log;
  FaultyHistory history(log);
  history.Hold(5);
  history.ReleaseAt(9);
  history.Write(Record(5, 100, 200, 1, 0));  // the WRITE
  history.Write(Record(6, 150, 300, 2, 0));  // another owner's step: held behind it
  EXPECT_TRUE(log.steps.empty());
  history.Write(Record(9, 250, 400, 1, 1));  // the owner's next READ
  ASSERT_EQ(log.steps.size(), 3u);
  EXPECT_EQ(log.steps[0].step, 5u);
  EXPECT_EQ(log.steps[0].end, Nanos{251});
  EXPECT_EQ(log.steps[1].step, 6u);
  EXPECT_EQ(log.steps[2].step, 9u);
  history.Write(Record(10, 400, 500, 2, 0));
  EXPECT_EQ(log.steps.size(), 4u);
}

TEST(FaultyHistory, FlushWritesWhatIsStillHeld) {
  testing::HistoryLog log;
  FaultyHistory history(log);
  history.Hold(1);
  history.Write(Record(1, 0, 10, 1, 0));
  EXPECT_TRUE(log.steps.empty());
  history.Flush();
  ASSERT_EQ(log.steps.size(), 1u);
  EXPECT_EQ(log.steps[0].end, Nanos{10});
}

TEST(FaultyHistory, AReportedStepSeesTheSavedStamp) {
  testing::HistoryLog log;
  FaultyHistory history(log);
  history.SaveSeenAt(3);
  history.Write(Record(3, 0, 10, 1, 4));  // saw (1, 4)
  history.ReportSavedAt(8);
  history.Write(Record(7, 10, 20, 1, 5));
  history.Write(Record(8, 20, 30, 1, 5));
  ASSERT_EQ(log.steps.size(), 3u);
  EXPECT_EQ(log.steps[1].seen_version, Version{5});
  EXPECT_EQ(log.steps[2].seen_version, Version{4});
  EXPECT_EQ(log.steps[2].seen_owner, OwnerId{1});
}

}  // namespace
}  // namespace rwttt
