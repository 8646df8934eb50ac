// Byte-for-byte golden outputs of the commands users run: traces, histories, timelines, reports,
// check reports, the paper table and a sweep, for every policy, a fault of every kind and every
// state kind. A refactoring must leave them all unchanged; a change that means to alter an output
// updates the manifest (tests/cli/golden_outputs.txt) on purpose:
//
//   RWTTT_UPDATE_GOLDEN=1 build/tests/cli/cli_golden_outputs_test   # rewrites the manifest
//
// The manifest holds one XXH3-64 digest per output, so that it stays small and a diff names the
// outputs that changed. Only deterministic outputs are included (no wall times).
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::ReadFile;
using testing::RunCli;
using testing::TempDir;

constexpr char kManifest[] = RWTTT_SOURCE_DIR "/tests/cli/golden_outputs.txt";

std::string Digest(const std::string& bytes) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  return hex;
}

class GoldenOutputs {
 public:
  explicit GoldenOutputs(const TempDir& dir) : dir_(dir) {}

  // Runs the command and records its stdout as `name` (unless `stdout_varies`: it prints wall
  // times), and each of `files` (paths in the directory) as `name/file`.
  void Run(const std::string& name, std::vector<std::string> args,
           const std::vector<std::string>& files = {}, bool stdout_varies = false) {
    // "@x" is the file x of the directory, where the command runs: paths in outputs stay the same
    // from run to run.
    for (std::string& a : args) {
      if (a.rfind("@", 0) == 0) a = a.substr(1);
    }
    const auto r = RunCli(args, dir_.path());
    ASSERT_LT(r.exit_code, 2) << name << ": " << r.err;
    const std::string exit = "(exit " + std::to_string(r.exit_code) + ")";
    outputs_[name + " " + exit] = stdout_varies ? exit : Digest(r.out);
    for (const std::string& f : files) outputs_[name + "/" + f] = Digest(ReadFile(dir_.File(f)));
  }

  const std::map<std::string, std::string>& outputs() const { return outputs_; }

 private:
  const TempDir& dir_;
  std::map<std::string, std::string> outputs_;
};

std::map<std::string, std::string> ReadManifest() {
  std::map<std::string, std::string> m;
  std::ifstream in(kManifest);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    m[line.substr(tab + 1)] = line.substr(0, tab);
  }
  return m;
}

TEST(GoldenOutputs, EveryOutputIsByteForByteTheGoldenOne) {
  TempDir dir;
  GoldenOutputs g(dir);
  g.Run("gen",
        {"gen", "--count", "24", "--rate", "400", "--arrival", "gamma", "--cv", "2", "--prompt",
         "lognormal:20:0.6", "--output", "uniform:2:24", "--seed", "11", "-o", "@t.jsonl"},
        {"t.jsonl"});
  g.Run("trace stats", {"trace", "stats", "@t.jsonl", "--json"});
  for (const char* policy : {"rwttt", "sequential", "replicas", "naive"}) {
    const std::string p = policy;
    g.Run("replay " + p,
          {"replay", "@t.jsonl", "--model", "tiny", "--policy", p, "--backend", "cpu", "--seed",
           "3", "--json", "--history", "@h-" + p + ".jsonl", "--timeline", "@tl-" + p + ".json"},
          {"h-" + p + ".jsonl", "tl-" + p + ".json"});
    g.Run("check " + p, {"check", "@h-" + p + ".jsonl", "--json", "--max-per-type", "3"});
  }
  g.Run("replay sequential slice",
        {"replay", "@t.jsonl", "--model", "tiny", "--policy", "sequential", "--policy-opt",
         "slice=3", "--backend", "cpu", "--history", "@h-slice.jsonl"},
        {"h-slice.jsonl"});
  for (const char* fault : {"stale-read", "uncommitted-read", "lost-update", "cross-owner-write",
                            "early-write", "duplicate-step", "torn-state"}) {
    const std::string f = fault;
    g.Run("inject " + f,
          {"replay", "@t.jsonl", "--model", "tiny", "--inject", f + "@0.3", "--backend", "cpu",
           "--seed", "5", "--history", "@i-" + f + ".jsonl", "--check"},
          {"i-" + f + ".jsonl"});
  }
  for (const char* model : {"lact-tiny", "low-rank-tiny", "small"}) {
    const std::string m = model;
    g.Run("kind " + m,
          {"replay", "@t.jsonl", "--model", m, "--backend", "cpu", "--history",
           "@k-" + m + ".jsonl", "--json"},
          {"k-" + m + ".jsonl"});
  }
  g.Run("replay 4b", {"replay", "@t.jsonl", "--model", "inplace-ttt-4b", "--json"});
  g.Run("report",
        {"report", "--baseline", "sequential", "--candidate", "rwttt", "@t.jsonl", "--backend",
         "cpu", "--json", "@report.json", "--markdown", "@report.md"},
        {"report.json", "report.md"});
  g.Run("bench paper", {"bench", "paper", "--json"});
  g.Run("bench paper tiny", {"bench", "paper", "--model", "tiny", "--output", "64"});
  g.Run("bench sweep", {"bench", "sweep", "--model", "tiny", "--streams", "1,4", "--chunks", "4,8",
                        "--output", "32"});
  g.Run("fuzz", {"fuzz", "--policy", "naive", "--iterations", "3", "--seed", "2", "--out", "@fuzz"},
        {"fuzz/fuzz-seed2-iter0.jsonl"}, /*stdout_varies=*/true);

  if (std::getenv("RWTTT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(kManifest);
    out << "# XXH3-64 digest<TAB>output, written by RWTTT_UPDATE_GOLDEN=1 "
           "cli_golden_outputs_test (tests/cli/golden_outputs_test.cc)\n";
    for (const auto& [name, digest] : g.outputs()) out << digest << '\t' << name << '\n';
    GTEST_SKIP() << "manifest rewritten: " << kManifest;
  }
  const std::map<std::string, std::string> golden = ReadManifest();
  ASSERT_FALSE(golden.empty()) << "no manifest at " << kManifest;
  for (const auto& [name, digest] : g.outputs()) {
    const auto it = golden.find(name);
    ASSERT_NE(it, golden.end()) << name << " is not in the manifest";
    EXPECT_EQ(digest, it->second) << name << " changed";
  }
  EXPECT_EQ(golden.size(), g.outputs().size()) << "the manifest lists outputs no longer made";
}

}  // namespace
}  // namespace rwttt
