#include "sim/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/units.h"

namespace rwttt {
namespace {

LatencySummary Summarize(std::vector<std::int64_t>& v) {
  LatencySummary s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (std::int64_t x : v) sum += static_cast<double>(x);
  s.mean_ns = sum / static_cast<double>(v.size());
  const auto rank = [&](double p) {
    auto r = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(r, 1, v.size()) - 1];
  };
  s.p50_ns = rank(50);
  s.p90_ns = rank(90);
  s.p99_ns = rank(99);
  s.max_ns = v.back();
  return s;
}

std::string LatencyLine(const char* name, const LatencySummary& s) {
  if (s.count == 0) return fmt::format("{:<16} n/a\n", name);
  return fmt::format(
      "{:<16} mean {:>10.3f}  p50 {:>10.3f}  p90 {:>10.3f}  p99 {:>10.3f}  max "
      "{:>10.3f} ms\n",
      name, s.mean_ns / 1e6, s.p50_ns / 1e6, s.p90_ns / 1e6, s.p99_ns / 1e6, s.max_ns / 1e6);
}

// With no samples the statistics are undefined: null, never 0.
std::string LatencyJson(const LatencySummary& s) {
  if (s.count == 0) {
    return R"({"count":0,"mean_ns":null,"p50_ns":null,"p90_ns":null,"p99_ns":null,"max_ns":null})";
  }
  return fmt::format(
      R"({{"count":{},"mean_ns":{},"p50_ns":{},"p90_ns":{},"p99_ns":{},"max_ns":{}}})", s.count,
      s.mean_ns, s.p50_ns, s.p90_ns, s.p99_ns, s.max_ns);
}

std::string RateJson(const Metrics& m, double rate) {
  return m.rates_defined() ? fmt::format("{}", rate) : "null";
}

}  // namespace

MetricsBuilder::MetricsBuilder(std::size_t requests) : requests_(requests) {
  ttft_.reserve(requests);
  e2e_.reserve(requests);
  wait_.reserve(requests);
}

void MetricsBuilder::OnArrival(std::size_t request_index, Nanos t) {
  requests_[request_index].arrival = t;
  if (!any_arrival_) m_.first_arrival = t;
  any_arrival_ = true;
}

void MetricsBuilder::OnAdmit(std::size_t request_index, Nanos t) {
  requests_[request_index].admitted = t;
  m_.peak_admitted = std::max(m_.peak_admitted, ++admitted_);
  wait_.push_back((t - requests_[request_index].arrival).value());
}

void MetricsBuilder::OnFirstToken(std::size_t request_index, Nanos t) {
  requests_[request_index].first_token = t;
  ttft_.push_back((t - requests_[request_index].arrival).value());
}

void MetricsBuilder::OnLastToken(std::size_t request_index, Nanos t, std::uint32_t output_tokens) {
  if (output_tokens < 2) return;
  tpot_.push_back((t - requests_[request_index].first_token).value() / (output_tokens - 1));
}

void MetricsBuilder::OnOutputToken(std::size_t request_index, Nanos t) {
  RequestTimes& o = requests_[request_index];
  if (o.last_output.value() >= 0) itl_.Add((t - o.last_output).value());
  o.last_output = t;
}

void MetricsBuilder::OnFinish(std::size_t request_index, Nanos t) {
  e2e_.push_back((t - requests_[request_index].arrival).value());
  --admitted_;
  m_.last_completion = std::max(m_.last_completion, t);
}

void MetricsBuilder::OnBatch(std::uint64_t size, std::uint64_t tokens, Nanos busy) {
  (void)tokens;
  ++m_.batches;
  m_.steps += size;
  if (size >= batch_sizes_.size()) batch_sizes_.resize(size + 1, 0);
  ++batch_sizes_[size];
  busy_ns_ += busy.value();
}

void MetricsBuilder::OnMemory(std::uint64_t in_use) {
  m_.peak_memory_bytes = std::max(m_.peak_memory_bytes, in_use);
}

void MetricsBuilder::OnMove(bool to_host, std::uint64_t host_in_use) {
  ++(to_host ? m_.offloads : m_.restores);
  m_.peak_host_bytes = std::max(m_.peak_host_bytes, host_in_use);
}

