// `rwttt check`: exit codes 0 valid, 1 anomalies, 2 bad input with one line naming line and field.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

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

namespace rwttt {
namespace {

using testing::ReadFile;
using testing::RunCli;
using testing::TempDir;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl - at));
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// A real run: 12 requests on the tiny model (C = 8), replayed with --history into `dir`.
struct RealRun {
  TempDir dir;
  std::string trace;
  std::string history;
  std::vector<std::string> lines;  // the history's, header first

  RealRun() {
    trace = dir.File("t.jsonl");
    history = dir.File("h.jsonl");
    EXPECT_EQ(RunCli({"gen", "--count", "12", "--rate", "200", "--prompt", "uniform:4:30",
                      "--output", "uniform:2:20", "--seed", "3", "-o", trace})
                  .exit_code,
              0);
    const auto r = RunCli({"replay", trace, "--model", "tiny", "--seed", "5", "--history", history,
                           "--backend", "cpu"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    lines = Lines(ReadFile(history));
  }
  // The history with the lines for which `drop(index, line)` is true left out (header kept).
  std::string Without(const std::function<bool(std::size_t, const std::string&)>& drop) const {
    std::vector<std::string> kept{lines[0]};
    for (std::size_t i = 1; i < lines.size(); ++i) {
      if (!drop(i, lines[i])) kept.push_back(lines[i]);
    }
    return Join(kept);
  }
};

bool OwnerIs(const std::string& line, int owner) {
  return line.find("\"owner\":" + std::to_string(owner) + ",") != std::string::npos;
}

TEST(CheckCommand, ARealReplayChecksWholeFromAnyWorkingDirectory) {
  RealRun run;
  EXPECT_NE(run.lines[0].find(R"("trace":"t.jsonl")"), std::string::npos) << run.lines[0];
  EXPECT_NE(run.lines[0].find(R"("chunk":8)"), std::string::npos) << run.lines[0];
  TempDir elsewhere;
  const auto r = RunCli({"check", run.history}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no anomalies; all 5 checks ran"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("completeness: every step of every program of trace t.jsonl (12 requests)"),
            std::string::npos)
      << r.out;
}

TEST(CheckCommand, ADeletedWriteLineIsCaught) {
  RealRun run;
  std::size_t writes = 0;
  const std::string h = run.dir.Write("no-write.jsonl", run.Without([&](std::size_t, auto& l) {
    return l.find("\"WRITE\"") != std::string::npos && writes++ == 3;
  }));
  const auto r = RunCli({"check", h});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("missing-step"), std::string::npos) << r.out;
}

TEST(CheckCommand, IncompleteHistoriesOfAKnownTraceAreInvalid) {
  RealRun run;
  std::vector<std::size_t> owner_3;
  for (std::size_t i = 1; i < run.lines.size(); ++i) {
    if (OwnerIs(run.lines[i], 3)) owner_3.push_back(i);
  }
  ASSERT_GT(owner_3.size(), 5u);
  const std::size_t last_five = owner_3[owner_3.size() - 5];
  const std::size_t half = run.lines.size() / 2;
  for (const auto& [name, drop] :
       std::vector<std::pair<std::string, std::function<bool(std::size_t, const std::string&)>>>{
           {"no-owner.jsonl", [](std::size_t, const std::string&l) { return OwnerIs(l, 3); }},
           {"cut-owner.jsonl",
            [&](std::size_t i, const std::string&l) { return OwnerIs(l, 3) && i >= last_five; }},
           {"half.jsonl", [&](std::size_t i, const std::string&) { return i > half; }}}) {
    const auto r = RunCli({"check", run.dir.Write(name, run.Without(drop))});
    EXPECT_EQ(r.exit_code, 1) << name << "\n" << r.out;
    EXPECT_NE(r.out.find("missing-step"), std::string::npos) << name << "\n" << r.out;
  }
}

TEST(CheckCommand, MaxPerTypeZeroKeepsTheVerdict) {
  RealRun run;
  const std::string naive = run.dir.File("naive.jsonl");
  ASSERT_EQ(RunCli({"replay", run.trace, "--model", "tiny", "--policy", "naive", "--history", naive,
                    "--backend", "cpu"})
                .exit_code,
            0);
  auto r = RunCli({"check", naive, "--max-per-type", "0", "--junit", run.dir.File("j.xml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("INVALID: ", 0), 0u) << r.out;
  r = RunCli({"check", naive, "--max-per-type", "0", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind(R"({"valid":false,)", 0), 0u) << r.out;
  EXPECT_EQ(RunCli({"check", naive, "--max-per-type", "-1"}).exit_code, 2);
}

TEST(CheckCommand, ATraceOrModelThatCannotBeLoadedIsAnErrorUnlessNoReference) {
  RealRun run;
  // The history copied into a subfolder, one digest tampered with: its trace is not beside it.
  std::vector<std::string> lines = run.lines;
  const std::size_t at = lines[1].find("\"out_digest\":\"") + 14;
  lines[1][at] = lines[1][at] == '0' ? '1' : '0';
  std::filesystem::create_directory(run.dir.File("sub"));
  const std::string moved = run.dir.Write("sub/h.jsonl", Join(lines));
  TempDir elsewhere;
  auto r = RunCli({"check", moved}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(":1: trace: the header names trace \"t.jsonl\", which is not found in "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(the history's folder) or "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--no-reference"), std::string::npos) << r.err;
  // Checks 1-4 only: the report says the serial reference did not run, and why.
  r = RunCli({"check", moved, "--no-reference", "--json"}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(
      r.out.find(R"j("serial-reference":{"ran":false,"reason":"turned off (--no-reference)"})j"),
      std::string::npos)
      << r.out;
  // From the run's own folder the trace is found, and the tampered digest too.
  r = RunCli({"check", "sub/h.jsonl"}, run.dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("digest-mismatch"), std::string::npos) << r.out;
  // An unknown model.
  lines = run.lines;
  lines[0].replace(lines[0].find(R"("model":"tiny")"), 14, R"("model":"no-such-model")");
  r = RunCli({"check", run.dir.Write("m.jsonl", Join(lines))});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":1: model: the header names model \"no-such-model\""), std::string::npos)
      << r.err;
  // A chunk that contradicts the model.
  lines = run.lines;
  lines[0].replace(lines[0].find(R"("chunk":8)"), 9, R"("chunk":4)");
  r = RunCli({"check", run.dir.Write("c.jsonl", Join(lines)), "--no-reference"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":1: chunk: chunk 4 disagrees with the chunk 8 of the model"),
            std::string::npos)
      << r.err;
}

TEST(CheckCommand, ShapedImportedOrStdinWorkloadsAreSavedBesideTheHistory) {
  RealRun run;
  const std::vector<std::vector<std::string>> shapes = {
      {"--max-output", "5"}, {"--rate", "50"}, {"--sample", "0.5"}};
  for (const auto& shape : shapes) {
    const std::string history = run.dir.File("shaped.jsonl.zst");
    std::vector<std::string> args{"replay",    run.trace, "--model",   "tiny",
                                  "--history", history,   "--backend", "cpu"};
    args.insert(args.end(), shape.begin(), shape.end());
    const auto r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(testing::FileExists(run.dir.File("shaped.trace.jsonl.zst")));
    TempDir elsewhere;
    const auto c = RunCli({"check", history}, elsewhere.path());
    EXPECT_EQ(c.exit_code, 0) << shape[0] << "\n" << c.out << c.err;
    EXPECT_NE(c.out.find("all 5 checks ran"), std::string::npos) << shape[0] << "\n" << c.out;
  }
  // An imported (Azure CSV) workload: saved beside the history too, and re-checked whole.
  const std::string csv = run.dir.Write(
      "conv.csv",
      "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,37,4\r\n"
      "2023-11-16 18:15:50.9951690,39,10\r\n");
  const std::string imported = run.dir.File("imported.jsonl");
  const auto r = RunCli({"replay", csv, "--format", "azure", "--model", "tiny", "--history",
                         imported, "--backend", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadFile(imported).find(R"("trace":"imported.trace.jsonl")"), std::string::npos);
  const auto c = RunCli({"check", imported});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("every step of every program of trace imported.trace.jsonl (2 requests)"),
            std::string::npos)
      << c.out;
  // A history on stdout has no folder to save such a workload in.
  EXPECT_EQ(
      RunCli({"replay", csv, "--format", "azure", "--model", "tiny", "--history", "-"}).exit_code,
      2);
}

TEST(CheckCommand, NoSerialOrderForAnInvalidHistory) {
  TempDir dir;
  const std::string h = dir.Write("h.jsonl", std::string(kHeader) + kRead + kWrite + kStaleRead);
  const auto r = RunCli({"check", h, "--serial-order", dir.File("order.txt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(testing::FileExists(dir.File("order.txt")));
  EXPECT_NE(r.err.find("no serial order written: the history is not valid"), std::string::npos);
}

}  // namespace
}  // namespace rwttt
