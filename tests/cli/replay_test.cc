// `rwttt replay` and `rwttt policies` as a user meets them.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

std::string MakeTrace(const testing::TempDir& dir, const std::string& count = "40") {
  const std::string path = dir.File("t.jsonl");
  const auto run = RunCli({"gen", "--count", count, "--rate", "2000", "--prompt", "uniform:1:20",
                           "--output", "uniform:1:20", "--seed", "9", "-o", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return path;
}

std::string DropFirstLine(const std::string& text) { return text.substr(text.find('\n') + 1); }

TEST(Replay, ReportsMetricsForEveryPolicy) {
  testing::TempDir dir;
  const std::string trace = MakeTrace(dir);
  for (const char* policy : {"rwttt", "sequential", "replicas", "naive"}) {
    const auto run = RunCli({"replay", trace, "--model", "tiny", "--policy", policy});
    ASSERT_EQ(run.exit_code, 0) << policy << ": " << run.err;
    EXPECT_NE(run.out.find("throughput"), std::string::npos);
    const auto json = RunCli({"replay", trace, "--model", "tiny", "--policy", policy, "--json"});
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(json.out).get(doc), simdjson::SUCCESS) << json.out;
    std::int64_t requests = 0;
    ASSERT_EQ(doc["metrics"]["requests"].get(requests), simdjson::SUCCESS);
    EXPECT_EQ(requests, 40);
  }
}

TEST(Replay, SameInputsGiveByteIdenticalOutputsWhateverTheBackendOrThreads) {
  testing::TempDir dir;
  const std::string trace = MakeTrace(dir);
  std::vector<std::string> histories;
  for (const auto& [backend, threads] : std::vector<std::pair<std::string, std::string>>{
           {"cpu", "0"}, {"cpu", "0"}, {"omp", "1"}, {"omp", "2"}}) {
    const std::string h = dir.File("h" + std::to_string(histories.size()) + ".jsonl");
    const std::string tl = dir.File("t" + std::to_string(histories.size()) + ".json");
    const auto run =
        RunCli({"replay", trace, "--model", "tiny", "--seed", "3", "--backend", backend,
                "--threads", threads, "--history", h, "--timeline", tl, "--json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    histories.push_back(DropFirstLine(testing::ReadFile(h)));  // the header names the backend
    EXPECT_EQ(testing::ReadFile(tl), testing::ReadFile(dir.File("t0.json")));
  }
  EXPECT_GT(histories[0].size(), 1000u);
  for (const auto& h : histories) EXPECT_EQ(h, histories[0]);
}

TEST(Replay, TimelineIsChromeTraceJson) {
  testing::TempDir dir;
  const std::string trace = MakeTrace(dir, "5");
  const std::string tl = dir.File("run.json");
  ASSERT_EQ(RunCli({"replay", trace, "--model", "tiny", "--timeline", tl}).exit_code, 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(tl).get(doc), simdjson::SUCCESS);
  simdjson::dom::array events;
  ASSERT_EQ(doc["traceEvents"].get(events), simdjson::SUCCESS);
  int batches = 0, steps = 0;
  for (simdjson::dom::element e : events) {
    std::string_view cat;
    if (e["cat"].get(cat) != simdjson::SUCCESS) continue;
    batches += cat == "batch";
    steps += cat == "step";
  }
  EXPECT_GT(batches, 0);
  EXPECT_GE(steps, batches);
}

TEST(Replay, BadInputIsOneLineExitTwoAndLeavesNoFile) {
  testing::TempDir dir;
  const std::string trace = MakeTrace(dir);
  auto run = RunCli({"replay", trace, "--policy", "fifo"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "rwttt: error: unknown policy 'fifo' (known: sequential, replicas, naive, rwttt)\n");
  run = RunCli({"replay", trace, "--policy-opt", "slice=2"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("policy 'rwttt' has no option 'slice'"), std::string::npos);
  run = RunCli({"replay", trace, "--policy-opt", "noequals"});
  EXPECT_EQ(run.exit_code, 2);
  run = RunCli({"replay", trace, "--model", "inplace-ttt-4b", "--budget", "8"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no owner can ever be admitted"), std::string::npos) << run.err;
  run = RunCli({"replay", trace, "--model", "tiny", "--backend", "gpu"});
  EXPECT_EQ(run.exit_code, 2);
  run = RunCli({"replay", trace, "--model", "tiny", "--inject", "gremlins"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(RunCli({"replay", dir.File("absent.jsonl")}).exit_code, 2);
  // An unwritable path: exit 2, and the other output is not left behind as if complete.
  const std::string history = dir.File("h.jsonl");
  run = RunCli({"replay", trace, "--model", "tiny", "--history", history, "--timeline",
                "/nonexistent-dir/tl.json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("/nonexistent-dir/tl.json"), std::string::npos);
  EXPECT_FALSE(testing::FileExists(history));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST(Policies, ListsTheRegistryWithOptions) {
  const auto run = RunCli({"policies"});
  ASSERT_EQ(run.exit_code, 0);
  for (const char* name : {"sequential", "replicas", "naive", "rwttt", "slice=", "max_batch="}) {
    EXPECT_NE(run.out.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace rwttt