Metrics MetricsBuilder::Finish(std::uint64_t prompt_tokens, std::uint64_t output_tokens,
                               std::uint32_t lanes, std::uint64_t budget_bytes) {
  Metrics m = m_;
  for (std::size_t size = 0; size < batch_sizes_.size(); ++size) {
    if (batch_sizes_[size] > 0) m.batch_sizes[size] = batch_sizes_[size];
  }
  m.requests = requests_.size();
  m.prompt_tokens = prompt_tokens;
  m.output_tokens = output_tokens;
  m.lanes = lanes;
  m.budget_bytes = budget_bytes;
  m.makespan_s = (m.last_completion - m.first_arrival).seconds();
  if (m.makespan_s > 0) {
    m.output_tokens_per_s = static_cast<double>(output_tokens) / m.makespan_s;
    m.requests_per_s = static_cast<double>(m.requests) / m.makespan_s;
    m.busy_fraction = static_cast<double>(busy_ns_) * 1e-9 / (lanes * m.makespan_s);
  }
  m.ttft = Summarize(ttft_);
  m.tpot = Summarize(tpot_);
  m.itl = itl_.Summary();
  m.e2e = Summarize(e2e_);
  m.admission_wait = Summarize(wait_);
  return m;
}

std::string FormatMetrics(const Metrics& m) {
  std::string out;
  out += fmt::format("requests         {}  ({} prompt + {} output tokens)\n", m.requests,
                     m.prompt_tokens, m.output_tokens);
  out += fmt::format("steps            {} in {} batches (mean batch {:.2f})\n", m.steps, m.batches,
                     m.batches ? static_cast<double>(m.steps) / m.batches : 0.0);
  out += fmt::format("makespan         {:.6f} s\n", m.makespan_s);
  out += m.rates_defined() ? fmt::format("throughput       {:.2f} output tok/s, {:.2f} req/s\n",
                                         m.output_tokens_per_s, m.requests_per_s)
                           : "throughput       n/a (no time elapsed)\n";
  out += LatencyLine("ttft", m.ttft);
  out += LatencyLine("tpot", m.tpot);
  out += LatencyLine("itl", m.itl);
  out += LatencyLine("e2e", m.e2e);
  out += LatencyLine("admission wait", m.admission_wait);
  out += m.rates_defined() ? fmt::format("device busy      {:.1f}% of {} lane(s)\n",
                                         100 * m.busy_fraction, m.lanes)
                           : fmt::format("device busy      n/a of {} lane(s)\n", m.lanes);
  out +=
      fmt::format("peak memory      {} of {} budget, {} owners admitted at most\n",
                  FormatBytes(m.peak_memory_bytes), FormatBytes(m.budget_bytes), m.peak_admitted);
  if (m.offloads + m.restores > 0) {
    out += fmt::format("host tier        {} offloads, {} restores, peak {} in host memory\n",
                       m.offloads, m.restores, FormatBytes(m.peak_host_bytes));
  }
  out += "batch sizes     ";
  for (const auto& [size, count] : m.batch_sizes) out += fmt::format(" {}:{}", size, count);
  out += "\n";
  return out;
}

std::string MetricsToJson(const Metrics& m) {
  std::string sizes;
  for (const auto& [size, count] : m.batch_sizes) {
    sizes += fmt::format("{}\"{}\":{}", sizes.empty() ? "" : ",", size, count);
  }
  return fmt::format(
      R"({{"requests":{},"steps":{},"batches":{},"prompt_tokens":{},"output_tokens":{},)"
      R"("first_arrival_ns":{},"last_completion_ns":{},"makespan_s":{},"output_tokens_per_s":{},)"
      R"("requests_per_s":{},)"
      R"("ttft":{},"tpot":{},"itl":{},"e2e":{},"admission_wait":{},"batch_sizes":{{{}}},"lanes":{},)"
      R"("busy_fraction":{},"peak_memory_bytes":{},"budget_bytes":{},"peak_admitted":{},)"
      R"("offloads":{},"restores":{},"peak_host_bytes":{}}})",
      m.requests, m.steps, m.batches, m.prompt_tokens, m.output_tokens, m.first_arrival.value(),
      m.last_completion.value(), m.makespan_s, RateJson(m, m.output_tokens_per_s),
      RateJson(m, m.requests_per_s), LatencyJson(m.ttft), LatencyJson(m.tpot), LatencyJson(m.itl),
      LatencyJson(m.e2e), LatencyJson(m.admission_wait), sizes, m.lanes,
      RateJson(m, m.busy_fraction), m.peak_memory_bytes, m.budget_bytes, m.peak_admitted,
      m.offloads, m.restores, m.peak_host_bytes);
}

}  // namespace rwttt
