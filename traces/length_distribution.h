// Distributions of prompt and output lengths for synthetic traces, parsed from the `rwttt gen`
// spellings:
//
//   fixed:N              always N tokens
//   uniform:A:B          an integer in [A, B], each equally likely
//   lognormal:MEAN:SIGMA a log-normal with that mean (in tokens) and log-space sigma; >= 1 token
//
//   RWTTT_ASSIGN_OR_RETURN(auto d, ParseLengthDistribution("uniform:1:64", "--prompt"));
//   std::uint32_t n = d.Sample(u1, u2);   // u1, u2 uniform in (0, 1)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rwttt {

struct LengthDistribution {
  enum class Kind { kFixed, kUniform, kLognormal };
  Kind kind = Kind::kFixed;
  double a = 0;  // fixed: N; uniform: A; lognormal: MEAN
  double b = 0;  // uniform: B; lognormal: SIGMA

  // A length from two independent uniforms in (0, 1). Deterministic for given inputs.
  std::uint32_t Sample(double u1, double u2) const;
  std::string ToString() const;
};

// `flag` names the option in errors ("--prompt").
Result<LengthDistribution> ParseLengthDistribution(std::string_view spec, std::string_view flag);

}  // namespace rwttt
