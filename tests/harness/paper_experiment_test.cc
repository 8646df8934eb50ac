// The paper experiment as a library: the calibrated figures, the budget, the roofline, the
// decode-only meter and the sweep (docs/paper-reproduction.md). Model timing only: no test here
// reads a clock.
#include "harness/paper_experiment.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "harness/decode_meter.h"
#include "harness/paper_report.h"
#include "harness/sweep.h"

namespace rwttt {
namespace {

PaperSetup PaperDefaults() {
  PaperSetup s;
  s.model = LoadModelProfile("inplace-ttt-4b").value();
  s.hardware = LoadHardwareProfile("paper-h100").value();
  return s;
}

TEST(PaperExperiment, PaperH100ReproducesThePapersThroughputWithinFifteenPercent) {
  const Result<PaperTable> t = RunPaperExperiment(PaperDefaults());
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  // The paper's 33.53 GiB and, on top, each stream's KV cache for 128 + 1024 tokens (36 layers of
  // 8 KV heads of 128 bf16 values, K and V: 147,456 bytes a token).
  EXPECT_DOUBLE_EQ(t->budget_gib, 33.53 + 8.0 * 1152 * 147456 / 1073741824.0);
  ASSERT_EQ(t->rows.size(), 3u);
  for (const PolicyRun& row : t->rows) {
    SCOPED_TRACE(row.policy.name);
    const double paper = PaperFigureFor(row.policy.name).tokens_per_s;
    EXPECT_NEAR(row.decode_tokens_per_s / paper, 1.0, 0.15);
    EXPECT_LE(row.run.metrics.peak_memory_bytes, t->budget_bytes);
    EXPECT_EQ(row.decode_tokens, 8u * 1024);
  }
  // The paper's ordering, and the model's known shortfall on the ratios (documented): rwttt's
  // lead over sequential stays below the 8x that batching eight streams allows.
  const double rwttt = t->row("rwttt").decode_tokens_per_s;
  const double sequential = t->row("sequential").decode_tokens_per_s;
  const double replicas = t->row("replicas").decode_tokens_per_s;
  EXPECT_GT(rwttt, replicas);
  EXPECT_GT(replicas, sequential);
  EXPECT_LT(rwttt / sequential, 8.0);
  EXPECT_EQ(t->row("replicas").run.metrics.lanes, 3u);  // 33.53 GiB holds three copies
  EXPECT_GT(t->roofline.tokens_per_s, rwttt);
}

TEST(PaperExperiment, BudgetIsThePapersForEightStreamsAndScalesOtherwise) {
  const ModelProfile m = LoadModelProfile("inplace-ttt-4b").value();
  EXPECT_EQ(PaperBudgetGib(m, 8), 33.53);
  const double sixteen = PaperBudgetGib(m, 16);
  const double footprint8 = m.shared_weight_bytes() + 8.0 * m.state_bytes();
  const double footprint16 = m.shared_weight_bytes() + 16.0 * m.state_bytes();
  EXPECT_DOUBLE_EQ(sixteen, 33.53 * footprint16 / footprint8);
  EXPECT_EQ(GibToBytes(33.53), static_cast<std::uint64_t>(33.53 * 1073741824.0));
  // A model without attention keeps no KV: its setup budget is PaperBudgetGib alone.
  PaperSetup tiny = PaperDefaults();
  tiny.model = LoadModelProfile("tiny").value();
  EXPECT_EQ(SetupBudgetGib(tiny), PaperBudgetGib(tiny.model, tiny.streams));
}

TEST(PaperExperiment, RooflineReadsWeightsOncePerStepAndEachStateOnce) {
  const PaperSetup s = PaperDefaults();
  const Roofline r = PaperRoofline(s.model, s.hardware, 8);
  const double bytes = 6251871232.0 + 8 * 3586129920.0;  // 5.82 GiB + 8 x 3.34 GiB
  EXPECT_DOUBLE_EQ(r.bytes_per_step, bytes);
  EXPECT_DOUBLE_EQ(r.tokens_per_s, 8 * 3350e9 / bytes);
}

TEST(PaperExperiment, RunsAreDeterministic) {
  const PaperTable a = RunPaperExperiment(PaperDefaults()).value();
  const PaperTable b = RunPaperExperiment(PaperDefaults()).value();
  EXPECT_EQ(PaperTableToJson(a), PaperTableToJson(b));
  EXPECT_EQ(FormatPaperTable(a), FormatPaperTable(b));
}

TEST(PaperExperiment, RejectsNoStreamsAndABudgetTooSmallForOneStream) {
  PaperSetup s = PaperDefaults();
  s.streams = 0;
  EXPECT_FALSE(RunPaperExperiment(s).ok());
  s = PaperDefaults();
  s.budget_gib = 4;
  const Result<PaperTable> t = RunPaperExperiment(s);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("cannot run"), std::string::npos) << t.error().ToString();
}

TEST(DecodeMeter, CountsDecodeTokensOverTheUnionOfDecodeBatches) {
  const std::vector<Request> trace = PaperWorkload(2, 4, 3);  // prompt 4, output 3
  DecodeMeter meter(trace);
  auto read = [](std::uint64_t owner, std::uint32_t first, std::uint32_t end) {
    BatchStep s;
    s.step.tag = {OwnerId{owner}, Version{0}, Effect::kRead};
    s.step.first_token = first;
    s.step.end_token = end;
    return s;
  };
  const std::vector<BatchStep> prefill = {read(0, 0, 4), read(1, 0, 4)};
  const std::vector<BatchStep> decode0 = {read(0, 4, 5)};
  const std::vector<BatchStep> decode1 = {read(1, 4, 5)};
  const std::vector<BatchStep> both = {read(0, 5, 6), read(1, 5, 6)};
  meter.OnBatch({0, 0, Nanos{0}, Nanos{100}, 0, prefill});    // excluded
  meter.OnBatch({1, 0, Nanos{100}, Nanos{150}, 0, decode0});  // [100, 150)
  meter.OnBatch({2, 1, Nanos{120}, Nanos{180}, 0, decode1});  // overlaps: [100, 180)
  meter.OnBatch({3, 0, Nanos{200}, Nanos{220}, 0, both});     // a gap, then [200, 220)
  EXPECT_EQ(meter.decode_tokens(), 4u);
  EXPECT_EQ(meter.decode_ns(), 100);
  EXPECT_DOUBLE_EQ(meter.tokens_per_s(), 4 / 100e-9);
}

TEST(Sweep, CsvHasAHeaderAndOneWellFormedLinePerPoint) {
  SweepOptions o;
  o.model = LoadModelProfile("inplace-ttt-4b").value();
  o.hardware = LoadHardwareProfile("paper-h100").value();
  o.streams = {1, 4, 64};
  o.chunks = {512, 2048};
  o.output_tokens = 64;
  const Result<std::vector<SweepRow>> rows = RunSweep(o);
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 3u * 2 * 3);
  for (const SweepRow& r : *rows) {
    EXPECT_GT(r.decode_tokens_per_s, 0) << r.policy << " " << r.streams;
    EXPECT_LE(r.peak_memory_gib, o.hardware.memory_gib);
  }
  const std::string csv = SweepCsv(*rows);
  std::size_t lines = 0;
  for (std::size_t at = 0; at < csv.size();) {
    const std::size_t nl = csv.find('\n', at);
    ASSERT_NE(nl, std::string::npos) << "the last line ends with a newline";
    const std::string line = csv.substr(at, nl - at);
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 10) << line;
    at = nl + 1;
    ++lines;
  }
  EXPECT_EQ(lines, rows->size() + 1);
  EXPECT_EQ(csv.rfind("policy,streams,chunk,decode_tok_s,tok_s,tpot_p50_ms,tpot_p99_ms", 0), 0u);
}

TEST(Sweep, RejectsZeroStreams) {
  SweepOptions o;
  o.model = LoadModelProfile("tiny").value();
  o.hardware = LoadHardwareProfile("paper-h100").value();
  o.streams = {0};
  EXPECT_FALSE(RunSweep(o).ok());
}

}  // namespace
}  // namespace rwttt
