// FaultyHistory: a HistorySink decorator that records what a fault really did to a step's view:
// a commit that had not ended when its owner's next READ started (uncommitted-read), or the stamp
// of the saved state a stale or restored step really read (stale-read, lost-update). Steps are
// named by their step ids, which the simulator assigns at dispatch, before their records come.
//
//   FaultyHistory history(file_sink);
//   history.Hold(write_step);  history.ReleaseAt(read_step);   // the WRITE's end moves past
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/executor.h"

namespace rwttt {

class FaultyHistory final : public HistorySink {
 public:
  // `inner` outlives this.
  explicit FaultyHistory(HistorySink& inner) : inner_(inner) {}

  // The record of step `step` (a WRITE) is held back, with every record after it, until the
  // record of ReleaseAt's step. REQUIRES: nothing held.
  void Hold(std::uint64_t step);
  // The record of `step` (its owner's next READ) releases the held records, the held WRITE's
  // commit recorded as ending just after that READ starts.
  void ReleaseAt(std::uint64_t step);
  // The stamp the record of `step` saw is the stamp of the state saved at that moment (its slot's).
  void SaveSeenAt(std::uint64_t step);
  // The record of `step` reports as seen the stamp saved by the last SaveSeenAt step.
  void ReportSavedAt(std::uint64_t step);

  void Write(const HistoryStep& step) override;
  Status health() const override { return inner_.health(); }
  // Writes any records still held (a held commit whose READ never came).
  void Flush();

 private:
  HistorySink& inner_;
  std::optional<std::uint64_t> hold_, release_, save_, report_;
  std::vector<HistoryStep> held_;  // the held WRITE's record first
  OwnerId saved_owner_;
  Version saved_version_;
};

}  // namespace rwttt
