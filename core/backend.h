// Backend: where the math of a batch runs (DESIGN §4). The scalar `cpu` backend lives in core as
// the reference; the Thrust `omp` and `cuda` backends live in gpu/. All compute bit-identical
// results for the same items, whatever the batch composition, order or thread count.
//
//   std::unique_ptr<Backend> b = std::make_unique<CpuBackend>();  // or gpu/backend_registry.h
//   RWTTT_TRY(b->Reset(model, /*num_slots=*/8, Seed{7}));
//   b->InitSlot(0);                                 // slot 0 holds a fresh state (version 0)
//   b->RunBatch(items, results);
//
// A backend holds only math state: the shared weights and one TttState per slot. Stamps
// (owner, version) are the executor's business (sim/), so that fault injection and the history
// can tell what a step claimed from what it saw.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/model_profile.h"
#include "core/result.h"
#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

// One step of a batch, as the backend needs it.
struct BatchItem {
  OwnerId owner;
  Effect effect = Effect::kRead;
  // READ: the tokens it covers. WRITE: the chunk it closes, [end_token - C, end_token).
  std::uint32_t first_token = 0;
  std::uint32_t end_token = 0;
  std::uint32_t slot = 0;        // the slot read (and, for a WRITE, updated in place)
  std::uint64_t input_seed = 0;  // keys the owner's inputs: the request's seed or the run's
  // The owner's autoregressive carry: a digest of everything it produced so far. READ inputs mix
  // it in, so a corrupted state changes every later output. 0 for a fresh owner.
  std::uint64_t carry = 0;
};

struct ItemResult {
  std::uint64_t out_digest = 0;    // READ: XXH3 of the step's outputs; WRITE: 0
  std::uint64_t state_digest = 0;  // WRITE: digest of the slot's whole state after the update
  std::uint64_t carry = 0;         // the owner's carry after this step
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "cpu", "omp" or "cuda".
  virtual std::string_view name() const = 0;

  // Allocates `num_slots` slots of `model`'s TttState and generates the shared weights from
  // `seed`. Fails (Unavailable / Input) when the memory cannot be had. Invalidates all slots.
  virtual Status Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) = 0;

  // Puts the initial state (the model's base W_down, the same for every owner) into `slot`.
  // REQUIRES: slot < num_slots.
  virtual void InitSlot(std::uint32_t slot) = 0;

  // Runs `items` as one batch and writes one result per item. Items may share a slot (a broken
  // policy's batch): items touching one slot then apply in item order, so results stay defined.
  // REQUIRES: results.size() == items.size(); every slot initialised.
  virtual void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) = 0;

  // Digest of the slot's whole state, as ItemResult::state_digest reports it.
  virtual std::uint64_t StateDigest(std::uint32_t slot) = 0;

  // Copies one slot's state over another (sequential's swap into the single weight buffer; a
  // policy that saves an owner's state). REQUIRES: both initialised.
  virtual void CopySlot(std::uint32_t from, std::uint32_t to) = 0;

  // Copies TTT layers [first, end) (0-based among the TTT layers) of one slot's state over the
  // same layers of another, leaving the other layers of `to` as they were (sim/faults/ tears a
  // WRITE with it). REQUIRES: both initialised; first <= end <= the model's TTT layers.
  virtual void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                          std::uint32_t end) = 0;
};

}  // namespace rwttt
