// Every numeric flag of the CLI is declared here, through one of two helpers, with its type and
// range: a value outside it (a sign on a whole number, a fraction, an exponent where a count is
// meant, NaN, an infinity, an overflow, text) is refused with one line naming the flag, the range
// and what was given, exit 2, before any work. The ranges are listed in docs/reliability.md.
//
//   AddWhole(gen, "--count", flags->count, "Number of requests", {.min = 1, .max = kMaxRequests});
//   AddReal(gen, "--rate", flags->rate, "Mean arrival rate, requests per second",
//           {.min = 0, .min_open = true, .max = 1e9});
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/hardware_profile.h"
#include "core/result.h"
#include "core/units.h"

namespace rwttt::cli {

// A whole number in [min, max], written in decimal digits. `zero` says what 0 means when 0 is in
// range and means something other than the number (shown in --help).
struct WholeRange {
  std::uint64_t min = 0;
  std::uint64_t max = UINT64_MAX;
  const char* zero = nullptr;
};

// A finite real number above `min` (or at least it, when !min_open) and at most `max`.
struct RealRange {
  double min = 0;
  bool min_open = false;
  double max = 1e300;
  const char* zero = nullptr;
};

// --budget GiB: above 0, and small enough that its bytes fit 64 bits.
inline constexpr RealRange kBudgetGibRange{.min = 0, .min_open = true, .max = kMaxGib};
inline constexpr WholeRange kBudgetBytesRange{.min = 1, .max = UINT64_MAX};

// The memory budget of a run: `bytes` (--budget-bytes) when above 0, else `gib` (--budget) when
// above 0, else all of the hardware's memory. Error: a budget above the hardware's memory (a
// device holds no more than it has; a larger one is a different hardware profile).
Result<std::uint64_t> ResolveBudget(double gib, std::uint64_t bytes, const HardwareProfile& hw);

// Every seed: any 64-bit value.
inline constexpr WholeRange kSeedRange{.min = 0, .max = UINT64_MAX, .zero = nullptr};

// The validators alone: "must be a whole number from 1 to 5, found -1".
CLI::Validator WholeNumber(WholeRange range = {});
CLI::Validator RealNumber(RealRange range);

// Registers `name` on `app` bound to `value` (std::uint64_t, std::uint32_t, int, their
// std::optional, or a std::vector of them), with the range checked and appended to `help`.
template <typename T>
CLI::Option* AddWhole(CLI::App* app, const std::string& name, T& value, std::string help,
                      WholeRange range);
// The same for double or std::optional<double>.
template <typename T>
CLI::Option* AddReal(CLI::App* app, const std::string& name, T& value, std::string help,
                     RealRange range);

// The machine's processor count, the most --threads may ask for.
std::uint64_t MaxThreads();

// "[1 to 1000000000]", "[0 to 64; 0: one per core]": the range as --help shows it.
std::string RangeHelp(WholeRange range);
std::string RangeHelp(RealRange range);

template <typename T>
CLI::Option* AddWhole(CLI::App* app, const std::string& name, T& value, std::string help,
                      WholeRange range) {
  return app->add_option(name, value, help + " " + RangeHelp(range))->check(WholeNumber(range));
}

template <typename T>
CLI::Option* AddReal(CLI::App* app, const std::string& name, T& value, std::string help,
                     RealRange range) {
  return app->add_option(name, value, help + " " + RangeHelp(range))->check(RealNumber(range));
}

}  // namespace rwttt::cli
