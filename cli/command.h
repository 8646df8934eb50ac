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
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"

namespace rwttt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitBadInput = 2;

struct Command {
  CLI::App* app = nullptr;
  std::function<Result<int>()> run;
};

// A flag's value must be a whole number from 0 to `max` written in decimal digits: no sign (CLI11
// would read "-1" into an unsigned flag as 2^64 - 1), no fraction, no exponent.
inline CLI::Validator WholeNumber(std::uint64_t max = UINT64_MAX) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        const std::string range = "a whole number from 0 to " + std::to_string(max);
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
          return "must be " + range + ", found " + text;
        }
        std::uint64_t value = 0;
        for (const char c : text) {
          const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
          if (value > (max - digit) / 10) return "must be " + range + ", found " + text;
          value = value * 10 + digit;
        }
        return {};
      },
      "UINT");
}

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

}  // namespace rwttt::cli
