// Every state kind through the CLI, unchanged: replay with the checker under every policy,
// byte-identical histories across backends, fault injection, fuzzing and the chunk sweep.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <string_view>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

class StateKindCli : public ::testing::TestWithParam<const char*> {
 protected:
  std::string Trace() {
    const std::string path = dir_.File("t.jsonl");
    const auto run = RunCli({"gen", "--count", "16", "--rate", "4000", "--prompt", "uniform:1:30",
                             "--output", "uniform:1:20", "--seed", "4", "-o", path});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return path;
  }
  testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Presets, StateKindCli,
                         ::testing::Values("tiny", "lact-tiny", "low-rank-tiny"));

TEST_P(StateKindCli, EveryCorrectPolicyReplaysValidAndNaiveIsCaught) {
  const std::string trace = Trace();
  for (const char* policy : {"rwttt", "sequential", "replicas"}) {
    const auto run =
        RunCli({"replay", trace, "--model", GetParam(), "--policy", policy, "--check"});
    EXPECT_EQ(run.exit_code, 0) << policy << ": " << run.out << run.err;
    EXPECT_NE(run.out.find("valid:"), std::string::npos) << run.out;
  }
  const auto naive =
      RunCli({"replay", trace, "--model", GetParam(), "--policy", "naive", "--check"});
  EXPECT_EQ(naive.exit_code, 1) << naive.out << naive.err;
}

// A model of the preset's kind whose tokens are too big for omp to run them on the cpu backend's
// kernels (gpu::RunsOnCpuKernels: 2^18 multiply-adds), so that omp runs its batched ones.
std::string AboveOmpThreshold(const testing::TempDir& dir, std::string_view preset) {
  std::string json;
  if (preset == "tiny") {  // 8 layers x (64 x 256 shared + 256 x 64 state) = 2^18
    json = R"({"name":"inplace-wide","state_kind":"inplace-ttt","d_model":64,"d_ff":256,)"
           R"("layers":8,"ttt_layers":"all","chunk":8,"dtype":"bf16","state_dtype":"fp32",)"
           R"("learning_rate":0.01})";
  } else if (preset == "lact-tiny") {  // 6 layers x 2 heads x 3 x 64 x 128 = 294,912
    json = R"({"name":"lact-wide","state_kind":"lact-swiglu","d_model":128,"d_ff":256,)"
           R"("layers":6,"ttt_layers":"all","chunk":8,"dtype":"bf16","state_dtype":"fp32",)"
           R"("learning_rate":0.01,"heads":2,"fast_dim":128,"muon":true,"weight_norm":true})";
  } else {  // low-rank runs its batched functors whatever the size
    return std::string(preset);
  }
  return dir.Write(std::string(preset) + "-wide.json", json);
}

// The same history from cpu and from omp on one and two threads: the preset (on which omp may run
// the cpu backend's kernels) and a model of its kind wide enough for omp's batched kernels.
TEST_P(StateKindCli, HistoriesAreByteIdenticalAcrossBackendsAndThreads) {
  const std::string trace = Trace();
  for (const std::string& model : {std::string(GetParam()), AboveOmpThreshold(dir_, GetParam())}) {
    SCOPED_TRACE(model);
    std::vector<std::string> histories;
    for (const auto& [backend, threads] : std::vector<std::pair<std::string, std::string>>{
             {"cpu", "0"}, {"omp", "1"}, {"omp", "2"}}) {
      const std::string h = dir_.File("h" + backend + threads + ".jsonl");
      const auto run = RunCli({"replay", trace, "--model", model, "--backend", backend, "--threads",
                               threads, "--history", h});
      ASSERT_EQ(run.exit_code, 0) << run.err;
      if (backend == "omp" && model != GetParam()) {
        EXPECT_NE(run.err.find("backend: omp (Thrust on OpenMP)"), std::string::npos) << run.err;
      }
      const std::string text = testing::ReadFile(h);
      histories.push_back(text.substr(text.find('\n') + 1));  // the header names the backend
    }
    EXPECT_GT(histories[0].size(), 1000u);
    EXPECT_EQ(histories[1], histories[0]);
    EXPECT_EQ(histories[2], histories[0]);
    // The checker reads the history back against the serial reference of the same kind.
    const auto check = RunCli({"check", dir_.File("hcpu0.jsonl")});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  }
}

TEST_P(StateKindCli, EveryInjectedFaultIsCaughtAndFuzzingPasses) {
  for (const char* kind : {"stale-read", "lost-update", "cross-owner-write", "torn-state"}) {
    const auto run = RunCli(
        {"fuzz", "--model", GetParam(), "--inject", kind, "--iterations", "8", "--seed", "3"});
    EXPECT_EQ(run.exit_code, 0) << kind << ": " << run.out << run.err;
  }
  const auto fuzz = RunCli({"fuzz", "--model", GetParam(), "--iterations", "20", "--seed", "2"});
  EXPECT_EQ(fuzz.exit_code, 0) << fuzz.out << fuzz.err;
  EXPECT_NE(fuzz.out.find("20 passed, 0 failed"), std::string::npos) << fuzz.out;
}

TEST(BenchSweep, LactChunkSweepGivesARowPerPolicyStreamsAndChunk) {
  testing::TempDir dir;
  const std::string csv = dir.File("lact.csv");
  const auto run = RunCli({"bench", "sweep", "--model", "lact-1b-muon", "--streams", "1,8",
                           "--chunks", "512,2048", "--output", "64", "-o", csv});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream in(testing::ReadFile(csv));
  std::string line;
  std::getline(in, line);
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 3 * 2 * 2);  // three policies x two stream counts x two chunks
}

}  // namespace
}  // namespace rwttt
