// The `cpu` backend: the reference, one item after another on one thread, in loops over
// core/ttt_math.h (a chunk's tokens as the lanes of vectors, each element summed in its one
// order: docs/kernels.md#how-the-cpu-backend-runs-a-chunk). Simple enough to trust; the serial
// reference (core/serial_reference.h) runs on it, and the batched backends (gpu/) must match it
// bit for bit.
//
//   CpuBackend cpu;
//   RWTTT_TRY(cpu.Reset(LoadModelProfile("tiny").value(), /*num_slots=*/2, Seed{7}));
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/backend.h"
#include "core/host_memory.h"

namespace rwttt {

struct LactShape;     // core/lact_math.h
struct LowRankShape;  // core/low_rank_math.h

class CpuBackend final : public Backend {
 public:
  CpuBackend() = default;
  // A cpu backend whose error messages call it `label` ("backend <label>: ..."), for a backend
  // that runs on these kernels and answers to its own name (omp, for small models).
  explicit CpuBackend(std::string label) : label_(std::move(label)) {}

  std::string_view name() const override { return "cpu"; }
  // Fails with Unavailable when the shared weights and `num_slots` states do not fit in the
  // available host memory. O(shared weights) time to generate them.
  Status Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) override;
  // Makes this backend another worker over `source`'s model, seed, shared weights and base state,
  // which it shares read-only (no copy, no generation), with `num_slots` slots and scratch of its
  // own: backends for several threads, each used by one at a time. Fails with Unavailable when
  // the slots do not fit in host memory. O(1) time besides the slots' bookkeeping.
  // REQUIRES: source.Reset succeeded.
  Status ShareWeightsOf(const CpuBackend& source, std::uint32_t num_slots);
  void InitSlot(std::uint32_t slot) override;
  void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) override;
  std::uint64_t StateDigest(std::uint32_t slot) override;
  void CopySlot(std::uint32_t from, std::uint32_t to) override;
  void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                  std::uint32_t end) override;

  // Tests only: flips bit `bit` (0..31 of the stored fp32 or 0..15 of the stored bf16) of
  // element `element` of TTT layer `position` of `slot`'s state.
  // REQUIRES: the slot is initialised; indices in range.
  void FlipStateBit(std::uint32_t slot, std::uint32_t position, std::uint64_t element,
                    std::uint32_t bit);

 private:
  float RoundAct(float v) const;    // to the profile's dtype
  float RoundState(float v) const;  // to the profile's state_dtype
  // h = silu(x · W_up) of one token at TTT layers [position, position + layers), rounded to
  // dtype: h[l * d_ff + i] for layer position + l. `layers` is 1 or 2 (two run side by side).
  // Uses x_ and den_ as scratch. REQUIRES: the kind holds a shared W_up (up_elems_ > 0).
  void Activation(std::uint64_t token_key, std::uint32_t owner_lo, std::uint32_t token,
                  std::uint32_t position, std::uint32_t layers, float* h);
  // Activation of tokens [token, token + lanes) at once, as vector lanes (8 or 16): h[i * lanes
  // + g] is h_i of token + g (lanes past a chunk's end hold values callers ignore). Uses x_ as
  // scratch.
  void ActivationLanes(std::uint64_t token_key, std::uint32_t owner_lo, std::uint32_t token,
                       std::uint32_t position, std::uint32_t lanes, float* h);
  // Rows of W a WRITE updates at once: their Hᵀ V sums, in acc_, go by in registers.
  static constexpr std::uint32_t kWriteRows = 16;
  // One TTT layer's state at version 0 (TTT layer `position`) into `base`, by the kind's rule.
  void FillBase(const InplaceTttKind& kind, std::uint32_t position, float* base) const;
  void FillBase(const LactSwigluKind& kind, std::uint32_t position, float* base) const;
  void FillBase(const LowRankKind& kind, std::uint32_t position, float* base) const;
  // model_, its run key and what follows from them (dtypes, element counts); the one place both
  // Reset and ShareWeightsOf set them.
  void SetModel(const ModelProfile& model, std::uint64_t run_key);
  // Sizes the slots (none initialised) and the per-item scratch for model_.
  Status AllocateSlots(std::uint32_t num_slots);
  // In-Place TTT's READ and WRITE of one item, in loops over core/ttt_math.h.
  ItemResult Read(const InplaceTttKind& kind, const BatchItem& item);
  ItemResult Write(const InplaceTttKind& kind, const BatchItem& item);
  // Any other kind's, TTT layer by layer through its math shape (core/state_shapes.h): the
  // ReadLayer and WriteLayer overloads below. RunBatch picks the kind once a batch.
  template <typename Kind>
  ItemResult Read(const Kind& kind, const BatchItem& item);
  template <typename Kind>
  ItemResult Write(const Kind& kind, const BatchItem& item);
  // Tokens of one item a ReadLayer call reads at once (LaCT reads its state once for them).
  static constexpr std::uint32_t kReadTokens = 16;  // kLactReadLanes (cpu_backend.cc asserts it)
  // Floats of scratch ReadLayer needs.
  static std::uint64_t ReadScratch(const LactShape& s);
  static std::uint64_t ReadScratch(const LowRankShape& s);
  // out[g * d_model + j]: the READ outputs of tokens first_token + g, g < count <= kReadTokens, at
  // TTT layer `position` from their state `w`.
  void ReadLayer(const LactShape& s, std::uint32_t position, std::uint64_t key,
                 std::uint32_t owner_lo, std::uint32_t first_token, std::uint32_t count,
                 const float* w, float* scratch, float* out);
  void ReadLayer(const LowRankShape& s, std::uint32_t position, std::uint64_t key,
                 std::uint32_t owner_lo, std::uint32_t first_token, std::uint32_t count,
                 const float* w, float* scratch, float* out);
  // The WRITE of `item`'s chunk to its slot's state at TTT layer `position` (model layer `layer`).
  void WriteLayer(const LactShape& s, std::uint32_t position, std::uint32_t layer,
                  std::uint64_t key, std::uint32_t owner_lo, const BatchItem& item, float* scratch);
  void WriteLayer(const LowRankShape& s, std::uint32_t position, std::uint32_t layer,
                  std::uint64_t key, std::uint32_t owner_lo, const BatchItem& item, float* scratch);
  // The digest and carry of a READ's outputs y[tokens][ttt layers][d_model] (rounded).
  ItemResult ReadResult(const BatchItem& item, const std::vector<float>& y);
  // A WRITE's result: the slot's state digest after it, the carry unchanged.
  ItemResult WriteResult(const BatchItem& item);
  float* Layer(std::uint32_t slot, std::uint32_t position);

  std::string label_ = "cpu";  // what error messages call this backend
  ModelProfile model_;
  std::uint64_t run_key_ = 0;
  std::uint64_t layer_elems_ = 0;  // ModelProfile::layer_state_elems()
  std::uint64_t up_elems_ = 0;     // ModelProfile::shared_up_elems(): d_model * d_ff or 0
  std::uint64_t down_elems_ = 0;   // ModelProfile::shared_down_elems(): d_ff * d_model or 0
  using Floats = std::vector<float, HugePageAllocator<float>>;
  // What Reset generates and ShareWeightsOf shares: read-only once made.
  struct SharedWeights {
    Floats up;    // [ttt layers][up_elems_]: W_up [d_model][d_ff], as dtype
    Floats down;  // [ttt layers][down_elems_]: W_down [d_ff][d_model], as dtype
    Floats base;  // [ttt layers][layer_elems]: the state at version 0, as state_dtype
  };
  std::shared_ptr<const SharedWeights> shared_;
  std::vector<Floats> slots_;      // [num_slots][ttt layers][layer_elems]
  std::vector<bool> initialised_;  // [num_slots]
  bool act_bf16_ = false;          // dtype is bf16
  bool state_bf16_ = false;        // state_dtype is bf16
  // Scratch reused by every item, so that a step allocates nothing.
  std::vector<float> x_, h_, den_, acc_, y_, write_h_, write_v_;  // den_: SiluRow's
  std::vector<std::uint16_t> bits_;
  std::vector<std::uint64_t> fingerprints_;
};

}  // namespace rwttt
