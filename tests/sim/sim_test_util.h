// Helpers for simulator tests: observers that keep what a run did.
#pragma once

#include <vector>

#include "sim/batch_record.h"
#include "sim/executor.h"

namespace rwttt::testing {

struct KeptBatch {
  std::uint64_t id;
  std::uint32_t lane;
  Nanos start, end;
  std::uint64_t swap_bytes;
  std::vector<BatchStep> steps;
};

class BatchLog final : public BatchObserver {
 public:
  void OnBatch(const BatchRecord& b) override {
    batches.push_back({b.batch_id, b.lane, b.start, b.end, b.swap_bytes,
                       std::vector<BatchStep>(b.steps.begin(), b.steps.end())});
  }
  void OnMove(const LinkCopy& m) override { moves.push_back(m); }
  std::vector<KeptBatch> batches;
  std::vector<LinkCopy> moves;  // the host link's copies, as each ended
};

class HistoryLog final : public HistorySink {
 public:
  void Write(const HistoryStep& step) override { steps.push_back(step); }
  std::vector<HistoryStep> steps;
};

}  // namespace rwttt::testing
