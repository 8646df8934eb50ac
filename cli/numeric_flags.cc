#include "cli/numeric_flags.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <thread>

namespace rwttt::cli {
namespace {

// Shortest text of a bound: 1000000000 as written, 1e+300 as such.
std::string Bound(double x) { return fmt::format("{}", x); }

}  // namespace

std::string RangeHelp(WholeRange r) {
  std::string text = fmt::format("[{} to {}", r.min, r.max);
  if (r.zero != nullptr) text += fmt::format("; 0: {}", r.zero);
  return text + "]";
}

std::string RangeHelp(RealRange r) {
  std::string text =
      r.min_open ? fmt::format("[above {}, at most {}", Bound(r.min), Bound(r.max))
                 : fmt::format("[{} to {}", Bound(r.min), Bound(r.max));
  if (r.zero != nullptr) text += fmt::format("; 0: {}", r.zero);
  return text + "]";
}

CLI::Validator WholeNumber(WholeRange range) {
  return CLI::Validator(
      [range](std::string& text) -> std::string {
        const std::string want = fmt::format("a whole number from {} to {}", range.min, range.max);
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
          return fmt::format("must be {}, found {}", want, text.empty() ? "nothing" : text);
        }
        std::uint64_t value = 0;
        for (const char c : text) {
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (value > (UINT64_MAX - digit) / 10) return fmt::format("must be {}, found {}", want, text);
          value = value * 10 + digit;
        }
        if (value < range.min || value > range.max) {
          return fmt::format("must be {}, found {}", want, text);
        }
        return {};
      },
      "UINT");
}

CLI::Validator RealNumber(RealRange range) {
  return CLI::Validator(
      [range](std::string& text) -> std::string {
        const std::string want =
            range.min_open ? fmt::format("a number above {} and at most {}", Bound(range.min),
                                         Bound(range.max))
                           : fmt::format("a number from {} to {}", Bound(range.min),
                                         Bound(range.max));
        const char* begin = text.c_str();
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(begin, &end);
        const bool parsed = !text.empty() && end == begin + text.size() && errno != ERANGE;
        if (!parsed || !std::isfinite(value)) {
          return fmt::format("must be {}, found {}", want, text.empty() ? "nothing" : text);
        }
        const bool low = range.min_open ? value <= range.min : value < range.min;
        if (low || value > range.max) return fmt::format("must be {}, found {}", want, text);
        return {};
      },
      "FLOAT");
}

Result<std::uint64_t> ResolveBudget(double gib, std::uint64_t bytes, const HardwareProfile& hw) {
  const std::uint64_t budget = bytes > 0 ? bytes : gib > 0 ? GibToBytes(gib) : hw.memory_bytes();
  if (budget > hw.memory_bytes()) {
    return Error::Usage(fmt::format(
        "{} asks for more memory than {} has ({} bytes = {:.3f} GiB against {} bytes = {:.3f} "
        "GiB); give a hardware profile with more memory",
        bytes > 0 ? fmt::format("--budget-bytes {}", bytes) : fmt::format("--budget {}", gib),
        hw.name, budget, budget / kBytesPerGib, hw.memory_bytes(),
        hw.memory_bytes() / kBytesPerGib));
  }
  return budget;
}

std::uint64_t MaxThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace rwttt::cli
