// A request of a trace: one owner's arrival and the lengths of its prompt and output.
//
//   Request r{.id = OwnerId{0}, .arrival = Nanos{0}, .prompt_tokens = 128, .output_tokens = 64};
#pragma once

#include <cstdint>
#include <optional>

#include "core/strong_types.h"

namespace rwttt {

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
