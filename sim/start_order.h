// Per-batch records released in batch-id order, which is start order, although lanes sharing the
// device (sim/device_sharing.h) end their batches out of that order: a batch's record waits until
// every batch started before it has ended. With one lane it is released as its batch ends.
//
//   StartOrder<std::vector<HistoryStep>> pending;
//   pending.Open(batch_id) = records;                   // at dispatch; ids increase
//   pending.at(batch_id)[0].end = end;                  // at its end, then:
//   pending.End(batch_id, [&](auto& r) { Write(r); });  // released once earlier ones are
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/check.h"

namespace rwttt {

template <typename Record>
class StartOrder {
 public:
  // The record of a batch just started: empty, or an earlier record's storage for the caller to
  // clear and refill.
  // REQUIRES: `batch_id` above every id opened before.
  Record& Open(std::uint64_t batch_id) {
    RWTTT_CHECK(open_.empty() || open_.back().id < batch_id) << "batch ids must increase";
    Entry& o = open_.emplace_back();
    o.id = batch_id;
    if (!spare_.empty()) {  // a released record's storage, reused: no allocation per batch
      o.record = std::move(spare_.back());
      spare_.pop_back();
    }
    return o.record;
  }

  // Batch `batch_id` ended: `release(record)` is called, in id order, for every ended batch no
  // running batch started before (this one, once its earlier ones have ended).
  template <typename Release>
  void End(std::uint64_t batch_id, Release&& release) {
    auto it =
        std::find_if(open_.begin(), open_.end(), [&](const Entry& o) { return o.id == batch_id; });
    RWTTT_CHECK(it != open_.end()) << "batch " << batch_id << " was not open";
    it->ended = true;
    while (!open_.empty() && open_.front().ended) {
      release(open_.front().record);
      spare_.push_back(std::move(open_.front().record));
      open_.pop_front();
    }
  }

  // The open record of `batch_id`. REQUIRES: it is open.
  Record& at(std::uint64_t batch_id) {
    auto it =
        std::find_if(open_.begin(), open_.end(), [&](const Entry& o) { return o.id == batch_id; });
    RWTTT_CHECK(it != open_.end()) << "batch " << batch_id << " was not open";
    return it->record;
  }

 private:
  struct Entry {
    std::uint64_t id = 0;
    bool ended = false;
    Record record;
  };
  std::deque<Entry> open_;  // in id order
  std::vector<Record> spare_;
};

}  // namespace rwttt
