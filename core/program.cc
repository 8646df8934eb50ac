#include "core/program.h"

#include <algorithm>

#include "core/check.h"

namespace rwttt {

ProgramCursor::ProgramCursor(OwnerId owner, std::uint32_t prompt, std::uint32_t output,
                             std::uint32_t chunk)
    : prompt_(prompt), total_(prompt + output), chunk_(chunk) {
  RWTTT_CHECK(chunk > 0) << "chunk size must be positive";
  RWTTT_CHECK(static_cast<std::uint64_t>(prompt) + output < (std::uint64_t{1} << 32))
      << "token stream too long: " << prompt << " + " << output;
  step_.tag.owner = owner;
  step_.tag.version = Version{0};
  done_ = total_ == 0;
  if (!done_) Load();
}

void ProgramCursor::Load() {
  if (write_pending_) {
    step_.tag.effect = Effect::kWrite;
    step_.first_token = next_token_ - chunk_;
    step_.end_token = next_token_;
    return;
  }
  step_.tag.effect = Effect::kRead;
  step_.first_token = next_token_;
  if (next_token_ < prompt_) {
    const std::uint64_t boundary = (static_cast<std::uint64_t>(next_token_) / chunk_ + 1) * chunk_;
    step_.end_token = static_cast<std::uint32_t>(std::min<std::uint64_t>(prompt_, boundary));
  } else {
    step_.end_token = next_token_ + 1;
  }
}

void ProgramCursor::Advance() {
  RWTTT_CHECK(!done_) << "Advance() past the end of a program";
  if (write_pending_) {
    write_pending_ = false;
    step_.tag.version = step_.tag.version.Next();
  } else {
    next_token_ = step_.end_token;
    write_pending_ = next_token_ % chunk_ == 0;
  }
  ++step_.index;
  if (!write_pending_ && next_token_ == total_) {
    done_ = true;
    return;
  }
  Load();
}

std::vector<Step> BuildProgram(const Request& request, std::uint32_t chunk) {
  std::vector<Step> steps;
  steps.reserve(ProgramStepCount(request.prompt_tokens, request.output_tokens, chunk));
  for (ProgramCursor c(request, chunk); !c.done(); c.Advance()) steps.push_back(c.step());
  return steps;
}

std::uint64_t ProgramWriteCount(std::uint64_t prompt, std::uint64_t output, std::uint32_t chunk) {
  RWTTT_CHECK(chunk > 0);
  return (prompt + output) / chunk;
}

std::uint64_t ProgramReadCount(std::uint64_t prompt, std::uint64_t output, std::uint32_t chunk) {
  RWTTT_CHECK(chunk > 0);
  return (prompt + chunk - 1) / chunk + output;
}

}  // namespace rwttt
