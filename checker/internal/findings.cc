#include <algorithm>

#include "checker/step_record.h"

namespace rwttt::internal {

void Findings::Add(std::string_view type, std::optional<std::uint64_t> owner,
                   std::vector<std::uint64_t> steps, const std::function<std::string()>& explain) {
  std::uint64_t& n = count_[std::string(type)];
  if (n++ >= max_per_type_) {
    ++omitted_[std::string(type)];
    return;
  }
  anomalies_.push_back(Anomaly{std::string(type), owner, std::move(steps), explain()});
}

void Findings::MoveInto(CheckReport& report) {
  auto rank = [](const std::string& type) {
    return std::find(std::begin(kAnomalyTypes), std::end(kAnomalyTypes), type) -
           std::begin(kAnomalyTypes);
  };
  // Stable: within a type, the order found (history order for the streaming checks).
  std::stable_sort(anomalies_.begin(), anomalies_.end(),
                   [&](const Anomaly& a, const Anomaly& b) { return rank(a.type) < rank(b.type); });
  for (Anomaly& a : anomalies_) report.anomalies.push_back(std::move(a));
  for (auto& [type, n] : omitted_) report.omitted[type] += n;
  anomalies_.clear();
  omitted_.clear();
}

}  // namespace rwttt::internal
