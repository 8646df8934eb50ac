#include "checker/internal/isolation_check.h"

#include <fmt/format.h>

#include <algorithm>

namespace rwttt::internal {
namespace {

struct SlotState {
  std::uint32_t holder = kNone;       // dense owner index of the owner that holds the slot
  std::uint32_t holder_last = kNone;  // the holder's latest step that read or committed it
  std::uint32_t state_owner = kNone;  // whose state is in the slot
  std::uint32_t state_step = kNone;   // the step that put it there
};

// One pass over the records in history order, tracking who holds each slot and whose state is
// in it; each step is judged at its stamp, at its entry into its slot and at its commit. The base
// slot (copy-on-write version 0) is no owner's: steps read it without entering it, and a first
// WRITE from it enters the slot it commits into.
class IsolationScan {
 public:
  IsolationScan(const RecordSet& set, Findings& findings)
      : set_(set),
        records_(set.records),
        findings_(findings),
        slots_(set.slot_ids.size()),
        current_(set.owner_ids.size(), kNone),
        last_(set.owner_ids.size(), kNone) {
    for (std::uint32_t o = 0; o < set.owner_ids.size(); ++o) {
      if (!set.StepsOf(o).empty()) last_[o] = set.StepsOf(o).back();
    }
  }

  void Run() {
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
      if (records_[i].slot == set_.base_slot) {
        CheckBaseStamp(i);
      } else {
        CheckStamp(i);
        EnterSlot(i, records_[i].slot, true);
      }
      if (records_[i].is_write()) CheckCommit(i);
    }
  }

 private:
  std::uint64_t OwnerId(std::uint32_t dense) const { return set_.owner_ids[dense].value(); }
  std::uint64_t SlotId(std::uint32_t dense) const { return set_.slot_ids[dense]; }

