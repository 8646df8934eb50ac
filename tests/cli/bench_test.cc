// `rwttt bench paper`, `rwttt bench sweep` and `rwttt bench cow` as a user meets them: the table, a
// row reproduced by `rwttt replay`, the CSV, and bad input (docs/paper-reproduction.md,
// docs/simulator.md#the-evidence-rwttt-bench-cow).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(BenchPaper, PrintsThePapersTableWithTheRoofline) {
  const auto run = RunCli({"bench", "paper"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* want : {"rwttt", "sequential", "replicas", "roofline", "274.61", "9.31", "3.44",
                           "34.80 GiB", "paper-h100"}) {
    EXPECT_NE(run.out.find(want), std::string::npos) << want << " in\n" << run.out;
  }
}

TEST(BenchPaper, EveryRowEqualsAReplayOfTheSavedWorkload) {
  testing::TempDir dir;
  const std::string trace = dir.File("paper.jsonl");
  const auto bench = RunCli({"bench", "paper", "--output", "600", "--save-trace", trace, "--json"});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(bench.out).get(doc), simdjson::SUCCESS) << bench.out;
  double budget_gib = 0;
  ASSERT_EQ(doc["budget_gib"].get(budget_gib), simdjson::SUCCESS);
  simdjson::dom::array rows;
  ASSERT_EQ(doc["rows"].get(rows), simdjson::SUCCESS);
  int compared = 0;
  for (simdjson::dom::element row : rows) {
    std::string_view flags;
    ASSERT_EQ(row["replay_flags"].get(flags), simdjson::SUCCESS);
    std::ostringstream gib;
    gib.precision(17);
    gib << budget_gib;
    std::vector<std::string> args = {"replay",         trace,        "--model",
                                     "inplace-ttt-4b", "--hardware", "paper-h100",
                                     "--budget",       gib.str(),    "--json"};
    for (const std::string& w : Words(flags)) args.push_back(w);
    const auto replay = RunCli(args);
    ASSERT_EQ(replay.exit_code, 0) << flags << ": " << replay.err;
    simdjson::dom::parser replay_parser;
    simdjson::dom::element replayed;
    ASSERT_EQ(replay_parser.parse(replay.out).get(replayed), simdjson::SUCCESS) << replay.out;
    EXPECT_EQ(simdjson::minify(row["metrics"]), simdjson::minify(replayed["metrics"])) << flags;
    ++compared;
  }
  EXPECT_EQ(compared, 3);
}

TEST(BenchPaper, MeasuredTimingRunsTheKernels) {
  const auto run = RunCli({"bench", "paper", "--timing", "measured", "--backend", "omp",
                           "--threads", "1", "--model", "tiny", "--output", "16", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(run.out).get(doc), simdjson::SUCCESS) << run.out;
  std::string_view timing;
  ASSERT_EQ(doc["timing"].get(timing), simdjson::SUCCESS);
  EXPECT_EQ(timing, "measured");
  std::string_view backend;
  ASSERT_EQ(doc["backend"].get(backend), simdjson::SUCCESS);
  EXPECT_EQ(backend, "omp");
}

TEST(BenchPaper, BadInputIsOneLineAndExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"bench", "paper", "--hardware", "no-such-gpu"},
                                             {"bench", "paper", "--streams", "0"},
                                             {"bench", "paper", "--budget", "4"},
                                             {"bench", "sweep", "--streams", "0,4"},
                                             {"bench", "cow", "--chunks", "0"},
                                             {"bench", "cow", "--model", "no-such-model"},
                                             {"bench", "cow", "--offload-after", "0"}}) {
    const auto run = RunCli(args);
    EXPECT_EQ(run.exit_code, 2) << args[2] << " " << args[3];
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_EQ(run.err.rfind("rwttt: error: ", 0), 0u) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
}

TEST(BenchSweep, WritesAWellFormedCsv) {
  testing::TempDir dir;
  const std::string csv = dir.File("sweep.csv");
  const auto run = RunCli(
      {"bench", "sweep", "--streams", "1,8,64", "--chunks", "512", "--output", "32", "-o", csv});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream in(testing::ReadFile(csv));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line,
            "policy,streams,chunk,decode_tok_s,tok_s,tpot_p50_ms,tpot_p99_ms,lanes,"
            "peak_memory_gib,itl_p99_ms,itl_max_ms");
  int rows = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 10) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 3 * 3);  // three policies x three stream counts x one chunk
}

// Without the public traces, the paper's workload alone: its rows on both devices, each of the
// three policies checked valid, each row's gain, and the count of wins (C = 4096: no owner of
// the paper's workload writes, so sharing version 0 wins on both devices).
TEST(BenchCow, ComparesTheThreePoliciesOnThePapersWorkloadEachChecked) {
  const auto run = RunCli({"bench", "cow", "--traces", "/no/such/folder", "--chunks", "4096"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("/no/such/folder/mooncake/conversation_trace.jsonl is absent"),
            std::string::npos)
      << run.err;
  for (const char* want :
       {"| paper (8 streams) | 4096 | h100-sxm | rwttt | ",
        "| paper (8 streams) | 4096 | "
        "paper-h100 | rwttt:share_base=on | ",
        "rwttt:offload=on,offload_after=128,share_base=on", "wins: 2 of 2 workloads"}) {
    EXPECT_NE(run.out.find(want), std::string::npos) << want << " in\n" << run.out;
  }
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2 + 6 + 2 + 2 + 1) << run.out;
  std::size_t valid = 0;
  for (std::size_t at = run.out.find("| valid ("); at != std::string::npos;
       at = run.out.find("| valid (", at + 1)) {
    ++valid;
  }
  EXPECT_EQ(valid, 6u);
}

}  // namespace
}  // namespace rwttt
