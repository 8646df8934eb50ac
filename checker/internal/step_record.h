// The checker's compact record of one step (80 bytes, vs. ~200 for HistoryStep and far more for
// the parsed line), and real-time order. Private to checker/.
//
//   const StepRecord& r = set.records[i];  if (r.is_write() && Precedes(r, other)) ...
#pragma once

#include <cstdint>

#include "core/step.h"

namespace rwttt::internal {

inline constexpr std::uint32_t kNone = 0xffffffffu;

struct StepRecord {
  std::uint64_t step_id = 0;
  std::uint64_t batch = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::uint64_t digest = 0;            // out_digest (READ) or state_digest (WRITE), when has_digest
  std::uint32_t owner_index = 0;       // dense owner index (RecordSet::owner_ids)
  std::uint32_t seen_owner_index = 0;  // dense owner index
  std::uint32_t version = 0;           // the tag
  std::uint32_t seen_version = 0;
  std::uint32_t commit_version = 0;  // WRITE only
  std::uint32_t first_token = 0;
  std::uint32_t end_token = 0;
  std::uint32_t slot = 0;         // dense slot index (RecordSet::slot_ids)
  std::uint32_t commit_slot = 0;  // dense slot index; WRITE only
  Effect effect = Effect::kRead;
  bool has_batch = false;
  bool has_digest = false;

  bool is_write() const { return effect == Effect::kWrite; }
  bool took_time() const { return start_ns < end_ns; }
};
static_assert(sizeof(StepRecord) <= 80);

// Real-time order (docs/checker.md#the-rules-precisely): `a` precedes `b` when it ended before
// `b` started, or ended exactly when `b` started and one of them took time. Two instantaneous
// steps at one instant are concurrent, so that the relation stays a strict partial order.
inline bool Precedes(const StepRecord& a, const StepRecord& b) {
  return a.end_ns < b.start_ns || (a.end_ns == b.start_ns && (a.took_time() || b.took_time()));
}
// Neither precedes the other.
inline bool Overlap(const StepRecord& a, const StepRecord& b) {
  return !Precedes(a, b) && !Precedes(b, a);
}

}  // namespace rwttt::internal
