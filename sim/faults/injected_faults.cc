#include "sim/faults/injected_faults.h"

#include <optional>
#include <vector>

#include "core/program.h"
#include "sim/faults/faulty_backend.h"
#include "sim/faults/faulty_history.h"

namespace rwttt {
namespace {

using Fault = FaultyBackend::Fault;

// What every kind shares: the injector, and the decorators a kind asks for.
class InjectedFault : public FaultHooks {
 public:
  InjectedFault(const FaultPlan& plan, Seed seed, bool wraps_backend, bool spare_slot,
                bool wraps_history)
      : injector_(plan, seed),
        wraps_backend_(wraps_backend),
        spare_slot_(spare_slot),
        wraps_history_(wraps_history) {}

  Backend* WrapBackend(Backend* backend) override {
    if (backend == nullptr || !wraps_backend_) return backend;
    backend_.emplace(*backend, spare_slot_);
    return &*backend_;
  }
  HistorySink* WrapHistory(HistorySink* history) override {
    if (history == nullptr || !wraps_history_) return history;
    history_.emplace(*history);
    return &*history_;
  }
  void OnRunEnd() override {
    if (history_) history_->Flush();
  }
  std::uint64_t injected() const override { return injector_.injected(); }

 protected:
  // The next batch's backend faults, or an empty span when the run does no math.
  std::span<Fault> PlanBackend(std::size_t items) {
    return backend_ ? backend_->PlanNextBatch(items) : std::span<Fault>();
  }

  FaultInjector injector_;
  std::optional<FaultyBackend> backend_;
  std::optional<FaultyHistory> history_;

 private:
  bool wraps_backend_;
  bool spare_slot_;
  bool wraps_history_;
};

// stale-read, uncommitted-read, lost-update: a WRITE that has a follow-up arms the fault (one
// owner at a time); the follow-up suffers it: the owner's next READ (stale-read reads the state
// saved before the WRITE; uncommitted-read starts before the WRITE's commit ends) or its next WRITE
// (lost-update updates the saved state, so the armed WRITE's update is lost).
class FollowUpFault final : public InjectedFault {
 public:
  FollowUpFault(const FaultPlan& plan, Seed seed, std::span<const Request> trace,
                std::uint32_t chunk)
      : InjectedFault(plan, seed, plan.kind != FaultKind::kUncommittedRead,
                      plan.kind != FaultKind::kUncommittedRead, true),
        kind_(plan.kind),
        trace_(trace),
        chunk_(chunk) {}

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator&) override {
    const std::span<Fault> faults = PlanBackend(items.size());
    const bool lost = kind_ == FaultKind::kLostUpdate;
    for (std::size_t k = 0; k < items.size(); ++k) {
      ExecItem& item = items[k];
      const Step& s = item.step;
      if (armed_ == item.owner_index) {
        if (lost == s.is_read()) continue;  // not yet the follow-up
        armed_.reset();
        if (lost) {
          item.commit_version = s.tag.version;  // commits the version the lost WRITE did
          if (!faults.empty()) faults[k] = Fault::kRestoreShadow;
          if (history_) history_->ReportSavedAt(item.step_id);
        } else if (kind_ == FaultKind::kStaleRead) {
          if (!faults.empty()) faults[k] = Fault::kReadShadow;
          if (history_) history_->ReportSavedAt(item.step_id);
        } else if (history_) {
          history_->ReleaseAt(item.step_id);
        }
        continue;
      }
      if (s.is_read() || armed_) continue;
      const Request& r = trace_[item.owner_index];
      const bool follow_up = lost ? s.tag.version.value() + 1 <
                                        ProgramWriteCount(r.prompt_tokens, r.output_tokens, chunk_)
                                  : s.end_token < r.total_tokens();
      if (!follow_up || !injector_.Fire(item.step_id)) continue;
      armed_ = item.owner_index;
      if (kind_ == FaultKind::kUncommittedRead) {
        if (history_) history_->Hold(item.step_id);
      } else {
        if (!faults.empty()) faults[k] = Fault::kSaveShadow;
        if (history_) history_->SaveSeenAt(item.step_id);
      }
    }
  }

