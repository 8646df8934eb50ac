#include "sim/executor.h"

#include <algorithm>
#include <chrono>

#include "core/check.h"

namespace rwttt {

Executor::Executor(Backend* backend, HistorySink* history, bool measure, std::size_t owners)
    : backend_(backend), history_(history), measure_(measure), carry_(owners, 0) {
  RWTTT_CHECK(!measure || backend != nullptr) << "measured timing needs a backend";
}

Status Executor::Begin(const ModelProfile& model, std::uint32_t num_slots, Seed seed, bool base,
                       std::uint32_t host_slots) {
  stamps_.assign(num_slots, Stamp{});
  initialised_.assign(num_slots, false);
  host_stamps_.assign(host_slots, Stamp{});
  host_initialised_.assign(host_slots, false);
  state_bytes_ = model.state_bytes();
  base_ = num_slots;
  swap_buffer_ = num_slots + (base ? 1 : 0);
  host_begin_ = swap_buffer_ + (measure_ ? 1 : 0);
  if (backend_ != nullptr) {
    RWTTT_TRY(backend_->Reset(model, host_begin_ + host_slots, seed));
    if (base) backend_->InitSlot(base_);
    if (measure_) backend_->InitSlot(swap_buffer_);
  }
  return OkStatus();
}

void Executor::Admit(OwnerId owner, std::uint32_t slot, bool init_slot) {
  RWTTT_CHECK(slot < stamps_.size()) << "slot " << slot << " of " << stamps_.size();
  if (!init_slot) return;
  stamps_[slot] = Stamp{owner, Version{0}};
  initialised_[slot] = true;
  if (backend_ != nullptr) backend_->InitSlot(slot);
}

void Executor::RecordMove(OwnerId owner, Stamp stamp, std::uint64_t from, std::uint64_t to,
                          Nanos start, Nanos end) {
  if (history_ == nullptr) return;
  const std::uint64_t order = next_order_++;
  std::vector<HistoryStep>& records = pending_.Open(order);
  records.clear();
  records.push_back(HistoryMove(moves_++, owner, stamp.version, from, to, start, end));
  records.back().seen_owner = stamp.owner;
  pending_.End(order, [&](const std::vector<HistoryStep>& done) {
    for (const HistoryStep& h : done) history_->Write(h);
  });
}

void Executor::Offload(OwnerId owner, std::uint32_t slot, std::uint32_t host, Nanos start,
                       Nanos end) {
  RWTTT_CHECK(slot < stamps_.size() && host < host_stamps_.size())
      << "offload of slot " << slot << " to host slot " << host;
  host_stamps_[host] = stamps_[slot];
  RecordMove(owner, stamps_[slot], slot, kHostSlots + host, start, end);
  if (backend_ == nullptr) return;
  // A backend copies between initialised slots only (a fault's first WRITE may have committed
  // elsewhere and left the owner's slot as it was).
  if (!host_initialised_[host]) backend_->InitSlot(host_begin_ + host);
  host_initialised_[host] = true;
  if (!initialised_[slot]) backend_->InitSlot(slot);
  initialised_[slot] = true;
  backend_->CopySlot(slot, host_begin_ + host);
}

void Executor::Restore(OwnerId owner, std::uint32_t host, std::uint32_t slot, Nanos start,
                       Nanos end, bool from_base) {
  RWTTT_CHECK(slot < stamps_.size() && host < host_stamps_.size())
      << "restore of host slot " << host << " to slot " << slot;
  const Stamp saved = host_stamps_[host];
  stamps_[slot] = from_base ? Stamp{saved.owner, Version{0}} : saved;
  RecordMove(owner, stamps_[slot], kHostSlots + host, slot, start, end);
  if (backend_ != nullptr) {
    if (!initialised_[slot]) backend_->InitSlot(slot);
    backend_->CopySlot(from_base ? base_ : host_begin_ + host, slot);
  }
  initialised_[slot] = true;
}

std::optional<Nanos> Executor::Dispatch(std::span<const ExecItem> items, std::uint64_t batch_id,
                                        Nanos start, std::uint64_t swap_bytes) {
  seen_.clear();
  for (const ExecItem& it : items) {
    // The base holds version 0, every owner's.
    seen_.push_back(it.slot == kBaseSlot ? Stamp{it.step.tag.owner, Version{0}} : stamps_[it.slot]);
  }
  std::optional<Nanos> wall;
  if (backend_ != nullptr) {
    batch_items_.clear();
    for (const ExecItem& it : items) {
      BatchItem b;
      b.owner = it.step.tag.owner;
      b.effect = it.step.tag.effect;
      b.first_token = it.step.first_token;
      b.end_token = it.step.end_token;
      b.slot = BackendSlot(it.slot);
      // A first WRITE from the base updates a copy of it in the owner's new slot.
      if (!it.step.is_read()) b.slot = BackendSlot(it.commit_slot());
      b.input_seed = it.input_seed;
      b.carry = carry_[it.owner_index];
      batch_items_.push_back(b);
    }
    results_.assign(items.size(), ItemResult{});
    // Read the clock only when measuring: it is a call per batch.
    const auto wall_start =
        measure_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    if (measure_ && swap_bytes > 0 && state_bytes_ > 0 && !items.empty()) {
      for (std::uint64_t copied = 0; copied < swap_bytes; copied += state_bytes_) {
        backend_->CopySlot(BackendSlot(items.front().slot), swap_buffer_);
      }
    }
    for (const ExecItem& it : items) {
      // Copy-on-write leaves slots uninitialised until a first WRITE (or a fault) uses them; a
      // backend computes only on initialised ones.
      for (const std::uint32_t slot : {it.slot, it.commit_slot()}) {
        if (slot != kBaseSlot && !initialised_[slot]) {
          backend_->InitSlot(slot);
          initialised_[slot] = true;
        }
      }
      if (!it.step.is_read() && it.slot == kBaseSlot && it.first_slot != kBaseSlot) {
        backend_->CopySlot(base_, it.first_slot);
      }
    }
    backend_->RunBatch(batch_items_, results_);
    if (measure_) {
      const auto took = std::chrono::steady_clock::now() - wall_start;
      wall = Nanos{std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(took).count())};
    }
    for (std::size_t i = 0; i < items.size(); ++i) carry_[items[i].owner_index] = results_[i].carry;
  }
  if (history_ == nullptr) return wall;
  order_of_.emplace_back(batch_id, next_order_);
  std::vector<HistoryStep>& records = pending_.Open(next_order_++);
  records.clear();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ExecItem& it = items[i];
    HistoryStep& h = records.emplace_back();
    h.step = it.step_id;
    h.batch = batch_id;
    h.owner = it.step.tag.owner;
    h.effect = it.step.tag.effect;
    h.version = it.step.tag.version;
    h.first_token = it.step.first_token;
    h.end_token = it.step.end_token;
    h.start = start;
    h.slot = it.slot;
    h.seen_owner = seen_[i].owner;
    h.seen_version = seen_[i].version;
    if (!it.step.is_read()) {
      h.commit_slot = it.commit_slot();
      h.commit_version = it.commit_version;
    }
    if (backend_ != nullptr) {
      if (it.step.is_read()) {
        h.out_digest = results_[i].out_digest;
      } else {
        h.state_digest = results_[i].state_digest;
      }
    }
  }
  return wall;
}

void Executor::Complete(std::span<const ExecItem> items, std::uint64_t batch_id, Nanos end) {
  for (const ExecItem& it : items) {
    // A commit into the base (a fault's) leaves its stamp: the base is every owner's version 0.
    if (!it.step.is_read() && it.commit_slot() != kBaseSlot)
      stamps_[it.commit_slot()] = Stamp{it.step.tag.owner, it.commit_version};
  }
  if (history_ == nullptr) return;
  const auto it = std::find_if(order_of_.begin(), order_of_.end(),
                               [&](const auto& entry) { return entry.first == batch_id; });
  RWTTT_CHECK(it != order_of_.end()) << "batch " << batch_id << " was not dispatched";
  const std::uint64_t order = it->second;
  order_of_.erase(it);
  for (HistoryStep& h : pending_.at(order)) h.end = end;
  pending_.End(order, [&](const std::vector<HistoryStep>& records) {
    for (const HistoryStep& h : records) history_->Write(h);
  });
}

}  // namespace rwttt
