// FaultHooks: the simulator's one seam for fault injection (`--inject`, sim/faults/). A run calls
// it at the few moments a fault can strike: a step becomes ready, a batch is dispatched, a batch
// completes. The base class changes nothing, and is what a correct run uses, so the simulator's
// own code has no fault branches; sim/faults/ derives one class per fault kind, made by
// MakeFaultHooks (sim/faults/injected_faults.h).
//
//   std::unique_ptr<FaultHooks> hooks = MakeFaultHooks(plan, seed, trace, model);
//   Executor ex(hooks->WrapBackend(backend), hooks->WrapHistory(history), ...);
#pragma once

#include <cstdint>
#include <span>

#include "core/backend.h"
#include "core/step.h"
#include "sim/executor.h"
#include "sim/slot_allocator.h"

namespace rwttt {

// Every hook is deterministic: the same run makes the same calls in the same order, so a fault
// strikes the same steps on every backend and thread count.
class FaultHooks {
 public:
  virtual ~FaultHooks() = default;

  // Called once, before the run: the backend and history sink the run uses instead of the ones
  // given (either may be null). A fault that really corrupts the math or the record wraps them,
  // as FoundationDB's AsyncFileNonDurable wraps a file. The result lives as long as the hooks.
  virtual Backend* WrapBackend(Backend* backend) { return backend; }
  virtual HistorySink* WrapHistory(HistorySink* history) { return history; }

  // The next program step of the owner at trace position `owner_index` became ready; `step` is
  // that step. A hook may replace it with the step the owner runs instead. Owners made ready at
  // one instant are called in owner-id order.
  virtual void OnReady(std::uint32_t owner_index, Step& step) {
    (void)owner_index;
    (void)step;
  }

  // A batch is about to run: its items in batch order, with their slots and commit versions as
  // the policy and the simulator chose them. A hook may change an item's slot and commit_version.
  // `slots` tells which owner holds which slot.
  virtual void OnDispatch(std::span<ExecItem> items, const SlotAllocator& slots) {
    (void)items;
    (void)slots;
  }

  // `item`'s step completed (a batch's items in batch order). Returns how many steps of the
  // owner's program it completed: 1 normally; 0 when the owner must run the same program step
  // again (the step was a retry, or a step that ran out of order); 2 when it also completed the
  // program's next step, which had run early.
  virtual std::uint32_t OnComplete(const ExecItem& item) {
    (void)item;
    return 1;
  }

  // How a restore from host memory goes wrong (the host tier): it brings back version 0, the
  // shared base, instead of the saved state; and it lands in `slot`.
  struct Restore {
    bool from_base = false;
    std::uint32_t slot = 0;
  };
  // The state of the owner at trace position `owner_index` is being copied back from host memory
  // into `slot`, the free slot it was given. `slots` tells which owner holds which slot.
  virtual Restore OnRestore(std::uint32_t owner_index, std::uint32_t slot,
                            const SlotAllocator& slots) {
    (void)owner_index;
    (void)slots;
    return Restore{false, slot};
  }

  // The run ended: anything a hook held back (a history record) goes out now.
  virtual void OnRunEnd() {}

  // How many faults were injected so far.
  virtual std::uint64_t injected() const { return 0; }
};

}  // namespace rwttt
