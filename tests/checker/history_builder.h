// Test helpers: histories built step by step (step_builder.h) and judged by the production
// checker, and the anomaly types a check finds.
//
//   HistoryBuilder h;  h.Read(0, 0, {0, 4}, 0, 10);  h.Write(0, 0, {0, 4}, 10, 20);
//   EXPECT_EQ(Types(h.Check()), (std::set<std::string>{}));
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/history_checker.h"
#include "tests/checker/step_builder.h"

namespace rwttt::testing {

// A StepBuilder whose steps the production checker judges.
class HistoryBuilder : public StepBuilder {
 public:
  CheckReport Check(CheckOptions options = {}, HistoryHeader header = {}) const {
    HistoryChecker checker(header, std::move(options));
    for (const HistoryStep& s : steps()) checker.Add(s);
    return checker.Finish();
  }
};

inline std::set<std::string> Types(const CheckReport& report) {
  std::set<std::string> types;
  for (const Anomaly& a : report.anomalies) types.insert(std::string(AnomalyName(a.type)));
  return types;
}

}  // namespace rwttt::testing
