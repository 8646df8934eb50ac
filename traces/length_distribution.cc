#include "traces/length_distribution.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <numbers>
#include <vector>

#include "traces/native_trace.h"

namespace rwttt {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

bool ParseNumber(std::string_view s, double& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

std::uint32_t LengthDistribution::Sample(double u1, double u2) const {
  double x = a;
  switch (kind) {
    case Kind::kFixed:
      break;
    case Kind::kUniform:
      x = a + std::floor(u1 * (b - a + 1));
      if (x > b) x = b;
      break;
    case Kind::kLognormal: {
      // Box-Muller, then exp(mu + sigma z) with mu chosen so that the mean is `a`.
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double mu = std::log(a) - 0.5 * b * b;
      x = std::max(1.0, std::round(std::exp(mu + b * z)));
      break;
    }
  }
  return static_cast<std::uint32_t>(std::min<double>(x, kMaxRequestTokens));
}

std::string LengthDistribution::ToString() const {
  switch (kind) {
    case Kind::kFixed:
      return fmt::format("fixed:{}", a);
    case Kind::kUniform:
      return fmt::format("uniform:{}:{}", a, b);
    case Kind::kLognormal:
      return fmt::format("lognormal:{}:{}", a, b);
  }
  return "";
}

Result<LengthDistribution> ParseLengthDistribution(std::string_view spec, std::string_view flag) {
  const auto bad = [&](std::string_view why) {
    return Error::Usage(
        fmt::format("{} '{}': {} (expected fixed:N, uniform:A:B or "
                    "lognormal:MEAN:SIGMA)",
                    flag, spec, why));
  };
  const auto parts = Split(spec, ':');
  std::vector<double> nums;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    double x = 0;
    if (!ParseNumber(parts[i], x)) return bad(fmt::format("'{}' is not a number", parts[i]));
    nums.push_back(x);
  }
  const auto is_count = [](double x) {
    return x >= 0 && x <= kMaxRequestTokens && x == std::floor(x);
  };
  LengthDistribution d;
  if (parts[0] == "fixed") {
    if (nums.size() != 1) return bad("fixed takes one number");
    if (!is_count(nums[0])) {
      return bad(fmt::format("N must be a whole number of tokens from 0 to {}, found {}",
                             kMaxRequestTokens, parts[1]));
    }
    d = {LengthDistribution::Kind::kFixed, nums[0], 0};
  } else if (parts[0] == "uniform") {
    if (nums.size() != 2) return bad("uniform takes two numbers");
    if (!is_count(nums[0]) || !is_count(nums[1])) {
      return bad(fmt::format("A and B must be whole numbers of tokens from 0 to {}, found {} and {}",
                             kMaxRequestTokens, parts[1], parts[2]));
    }
    if (nums[0] > nums[1]) return bad("A must not exceed B");
    d = {LengthDistribution::Kind::kUniform, nums[0], nums[1]};
  } else if (parts[0] == "lognormal") {
    if (nums.size() != 2) return bad("lognormal takes two numbers");
    if (!(nums[0] >= 1 && nums[0] <= kMaxRequestTokens)) {
      return bad(fmt::format("MEAN must be from 1 to {} tokens, found {}", kMaxRequestTokens,
                             parts[1]));
    }
    if (!(nums[1] >= 0 && nums[1] <= 4)) {
      return bad(fmt::format("SIGMA must be from 0 to 4, found {}", parts[2]));
    }
    d = {LengthDistribution::Kind::kLognormal, nums[0], nums[1]};
  } else {
    return bad("unknown distribution");
  }
  return d;
}

}  // namespace rwttt
