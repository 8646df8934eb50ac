// Test helpers: terse construction of history steps, and the anomaly types a check finds.
//
//   HistoryBuilder h;  h.Read(0, 0, {0, 4}, 0, 10);  h.Write(0, 0, {0, 4}, 10, 20);
//   EXPECT_EQ(Types(h.Check()), (std::set<std::string>{}));
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/history_checker.h"

namespace rwttt::testing {

class HistoryBuilder {
 public:
  // A READ of `owner` tagged `version` that saw (owner, version) in slot `owner`, unless changed.
  HistoryStep& Read(std::uint64_t owner, std::uint64_t version,
                    std::pair<std::uint64_t, std::uint64_t> tokens, std::int64_t start,
                    std::int64_t end) {
    HistoryStep s;
    s.step = steps_.size();
    s.owner = OwnerId{owner};
    s.effect = Effect::kRead;
    s.version = Version{version};
    s.first_token = tokens.first;
    s.end_token = tokens.second;
    s.start = Nanos{start};
    s.end = Nanos{end};
    s.slot = owner;
    s.seen_owner = OwnerId{owner};
    s.seen_version = Version{version};
    steps_.push_back(s);
    return steps_.back();
  }
  // A WRITE tagged `version` that commits version + 1 in place.
  HistoryStep& Write(std::uint64_t owner, std::uint64_t version,
                     std::pair<std::uint64_t, std::uint64_t> tokens, std::int64_t start,
                     std::int64_t end) {
    HistoryStep& s = Read(owner, version, tokens, start, end);
    s.effect = Effect::kWrite;
    s.commit_slot = s.slot;
    s.commit_version = Version{version + 1};
    return s;
  }
  std::vector<HistoryStep>& steps() { return steps_; }

  CheckReport Check(CheckOptions options = {}, HistoryHeader header = {}) const {
    HistoryChecker checker(header, std::move(options));
    for (const HistoryStep& s : steps_) checker.Add(s);
    return checker.Finish();
  }

 private:
  std::vector<HistoryStep> steps_;
};

inline std::set<std::string> Types(const CheckReport& report) {
  std::set<std::string> types;
  for (const Anomaly& a : report.anomalies) types.insert(std::string(AnomalyName(a.type)));
  return types;
}

}  // namespace rwttt::testing
