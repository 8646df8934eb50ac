#include "sim/faults/faulty_history.h"

#include <algorithm>

#include "core/check.h"

namespace rwttt {

void FaultyHistory::Hold(std::uint64_t step) {
  RWTTT_CHECK(held_.empty() && !hold_) << "one held commit at a time";
  hold_ = step;
}

void FaultyHistory::ReleaseAt(std::uint64_t step) { release_ = step; }

void FaultyHistory::SaveSeenAt(std::uint64_t step) { save_ = step; }

void FaultyHistory::ReportSavedAt(std::uint64_t step) { report_ = step; }

void FaultyHistory::Write(const HistoryStep& step) {
  HistoryStep h = step;
  if (report_ == h.step) {
    h.seen_owner = saved_owner_;
    h.seen_version = saved_version_;
    report_.reset();
  }
  if (save_ == h.step) {
    saved_owner_ = h.seen_owner;
    saved_version_ = h.seen_version;
    save_.reset();
  }
  if (hold_ == h.step) {
    hold_.reset();
    held_.push_back(h);
    return;
  }
  if (held_.empty()) {
    inner_.Write(h);
    return;
  }
  held_.push_back(h);
  if (release_ == h.step) {
    release_.reset();
    HistoryStep& write = held_.front();
    write.end = std::max(write.end, h.start + Nanos{1});
    Flush();
  }
}

void FaultyHistory::Flush() {
  for (const HistoryStep& h : held_) inner_.Write(h);
  held_.clear();
}

}  // namespace rwttt
