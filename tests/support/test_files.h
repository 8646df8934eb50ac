// Test helpers: scratch files that clean up after themselves, and running the `rwttt` binary.
//
//   TempDir dir;  std::string p = dir.Write("t.jsonl", "{...}\n");
//   CliRun r = RunCli({"trace", "stats", p});  EXPECT_EQ(r.exit_code, 2);
#pragma once

#include <string>
#include <vector>

namespace rwttt::testing {

// A fresh directory under the system temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Path of `name` inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to `name` and returns its path.
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// `rwttt gen`'s 12 requests (prompts and outputs uniform in 1..20, 50,000 a second) written to
// `dir`/t.jsonl; returns its path. A failed gen is a test failure.
std::string GenSmallTrace(const TempDir& dir);

// Runs the rwttt executable with `args` (no shell), capturing both streams, in the working
// directory `cwd` (empty: this process's).
CliRun RunCli(const std::vector<std::string>& args, const std::string& cwd = "");

}  // namespace rwttt::testing
