// Policy: a scheduler. It decides the device layout under the memory budget, and, whenever a lane
// of the device is free, which ready owners' current steps run there next as one batch.
//
//   class MyPolicy final : public Policy {  // see sim/policies/ for the built-in four
//    public:
//     Result<DeviceLayout> Configure(const PolicyContext& c) override {
//       const DeviceLayout layout = DeviceLayout::OneCopy(c);
//       if (!layout.fits(c.budget_bytes)) return Error::Input("mine: one owner does not fit");
//       return layout;
//     }
//     void NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) override {
//       const Effect e = ready.count(Effect::kRead) > 0 ? Effect::kRead : Effect::kWrite;
//       ready.ForEach(e, [&](const ReadyStep& s) {  // one effect, distinct owners: correct
//         plan.owners.push_back(s.owner);
//         return true;
//       });
//     }
//   };
//   const PolicyOptionInfo opt = PolicyOptionInfo::Uint("opt", "what it sets", /*default=*/0);
//   auto make = [] { return std::make_unique<MyPolicy>(); };
//   RWTTT_TRY(RegisterPolicy({"mine", "what it does", {opt}, /*expected_correct=*/true, make}));
//
// (tests/sim/policy_example_test.cc compiles this example.)
//
// A policy sees only ready steps (an owner's next step, once its request has arrived, it has been
// admitted and its previous step has completed) and never breaks the simulator's mechanics:
// admission, timing, stamps and the history are the simulator's. Whether the batches it forms are
// correct is exactly what the checker judges.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

// One `--policy-opt` key a policy takes, declared once with its type, default and range: the
// registry lists it and rejects keys nobody declared, and Configure parses the value from it
// (PolicyOptions::GetUint / GetChoice of the declaration).
struct PolicyOptionInfo {
  std::string key;
  std::string help;
  // The value: an unsigned integer in [min, max], `default_uint` when absent; or, when `choices`
  // is not empty, one of `choices`, the first when absent.
  std::uint64_t default_uint = 0;
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::string> choices;

  // An integer option: `key` in [min, max], `default_value` when absent.
  static PolicyOptionInfo Uint(std::string key, std::string help, std::uint64_t default_value,
                               std::uint64_t min = 0,
                               std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    return PolicyOptionInfo{std::move(key), std::move(help), default_value, min, max, {}};
  }
  // A choice: `key` one of `choices`, the first when absent. REQUIRES: !choices.empty().
  static PolicyOptionInfo Choice(std::string key, std::string help,
                                 std::vector<std::string> choices) {
    return PolicyOptionInfo{std::move(key), std::move(help), 0, 0, 0, std::move(choices)};
  }
};

// The field a malformed option value's Error names (`Error::where.field`); its message is
// "key=value: expected ...". The CLI says the field as `--policy-opt`.
inline constexpr std::string_view kPolicyOptionsField = "policy_options";

