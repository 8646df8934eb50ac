// The records a HistoryChecker collected, indexed for the checks that run at Finish, and what
// the checks share: the chunk size and each owner's request. Private to checker/.
//
//   RecordSet set;  ...  set.IndexByOwner();
//   for (std::uint32_t i : set.StepsOf(owner)) Use(set.records[i]);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/history_checker.h"
#include "checker/internal/chunked_vector.h"
#include "checker/internal/step_record.h"
#include "core/request.h"

namespace rwttt::internal {

using Records = ChunkedVector<StepRecord>;

// A step in the base slot that logged a stamp other than (its owner, 0): what it logged. Its record
// holds (its owner, 0), the stamp checks 3 and 4 take it to have seen.
struct BaseStampLogged {
  std::uint32_t index = 0;  // the step's position in the history
  std::uint64_t seen_owner = 0;
  std::uint64_t seen_version = 0;
};

// A move (docs/checker.md#moves-a-host-tier): an owner's state copied between slots. Check 2 judges
// it among the steps, at its place in the history; the other checks never see it.
struct MoveRecord {
  // step_id: the move's id; owner_index; slot: where it moved from; commit_slot: where to;
  // start_ns, end_ns. The rest is unused.
  StepRecord r;
  std::uint32_t position = 0;    // the steps before it in the history
  std::uint64_t seen_owner = 0;  // the stamp's owner, as logged
};

struct RecordSet {
  Records records;                         // [steps], history order
  std::vector<OwnerId> owner_ids;          // [owners]: dense owner index -> id
  std::vector<std::uint64_t> slot_ids;     // [slots]: dense slot index -> slot
  std::vector<std::uint32_t> by_owner;     // [steps]: each owner's steps in history order
  std::vector<std::uint32_t> owner_begin;  // [owners + 1]: owner o's steps in by_owner
  // The header's base slot as a dense index; kNone when the header declares none or no step uses
  // it. The base steps whose logged stamp was not their own version 0, in history order.
  std::uint32_t base_slot = kNone;
  std::vector<BaseStampLogged> base_stamps;
  std::vector<MoveRecord> moves;  // in history order

  // Builds by_owner and owner_begin (a counting sort: O(n), 4 bytes a step).
  void IndexByOwner();
  std::span<const std::uint32_t> StepsOf(std::uint32_t owner) const {
    return {by_owner.data() + owner_begin[owner], by_owner.data() + owner_begin[owner + 1]};
  }
  std::uint64_t OwnerOf(std::uint32_t index) const {
    return owner_ids[records[index].owner_index].value();
  }
  // The step at `index` in words, the one way every finding names a step:
  // "step 3 (owner 0, READ of tokens [0,4) at version 0)".
  std::string Describe(std::uint32_t index) const;
  // The same without its tokens, for cycles, whose hops are about versions:
  // "step 3 (owner 0, READ at version 0)".
  std::string DescribeBrief(std::uint32_t index) const;
};

// What every check at Finish reads.
struct CheckContext {
  const RecordSet& set;
  const HistoryHeader& header;
  const CheckOptions& options;
  std::uint32_t chunk = 0;  // C; 0 when unknown
  // The trace's requests sorted by id, when the trace is known; else nullptr.
  const std::vector<Request>* trace = nullptr;
  // [owners]: the owner's request in *trace, or nullptr (no trace, or not a request of it).
  std::vector<const Request*> request_of;
  bool trace_known() const { return trace != nullptr; }
};

}  // namespace rwttt::internal
