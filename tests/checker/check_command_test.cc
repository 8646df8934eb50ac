// `rwttt check`: exit codes 0 valid, 1 anomalies, 2 bad input with one line naming line and field.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;
using testing::TempDir;

constexpr char kHeader[] =
    R"({"format":"rwttt-history","version":1,"policy":"x","seed":null,"backend":"cpu",)"
    R"("trace":null,"model":null,"hardware":null})"
    "\n";
constexpr char kRead[] =
    R"({"step":0,"owner":3,"effect":"READ","version":0,"tokens":[0,4],"start_ns":0,)"
    R"("end_ns":10,"slot":0,"seen_owner":3,"seen_version":0})"
    "\n";
constexpr char kWrite[] =
    R"({"step":1,"owner":3,"effect":"WRITE","version":0,"tokens":[0,4],"start_ns":10,)"
    R"("end_ns":20,"slot":0,"seen_owner":3,"seen_version":0,"commit_slot":0,"commit_version":1})"
    "\n";
constexpr char kStaleRead[] =
    R"({"step":2,"owner":3,"effect":"READ","version":1,"tokens":[4,5],"start_ns":20,)"
    R"("end_ns":30,"slot":0,"seen_owner":3,"seen_version":0})"
    "\n";

TEST(CheckCommand, ExitsZeroOnAValidHistoryAndWritesTheSerialOrder) {
  TempDir dir;
  const std::string h = dir.Write("h.jsonl", std::string(kHeader) + kRead + kWrite);
  const auto r = RunCli(
      {"check", h, "--serial-order", dir.File("order.txt"), "--junit", dir.File("junit.xml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "valid: 2 steps checked, no anomalies; 4 of 5 checks ran");
  EXPECT_EQ(testing::ReadFile(dir.File("order.txt")), "0\n1\n");
  EXPECT_NE(testing::ReadFile(dir.File("junit.xml")).find("skipped=\"1\""), std::string::npos);
}

TEST(CheckCommand, ExitsOneWithAnomaliesInTextAndJson) {
  TempDir dir;
  const std::string h = dir.Write("h.jsonl", std::string(kHeader) + kRead + kWrite + kStaleRead);
  auto r = RunCli({"check", h});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "INVALID: 3 steps checked, anomalies: 1 stale-read, 1 cycle; 4 of 5 checks ran");
  r = RunCli({"check", h, "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind(R"({"valid":false,"steps_checked":3,"anomalies":[{"type":"stale-read",)"
                        R"("owner":3,"steps":[2],)",
                        0),
            0u)
      << r.out;
}

TEST(CheckCommand, ExitsTwoWithOneLineNamingLineAndField) {
  TempDir dir;
  std::string bad = kWrite;
  bad.replace(bad.find("\"owner\":3"), 9, "\"owner\":-3");
  const std::string h = dir.Write("h.jsonl", std::string(kHeader) + kRead + bad);
  const auto r = RunCli({"check", h});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "rwttt: error: " + h + ":3: owner: must not be negative, found -3\n");
  const auto empty = RunCli({"check", dir.Write("e.jsonl", "")});
  EXPECT_EQ(empty.exit_code, 2);
  const auto missing = RunCli({"check", dir.File("nope.jsonl")});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace rwttt
