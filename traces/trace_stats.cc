#include "traces/trace_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/json_writer.h"

namespace rwttt {
namespace {

LengthSummary Summarize(std::vector<std::uint32_t>& values) {
  LengthSummary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  for (std::uint32_t v : values) s.total += v;
  s.mean = static_cast<double>(s.total) / values.size();
  s.min = values.front();
  s.p50 = NearestRank(values, 50);
  s.p90 = NearestRank(values, 90);
  s.p99 = NearestRank(values, 99);
  s.max = values.back();
  return s;
}

std::string SummaryLine(const char* name, const LengthSummary& s) {
  return fmt::format("{:<8} mean {:>9.1f}  min {:>7}  p50 {:>7}  p90 {:>7}  p99 {:>7}  max {:>7}\n",
                     name, s.mean, s.min, s.p50, s.p90, s.p99, s.max);
}

std::string SummaryJson(const LengthSummary& s) {
  return fmt::format(R"({{"mean":{},"min":{},"p50":{},"p90":{},"p99":{},"max":{},"total":{}}})",
                     s.mean, s.min, s.p50, s.p90, s.p99, s.max, s.total);
}

}  // namespace

std::uint64_t NearestRank(const std::vector<std::uint32_t>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void TraceStatsBuilder::Add(const Request& r) {
  if (prompts_.empty()) {
    first_ = r.arrival;
  } else {
    const double gap = (r.arrival - last_).seconds();
    ++gaps_;
    const double delta = gap - gap_mean_;
    gap_mean_ += delta / static_cast<double>(gaps_);
    gap_m2_ += delta * (gap - gap_mean_);
  }
  last_ = r.arrival;
  prompts_.push_back(r.prompt_tokens);
  outputs_.push_back(r.output_tokens);
}

TraceStats TraceStatsBuilder::Finish() {
  TraceStats s;
  s.count = prompts_.size();
  s.first_arrival = first_;
  s.last_arrival = last_;
  s.span_s = (last_ - first_).seconds();
  if (s.span_s > 0) s.rate_per_s = static_cast<double>(s.count - 1) / s.span_s;
  if (gaps_ > 1 && gap_mean_ > 0) {
    s.interarrival_cv = std::sqrt(gap_m2_ / static_cast<double>(gaps_)) / gap_mean_;
  }
  s.prompt = Summarize(prompts_);
  s.output = Summarize(outputs_);
  return s;
}

std::string FormatTraceStats(const TraceStats& s, const std::string& source) {
  std::string out = fmt::format("trace    {}\n", source);
  out += fmt::format("requests {}\n", s.count);
  out += fmt::format("span     {:.3f} s ({} ns to {} ns)\n", s.span_s, s.first_arrival.value(),
                     s.last_arrival.value());
  out += s.rate_per_s ? fmt::format("rate     {:.3f} req/s\n", *s.rate_per_s)
                      : "rate     n/a (every request arrives at one instant)\n";
  out += s.interarrival_cv
             ? fmt::format("burst    {:.3f} (coefficient of variation of inter-arrival gaps; "
                           "1 = Poisson)\n",
                           *s.interarrival_cv)
             : "burst    n/a (needs two gaps between arrivals, not all zero)\n";
  out += "tokens\n";
  out += SummaryLine("prompt", s.prompt);
  out += SummaryLine("output", s.output);
  return out;
}

std::string TraceStatsToJson(const TraceStats& s, const std::string& source) {
  return fmt::format(
      R"({{"trace":{},"requests":{},"first_arrival_ns":{},"last_arrival_ns":{},"span_s":{},)"
      R"("rate_per_s":{},"interarrival_cv":{},"prompt_tokens":{},"output_tokens":{}}})",
      JsonString(source), s.count, s.first_arrival.value(), s.last_arrival.value(), s.span_s,
      s.rate_per_s ? fmt::format("{}", *s.rate_per_s) : "null",
      s.interarrival_cv ? fmt::format("{}", *s.interarrival_cv) : "null", SummaryJson(s.prompt),
      SummaryJson(s.output));
}

}  // namespace rwttt
