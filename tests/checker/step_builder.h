// Test helper: terse construction of history steps that a correct execution would log, to be
// changed field by field. Depends on the history's data types only, so that the reference checker's
// tests use it without the production checker.
//
//   StepBuilder h;  h.Read(0, 0, {0, 4}, 0, 10);  h.Write(0, 0, {0, 4}, 10, 20).commit_slot = 3;
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "checker/history.h"

namespace rwttt::testing {

class StepBuilder {
 public:
  // A READ of `owner` tagged `version` that saw (owner, version) in slot `owner`, unless changed.
  // Ids count from 0 in order of addition. The reference is valid until the next Read or Write.
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
  const std::vector<HistoryStep>& steps() const { return steps_; }

 private:
  std::vector<HistoryStep> steps_;
};

}  // namespace rwttt::testing