 private:
  FaultKind kind_;
  std::span<const Request> trace_;
  std::uint32_t chunk_;
  std::optional<std::uint32_t> armed_;  // the owner whose follow-up suffers the fault
};

// cross-owner-write: a WRITE updates the lowest slot another owner holds (a first WRITE of a
// copy-on-write run: commits its version 1 there).
class CrossOwnerWriteFault final : public InjectedFault {
 public:
  CrossOwnerWriteFault(const FaultPlan& plan, Seed seed)
      : InjectedFault(plan, seed, false, false, false) {}

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator& slots) override {
    for (ExecItem& item : items) {
      if (item.step.is_read()) continue;
      for (std::uint32_t slot = 0; slot < slots.num_slots(); ++slot) {
        // Held by another owner (copy-on-write: a first WRITE reads the base, and the slot it
        // holds is its own).
        if (slots.holder(slot) >= 0 && slots.holder(slot) != item.owner_index) {
          if (injector_.Fire(item.step_id)) {
            // A first WRITE from the base commits its version 1 into the other owner's slot.
            (item.slot == kBaseSlot ? item.first_slot : item.slot) = slot;
          }
          break;
        }
      }
    }
  }
};

// early-write: a chunk's WRITE runs before the READ that completes the chunk, then that READ.
class EarlyWriteFault final : public InjectedFault {
 public:
  EarlyWriteFault(const FaultPlan& plan, Seed seed, std::size_t owners, std::uint32_t chunk)
      : InjectedFault(plan, seed, false, false, false),
        state_(owners, State::kNone),
        chunk_(chunk) {}

  void OnReady(std::uint32_t owner_index, Step& step) override {
    if (state_[owner_index] != State::kNone) return;
    const Step read = step;
    if (!read.is_read() || read.end_token % chunk_ != 0) return;  // not the chunk's last READ
    if (!injector_.Fire((std::uint64_t{owner_index} << 32) | read.end_token)) return;
    step.tag.effect = Effect::kWrite;
    step.first_token = read.end_token - chunk_;
    step.index = read.index + 1;
    state_[owner_index] = State::kWriteFirst;
  }

  std::uint32_t OnComplete(const ExecItem& item) override {
    State& state = state_[item.owner_index];
    switch (state) {
      case State::kWriteFirst:  // now the READ it jumped ahead of
        state = State::kReadAfter;
        return 0;
      case State::kReadAfter:  // the READ, and the WRITE that already ran
        state = State::kNone;
        return 2;
      case State::kNone:
        break;
    }
    return 1;
  }

 private:
  enum class State : std::uint8_t { kNone, kWriteFirst, kReadAfter };
  std::vector<State> state_;  // [owners]
  std::uint32_t chunk_;
};

// duplicate-step: a READ runs a second time, on the same inputs; the retry's outputs are
// recorded and its carry discarded.
class DuplicateStepFault final : public InjectedFault {
 public:
  DuplicateStepFault(const FaultPlan& plan, Seed seed, std::size_t owners)
      : InjectedFault(plan, seed, true, false, false), again_(owners, false) {}

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator&) override {
    const std::span<Fault> faults = PlanBackend(items.size());
    if (faults.empty()) return;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (again_[items[k].owner_index]) faults[k] = Fault::kReplay;
    }
  }

  std::uint32_t OnComplete(const ExecItem& item) override {
    if (again_[item.owner_index]) {
      again_[item.owner_index] = false;
      return 1;
    }
    if (item.step.is_read() && injector_.Fire(item.step_id)) {
      again_[item.owner_index] = true;  // run the same READ again
      return 0;
    }
    return 1;
  }

 private:
  std::vector<bool> again_;  // [owners]: the owner's ready READ is a retry
};

// torn-state: a WRITE updates only the first half of the TTT layers.
class TornStateFault final : public InjectedFault {
 public:
  TornStateFault(const FaultPlan& plan, Seed seed) : InjectedFault(plan, seed, true, true, false) {}

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator&) override {
    const std::span<Fault> faults = PlanBackend(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (!items[k].step.is_read() && injector_.Fire(items[k].step_id) && !faults.empty()) {
        faults[k] = Fault::kTorn;
      }
    }
  }
};

