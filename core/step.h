// Steps: the unit a scheduler places in a batch, tagged (owner, version, effect) (DESIGN §2).
//
//   Step s{.tag = {OwnerId{1}, Version{0}, Effect::kRead}, .first_token = 0, .end_token = 16};
//   s.tokens();  // 16
#pragma once

#include <cstdint>
#include <string_view>

#include "core/strong_types.h"

namespace rwttt {

enum class Effect : std::uint8_t {
  kRead,   // forward work over a span of tokens; reads the state at `version`, writes none
  kWrite,  // the chunk-boundary update: reads `version`, commits `version + 1` to the owner only
};

// "READ" or "WRITE", the spelling of the history format (DESIGN §6).
constexpr std::string_view EffectName(Effect e) { return e == Effect::kRead ? "READ" : "WRITE"; }

struct StepTag {
  OwnerId owner;
  Version version;
  Effect effect = Effect::kRead;
  friend constexpr bool operator==(const StepTag&, const StepTag&) = default;
};

// One step of an owner's program. Tokens are positions in the owner's stream (prompt, then
// output): a READ covers [first_token, end_token); a WRITE names the chunk it closes.
struct Step {
  StepTag tag;
  std::uint32_t first_token = 0;
  std::uint32_t end_token = 0;
  // Index of this step in its owner's program, 0-based.
  std::uint32_t index = 0;

  std::uint32_t tokens() const { return end_token - first_token; }
  bool is_read() const { return tag.effect == Effect::kRead; }
  friend constexpr bool operator==(const Step&, const Step&) = default;
};

}  // namespace rwttt
