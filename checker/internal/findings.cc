#include "checker/internal/findings.h"

#include <algorithm>

namespace rwttt::internal {

void Findings::Merge(Findings&& other) {
  std::array<std::uint64_t, kAnomalyTypeCount> detailed{};
  for (const Anomaly& a : anomalies_) ++detailed[Index(a.type)];
  for (Anomaly& a : other.anomalies_) {
    if (detailed[Index(a.type)]++ < max_per_type_) anomalies_.push_back(std::move(a));
  }
  for (int i = 0; i < kAnomalyTypeCount; ++i) counts_[i] += other.counts_[i];
  other.anomalies_.clear();
  other.counts_ = {};
}

void Findings::MoveInto(CheckReport& report) {
  // Stable: within a type, the order found.
  std::stable_sort(anomalies_.begin(), anomalies_.end(),
                   [](const Anomaly& a, const Anomaly& b) { return a.type < b.type; });
  for (Anomaly& a : anomalies_) report.anomalies.push_back(std::move(a));
  for (int i = 0; i < kAnomalyTypeCount; ++i) report.counts[i] += counts_[i];
  anomalies_.clear();
  counts_ = {};
}

}  // namespace rwttt::internal