  // The stamp a step saw in its slot must be its own owner's.
  void CheckStamp(std::uint32_t i) {
    const StepRecord& x = records_[i];
    if (x.seen_owner_index == x.owner_index) return;
    findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
      return Detail{{x.step_id},
                    fmt::format("{} read slot {}, which was stamped for owner {} (version {}): "
                                "it accessed another owner's state",
                                set_.Describe(i), SlotId(x.slot), OwnerId(x.seen_owner_index),
                                x.seen_version)};
    });
  }

  // A step in the base slot logs (its owner, 0): the base holds every owner's version 0. Its record
  // holds that stamp; what it logged otherwise is in set_.base_stamps, in history order.
  void CheckBaseStamp(std::uint32_t i) {
    while (next_base_stamp_ < set_.base_stamps.size() &&
           set_.base_stamps[next_base_stamp_].index < i) {
      ++next_base_stamp_;
    }
    if (next_base_stamp_ == set_.base_stamps.size() ||
        set_.base_stamps[next_base_stamp_].index != i) {
      return;
    }
    const BaseStampLogged& logged = set_.base_stamps[next_base_stamp_];
    const StepRecord& x = records_[i];
    findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
      if (logged.seen_owner != OwnerId(x.owner_index)) {
        return Detail{
            {x.step_id},
            fmt::format("{} read slot {}, which was stamped for owner {} (version {}): "
                        "it accessed another owner's state",
                        set_.Describe(i), SlotId(x.slot), logged.seen_owner, logged.seen_version)};
      }
      return Detail{{x.step_id},
                    fmt::format("{} logged version {} of its own state in the base slot {}, which "
                                "holds version 0: the log contradicts what the slot holds",
                                set_.Describe(i), logged.seen_version, SlotId(x.slot))};
    });
  }

  // Step i uses slot k (the slot it read, or with `read` false the slot a first WRITE from the
  // base commits into): legal for the slot's holder, or for a new owner once the holder has left
  // it for good; the slot's state must be what the step's log says.
  void EnterSlot(std::uint32_t i, std::uint32_t k, bool read) {
    const StepRecord& x = records_[i];
    const std::uint32_t o = x.owner_index;
    SlotState& slot = slots_[k];
    if (slot.holder != kNone && slot.holder != o) {
      CheckHandover(i, k, slot);
      slot.holder = o;
      slot.state_owner = o;
      slot.state_step = i;
    } else if (slot.holder == o) {
      if (read && current_[o] == k && slot.state_owner != o && x.seen_owner_index == o) {
        const std::uint32_t w = slot.state_step;
        findings_.Add(AnomalyType::kOwnerLeak, OwnerId(o), [&] {
          return Detail{{records_[w].step_id, x.step_id},
                        fmt::format("{} logged its own stamp (version {}) in slot {}, but {} had "
                                    "committed owner {}'s state there since owner {}'s previous "
                                    "step: the log contradicts what the slot held",
                                    set_.Describe(i), x.seen_version, SlotId(k), set_.Describe(w),
                                    OwnerId(slot.state_owner), OwnerId(o))};
        });
      }
      if (slot.state_owner != o) slot.state_step = i;
      slot.state_owner = o;
    } else {
      slot = SlotState{o, i, o, i};
    }
    slot.holder_last = i;
    current_[o] = k;
  }

  // Step i enters slot k, which another owner holds: legal once that owner has left it (its latest
  // use precedes step i and it does not come back to the slot).
  void CheckHandover(std::uint32_t i, std::uint32_t k, const SlotState& slot) {
    const StepRecord& x = records_[i];
    const std::uint32_t h = slot.holder;
    const std::uint32_t y = slot.holder_last;
    if (!Precedes(records_[y], x)) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
        return Detail{
            {records_[y].step_id, x.step_id},
            fmt::format("{} used slot {} over [{}, {}] ns, which does not come after "
                        "{} over [{}, {}] ns, owner {}'s latest use of the slot it "
                        "held: two owners used one slot at the same time",
                        set_.Describe(i), SlotId(k), x.start_ns, x.end_ns, set_.Describe(y),
                        records_[y].start_ns, records_[y].end_ns, OwnerId(h))};
      });
    } else if (current_[h] == k && last_[h] > i) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
        const auto steps = set_.StepsOf(h);
        const std::uint32_t next = *std::upper_bound(steps.begin(), steps.end(), i);
        return Detail{{records_[y].step_id, x.step_id, records_[next].step_id},
                      fmt::format("{} used slot {}, which owner {} still held: its latest step, "
                                  "{}, was in that slot and it runs again in {}",
                                  set_.Describe(i), SlotId(k), OwnerId(h), set_.Describe(y),
                                  set_.Describe(next))};
      });
    }
  }

  // A WRITE commits in place, to the slot it read; a first WRITE from the base commits into a slot
  // of its own, which it enters; nothing commits into the base.
  void CheckCommit(std::uint32_t i) {
    const StepRecord& x = records_[i];
    const std::uint32_t o = x.owner_index;
    const std::uint32_t c = x.commit_slot;
    if (c == set_.base_slot) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(o), [&] {
        return Detail{{x.step_id},
                      fmt::format("{} committed version {} into the base slot {}, which holds "
                                  "version 0 of every owner that reads it: it overwrote theirs",
                                  set_.Describe(i), x.commit_version, SlotId(c))};
      });
      return;
    }
    if (x.slot == set_.base_slot) {
      EnterSlot(i, c, false);
      return;
    }
    if (c != x.slot) {
      const std::uint32_t h = slots_[c].holder;
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(o), [&] {
        std::string why =
            h != kNone && h != o
                ? fmt::format(
                      "which owner {} holds: a WRITE may commit only to its own owner's "
                      "slot",
                      OwnerId(h))
                : fmt::format("not the slot {} it read: a state is updated in place",
                              SlotId(x.slot));
        return Detail{{x.step_id},
                      fmt::format("{} committed version {} to slot {}, {}", set_.Describe(i),
                                  x.commit_version, SlotId(c), why)};
      });
    }
    slots_[c].state_owner = o;
    slots_[c].state_step = i;
    if (slots_[c].holder == o) slots_[c].holder_last = i;
  }

  const RecordSet& set_;
  const Records& records_;
  Findings& findings_;
  std::vector<SlotState> slots_;
  std::vector<std::uint32_t> current_;  // [owners]: the slot of its latest step
  std::vector<std::uint32_t> last_;     // [owners]: its last step in the history
  std::size_t next_base_stamp_ = 0;     // the first of set_.base_stamps not yet judged
};

}  // namespace

void CheckOwnerIsolation(const CheckContext& ctx, Findings& findings) {
  IsolationScan(ctx.set, findings).Run();
}

}  // namespace rwttt::internal
