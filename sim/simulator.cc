#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <span>
#include <unordered_map>

#include "core/check.h"
#include "core/program.h"
#include "sim/cache_residency.h"
#include "sim/cost_model.h"
#include "sim/device_sharing.h"
#include "sim/fault_hooks.h"
#include "sim/faults/injected_faults.h"
#include "sim/slot_allocator.h"
#include "sim/start_order.h"

namespace rwttt {
namespace {

// kNeedsSlot: copy-on-write, its first WRITE waits for memory for a slot of its own. The host
// tier: kMoving, its state is being copied to host memory or back; kOnHost, it waits in host
// memory for a slot (in needs_slot_, behind the first WRITEs that waited before it).
enum class Phase : std::uint8_t {
  kFuture,
  kQueued,
  kReady,
  kRunning,
  kNeedsSlot,
  kMoving,
  kOnHost,
  kDone
};

struct Owner {
  ProgramCursor cursor;
  Step step;  // the step it runs next: its program's, unless a fault hook replaced it
  Nanos ready_since{0};
  // Copy-on-write: kBaseSlot until its first WRITE has a slot, and while its state is in host
  // memory (from the end of the copy there to the start of the copy back).
  std::uint32_t slot = 0;
  bool at_base = false;  // copy-on-write: its first WRITE, from the base, has not run yet
  // Whether it holds a slot of its own (and that slot's memory): copy-on-write, once its first
  // WRITE got one; otherwise from admission.
  bool own_slot() const { return slot != kBaseSlot; }
  std::uint32_t ticket = 0;  // which ready-queue entry is this owner's live one
  std::uint32_t mark = 0;    // batch-formation epoch, to find an owner put in a batch twice
  Phase phase = Phase::kFuture;
  std::uint64_t kv_bytes = 0;        // its KV cache for prompt + output, reserved while admitted
  std::uint64_t resident_steps = 0;  // steps completed since it got its slot
  std::uint32_t host_slot = 0;       // where its state is in host memory, while it is there
};

// A copy of a state over the host link, one direction; its owner is kMoving until `end`.
struct Move {
  Nanos start{0};
  Nanos end{0};
  std::uint32_t owner = 0;
};

// Ready steps of one effect, oldest first. Entries of owners that left the ready set stay behind
// as tombstones (their ticket no longer matches) and are dropped when reached or compacted.
struct ReadyQueue {
  struct Entry {
    std::int64_t since;
    std::uint32_t owner;
    std::uint32_t ticket;
  };
  std::vector<Entry> entries;
  std::size_t head = 0;
  std::size_t live = 0;
};

// The batch a busy lane runs: what its end records.
struct LaneBatch {
  std::uint64_t id = 0;
  Nanos start{0};
  std::uint64_t swap_bytes = 0;
  std::uint64_t read_tokens = 0;
};

// A batch as the observer sees it, kept until every batch started before it has ended.
struct ObservedBatch {
  LaneBatch batch;
  std::uint32_t lane = 0;
  Nanos end{0};
  std::vector<BatchStep> steps;
};

class Run final : public ReadyView {
 public:
  Run(std::span<const Request> trace, Policy& policy, const SimConfig& config)
      : trace_(trace),
        policy_(policy),
        config_(config),
        cost_(config.model, config.hardware),
        cache_(CacheResidencyOf(config.model, config.hardware)),
        faults_(MakeFaultHooks(config.faults, config.seed, trace, config.model)),
        executor_(faults_->WrapBackend(config.backend), faults_->WrapHistory(config.history),
                  config.measured_timing, trace.size()),
        metrics_(trace.size()) {}

  Result<RunResult> Go();

  // ReadyView.
  Nanos now() const override { return now_; }
  std::size_t count(Effect e) const override { return queues_[Index(e)].live; }
  void ForEach(Effect e, const std::function<bool(const ReadyStep&)>& visit) const override;
  const ReadyStep* Find(OwnerId owner) const override;
  Nanos oldest(Effect e) const override;
  std::uint32_t busy_lanes() const override { return busy_count_; }

 private:
  static std::size_t Index(Effect e) { return e == Effect::kRead ? 0 : 1; }
  bool AnyReady() const { return queues_[0].live + queues_[1].live > 0; }
  bool Live(const ReadyQueue::Entry& e) const {
    const Owner& o = owners_[e.owner];
    return o.phase == Phase::kReady && o.ticket == e.ticket;
  }
  ReadyStep MakeReadyStep(std::uint32_t index) const;
  std::int64_t IndexOf(OwnerId id) const;

