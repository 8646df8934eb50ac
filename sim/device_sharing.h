// How lanes running at once (replicas) share the device, exactly: a batch first spends its host
// time (the launch and per-layer framework overheads), which overlaps anything, then its device
// time (its bytes and FLOPs at the device's full bandwidth and peak: what it takes alone).
// Batches in their device part share the device equally (processor sharing): with n of them, each
// advances at 1/n of its own speed, re-timed whenever one joins or leaves. So at no instant do
// lanes together move more bytes per second, or do more FLOPs, than the device allows, and a batch
// alone takes exactly its own time (docs/cost-model.md).
//
//   DeviceSharing device;
//   device.Start(/*lane=*/0, Nanos{0}, /*host=*/Nanos{100}, /*device=*/Nanos{1000});
//   device.Start(/*lane=*/1, Nanos{0}, Nanos{100}, Nanos{1000});
//   Nanos t = device.NextEnd();  // both share the device from 100 ns on: 2100
//   std::vector<std::uint32_t> ended;
//   device.AdvanceTo(t, ended);  // ended == {0, 1}
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "core/strong_types.h"

namespace rwttt {

class DeviceSharing {
 public:
  // A batch on `lane` (one at a time per lane), dispatched at `dispatch` (no earlier than the
  // clock), with `host` and `device` ns (>= 0) of its own time.
  void Start(std::uint32_t lane, Nanos dispatch, Nanos host, Nanos device);

  // The next instant at which a running batch ends; INT64_MAX when that is past the 2^63 ns clock.
  // REQUIRES: !empty().
  Nanos NextEnd() const;

  // Moves the clock to `t` (REQUIRES: t <= NextEnd()), appending to `ended` the lanes whose
  // batches end at `t`, in the order the batches started.
  void AdvanceTo(Nanos t, std::vector<std::uint32_t>& ended);

  bool empty() const { return state_.hosted.empty() && state_.active.empty(); }

 private:
  struct Hosted {  // in its host part until `until`
    Nanos until;
    std::uint64_t seq;
    std::uint32_t lane;
    std::int64_t device;
    bool operator>(const Hosted& o) const {
      return until != o.until ? until > o.until : seq > o.seq;
    }
  };
  struct Active {  // in its device part, `remaining` ns of its own device time left
    std::uint64_t seq;
    std::uint32_t lane;
    double remaining;
  };
  struct Ended {
    std::uint64_t seq;
    std::uint32_t lane;
  };
  struct State {
    std::priority_queue<Hosted, std::vector<Hosted>, std::greater<>> hosted;
    std::vector<Active> active;  // in start order
    Nanos now{0};

    // When `a` leaves if nothing joins or leaves first (whole ns, rounded up).
    Nanos EndOf(const Active& a) const;
    // The next instant a batch joins the device or leaves it.
    Nanos NextChange() const;
    // Moves to `t` <= NextChange(): the batches that leave at `t` go to `ended`, and those whose
    // host part ends at `t` join (one with no device time leaves at once).
    void Change(Nanos t, std::vector<Ended>& ended);
  };

  State state_;
  std::uint64_t next_seq_ = 0;
  std::vector<Ended> ended_scratch_;  // AdvanceTo's, kept for its storage
};

}  // namespace rwttt
