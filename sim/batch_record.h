// What the simulator reports of each batch it ran, to the observers that record it (the
// timeline, tests).
//
//   void OnBatch(const BatchRecord& b) override { for (const BatchStep& s : b.steps) Use(s); }
#pragma once

#include <cstdint>
#include <span>

#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

struct BatchStep {
  std::uint64_t step_id = 0;  // the history's step id
  Step step;                  // the program step it ran (owner, version, effect, tokens)
  std::uint32_t slot = 0;     // the slot it read
  friend bool operator==(const BatchStep&, const BatchStep&) = default;
};

struct BatchRecord {
  std::uint64_t batch_id = 0;
  std::uint32_t lane = 0;
  Nanos start{0};
  Nanos end{0};
  std::uint64_t swap_bytes = 0;
  std::span<const BatchStep> steps;
};

// A state's copy over the host link (docs/simulator.md#the-host-tier-offloadon).
struct LinkCopy {
  bool to_host = true;  // an offload; false: a restore
  OwnerId owner;
  Nanos start{0};
  Nanos end{0};
  std::uint64_t bytes = 0;
};

class BatchObserver {
 public:
  virtual ~BatchObserver() = default;
  // Once per batch, in start order (batch ids ascending), when it and every batch started before
  // it have ended (lanes sharing the device may end out of start order). `batch` is valid only
  // during the call.
  virtual void OnBatch(const BatchRecord& batch) = 0;
  // Once per copy over the host link, when it ends (each direction's in start order).
  virtual void OnMove(const LinkCopy& move) { (void)move; }
};

}  // namespace rwttt
