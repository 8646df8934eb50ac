// The fidelity report (harness/fidelity.h): what it runs, and that its MAPE is the mean of the
// errors it lists.
#include "harness/fidelity.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/cpu_backend.h"

namespace rwttt {
namespace {

HardwareProfile Profile() {
  HardwareProfile hw;
  hw.name = "guess";
  hw.memory_bandwidth_gbs = 10;
  hw.peak_tflops_bf16 = hw.peak_tflops_fp32 = 0.05;
  hw.memory_gib = 1;
  hw.launch_overhead_ns = 1000;
  hw.layer_overhead_ns = 100;
  return hw;
}

TEST(Fidelity, ValuesAreTheMetricsInTableUnits) {
  Metrics m;
  m.makespan_s = 2;
  m.output_tokens_per_s = 50;
  m.ttft.count = 1;
  m.ttft.p50_ns = 3'000'000;
  m.ttft.p99_ns = 4'000'000;
  const FidelityValues v = FidelityValuesOf(m);
  EXPECT_EQ(v[0], 2.0);
  EXPECT_EQ(v[1], 50.0);
  EXPECT_EQ(v[2], 3.0);  // ms
  EXPECT_EQ(v[3], 4.0);
  EXPECT_FALSE(v[4].has_value());  // no TPOT samples: no value, not 0
}

TEST(Fidelity, RunsEveryWorkloadUnderEveryPolicyAndAveragesTheErrors) {
  CpuBackend cpu;
  FidelityOptions o;
  o.model = LoadModelProfile("tiny").value();
  o.calibrated = Profile();
  std::vector<FidelityWorkload> all = GeneratedWorkloads(Seed{3});
  ASSERT_EQ(all.size(), 3u);
  o.workloads = {all[0], all[2]};
  const Result<FidelityReport> r = RunFidelity(cpu, o);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->rows.size(), 2u * 3);  // two workloads x rwttt, naive, sequential
  EXPECT_EQ(r->rows[1].policy, "naive");
  EXPECT_EQ(r->rows[2].policy, "sequential");
  double overall = 0;
  int metrics = 0;
  for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
    double sum = 0;
    int n = 0;
    for (const FidelityRow& row : r->rows) {
      if (!row.measured[k] || !row.modelled[k] || *row.measured[k] <= 0) continue;
      sum += std::abs(*row.modelled[k] / *row.measured[k] - 1);
      ++n;
    }
    ASSERT_EQ(r->mape[k].has_value(), n > 0) << kFidelityMetrics[k];
    if (n == 0) continue;
    EXPECT_DOUBLE_EQ(*r->mape[k], sum / n) << kFidelityMetrics[k];
    overall += sum / n;
    ++metrics;
  }
  EXPECT_DOUBLE_EQ(r->overall_mape, overall / metrics);
  const std::string table = FidelityTable(*r);
  EXPECT_NE(table.find("poisson light"), std::string::npos);
  EXPECT_NE(table.find("TTFT p99 ms"), std::string::npos);
  EXPECT_NE(table.find("overall"), std::string::npos);
}

TEST(Fidelity, NothingToRunIsAnError) {
  CpuBackend cpu;
  FidelityOptions o;
  o.model = LoadModelProfile("tiny").value();
  o.calibrated = Profile();
  EXPECT_FALSE(RunFidelity(cpu, o).ok());
  o.workloads = {GeneratedWorkloads(Seed{3})[0]};
  for (std::uint32_t runs : {0u, 101u}) {
    o.runs = runs;
    const Result<FidelityReport> r = RunFidelity(cpu, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().where.field, "runs");
  }
}

TEST(Fidelity, MeasuredValuesAreEachMetricsMedianOverTheRunsThatHaveIt) {
  std::vector<FidelityValues> runs(4);
  for (int i = 0; i < 4; ++i) runs[i][0] = std::array{5.0, 1.0, 3.0, 2.0}[i];  // even: 2.5
  runs[0][1] = 9;
  runs[2][1] = 1;
  runs[3][1] = 4;  // three of four have it: 4
  runs[1][2] = 7;  // one: itself
  const FidelityValues m = FidelityMedians(runs);
  EXPECT_EQ(m[0], 2.5);
  EXPECT_EQ(m[1], 4.0);
  EXPECT_EQ(m[2], 7.0);
  EXPECT_FALSE(m[3].has_value());
}

}  // namespace
}  // namespace rwttt
