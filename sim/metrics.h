// The metrics summary of a run (DESIGN §5): throughput, latencies, batch sizes, device busy
// fraction, memory and admission waits, as text and JSON.
//
//   MetricsBuilder m(trace.size());  Record(m);  // the run: m.OnArrival(i, t) ... m.OnFinish(i, t)
//   Metrics s = m.Finish(prompt_tokens, output_tokens, /*lanes=*/1, budget_bytes);
//   std::puts(FormatMetrics(s).c_str());
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/strong_types.h"
#include "sim/latency_histogram.h"

namespace rwttt {

struct Metrics {
  std::uint64_t requests = 0;
  std::uint64_t steps = 0;
  std::uint64_t batches = 0;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t output_tokens = 0;
  Nanos first_arrival{0};
  Nanos last_completion{0};
  double makespan_s = 0;  // first arrival to last completion
  // Rates over the makespan; undefined (and written n/a or null) when it is 0.
  double output_tokens_per_s = 0;  // aggregate decode throughput: output tokens / makespan
  double requests_per_s = 0;       // requests completed / makespan
  bool rates_defined() const { return makespan_s > 0; }
  LatencySummary ttft;  // arrival to the first output token's READ completing
  LatencySummary tpot;  // (last - first output token) / (output tokens - 1), O >= 2
  // Inter-token latency: each gap between an owner's consecutive output tokens, so a WRITE that
  // stalls the next token shows here where TPOT averages it away. Percentiles within 1/64.
  LatencySummary itl;
  // Arrival to the last step completing: the final chunk's WRITE included when the stream ends on
  // a chunk boundary (vLLM's E2EL ends at the last token; see docs/simulator.md#metrics).
  LatencySummary e2e;
  LatencySummary admission_wait;                       // arrival to admission
  std::map<std::uint64_t, std::uint64_t> batch_sizes;  // size -> batches of that size
  std::uint32_t lanes = 1;
  double busy_fraction = 0;  // lane-time busy / (lanes * makespan)
  std::uint64_t peak_memory_bytes = 0;
  std::uint64_t budget_bytes = 0;
  std::uint64_t peak_admitted = 0;  // the most owners admitted at once
  // The host tier (docs/simulator.md#the-host-tier-offloadon): states copied to host memory and
  // back, and the most host memory they held at once.
  std::uint64_t offloads = 0;
  std::uint64_t restores = 0;
  std::uint64_t peak_host_bytes = 0;
};

class MetricsBuilder {
 public:
  // `requests`: the trace's requests. Every On* below names one by `request_index`, its position
  // in the trace (< requests).
  explicit MetricsBuilder(std::size_t requests);
  void OnArrival(std::size_t request_index, Nanos t);
  void OnAdmit(std::size_t request_index, Nanos t);
  void OnFirstToken(std::size_t request_index, Nanos t);
  void OnLastToken(std::size_t request_index, Nanos t, std::uint32_t output_tokens);
  // Every output token's READ completing, the first included, in time order per request.
  void OnOutputToken(std::size_t request_index, Nanos t);
  void OnFinish(std::size_t request_index, Nanos t);
  void OnBatch(std::uint64_t size, std::uint64_t tokens, Nanos busy);
  void OnMemory(std::uint64_t in_use);
  // A state's copy to host memory (`to_host`) or back ended; `host_in_use` is the host memory
  // offloaded states hold after it.
  void OnMove(bool to_host, std::uint64_t host_in_use);
  // REQUIRES: every request finished.
  Metrics Finish(std::uint64_t prompt_tokens, std::uint64_t output_tokens, std::uint32_t lanes,
                 std::uint64_t budget_bytes);

 private:
  struct RequestTimes {
    Nanos arrival{0}, admitted{0}, first_token{-1}, last_output{-1};
  };
  std::vector<RequestTimes> requests_;  // [requests]
  std::vector<std::int64_t> ttft_, tpot_, e2e_, wait_;
  LatencyHistogram itl_;
  Metrics m_;
  std::int64_t busy_ns_ = 0;
  std::uint64_t admitted_ = 0;
  std::vector<std::uint64_t> batch_sizes_;  // [largest batch + 1]: batches of each size
  bool any_arrival_ = false;
};

std::string FormatMetrics(const Metrics& m);
std::string MetricsToJson(const Metrics& m);

}  // namespace rwttt
