#include "sim/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/check.h"

namespace rwttt {

int LatencyHistogram::Bucket(std::uint64_t ns) {
  if (ns < (1u << kSubBits)) return static_cast<int>(ns);
  const int e = std::bit_width(ns) - 1;  // >= kSubBits
  const int shift = e - kSubBits;
  const auto sub = static_cast<int>((ns >> shift) & ((1u << kSubBits) - 1));
  return ((shift + 1) << kSubBits) + sub;
}

std::int64_t LatencyHistogram::UpperBound(int bucket) {
  if (bucket < (1 << kSubBits)) return bucket;
  const int shift = (bucket >> kSubBits) - 1;
  const std::uint64_t sub = bucket & ((1 << kSubBits) - 1);
  const std::uint64_t top = ((std::uint64_t{1} << kSubBits) + sub + 1) << shift;
  return static_cast<std::int64_t>(std::min<std::uint64_t>(top - 1, INT64_MAX));
}

void LatencyHistogram::Add(std::int64_t ns) {
  RWTTT_CHECK(ns >= 0) << "negative latency " << ns;
  ++counts_[Bucket(static_cast<std::uint64_t>(ns))];
  ++count_;
  sum_ += static_cast<double>(ns);
  max_ = std::max(max_, ns);
}

LatencySummary LatencyHistogram::Summary() const {
  LatencySummary s;
  s.count = count_;
  if (count_ == 0) return s;
  s.mean_ns = sum_ / static_cast<double>(count_);
  s.max_ns = max_;
  const auto rank = [&](double p) {
    const auto r = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen >= r) return std::min(UpperBound(b), max_);
    }
    return max_;
  };
  s.p50_ns = rank(50);
  s.p90_ns = rank(90);
  s.p99_ns = rank(99);
  return s;
}

}  // namespace rwttt
