// Collects a check's anomalies: counts every finding, keeps the first `max_per_type` of each type
// in detail, and builds an explanation only for those (a broken policy can produce one per step).
// Private to checker/.
//
//   findings.Add(AnomalyType::kStaleRead, owner, [&] {
//     return Detail{{r.step_id}, fmt::format("step {} read ...", r.step_id)};
//   });
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/check_report.h"

namespace rwttt::internal {

struct Detail {
  Detail() = default;
  Detail(std::vector<std::uint64_t> s, std::string e)
      : steps(std::move(s)), explanation(std::move(e)) {}

  std::vector<std::uint64_t> steps;
  std::string explanation;
  std::optional<CycleClass> cycle_class;
};

class Findings {
 public:
  explicit Findings(std::uint64_t max_per_type) : max_per_type_(max_per_type) {}

  // Records one anomaly of `type`; `detail()` (returning Detail) is called only when the
  // anomaly is reported in detail.
  template <typename DetailFn>
  void Add(AnomalyType type, std::optional<std::uint64_t> owner, DetailFn&& detail) {
    if (counts_[Index(type)]++ >= max_per_type_) return;
    Detail d = detail();
    anomalies_.push_back(
        Anomaly{type, owner, std::move(d.steps), std::move(d.explanation), d.cycle_class});
  }
  std::uint64_t Count(AnomalyType type) const { return counts_[Index(type)]; }

  // Appends `other`'s findings after this one's, as if they had been added here in order.
  void Merge(Findings&& other);
  // Moves the anomalies into `report`: counts, and details grouped by type in AnomalyType order.
  void MoveInto(CheckReport& report);

 private:
  std::uint64_t max_per_type_;
  std::vector<Anomaly> anomalies_;
  std::array<std::uint64_t, kAnomalyTypeCount> counts_{};
};

}  // namespace rwttt::internal
