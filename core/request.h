// A request of a trace: one owner's arrival and the lengths of its prompt and output.
//
//   Request r{.id = OwnerId{0}, .arrival = Nanos{0}, .prompt_tokens = 128, .output_tokens = 64,
//             .seed = std::nullopt};  // nullopt: the run's seed keys its inputs
#pragma once

#include <cstdint>
#include <optional>

#include "core/strong_types.h"

namespace rwttt {

// The latest arrival a trace may hold: 2^62 ns, about 146 years, so that a run of as long again
// still fits the simulator's 64-bit nanosecond clock.
inline constexpr std::int64_t kMaxArrivalNs = std::int64_t{1} << 62;

struct Request {
  OwnerId id;
  Nanos arrival{0};
  std::uint32_t prompt_tokens = 0;
  std::uint32_t output_tokens = 0;
  // Per-request seed for its inputs; the run's seed is used when absent.
  std::optional<Seed> seed;

  std::uint64_t total_tokens() const {
    return static_cast<std::uint64_t>(prompt_tokens) + output_tokens;
  }
  friend bool operator==(const Request&, const Request&) = default;
};

}  // namespace rwttt
