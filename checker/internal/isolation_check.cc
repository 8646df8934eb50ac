#include "checker/internal/isolation_check.h"

#include <fmt/format.h>

#include <algorithm>

namespace rwttt::internal {
namespace {

// A step (its index in the records) or a move (its index in RecordSet::moves).
struct Use {
  std::uint32_t index = kNone;
  bool move = false;
};

struct SlotState {
  std::uint32_t holder = kNone;       // dense owner index of the owner that holds the slot
  Use holder_last;                    // the holder's latest use: a step that read or committed
                                      // it, or a move into it
  std::uint32_t state_owner = kNone;  // whose state is in the slot
  Use state_step;                     // the step or move that put it there
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
    std::size_t next_move = 0;
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
      while (next_move < set_.moves.size() && set_.moves[next_move].position <= i) {
        JudgeMove(static_cast<std::uint32_t>(next_move++));
      }
      if (records_[i].slot == set_.base_slot) {
        CheckBaseStamp(i);
      } else {
        CheckStamp(i);
        EnterSlot(i, records_[i].slot, true);
      }
      if (records_[i].is_write()) CheckCommit(i);
    }
    while (next_move < set_.moves.size()) JudgeMove(static_cast<std::uint32_t>(next_move++));
  }

 private:
  std::uint64_t OwnerId(std::uint32_t dense) const { return set_.owner_ids[dense].value(); }
  const StepRecord& RecordOf(Use u) const {
    return u.move ? set_.moves[u.index].r : records_[u.index];
  }
  std::string DescribeUse(Use u) const {
    if (!u.move) return set_.Describe(u.index);
    const StepRecord& m = set_.moves[u.index].r;
    return fmt::format("move {} (owner {}, slot {} to slot {})", m.step_id, OwnerId(m.owner_index),
                       SlotId(m.slot), SlotId(m.commit_slot));
  }
  // The step ids a finding lists: a move's id is not a step's.
  std::vector<std::uint64_t> StepIds(std::initializer_list<Use> uses) const {
    std::vector<std::uint64_t> ids;
    for (const Use u : uses) {
      if (!u.move) ids.push_back(records_[u.index].step_id);
    }
    return ids;
  }
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
      CheckHandover(Use{i, false}, k, slot);
      slot.holder = o;
      slot.state_owner = o;
      slot.state_step = Use{i, false};
    } else if (slot.holder == o) {
      if (read && current_[o] == k && slot.state_owner != o && x.seen_owner_index == o) {
        const Use w = slot.state_step;
        findings_.Add(AnomalyType::kOwnerLeak, OwnerId(o), [&] {
          return Detail{StepIds({w, Use{i, false}}),
                        fmt::format("{} logged its own stamp (version {}) in slot {}, but {} had "
                                    "put owner {}'s state there since owner {}'s previous "
                                    "step: the log contradicts what the slot held",
                                    set_.Describe(i), x.seen_version, SlotId(k), DescribeUse(w),
                                    OwnerId(slot.state_owner), OwnerId(o))};
        });
      }
      if (slot.state_owner != o) slot.state_step = Use{i, false};
      slot.state_owner = o;
    } else {
      slot = SlotState{o, Use{i, false}, o, Use{i, false}};
    }
    slot.holder_last = Use{i, false};
    current_[o] = k;
  }

  // A move (docs/checker.md#moves-a-host-tier): the stamp it carried, the base, its source and
  // its entry into its destination; then the owner's state is there.
  void JudgeMove(std::uint32_t n) {
    const MoveRecord& move = set_.moves[n];
    const StepRecord& m = move.r;
    const std::uint32_t o = m.owner_index;
    const Use use{n, true};
    auto leak = [&](std::string why) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(o), [&] {
        return Detail{{}, fmt::format("{} {}", DescribeUse(use), why)};
      });
    };
    if (move.seen_owner != OwnerId(o)) {
      leak(fmt::format("carried a state stamped for owner {}: it moved another owner's state",
                       move.seen_owner));
    }
    if (m.slot == set_.base_slot || m.commit_slot == set_.base_slot) {
      leak(
          fmt::format("moved a state {} the base slot {}, which holds every owner's version 0 "
                      "and is no owner's to move",
                      m.slot == set_.base_slot ? "out of" : "into", SlotId(set_.base_slot)));
    }
    const SlotState& from = slots_[m.slot];
    if (from.state_owner != o) {
      leak(from.state_owner == kNone
               ? fmt::format("moved from slot {}, where no owner's state had been put",
                             SlotId(m.slot))
               : fmt::format("moved from slot {}, which held owner {}'s state (put there by "
                             "{}): it moved a state that is not its own",
                             SlotId(m.slot), OwnerId(from.state_owner),
                             DescribeUse(from.state_step)));
    }
    // The copy out of `from` uses it until it ends.
    if (from.holder == o) slots_[m.slot].holder_last = use;
    SlotState& to = slots_[m.commit_slot];
    if (to.holder != kNone && to.holder != o) CheckHandover(use, m.commit_slot, to);
    to = SlotState{o, use, o, use};
    current_[o] = m.commit_slot;
    CheckOwnSteps(n);
  }

  // A move comes after its owner's step before it in the history and before its step after it,
  // in real time: a state is not copied while its step runs, nor read before its copy ends.
  void CheckOwnSteps(std::uint32_t n) {
    const MoveRecord& move = set_.moves[n];
    const StepRecord& m = move.r;
    const auto steps = set_.StepsOf(m.owner_index);
    const auto next = std::lower_bound(steps.begin(), steps.end(), move.position);
    std::string why;
    std::vector<std::uint64_t> ids;
    if (next != steps.begin() && !Precedes(records_[*(next - 1)], m)) {
      ids.push_back(records_[*(next - 1)].step_id);
      why = fmt::format(
          "began while {}, the step before it, ran ([{}, {}] ns): its state was "
          "copied before that step had ended",
          set_.Describe(*(next - 1)), records_[*(next - 1)].start_ns, records_[*(next - 1)].end_ns);
    } else if (next != steps.end() && !Precedes(m, records_[*next])) {
      ids.push_back(records_[*next].step_id);
      why = fmt::format(
          "had not ended when {}, the step after it, started at {} ns: that step "
          "read its state before the copy putting it there had ended",
          set_.Describe(*next), records_[*next].start_ns);
    } else {
      return;
    }
    findings_.Add(AnomalyType::kUncommittedRead, OwnerId(m.owner_index), [&] {
      return Detail{ids, fmt::format("{} over [{}, {}] ns {}", DescribeUse(Use{n, true}),
                                     m.start_ns, m.end_ns, why)};
    });
  }

  // Step i enters slot k, which another owner holds: legal once that owner has left it (its latest
  // use precedes step i and it does not come back to the slot).
  // A step, or a move, uses slot k, which another owner holds: legal once that owner has left it
  // (its latest use precedes this one and it does not come back to the slot).
  void CheckHandover(Use entering, std::uint32_t k, const SlotState& slot) {
    const StepRecord& x = RecordOf(entering);
    const std::uint32_t h = slot.holder;
    const Use y = slot.holder_last;
    const StepRecord& last_use = RecordOf(y);
    // The steps of the history before this use: a move sits before the step at its position.
    const std::uint32_t before =
        entering.move ? set_.moves[entering.index].position : entering.index + 1;
    if (!Precedes(last_use, x)) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
        return Detail{StepIds({y, entering}),
                      fmt::format("{} used slot {} over [{}, {}] ns, which does not come after "
                                  "{} over [{}, {}] ns, owner {}'s latest use of the slot it "
                                  "held: two owners used one slot at the same time",
                                  DescribeUse(entering), SlotId(k), x.start_ns, x.end_ns,
                                  DescribeUse(y), last_use.start_ns, last_use.end_ns, OwnerId(h))};
      });
    } else if (current_[h] == k && last_[h] != kNone && last_[h] >= before) {
      findings_.Add(AnomalyType::kOwnerLeak, OwnerId(x.owner_index), [&] {
        const auto steps = set_.StepsOf(h);
        const std::uint32_t next = *std::lower_bound(steps.begin(), steps.end(), before);
        std::vector<std::uint64_t> ids = StepIds({y, entering});
        ids.push_back(records_[next].step_id);
        return Detail{std::move(ids),
                      fmt::format("{} used slot {}, which owner {} still held: its latest use, "
                                  "{}, was in that slot and it runs again in {}",
                                  DescribeUse(entering), SlotId(k), OwnerId(h), DescribeUse(y),
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
    slots_[c].state_step = Use{i, false};
    if (slots_[c].holder == o) slots_[c].holder_last = Use{i, false};
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
