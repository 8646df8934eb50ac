#include "harness/decode_meter.h"

#include <algorithm>

#include "core/check.h"

namespace rwttt {

DecodeMeter::DecodeMeter(std::span<const Request> trace) {
  prompt_of_.reserve(trace.size());
  for (const Request& r : trace) prompt_of_[r.id.value()] = r.prompt_tokens;
}

void DecodeMeter::OnBatch(const BatchRecord& batch) {
  RWTTT_CHECK(batch.start.value() >= last_start_) << "batches out of start order";
  last_start_ = batch.start.value();
  bool decode = false;
  for (const BatchStep& s : batch.steps) {
    const auto it = prompt_of_.find(s.step.tag.owner.value());
    RWTTT_CHECK(it != prompt_of_.end()) << "a batch step of an owner not in the trace";
    const std::uint32_t prompt = it->second;
    if (s.step.is_read()) {
      if (s.step.first_token >= prompt) {
        decode_tokens_ += s.step.tokens();
        decode = true;
      }
    } else if (s.step.end_token > prompt) {
      decode = true;
    }
  }
  if (!decode) return;
  const std::int64_t start = batch.start.value();
  const std::int64_t end = batch.end.value();
  if (open_end_ > open_start_ && start <= open_end_) {
    open_end_ = std::max(open_end_, end);
    return;
  }
  closed_ns_ += open_end_ - open_start_;
  open_start_ = start;
  open_end_ = end;
}

std::int64_t DecodeMeter::decode_ns() const { return closed_ns_ + (open_end_ - open_start_); }

double DecodeMeter::tokens_per_s() const {
  const std::int64_t ns = decode_ns();
  return ns > 0 ? static_cast<double>(decode_tokens_) / (static_cast<double>(ns) * 1e-9) : 0.0;
}

}  // namespace rwttt
