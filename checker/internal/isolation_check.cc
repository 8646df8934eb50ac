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

}  // namespace

void CheckOwnerIsolation(const CheckContext& ctx, Findings& findings) {
  const RecordSet& set = ctx.set;
  const auto& records = set.records;
  const auto owners = static_cast<std::uint32_t>(set.owner_ids.size());
  std::vector<SlotState> slots(set.slot_ids.size());
  std::vector<std::uint32_t> current(owners, kNone);  // [owners]: the slot of its latest step
  std::vector<std::uint32_t> last(owners, kNone);     // [owners]: its last step in the history
  for (std::uint32_t o = 0; o < owners; ++o) {
    if (!set.StepsOf(o).empty()) last[o] = set.StepsOf(o).back();
  }
  auto owner_id = [&](std::uint32_t dense) { return set.owner_ids[dense].value(); };
  auto slot_id = [&](std::uint32_t dense) { return set.slot_ids[dense]; };

  for (std::uint32_t i = 0; i < records.size(); ++i) {
    const StepRecord& x = records[i];
    const std::uint32_t o = x.owner;
    const std::uint32_t k = x.slot;
    SlotState& slot = slots[k];
    if (x.seen_owner != o) {
      findings.Add(AnomalyType::kOwnerLeak, owner_id(o), [&] {
        return Detail{{x.step_id},
                      fmt::format("{} read slot {}, which was stamped for owner {} (version {}): "
                                  "it accessed another owner's state",
                                  set.Describe(i), slot_id(k), owner_id(x.seen_owner),
                                  x.seen_version)};
      });
    }
    if (slot.holder != kNone && slot.holder != o) {
      // Entering a slot another owner holds: legal once that owner has left it.
      const std::uint32_t h = slot.holder;
      const std::uint32_t y = slot.holder_last;
      if (!Precedes(records[y], x)) {
        findings.Add(AnomalyType::kOwnerLeak, owner_id(o), [&] {
          return Detail{{records[y].step_id, x.step_id},
                        fmt::format("{} used slot {} over [{}, {}] ns, which does not come after "
                                    "{} over [{}, {}] ns, owner {}'s latest use of the slot it "
                                    "held: two owners used one slot at the same time",
                                    set.Describe(i), slot_id(k), x.start_ns, x.end_ns,
                                    set.Describe(y), records[y].start_ns, records[y].end_ns,
                                    owner_id(h))};
        });
      } else if (current[h] == k && last[h] > i) {
        findings.Add(AnomalyType::kOwnerLeak, owner_id(o), [&] {
          const auto steps = set.StepsOf(h);
          const std::uint32_t next = *std::upper_bound(steps.begin(), steps.end(), i);
          return Detail{{records[y].step_id, x.step_id, records[next].step_id},
                        fmt::format("{} used slot {}, which owner {} still held: its latest step, "
                                    "{}, was in that slot and it runs again in {}",
                                    set.Describe(i), slot_id(k), owner_id(h), set.Describe(y),
                                    set.Describe(next))};
        });
      }
      slot.holder = o;
      slot.state_owner = o;
      slot.state_step = i;
    } else if (slot.holder == o) {
      if (current[o] == k && slot.state_owner != o && x.seen_owner == o) {
        const std::uint32_t w = slot.state_step;
        findings.Add(AnomalyType::kOwnerLeak, owner_id(o), [&] {
          return Detail{{records[w].step_id, x.step_id},
                        fmt::format("{} logged its own stamp (version {}) in slot {}, but {} had "
                                    "committed owner {}'s state there since owner {}'s previous "
                                    "step: the log contradicts what the slot held",
                                    set.Describe(i), x.seen_version, slot_id(k), set.Describe(w),
                                    owner_id(slot.state_owner), owner_id(o))};
        });
      }
      if (slot.state_owner != o) slot.state_step = i;
      slot.state_owner = o;
    } else {
      slot = SlotState{o, i, o, i};
    }
    slot.holder_last = i;
    current[o] = k;
    if (!x.is_write()) continue;
    const std::uint32_t c = x.commit_slot;
    if (c != k) {
      const std::uint32_t h = slots[c].holder;
      findings.Add(AnomalyType::kOwnerLeak, owner_id(o), [&] {
        std::string why =
            h != kNone && h != o
                ? fmt::format("which owner {} holds: a WRITE may commit only to its own owner's "
                              "slot",
                              owner_id(h))
                : fmt::format("not the slot {} it read: a state is updated in place", slot_id(k));
        return Detail{{x.step_id}, fmt::format("{} committed version {} to slot {}, {}",
                                               set.Describe(i), x.commit_version, slot_id(c),
                                               why)};
      });
    }
    slots[c].state_owner = o;
    slots[c].state_step = i;
    if (slots[c].holder == o) slots[c].holder_last = i;
  }
}

}  // namespace rwttt::internal
