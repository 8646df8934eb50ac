// The executor: runs each batch's math on a backend (when one is given), keeps the stamp
// (owner, version) of every slot and the carry of every owner, and writes what each step claimed
// and observed to the history.
//
//   Executor ex(backend, &history_sink, /*measure=*/false, owners);
//   RWTTT_TRY(ex.Begin(model, slots, seed));  ex.Admit(owner, /*slot=*/0, /*init_slot=*/true);
//   std::optional<Nanos> wall = ex.Dispatch(items, batch_id, start);  // at the batch's start
//   ex.Complete(items, batch_id, end);          // at its end: its history records, its commits
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "checker/history.h"
#include "core/backend.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/step.h"
#include "sim/start_order.h"

namespace rwttt {

// Where history records go (a file writer, an in-memory checker, both).
class HistorySink {
 public:
  virtual ~HistorySink() = default;
  virtual void Write(const HistoryStep& step) = 0;
  // An error once the sink cannot take more (its file's disk is full): the run stops with it.
  virtual Status health() const { return OkStatus(); }
};

// The slot number of the shared base in copy-on-write runs (SlotMode::kCopyOnWrite): version 0,
// every owner's, read by version-0 steps. Histories of such runs declare it as their base_slot
// (docs/checker.md#the-base-slot-copy-on-write-version-0).
inline constexpr std::uint32_t kBaseSlot = 0xFFFFFFFFu;
// Host memory's slots in histories (the host tier): host slot h is slot kHostSlots + h.
inline constexpr std::uint64_t kHostSlots = std::uint64_t{1} << 31;

// One step of a batch, as the executor runs it.
struct ExecItem {
  std::uint32_t owner_index = 0;  // position of the owner's request in the trace
  Step step;
  std::uint32_t slot = 0;  // the slot it reads: the owner's, or kBaseSlot
  std::uint64_t input_seed = 0;
  std::uint64_t step_id = 0;  // assigned by the simulator, in dispatch order
  Version commit_version;     // WRITE: the stamp it commits (its version + 1 unless a fault)
  // A WRITE reading kBaseSlot (an owner's first): the owner's new slot, which it commits into.
  // Every other WRITE commits in place, to `slot`.
  std::uint32_t first_slot = 0;
  std::uint32_t commit_slot() const { return slot == kBaseSlot ? first_slot : slot; }
};

class Executor {
 public:
  // `backend` and `history` may be null (no math; no history). `owners`: owners in the trace.
  Executor(Backend* backend, HistorySink* history, bool measure, std::size_t owners);

  // Prepares `num_slots` slots, and with `base` the shared base kBaseSlot stands for (version 0;
  // when measuring, the backend holds one more: the buffer swaps are copied into), and
  // `host_slots` slots of host memory that offloaded states are copied to (the backend holds them
  // past the others). Fails when the backend cannot hold them.
  Status Begin(const ModelProfile& model, std::uint32_t num_slots, Seed seed, bool base = false,
               std::uint32_t host_slots = 0);

  // The owner now holds `slot`. With `init_slot`, the slot gets a fresh state stamped (owner, 0);
  // without (a shared slot already in use), it keeps its contents and stamp.
  void Admit(OwnerId owner, std::uint32_t slot, bool init_slot);

  // The host tier: `owner`'s state in `slot`, with its stamp, is copied to host slot `host` over
  // [start, end] (no step of the owner runs meanwhile); or back, into a free `slot`. A restore
  // `from_base` (a fault's) brings back version 0, the base's state and the stamp (owner, 0),
  // instead of the saved one. Each is a move in the history (docs/checker.md#moves-a-host-tier),
  // after every batch dispatched before it, host slot h written as kHostSlots + h.
  void Offload(OwnerId owner, std::uint32_t slot, std::uint32_t host, Nanos start, Nanos end);
  void Restore(OwnerId owner, std::uint32_t host, std::uint32_t slot, Nanos start, Nanos end,
               bool from_base = false);

  // Runs the batch's math as one Backend::RunBatch of the items in order, reading stamps and
  // states as they are at `start`, and keeps its history records until Complete. Returns the
  // measured wall time of the math when measuring, else std::nullopt. Batch ids increase.
  // A first WRITE from the base (commit_slot != slot) copies the base into its commit slot and
  // updates it there. When measuring, a batch that swaps `swap_bytes` first copies that many bytes
  // of state (whole
  // states, rounded up: Backend::CopySlot of its first item's slot into the swap buffer), and the
  // wall time counts the copies: the states stay in their slots, so histories do not change.
  std::optional<Nanos> Dispatch(std::span<const ExecItem> items, std::uint64_t batch_id,
                                Nanos start, std::uint64_t swap_bytes = 0);

  // Batch `batch_id` (`items` as dispatched) ended at `end`: its WRITEs' commits become visible
  // (each slot stamped (owner, commit_version)), and its history records, in item order, are
  // written once every earlier batch's are, so the history stays in start order however lanes
  // running at once end.
  void Complete(std::span<const ExecItem> items, std::uint64_t batch_id, Nanos end);

 private:
  struct Stamp {
    OwnerId owner;
    Version version;
  };

  Backend* backend_;
  HistorySink* history_;
  bool measure_;
  std::uint64_t state_bytes_ = 0;
  std::uint32_t swap_buffer_ = 0;  // the backend's extra slot, when measuring
  std::uint32_t base_ = 0;         // the backend's slot behind kBaseSlot, when there is a base
  std::uint32_t host_begin_ = 0;   // the backend's slot behind host slot 0
  // The backend slot behind an item's slot.
  std::uint32_t BackendSlot(std::uint32_t slot) const { return slot == kBaseSlot ? base_ : slot; }
  std::vector<std::uint64_t> carry_;    // [owners]
  std::vector<Stamp> stamps_;           // [num_slots]
  std::vector<Stamp> host_stamps_;      // [host_slots]
  std::vector<bool> host_initialised_;  // [host_slots]
  std::vector<bool> initialised_;       // [num_slots]: the backend's slot holds a state
  std::vector<BatchItem> batch_items_;
  std::vector<ItemResult> results_;
  std::vector<Stamp> seen_;
  // Records of batches and moves not yet written, by their place in dispatch order (`order_of_`:
  // each open batch's).
  StartOrder<std::vector<HistoryStep>> pending_;
  std::uint64_t next_order_ = 0;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> order_of_;  // (batch id, its order)
  std::uint64_t moves_ = 0;                                       // move ids so far
  // A move's record, in order with the batches.
  void RecordMove(OwnerId owner, Stamp stamp, std::uint64_t from, std::uint64_t to, Nanos start,
                  Nanos end);
};

}  // namespace rwttt