  // Go's steps: the policy's layout, the slots and executor, the owners by id, then one instant
  // of virtual time at a time (arrivals, completions, admission, batches), then the result.
  Status ConfigureLayout();
  Status BeginExecutor();
  Status IndexOwners();
  Status RunNextInstant();
  RunResult MakeResult();

  bool copy_on_write() const { return layout_.slot_mode == SlotMode::kCopyOnWrite; }
  void Admit();
  void MakeReady(std::vector<std::uint32_t>& owners);
  // Copy-on-write: gives the owner, whose first WRITE is ready, a slot of its own and charges its
  // memory; false when the memory is not free (the step then waits in needs_slot_).
  bool GrantSlot(std::uint32_t index);
  // The owners waiting for a slot, oldest first, while the memory for one is free (one in host
  // memory starts its copy back).
  Status GrantWaitingSlots();
  void Enqueue(std::uint32_t index);
  void Unready(std::uint32_t index);
  void Finish(std::uint32_t index);
  // What an admitted owner holds: the layout's per-owner bytes (copy-on-write: once it has a slot)
  // and its KV cache (reserved whole at admission, for prompt + output:
  // docs/cost-model.md#attention-and-the-kv-cache).
  std::uint64_t OwnerMemory(std::uint32_t index) const {
    return (owners_[index].own_slot() ? layout_.owner_bytes : 0) + owners_[index].kv_bytes;
  }
  // The free memory admitting the owner needs: a state and its KV cache. Copy-on-write charges
  // only the KV cache then, and the state stays free in reserve, so that some first WRITE can
  // always take a slot and no run deadlocks (docs/simulator.md).
  std::uint64_t AdmissionNeeds(std::uint32_t index) const {
    return layout_.owner_bytes + owners_[index].kv_bytes;
  }
  Status CheckOwnerFits(std::size_t index) const;

  // The host tier (DeviceLayout::offload_after_steps; docs/simulator.md#the-host-tier-offloadon).
  // Each direction of the link copies one state at a time, in the order the copies were asked for.
  static constexpr int kToHost = 0;
  static constexpr int kToDevice = 1;
  bool offloading() const { return layout_.offload_after_steps > 0; }
  // While owners wait for a slot (beyond those the copies under way to host memory will free),
  // copies to host memory the state of a waiting (not running) owner, the one that has completed
  // the most steps in its slot, at least offload_after_steps.
  Status OffloadForWaiters();
  std::int64_t ChooseOffload() const;
  // Errors: a copy that would end past the simulator's clock.
  Status StartMove(int direction, std::uint32_t index);
  // The copies that end now: an offload frees its slot and memory; a restore readies its step.
  void EndMoves();
  Nanos NextMoveEnd() const;
  // Forms a batch on every idle lane: the policy's plan, checked and turned into items (one per
  // planned step), then timed and handed to the executor.
  Status Dispatch();
  Status DispatchLane(std::uint32_t lane);
  Status AddPlannedStep(std::uint32_t lane, std::size_t k, std::vector<ExecItem>& items,
                        BatchShape& shape);
  // Times the batch (sim/device_sharing.h) and hands it to the executor.
  Status Launch(std::uint32_t lane, std::vector<ExecItem>& items, const BatchShape& shape);
  Error PastTheClock(std::span<const ExecItem> items, Nanos takes) const;
  // The lane's batch ended now: its records, metrics and observers, then each owner's next step.
  void CompleteLane(std::uint32_t lane);

  std::span<const Request> trace_;
  Policy& policy_;
  const SimConfig& config_;
  CostModel cost_;
  CacheResidency cache_;
  std::vector<std::uint32_t> read_slots_, write_slots_;  // the batch being dispatched
  std::unique_ptr<FaultHooks> faults_;  // before executor_, which runs on what it wraps
  Executor executor_;
  MetricsBuilder metrics_;
  DeviceLayout layout_;
  std::optional<SlotAllocator> slots_;  // made once the policy has chosen the layout

  std::vector<Owner> owners_;
  // Owner id -> trace position: a dense table when ids are small (the usual 0..n-1), else a map.
  std::vector<std::uint32_t> dense_index_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_of_;
  mutable ReadyQueue queues_[2];
  mutable ReadyStep scratch_;
  std::deque<std::uint32_t> waiting_;  // arrived, not admitted, in arrival order
  // Copy-on-write: first WRITEs, and owners in host memory, waiting for a slot's memory.
  std::deque<std::uint32_t> needs_slot_;
  std::deque<Move> moves_[2];           // [kToHost], [kToDevice]: copies under way, in order
  std::uint64_t host_memory_ = 0;       // host memory held by offloaded states, copies included
  std::uint64_t offloads_pending_ = 0;  // copies to host memory under way
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> free_host_;
  std::uint32_t next_host_slot_ = 0;
  std::vector<std::uint32_t> newly_ready_;