// `--policy-opt key=value` pairs. Typed getters fail on a malformed value; the registry rejects
// keys a policy did not declare.
class PolicyOptions {
 public:
  void Set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  bool Has(std::string_view key) const { return values_.find(key) != values_.end(); }
  // The value of `key` as an unsigned integer in [min, max], or `fallback` when absent.
  Result<std::uint64_t> GetUint(
      std::string_view key, std::uint64_t fallback, std::uint64_t min = 0,
      std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const;
  // The value of `key`, which must be one of `choices`, or `fallback` when absent.
  Result<std::string> GetChoice(std::string_view key, std::string fallback,
                                const std::vector<std::string>& choices) const;
  // The value of the declared integer option, with its default and range.
  Result<std::uint64_t> GetUint(const PolicyOptionInfo& option) const {
    return GetUint(option.key, option.default_uint, option.min, option.max);
  }
  // The value of the declared choice option, the first choice by default.
  // REQUIRES: !option.choices.empty().
  Result<std::string> GetChoice(const PolicyOptionInfo& option) const {
    return GetChoice(option.key, option.choices.front(), option.choices);
  }
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

struct PolicyContext {
  const ModelProfile& model;
  const HardwareProfile& hardware;
  std::uint64_t budget_bytes;  // the memory budget every policy runs under
  const PolicyOptions& options;
};

// Where admitted owners' states live.
enum class SlotMode : std::uint8_t {
  kPerOwner,  // each admitted owner its own slot, reused after it finishes: the right answer
  kShared,    // every owner reads and updates slot 0 (the naive engine, wrong on purpose)
  // Copy-on-write version 0: every owner reads the shared base (kBaseSlot, sim/executor.h) until
  // its first WRITE, which commits version 1 into a slot of its own; the owner's owner_bytes are
  // charged when that WRITE becomes ready, and fixed_bytes holds the base (docs/simulator.md).
  kCopyOnWrite,
};

// What a policy pins on the device and how it runs (DESIGN §3).
struct DeviceLayout {
  std::uint32_t lanes = 1;        // batches that may run at once (replicas: one per copy)
  std::uint64_t fixed_bytes = 0;  // weights (times copies) and buffers, pinned for the run
  std::uint64_t owner_bytes = 0;  // memory each admitted owner pins until its program ends
  std::uint64_t max_admitted = std::numeric_limits<std::uint64_t>::max();
  SlotMode slot_mode = SlotMode::kPerOwner;
  // The host tier (kCopyOnWrite, on hardware with one): when > 0, while a first WRITE or a restore
  // waits for device memory, the simulator copies to host memory the state of an owner that has
  // completed at least this many steps since it got its slot and whose step is waiting, not
  // running; the owner waits for a slot again behind the others
  // (docs/simulator.md#the-host-tier-offloadon). 0: states never leave the device.
  std::uint64_t offload_after_steps = 0;

  // The layout of a policy that keeps one copy of the weights and one state per owner (rwttt,
  // sequential, most schedulers a user writes): fixed_bytes the shared weights, owner_bytes one
  // state, one lane. Whether it fits the budget is the caller's to check (fits()).
  static DeviceLayout OneCopy(const PolicyContext& context) {
    DeviceLayout layout;
    layout.fixed_bytes = context.model.shared_weight_bytes();
    layout.owner_bytes = context.model.state_bytes();
    return layout;
  }
  // The memory one owner admitted alone needs: what is pinned plus its own.
  std::uint64_t one_owner_bytes() const { return fixed_bytes + owner_bytes; }
  // Whether one owner can ever be admitted under `budget_bytes`.
  bool fits(std::uint64_t budget_bytes) const { return one_owner_bytes() <= budget_bytes; }
};

// An owner whose current step is ready, and since when.
struct ReadyStep {
  OwnerId owner;
  Nanos ready_since{0};
  Step step;
  std::uint32_t slot = 0;
  Nanos arrival{0};
};

// The ready steps at the moment a lane is free. Iteration is oldest first: by the time the step
// became ready, then by owner id.
class ReadyView {
 public:
  virtual ~ReadyView() = default;
  virtual Nanos now() const = 0;
  virtual std::size_t count(Effect effect) const = 0;
  // Calls `visit` on each ready step of `effect` in order until it returns false. The step
  // passed to `visit` lives only during the call; copy it to keep it.
  virtual void ForEach(Effect effect, const std::function<bool(const ReadyStep&)>& visit) const = 0;
  // When the oldest ready step of `effect` became ready. REQUIRES: count(effect) > 0.
  virtual Nanos oldest(Effect effect) const = 0;
  // The owner's ready step, or nullptr when it has none ready. Valid until the next call.
  virtual const ReadyStep* Find(OwnerId owner) const = 0;
  // Lanes busy right now (replicas share bandwidth among them).
  virtual std::uint32_t busy_lanes() const = 0;
};

// What a policy asks the device to do next on a lane.
struct BatchPlan {
  std::vector<OwnerId> owners;  // each runs its current ready step; distinct
  // Where each step reads (and, a WRITE, updates) its state: empty for each owner's own slot (the
  // right answer); a policy that places states itself says so here, and the checker judges it.
  std::vector<std::uint32_t> slots;  // [owners.size()] or empty
  std::uint64_t swap_bytes = 0;      // bytes copied before the batch (sequential's weight swap)
  void clear() {
    owners.clear();
    slots.clear();
    swap_bytes = 0;
  }
};

// A Policy is made fresh for each run (PolicyInfo::make) and called from one thread only. Every
// method must be deterministic: a function of the arguments and of earlier calls alone (no clock,
// no unordered-container order, no pointer values), so that a run replays byte for byte.
//
// Calls, in order: Configure once, before anything else; then, at each instant of the virtual
// clock, after its arrivals: OnFinish for each owner whose last step completed then (in
// completion order), OnAdmit for each owner admitted (in arrival order; an owner with an empty
// program gets its OnFinish right after), then NextBatch for each free lane (in lane order) while
// some step is ready (a batch needs one, so with none left the remaining lanes are not asked). An
// owner's OnAdmit comes before any of its steps is ready, its OnFinish once, after its last step.
class Policy {
 public:
  virtual ~Policy() = default;

  // Called once, first. Validates `context.options` and decides the layout under
  // `context.budget_bytes`. An option out of range is a Usage error; a budget that can never
  // admit one owner an Input error naming the sizes.
  virtual Result<DeviceLayout> Configure(const PolicyContext& context) = 0;

  // An owner was admitted into `slot` (slots are reused after an owner finishes; with
  // SlotMode::kShared every owner gets slot 0).
  virtual void OnAdmit(OwnerId owner, std::uint32_t slot) {
    (void)owner;
    (void)slot;
  }

  // An owner's last step completed; its slot and memory are free again.
  virtual void OnFinish(OwnerId owner) { (void)owner; }

  // Fills `plan` (given empty) for a free `lane` (< DeviceLayout::lanes). `ready` is valid only
  // during the call. Leaving the plan empty idles the lane until the next event (an arrival or a
  // completion); leaving every lane idle while steps are ready and nothing else will happen is a
  // stall, which ends the run with an error.
  virtual void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) = 0;
};

}  // namespace rwttt
