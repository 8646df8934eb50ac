// Policy: a scheduler. It decides the device layout under the memory budget, and, whenever a lane
// of the device is free, which ready owners' current steps run there next as one batch.
//
//   class MyPolicy : public Policy { ... };        // see sim/policies/ for the built-in four
//   RegisterPolicy({"mine", "what it does", {"opt"}, [] { return std::make_unique<MyPolicy>(); }});
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
#include <vector>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

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
};

// What a policy pins on the device and how it runs (DESIGN §3).
struct DeviceLayout {
  std::uint32_t lanes = 1;        // batches that may run at once (replicas: one per copy)
  std::uint64_t fixed_bytes = 0;  // weights (times copies) and buffers, pinned for the run
  std::uint64_t owner_bytes = 0;  // memory each admitted owner pins until its program ends
  std::uint64_t max_admitted = std::numeric_limits<std::uint64_t>::max();
  SlotMode slot_mode = SlotMode::kPerOwner;
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

class Policy {
 public:
  virtual ~Policy() = default;
  // Validates options and decides the layout. An impossible budget is an Error naming why.
  virtual Result<DeviceLayout> Configure(const PolicyContext& context) = 0;
  // An owner was admitted into `slot` (slots are reused after an owner finishes).
  virtual void OnAdmit(OwnerId owner, std::uint32_t slot) {
    (void)owner;
    (void)slot;
  }
  // An owner's last step completed; its slot and memory are free again.
  virtual void OnFinish(OwnerId owner) { (void)owner; }
  // Fills `plan` (given empty) for a free `lane`. Leaving it empty idles the lane until the next
  // event (an arrival or a completion).
  virtual void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) = 0;
};

}  // namespace rwttt