  std::vector<std::vector<ExecItem>> lane_items_;
  std::vector<LaneBatch> lane_batch_;
  std::vector<bool> busy_;
  std::uint32_t busy_count_ = 0;
  DeviceSharing device_;  // the busy lanes' batches, sharing the device
  std::vector<std::uint32_t> ended_;
  StartOrder<ObservedBatch> observed_;  // with an observer: batches it has not been given

  Nanos now_{0};
  std::size_t next_arrival_ = 0;
  std::uint64_t admitted_ = 0;
  std::uint64_t finished_ = 0;
  std::uint64_t memory_ = 0;
  std::uint64_t step_ids_ = 0;
  std::uint64_t batch_ids_ = 0;
  std::uint64_t events_ = 0;
  std::uint32_t epoch_ = 0;
  std::uint64_t base_reads_ = 0;  // READs of the batch being formed that read the base
  std::uint64_t next_progress_ = 0;
  std::uint64_t next_health_check_ = 4096;
  BatchPlan plan_;
};

ReadyStep Run::MakeReadyStep(std::uint32_t index) const {
  const Owner& o = owners_[index];
  return ReadyStep{trace_[index].id, o.ready_since, o.step, o.slot, trace_[index].arrival};
}

void Run::ForEach(Effect e, const std::function<bool(const ReadyStep&)>& visit) const {
  ReadyQueue& q = queues_[Index(e)];
  while (q.head < q.entries.size() && !Live(q.entries[q.head])) ++q.head;
  for (std::size_t i = q.head; i < q.entries.size(); ++i) {
    if (!Live(q.entries[i])) continue;
    scratch_ = MakeReadyStep(q.entries[i].owner);
    if (!visit(scratch_)) return;
  }
}

Nanos Run::oldest(Effect e) const {
  ReadyQueue& q = queues_[Index(e)];
  while (q.head < q.entries.size() && !Live(q.entries[q.head])) ++q.head;
  RWTTT_CHECK(q.head < q.entries.size()) << "oldest() of an empty ready set";
  return Nanos{q.entries[q.head].since};
}

std::int64_t Run::IndexOf(OwnerId id) const {
  constexpr std::uint32_t kNone = ~0u;
  if (!dense_index_.empty()) {
    if (id.value() >= dense_index_.size() || dense_index_[id.value()] == kNone) return -1;
    return dense_index_[id.value()];
  }
  auto it = index_of_.find(id.value());
  return it == index_of_.end() ? -1 : it->second;
}

const ReadyStep* Run::Find(OwnerId owner) const {
  const std::int64_t index = IndexOf(owner);
  if (index < 0 || owners_[index].phase != Phase::kReady) return nullptr;
  scratch_ = MakeReadyStep(static_cast<std::uint32_t>(index));
  return &scratch_;
}

void Run::MakeReady(std::vector<std::uint32_t>& owners) {
  // Steps that became ready at the same instant enter the queues in owner-id order.
  std::sort(owners.begin(), owners.end(),
            [&](std::uint32_t a, std::uint32_t b) { return trace_[a].id < trace_[b].id; });
  for (std::uint32_t index : owners) {
    Owner& o = owners_[index];
    o.step = o.cursor.step();
    faults_->OnReady(index, o.step);
    if (o.at_base && !o.step.is_read() && !GrantSlot(index)) {
      o.phase = Phase::kNeedsSlot;
      needs_slot_.push_back(index);
      continue;
    }
    Enqueue(index);
  }
  owners.clear();
}

void Run::Enqueue(std::uint32_t index) {
  Owner& o = owners_[index];
  o.phase = Phase::kReady;
  o.ready_since = now_;
  ++o.ticket;
  ReadyQueue& q = queues_[Index(o.step.tag.effect)];
  q.entries.push_back({now_.value(), index, o.ticket});
  ++q.live;
}

bool Run::GrantSlot(std::uint32_t index) {
  if (memory_ + layout_.owner_bytes > config_.budget_bytes) return false;
  Owner& o = owners_[index];
  o.slot = slots_->Acquire(index).slot;
  o.resident_steps = 0;
  memory_ += layout_.owner_bytes;
  metrics_.OnMemory(memory_);
  return true;
}

Status Run::GrantWaitingSlots() {
  while (!needs_slot_.empty() && GrantSlot(needs_slot_.front())) {
    const std::uint32_t index = needs_slot_.front();
    needs_slot_.pop_front();
    if (owners_[index].phase == Phase::kOnHost) {
      RWTTT_TRY(StartMove(kToDevice, index));
    } else {
      Enqueue(index);
    }
  }
  return OkStatus();
}

Status Run::OffloadForWaiters() {
  if (!offloading()) return OkStatus();
  const std::uint64_t host_budget = config_.hardware.host_memory_bytes();
  while (needs_slot_.size() > offloads_pending_ &&
         host_memory_ + layout_.owner_bytes <= host_budget) {
    const std::int64_t victim = ChooseOffload();
    if (victim < 0) break;
    RWTTT_TRY(StartMove(kToHost, static_cast<std::uint32_t>(victim)));
  }
  return OkStatus();
}

std::int64_t Run::ChooseOffload() const {
  std::int64_t best = -1;
  for (std::uint32_t slot = 0; slot < slots_->num_slots(); ++slot) {
    const std::int64_t holder = slots_->holder(slot);
    if (holder < 0) continue;
    const Owner& o = owners_[holder];
    if (o.phase != Phase::kReady || o.resident_steps < layout_.offload_after_steps) continue;
    if (best < 0 || o.resident_steps > owners_[best].resident_steps) best = holder;
  }
  return best;
}

Status Run::StartMove(int direction, std::uint32_t index) {
  Owner& o = owners_[index];
  std::deque<Move>& line = moves_[direction];
  const Nanos start = line.empty() ? now_ : std::max(now_, line.back().end);
  const double copy_ns =
      std::ceil(static_cast<double>(layout_.owner_bytes) / config_.hardware.host_link_gbs);
  if (!(copy_ns < static_cast<double>(INT64_MAX - start.value()))) {
    return Error::Input(fmt::format(
        "request {} (the trace's request #{}) would run past the simulator's 2^63 ns clock: the "
        "copy of its state over the host link starts at {} ns and takes {:.0f} ns on {}",
        trace_[index].id.value(), index + 1, start.value(), copy_ns, config_.hardware.name));
  }
  if (direction == kToHost) {
    Unready(index);  // its ready step waits in host memory
    if (free_host_.empty()) {
      o.host_slot = next_host_slot_++;
    } else {
      o.host_slot = free_host_.top();
      free_host_.pop();
    }
    host_memory_ += layout_.owner_bytes;
    ++offloads_pending_;
  }
  o.phase = Phase::kMoving;
  const Move move{
      start, start + Nanos{std::max<std::int64_t>(static_cast<std::int64_t>(copy_ns), 1)}, index};
  line.push_back(move);
  // The copy's record, and the backend's copy, now: no step of the owner runs until it ends, and
  // the history logs a move when the engine begins it.
  const OwnerId id = trace_[index].id;
  if (direction == kToHost) {
    executor_.Offload(id, o.slot, o.host_slot, now_, move.end);
  } else {
    const FaultHooks::Restore restore = faults_->OnRestore(index, o.slot, *slots_);
    executor_.Restore(id, o.host_slot, restore.slot, now_, move.end, restore.from_base);
  }
  return OkStatus();
}

Nanos Run::NextMoveEnd() const {
  Nanos t{INT64_MAX};
  for (const std::deque<Move>& line : moves_) {
    if (!line.empty()) t = std::min(t, line.front().end);
  }
  return t;
}

void Run::EndMoves() {
  for (int direction : {kToHost, kToDevice}) {  // offloads first: the memory they free is used
    std::deque<Move>& line = moves_[direction];
    while (!line.empty() && line.front().end == now_) {
      const Move move = line.front();
      line.pop_front();
      Owner& o = owners_[move.owner];
      if (direction == kToHost) {
        slots_->Release(o.slot);
        o.slot = kBaseSlot;
        memory_ -= layout_.owner_bytes;
        --offloads_pending_;
        o.phase = Phase::kOnHost;
        needs_slot_.push_back(move.owner);
      } else {
        free_host_.push(o.host_slot);
        host_memory_ -= layout_.owner_bytes;
        Enqueue(move.owner);
      }
      metrics_.OnMove(direction == kToHost, host_memory_);
      if (config_.observer != nullptr) {
        config_.observer->OnMove(LinkCopy{direction == kToHost, trace_[move.owner].id, move.start,
                                          move.end, layout_.owner_bytes});
      }
      ++events_;
    }
  }
}

void Run::Unready(std::uint32_t index) {
  Owner& o = owners_[index];
  ReadyQueue& q = queues_[Index(o.step.tag.effect)];
  o.phase = Phase::kRunning;
  --q.live;
  // Compact when tombstones (and entries already passed) outnumber live entries, so memory
  // stays O(ready owners) rather than O(steps).
  const std::size_t dead = q.entries.size() - q.live;
  if (dead > q.live + 1024) {
    std::vector<ReadyQueue::Entry> kept;
    kept.reserve(q.live);
    for (std::size_t i = q.head; i < q.entries.size(); ++i) {
      if (Live(q.entries[i])) kept.push_back(q.entries[i]);
    }
    q.entries = std::move(kept);
    q.head = 0;
  }
}

void Run::Finish(std::uint32_t index) {
  Owner& o = owners_[index];
  o.phase = Phase::kDone;
  ++finished_;
  metrics_.OnFinish(index, now_);
  memory_ -= OwnerMemory(index);
  if (o.own_slot()) slots_->Release(o.slot);
  --admitted_;
  policy_.OnFinish(trace_[index].id);
}

void Run::Admit() {
  while (!waiting_.empty() && admitted_ < layout_.max_admitted &&
         memory_ + AdmissionNeeds(waiting_.front()) <= config_.budget_bytes) {
    const std::uint32_t index = waiting_.front();
    waiting_.pop_front();
    Owner& o = owners_[index];
    if (copy_on_write()) {  // it reads the base until its first WRITE
      o.slot = kBaseSlot;
      o.at_base = true;
    } else {
      const SlotAllocator::Grant grant = slots_->Acquire(index);
      o.slot = grant.slot;
      executor_.Admit(trace_[index].id, o.slot, grant.fresh);
    }
    ++admitted_;
    memory_ += OwnerMemory(index);
    metrics_.OnMemory(memory_);
    metrics_.OnAdmit(index, now_);
    policy_.OnAdmit(trace_[index].id, o.slot);
    if (o.cursor.done()) {
      Finish(index);
    } else {
      newly_ready_.push_back(index);
    }
  }
}

Status Run::Dispatch() {
  // A batch needs a ready step, so once none is left the other lanes are not asked: a replicas
  // layout of thousands of lanes costs per instant what its ready owners do, not what its lanes do.
  for (std::uint32_t lane = 0; lane < layout_.lanes && AnyReady(); ++lane) {
    if (!busy_[lane]) RWTTT_TRY(DispatchLane(lane));
  }
  return OkStatus();
}

Status Run::DispatchLane(std::uint32_t lane) {
  plan_.clear();
  policy_.NextBatch(*this, lane, plan_);
  if (plan_.owners.empty()) return OkStatus();
  ++epoch_;
  base_reads_ = 0;
  std::vector<ExecItem>& items = lane_items_[lane];
  items.clear();
  BatchShape shape;
  shape.swap_bytes = plan_.swap_bytes;
  if (!plan_.slots.empty() && plan_.slots.size() != plan_.owners.size()) {
    return Error::Usage(fmt::format("the policy gave {} slots for {} owners at {} ns",
                                    plan_.slots.size(), plan_.owners.size(), now_.value()));
  }
  for (std::size_t k = 0; k < plan_.owners.size(); ++k) {
    RWTTT_TRY(AddPlannedStep(lane, k, items, shape));
  }
  faults_->OnDispatch(items, *slots_);
  // The base is one more slot, read once however many version-0 owners the batch has.
  shape.read_slots =
      slots_->SlotsTouched(shape.read_steps - base_reads_) + (base_reads_ > 0 ? 1 : 0);
  shape.write_slots = slots_->SlotsTouched(shape.write_steps);
  if (cache_.enabled()) {  // gathering the slots costs a hot path nothing without one
    read_slots_.clear();
    write_slots_.clear();
    for (const ExecItem& it : items) {
      // A first WRITE under copy-on-write reads the base and lands in the owner's new slot: the
      // cache keeps what it leaves, the new slot.
      if (it.step.is_read()) {
        read_slots_.push_back(it.slot);
      } else {
        write_slots_.push_back(it.commit_slot());
      }
    }
    cache_.Place(lane, read_slots_, write_slots_, shape);
  }
  return Launch(lane, items, shape);
}

Status Run::AddPlannedStep(std::uint32_t lane, std::size_t k, std::vector<ExecItem>& items,
                           BatchShape& shape) {
  const OwnerId id = plan_.owners[k];
  const std::int64_t found = IndexOf(id);
  if (found >= 0 && owners_[found].mark == epoch_) {
    return Error::Usage(fmt::format("the policy put owner {} twice in one batch at {} ns",
                                    id.value(), now_.value()));
  }
  if (found < 0 || owners_[found].phase != Phase::kReady) {
    return Error::Usage(
        fmt::format("the policy put owner {} in a batch on lane {} at {} ns, "
                    "but it has no ready step",
                    id.value(), lane, now_.value()));
  }
  const auto index = static_cast<std::uint32_t>(found);
  Owner& o = owners_[index];
  o.mark = epoch_;
  const Step& step = o.step;
  const Request& r = trace_[index];
  ExecItem& item = items.emplace_back(ExecItem{index, step, o.slot,
                                               r.seed ? r.seed->value() : config_.seed.value(),
                                               step_ids_++, step.tag.version.Next(), 0});
  if (o.at_base && !step.is_read()) {  // copy-on-write: reads the base, commits to its own slot
    item.slot = kBaseSlot;
    item.first_slot = o.slot;
    o.at_base = false;
  }
  if (!plan_.slots.empty()) {
    if (plan_.slots[k] >= slots_->num_slots()) {
      return Error::Usage(fmt::format("the policy placed owner {} in slot {}, but there are {}",
                                      id.value(), plan_.slots[k], slots_->num_slots()));
    }
    item.slot = plan_.slots[k];
  }
  if (step.is_read()) {
    if (item.slot == kBaseSlot) ++base_reads_;
    ++shape.read_steps;
    shape.read_tokens += step.tokens();
    if (const std::optional<AttentionShape>& a = config_.model.attention) {
      shape.kv_read_tokens += a->KvTokensRead(step.first_token, step.end_token);
      shape.attended_pairs += a->AttendedPairs(step.first_token, step.end_token);
    }
  } else {
    ++shape.write_steps;
  }
  Unready(index);
  return OkStatus();
}

Status Run::Launch(std::uint32_t lane, std::vector<ExecItem>& items, const BatchShape& shape) {
  const BatchTiming timing = cost_.BatchTime(shape);
  if (timing.total.value() > INT64_MAX - now_.value()) return PastTheClock(items, timing.total);
  const std::uint64_t batch_id = batch_ids_++;
  const std::optional<Nanos> wall = executor_.Dispatch(items, batch_id, now_, plan_.swap_bytes);
  // Measured: the kernels' wall time, all of it the device's (the backend ran them alone).
  device_.Start(lane, now_, wall ? Nanos{0} : timing.host(), wall ? *wall : timing.device);
  lane_batch_[lane] = LaneBatch{batch_id, now_, plan_.swap_bytes, shape.read_tokens};
  if (config_.observer != nullptr) {
    ObservedBatch& seen = observed_.Open(batch_id);
    seen.batch = lane_batch_[lane];
    seen.lane = lane;
    seen.steps.clear();
    for (const ExecItem& it : items) seen.steps.push_back({it.step_id, it.step, it.slot});
  }
  busy_[lane] = true;
  ++busy_count_;
  return OkStatus();
}

Error Run::PastTheClock(std::span<const ExecItem> items, Nanos takes) const {
  const std::uint32_t first = items.front().owner_index;
  return Error::Input(fmt::format(
      "request {} (the trace's request #{}) would run past the simulator's 2^63 ns clock: its "
      "batch starts at {} ns and takes {} ns on {}",
      trace_[first].id.value(), first + 1, now_.value(), takes.value(), config_.hardware.name));
}

void Run::CompleteLane(std::uint32_t lane) {
  std::vector<ExecItem>& items = lane_items_[lane];
  const LaneBatch& batch = lane_batch_[lane];
  executor_.Complete(items, batch.id, now_);
  metrics_.OnBatch(items.size(), batch.read_tokens, now_ - batch.start);
  if (config_.observer != nullptr) {
    observed_.at(batch.id).end = now_;
    observed_.End(batch.id, [&](const ObservedBatch& o) {
      config_.observer->OnBatch(
          BatchRecord{o.batch.id, o.lane, o.batch.start, o.end, o.batch.swap_bytes, o.steps});
    });
  }
  for (const ExecItem& it : items) {
    Owner& o = owners_[it.owner_index];
    const Request& r = trace_[it.owner_index];
    const std::uint32_t completed = faults_->OnComplete(it);
    if (completed == 0) {  // the same program step runs again
      newly_ready_.push_back(it.owner_index);
      continue;
    }
    if (it.step.is_read() && r.output_tokens > 0) {
      if (it.step.first_token >= r.prompt_tokens) metrics_.OnOutputToken(it.owner_index, now_);
      if (it.step.first_token == r.prompt_tokens) metrics_.OnFirstToken(it.owner_index, now_);
      if (it.step.first_token == r.prompt_tokens + r.output_tokens - 1) {
        metrics_.OnLastToken(it.owner_index, now_, r.output_tokens);
      }
    }
    for (std::uint32_t n = 0; n < completed; ++n) o.cursor.Advance();
    o.resident_steps += completed;
    if (o.cursor.done()) {
      Finish(it.owner_index);
    } else {
      newly_ready_.push_back(it.owner_index);
    }
  }
  busy_[lane] = false;
  --busy_count_;
}

Result<RunResult> Run::Go() {
  RWTTT_TRY(ConfigureLayout());
  RWTTT_TRY(BeginExecutor());
  RWTTT_TRY(IndexOwners());
  lane_items_.resize(layout_.lanes);
  lane_batch_.resize(layout_.lanes);
  busy_.assign(layout_.lanes, false);
  memory_ = layout_.fixed_bytes;
  metrics_.OnMemory(memory_);
  next_progress_ = config_.progress_every;
  while (next_arrival_ < trace_.size() || !device_.empty() || NextMoveEnd().value() != INT64_MAX) {
    RWTTT_TRY(RunNextInstant());
  }
  RWTTT_CHECK(finished_ == trace_.size()) << finished_ << " of " << trace_.size() << " finished";
  faults_->OnRunEnd();
  return MakeResult();
}

Status Run::ConfigureLayout() {
  Result<DeviceLayout> layout = policy_.Configure(
      PolicyContext{config_.model, config_.hardware, config_.budget_bytes, config_.policy_options});
  if (!layout.ok()) {
    Error e = std::move(layout).error();
    // Every owner needs the same memory, so the first request is the first that can never run.
    if (e.code == ErrorCode::kInvalidInput && !trace_.empty()) {
      e.message = fmt::format("request {} (and every other) can never run: {}",
                              trace_.front().id.value(), e.message);
    }
    return e;
  }
  layout_ = *layout;
  RWTTT_CHECK(layout_.lanes >= 1);
  if (layout_.offload_after_steps > 0 &&
      (layout_.slot_mode != SlotMode::kCopyOnWrite || !config_.hardware.has_host_tier())) {
    return Error::Usage(fmt::format(
        "the policy's layout offloads states to host memory, which needs copy-on-write slots "
        "(SlotMode::kCopyOnWrite) and hardware with a host tier; {} has {}",
        config_.hardware.name, config_.hardware.has_host_tier() ? "one" : "none"));
  }
  if (!layout_.fits(config_.budget_bytes) && !trace_.empty()) {
    return Error::Input(fmt::format(
        "request {} can never be admitted: the policy pins {} bytes and each owner needs {} more, "
        "over the {}-byte memory budget",
        trace_.front().id.value(), layout_.fixed_bytes, layout_.owner_bytes, config_.budget_bytes));
  }
  return OkStatus();
}

Status Run::BeginExecutor() {
  // Slots: at most one per owner admitted at once.
  std::uint64_t slots = trace_.size();
  slots = std::min<std::uint64_t>(slots, layout_.max_admitted);
  if (layout_.owner_bytes > 0) {
    slots = std::min<std::uint64_t>(
        slots, (config_.budget_bytes - layout_.fixed_bytes) / layout_.owner_bytes);
  }
  slots_.emplace(layout_.slot_mode, static_cast<std::uint32_t>(std::max<std::uint64_t>(slots, 1)));
  // Host slots: at most one per admitted owner, as many as host memory holds.
  std::uint64_t host_slots = 0;
  if (offloading() && layout_.owner_bytes > 0) {
    host_slots = std::min<std::uint64_t>(
        trace_.size(), config_.hardware.host_memory_bytes() / layout_.owner_bytes);
  }
  return executor_.Begin(config_.model, slots_->num_slots(), config_.seed, copy_on_write(),
                         static_cast<std::uint32_t>(host_slots));
}

Status Run::IndexOwners() {
  owners_.reserve(trace_.size());
  std::uint64_t max_id = 0;
  for (const Request& r : trace_) max_id = std::max(max_id, r.id.value());
  const bool dense = max_id < 4 * trace_.size() + 1024;
  if (dense) dense_index_.assign(max_id + 1, ~0u);
  for (std::size_t i = 0; i < trace_.size(); ++i) {
    owners_.push_back(Owner{ProgramCursor(trace_[i], config_.model.chunk), Step{}});
    owners_.back().kv_bytes =
        config_.model.kv_bytes(std::uint64_t{trace_[i].prompt_tokens} + trace_[i].output_tokens);
    RWTTT_TRY(CheckOwnerFits(i));
    const std::uint64_t id = trace_[i].id.value();
    const bool fresh = dense ? dense_index_[id] == ~0u
                             : index_of_.emplace(id, static_cast<std::uint32_t>(i)).second;
    if (!fresh) return Error::Input(fmt::format("request id {} appears twice", id));
    if (dense) dense_index_[id] = static_cast<std::uint32_t>(i);
    if (i > 0 && trace_[i].arrival < trace_[i - 1].arrival) {
      return Error::Input(
          fmt::format("request {} arrives before the one listed before it", trace_[i].id.value()));
    }
  }
  return OkStatus();
}

Status Run::CheckOwnerFits(std::size_t index) const {
  const std::uint64_t kv = owners_[index].kv_bytes;
  if (kv == 0 || layout_.fixed_bytes + layout_.owner_bytes + kv <= config_.budget_bytes) {
    return OkStatus();
  }
  const Request& r = trace_[index];
  return Error::Input(fmt::format(
      "request {} can never be admitted: its KV cache for {} tokens ({} bytes), the policy's {} "
      "pinned bytes and {} bytes per owner exceed the {}-byte memory budget",
      r.id.value(), std::uint64_t{r.prompt_tokens} + r.output_tokens, kv, layout_.fixed_bytes,
      layout_.owner_bytes, config_.budget_bytes));
}

Status Run::RunNextInstant() {
  Nanos t{INT64_MAX};
  if (!device_.empty()) {
    t = device_.NextEnd();
    if (t.value() == INT64_MAX) {  // lanes sharing the device push a batch past the clock
      for (std::uint32_t lane = 0; lane < layout_.lanes; ++lane) {
        if (busy_[lane]) return PastTheClock(lane_items_[lane], t - lane_batch_[lane].start);
      }
    }
  }
  if (next_arrival_ < trace_.size()) t = std::min(t, trace_[next_arrival_].arrival);
  t = std::min(t, NextMoveEnd());
  RWTTT_CHECK(t >= now_) << "time went backwards: " << t.value() << " < " << now_.value();
  now_ = t;
  // Everything that happens at this instant, before any new batch is formed.
  while (next_arrival_ < trace_.size() && trace_[next_arrival_].arrival == now_) {
    const auto index = static_cast<std::uint32_t>(next_arrival_++);
    owners_[index].phase = Phase::kQueued;
    metrics_.OnArrival(index, now_);
    waiting_.push_back(index);
    ++events_;
  }
  ended_.clear();
  if (!device_.empty()) device_.AdvanceTo(now_, ended_);
  for (std::uint32_t lane : ended_) {  // in the order their batches started
    CompleteLane(lane);
    ++events_;
  }
  EndMoves();
  RWTTT_TRY(GrantWaitingSlots());  // before admissions: an admitted owner's first WRITE goes first
  Admit();
  MakeReady(newly_ready_);
  RWTTT_TRY(OffloadForWaiters());
  RWTTT_TRY(Dispatch());
  if (busy_count_ == 0 && next_arrival_ == trace_.size() && finished_ < trace_.size() &&
      NextMoveEnd().value() == INT64_MAX) {
    return Error::Usage(fmt::format(
        "the policy stalled at {} ns: {} steps are ready and {} requests wait for admission, "
        "but it formed no batch and nothing else will happen",
        now_.value(), count(Effect::kRead) + count(Effect::kWrite), waiting_.size()));
  }
  if (config_.history != nullptr && batch_ids_ >= next_health_check_) {
    next_health_check_ = batch_ids_ + 4096;
    RWTTT_TRY(config_.history->health());  // a full disk ends the run now, not at the end
  }
  if (config_.progress && step_ids_ >= next_progress_) {
    next_progress_ = step_ids_ + config_.progress_every;
    config_.progress(Progress{now_, finished_, trace_.size(), step_ids_});
  }
  return OkStatus();
}

RunResult Run::MakeResult() {
  std::uint64_t prompt = 0;
  std::uint64_t output = 0;
  for (const Request& r : trace_) {
    prompt += r.prompt_tokens;
    output += r.output_tokens;
  }
  RunResult result;
  result.metrics = metrics_.Finish(prompt, output, layout_.lanes, config_.budget_bytes);
  result.layout = layout_;
  result.events = events_;
  result.slots = slots_->high_water();
  result.faults_injected = faults_->injected();
  return result;
}

}  // namespace

Result<RunResult> Simulate(std::span<const Request> trace, Policy& policy,
                           const SimConfig& config) {
  if (config.measured_timing && config.backend == nullptr) {
    return Error::Usage("measured timing needs a backend to run the kernels");
  }
  Run run(trace, policy, config);
  return run.Go();
}

}  // namespace rwttt