// base-commit, base-read: a copy-on-write engine's own mistakes. A first WRITE (it reads the
// base) commits into the base, so every version-0 owner then reads this owner's version 1; or a
// READ past version 0 reads the base, version 0, instead of its owner's slot.
class BaseFault final : public InjectedFault {
 public:
  BaseFault(const FaultPlan& plan, Seed seed)
      : InjectedFault(plan, seed, false, false, false),
        commit_(plan.kind == FaultKind::kBaseCommit) {}

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator& slots) override {
    if (slots.mode() != SlotMode::kCopyOnWrite) return;
    for (ExecItem& item : items) {
      if (commit_) {
        if (!item.step.is_read() && item.slot == kBaseSlot && injector_.Fire(item.step_id)) {
          item.first_slot = kBaseSlot;
        }
      } else if (item.step.is_read() && item.step.tag.version.value() > 0 &&
                 item.slot != kBaseSlot && injector_.Fire(item.step_id)) {
        item.slot = kBaseSlot;
      }
    }
  }

 private:
  bool commit_;
};

// stale-restore: a host-tier engine's mistake. A state copied back from host memory comes back as
// version 0, the shared base (a host cache that returned the wrong entry), with the stamp that
// copy carries, (owner, 0): the owner's next step finds an older version than its own.
class StaleRestoreFault final : public InjectedFault {
 public:
  StaleRestoreFault(const FaultPlan& plan, Seed seed)
      : InjectedFault(plan, seed, false, false, false) {}

  Restore OnRestore(std::uint32_t owner_index, std::uint32_t slot, const SlotAllocator&) override {
    (void)owner_index;
    return Restore{injector_.Fire(restores_++), slot};
  }

 private:
  std::uint64_t restores_ = 0;  // the strike points: restores, in the order they begin
};

// restore-held: a host-tier engine's mistake. A state copied back from host memory lands in a slot
// another owner holds (the lowest), over that owner's state, and the engine runs the restored
// owner there from then on (its items are sent to that slot), while both owners use it.
class RestoreHeldFault final : public InjectedFault {
 public:
  RestoreHeldFault(const FaultPlan& plan, Seed seed, std::size_t owners)
      : InjectedFault(plan, seed, false, false, false), redirect_(owners, kNoSlot) {}

  Restore OnRestore(std::uint32_t owner_index, std::uint32_t slot,
                    const SlotAllocator& slots) override {
    redirect_[owner_index] = kNoSlot;
    for (std::uint32_t held = 0; held < slots.num_slots(); ++held) {
      if (slots.holder(held) >= 0 && slots.holder(held) != owner_index) {
        if (injector_.Fire(restores_++)) {
          redirect_[owner_index] = held;
          return Restore{false, held};
        }
        break;
      }
    }
    return Restore{false, slot};
  }

  void OnDispatch(std::span<ExecItem> items, const SlotAllocator&) override {
    for (ExecItem& item : items) {
      if (redirect_[item.owner_index] != kNoSlot && item.slot != kBaseSlot) {
        item.slot = redirect_[item.owner_index];
      }
    }
  }

 private:
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFEu;
  std::vector<std::uint32_t> redirect_;  // [owners]: where the engine runs the owner, if misplaced
  std::uint64_t restores_ = 0;
};

}  // namespace

std::unique_ptr<FaultHooks> MakeFaultHooks(const FaultPlan& plan, Seed seed,
                                           std::span<const Request> trace,
                                           const ModelProfile& model) {
  switch (plan.kind) {
    case FaultKind::kNone:
      return std::make_unique<FaultHooks>();
    case FaultKind::kStaleRead:
    case FaultKind::kUncommittedRead:
    case FaultKind::kLostUpdate:
      return std::make_unique<FollowUpFault>(plan, seed, trace, model.chunk);
    case FaultKind::kCrossOwnerWrite:
      return std::make_unique<CrossOwnerWriteFault>(plan, seed);
    case FaultKind::kEarlyWrite:
      return std::make_unique<EarlyWriteFault>(plan, seed, trace.size(), model.chunk);
    case FaultKind::kDuplicateStep:
      return std::make_unique<DuplicateStepFault>(plan, seed, trace.size());
    case FaultKind::kTornState:
      return std::make_unique<TornStateFault>(plan, seed);
    case FaultKind::kBaseCommit:
    case FaultKind::kBaseRead:
      return std::make_unique<BaseFault>(plan, seed);
    case FaultKind::kStaleRestore:
      return std::make_unique<StaleRestoreFault>(plan, seed);
    case FaultKind::kRestoreHeld:
      return std::make_unique<RestoreHeldFault>(plan, seed, trace.size());
  }
  return std::make_unique<FaultHooks>();
}

}  // namespace rwttt
