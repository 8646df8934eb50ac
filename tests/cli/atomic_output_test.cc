// Outputs appear complete or not at all: an interrupted run (SIGINT, SIGTERM) or one that hits a
// file-size limit leaves the previous file, or none, and no temporary file behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

struct Child {
  pid_t pid = -1;
  std::string err_path;
};

// Starts rwttt with `args`; the child applies `fsize_limit` bytes (0: none) first.
Child Start(const testing::TempDir& dir, std::vector<std::string> args, rlim_t fsize_limit = 0) {
  Child c;
  c.err_path = dir.File("stderr");
  c.pid = fork();
  if (c.pid == 0) {
    if (fsize_limit > 0) {
      rlimit limit{fsize_limit, fsize_limit};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    if (!freopen("/dev/null", "w", stdout) || !freopen(c.err_path.c_str(), "w", stderr)) _exit(127);
    std::string program = RWTTT_CLI_PATH;
    std::vector<char*> argv{program.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return c;
}

int Wait(const Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool HasTemporary(const testing::TempDir& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

std::string BigTrace(const testing::TempDir& dir) {
  const std::string path = dir.File("big.jsonl");
  EXPECT_EQ(testing::RunCli({"gen", "--count", "20000", "--rate", "200", "--prompt",
                             "uniform:16:512", "--output", "uniform:16:512", "-o", path})
                .exit_code,
            0);
  return path;
}

void ExpectInterruptKeepsThePreviousFile(int signal, int expected_exit) {
  testing::TempDir dir;
  const std::string trace = BigTrace(dir);
  const std::string history = dir.Write("h.jsonl", "previous\n");
  const Child c =
      Start(dir, {"replay", trace, "--model", "tiny", "--backend", "cpu", "--history", history});
  // Wait until the run is writing (its temporary file exists), then interrupt it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!HasTemporary(dir) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(HasTemporary(dir)) << "the run never started writing";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(c.pid, signal);
  EXPECT_EQ(Wait(c), expected_exit);
  EXPECT_EQ(testing::ReadFile(history), "previous\n");
  EXPECT_FALSE(HasTemporary(dir));
  EXPECT_NE(testing::ReadFile(c.err_path).find("interrupted; partial outputs removed"),
            std::string::npos);
}

TEST(AtomicOutput, SigintLeavesThePreviousHistory) {
  ExpectInterruptKeepsThePreviousFile(SIGINT, 130);
}

TEST(AtomicOutput, SigtermLeavesThePreviousHistory) {
  ExpectInterruptKeepsThePreviousFile(SIGTERM, 143);
}

TEST(AtomicOutput, AFullDiskLeavesNoFileAndExitsTwo) {
  testing::TempDir dir;
  const std::string trace = BigTrace(dir);
  const std::string history = dir.File("h.jsonl");
  // 4 MiB: far less than the history, more than any input the run reads.
  const Child c = Start(dir,
                        {"replay", trace, "--model", "tiny", "--backend", "cpu", "--history",
                         history, "--timeline", dir.File("t.json")},
                        4 << 20);
  EXPECT_EQ(Wait(c), 2);
  EXPECT_FALSE(testing::FileExists(history));
  EXPECT_FALSE(testing::FileExists(dir.File("t.json")));
  EXPECT_FALSE(HasTemporary(dir));
  const std::string err = testing::ReadFile(c.err_path);
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
}

}  // namespace
}  // namespace rwttt
