// How subcommands plug into the `rwttt` executable: each Add*Command registers its options on the
// app and returns the action to run when it is the one chosen.
//
//   Command gen = AddGenCommand(app);   // in main.cc
//   if (gen.app->parsed()) return Exit(gen.run());
//
// An action returns the process exit code for a finding (0 ok, 1 violation) or an Error, which
// main turns into one line on stderr and exit code 2 (DESIGN §8).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "core/result.h"

namespace rwttt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitBadInput = 2;

struct Command {
  CLI::App* app = nullptr;
  std::function<Result<int>()> run;
};

Command AddGenCommand(CLI::App& app);
Command AddTraceCommand(CLI::App& app);
Command AddProfilesCommand(CLI::App& app);
Command AddBackendsCommand(CLI::App& app);
Command AddImportCommand(CLI::App& app);
Command AddReplayCommand(CLI::App& app);
Command AddPoliciesCommand(CLI::App& app);
Command AddFuzzCommand(CLI::App& app);
Command AddReportCommand(CLI::App& app);
Command AddBenchCommand(CLI::App& app);
Command AddCheckCommand(CLI::App& app);
Command AddCalibrateCommand(CLI::App& app);

}  // namespace rwttt::cli
