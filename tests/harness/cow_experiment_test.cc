// The comparison `rwttt bench cow` prints (harness/cow_experiment.h), on the tiny model: three
// policies, every history checked, the gains computed from the rows' own figures.
#include "harness/cow_experiment.h"

#include <gtest/gtest.h>

#include "harness/paper_experiment.h"

namespace rwttt {
namespace {

CowWorkload TinyWorkload(std::uint64_t states) {
  CowWorkload w;
  w.name = "tiny";
  w.hardware = LoadHardwareProfile("h100-sxm").value();
  w.model = LoadModelProfile("tiny").value();
  for (std::uint64_t o = 0; o < 6; ++o) {
    w.trace.push_back(Request{OwnerId{o}, Nanos{static_cast<std::int64_t>(o) * 1000}, 12, 20, {}});
  }
  w.budget_bytes = w.model.shared_weight_bytes() + states * w.model.state_bytes();
  return w;
}

TEST(CowExperiment, RunsEachPolicyWithItsHistoryCheckedAndTheHostTierMoves) {
  const CowRow row = RunCowWorkload(TinyWorkload(3), CowPolicies(2)).value();
  ASSERT_EQ(row.runs.size(), 3u);
  EXPECT_EQ(row.runs[0].policy.Label(), "rwttt");
  EXPECT_EQ(row.runs[2].policy.Label(), "rwttt:offload=on,offload_after=2,share_base=on");
  for (const CowRun& r : row.runs) {
    EXPECT_EQ(r.verdict, "valid") << r.policy.Label();
    EXPECT_GT(r.steps_checked, 0u);
    EXPECT_GT(r.decode_tokens_per_s, 0);
    EXPECT_EQ(r.metrics.requests, 6u);
  }
  // Without sharing, the budget (the weights and three states) admits three owners; sharing
  // version 0 admits all six, their states at their first WRITE; the host tier moves some.
  EXPECT_EQ(row.runs[0].metrics.peak_admitted, 3u);
  EXPECT_EQ(row.runs[1].metrics.peak_admitted, 6u);
  EXPECT_GT(row.runs[2].metrics.offloads, 0u);
  EXPECT_EQ(row.runs[0].metrics.offloads + row.runs[1].metrics.offloads, 0u);
  EXPECT_DOUBLE_EQ(row.ThroughputGainPct(),
                   100 * (row.runs[2].decode_tokens_per_s / row.runs[0].decode_tokens_per_s - 1));
  EXPECT_DOUBLE_EQ(row.TtftGainPct(),
                   100 * (1 - static_cast<double>(row.runs[2].metrics.ttft.p99_ns) /
                                  static_cast<double>(row.runs[0].metrics.ttft.p99_ns)));
}

TEST(CowExperiment, AWinIsTwentyPercentOnEitherFigure) {
  CowRow row;
  row.runs.resize(2);
  row.runs[0].decode_tokens_per_s = 100;
  row.runs[0].metrics.ttft = LatencySummary{1, 0, 0, 0, 1000, 1000};
  row.runs[1].metrics.ttft = LatencySummary{1, 0, 0, 0, 1000, 1000};
  row.runs[1].decode_tokens_per_s = 119.9;
  EXPECT_FALSE(row.Win());
  row.runs[1].decode_tokens_per_s = 120;
  EXPECT_TRUE(row.Win());
  row.runs[1].decode_tokens_per_s = 50;
  row.runs[1].metrics.ttft.p99_ns = 800;  // 20% lower p99 TTFT
  EXPECT_TRUE(row.Win());
  EXPECT_DOUBLE_EQ(row.ThroughputGainPct(), -50);
  EXPECT_DOUBLE_EQ(row.TtftGainPct(), 20);
}

TEST(CowExperiment, TheTableHasALinePerPolicyAndCountsTheWins) {
  const CowRow row = RunCowWorkload(TinyWorkload(3), CowPolicies(2)).value();
  const std::string table = RenderCowTable({row, row});
  EXPECT_EQ(table.rfind("| workload | C | hardware | policy | decode tok/s |", 0), 0u) << table;
  EXPECT_NE(table.find("| tiny | 8 | h100-sxm | rwttt | "), std::string::npos) << table;
  EXPECT_NE(table.find(fmt::format("wins: {} of 2 workloads", row.Win() ? 2 : 0)),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace rwttt
