// The `rwttt` executable: parses the command line and runs one subcommand.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flag_errors.h"
#include "core/output_file.h"

namespace {

// On SIGINT or SIGTERM no half-written output may be left looking complete.
extern "C" void OnTerminate(int signal) {
  rwttt::OutputFile::RemoveTemporariesOnSignal();
  const char message[] = "rwttt: interrupted; partial outputs removed\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
  ::_exit(128 + signal);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, OnTerminate);
  std::signal(SIGTERM, OnTerminate);
  // Past RLIMIT_FSIZE a write fails with EFBIG, reported as an error, instead of killing us.
  std::signal(SIGXFSZ, SIG_IGN);

  CLI::App app{
      "rwttt: a deterministic trace-driven simulator and checker for batched LLM serving with\n"
      "request-owned test-time-training state. Exit codes: 0 ok, 1 violation found, 2 bad input.",
      "rwttt"};
  app.set_version_flag("--version", "rwttt " RWTTT_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  // Bad usage is one line, in the shape of every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("rwttt: error: ") + e.what() + "\n";
  });

  using namespace rwttt::cli;
  const std::vector<Command> commands = {
      AddGenCommand(app),      AddImportCommand(app), AddTraceCommand(app),
      AddProfilesCommand(app), AddReplayCommand(app), AddPoliciesCommand(app),
      AddFuzzCommand(app),     AddReportCommand(app), AddBackendsCommand(app),
      AddBenchCommand(app),    AddCheckCommand(app),  AddCalibrateCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  for (const Command& command : commands) {
    if (!command.app->parsed()) continue;
    rwttt::Result<int> result = command.run();
    if (!result.ok()) {
      // A library error names the field; the user reads the flag they typed (cli/flag_errors.h).
      const rwttt::Error error =
          rwttt::cli::NameFlag(result.error(), rwttt::cli::LibraryFieldFlags());
      std::fprintf(stderr, "rwttt: error: %s\n", error.ToString().c_str());
      return kExitBadInput;
    }
    return *result;
  }
  return kExitBadInput;
}
