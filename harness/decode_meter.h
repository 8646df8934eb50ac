// Decode-only throughput, the figure the RW-TTT paper reports (docs/paper-reproduction.md): output
// tokens over the time the device spends serving the decode phase, prefill and loading excluded.
//
//   DecodeMeter meter(trace);  config.observer = &meter;
//   RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *policy, config));
//   double tok_s = meter.tokens_per_s();
//
// A step is a decode step when it is a READ of a generated token (first_token >= the owner's
// prompt length) or a WRITE that closes a chunk ending past the prompt. The decode time is the
// measure of the union of the [start, end) intervals of the batches holding at least one decode
// step, on any lane: time when only prefill runs (and the swap-in before an owner's first READ)
// is excluded; time when one lane prefills while another decodes is counted, as a wall clock
// around the decode phase would count it.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>

#include "core/request.h"
#include "sim/batch_record.h"

namespace rwttt {

class DecodeMeter final : public BatchObserver {
 public:
  // `trace` gives each owner's prompt length; it must outlive nothing: lengths are copied.
  explicit DecodeMeter(std::span<const Request> trace);

  // REQUIRES: batches arrive in non-decreasing start order (the simulator dispatches them so).
  void OnBatch(const BatchRecord& batch) override;

  std::uint64_t decode_tokens() const { return decode_tokens_; }
  // Nanoseconds covered by decode batches, overlapping intervals counted once.
  std::int64_t decode_ns() const;
  // decode_tokens / decode time, in tokens per second; 0 when no decode step ran.
  double tokens_per_s() const;

 private:
  std::unordered_map<std::uint64_t, std::uint32_t> prompt_of_;  // owner id -> prompt tokens
  std::uint64_t decode_tokens_ = 0;
  std::int64_t closed_ns_ = 0;                  // length of the finished part of the union
  std::int64_t open_start_ = 0, open_end_ = 0;  // the interval still growing; empty when equal
  std::int64_t last_start_ = 0;
};

}  // namespace rwttt
