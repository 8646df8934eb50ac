// The one Thrust source of the batched backends. gpu/omp_backend.cc instantiates it for the OpenMP
// system with g++ (backend `omp`); gpu/cuda_backend.cu for the CUDA system with nvcc (`cuda`).
// `Sys` supplies the vector type, the execution policy, the tile shapes and the memory check:
//
//   struct OmpSystem { template <class T> using Vector = thrust::omp::vector<T>; ... };
//   std::unique_ptr<Backend> b = std::make_unique<BatchedBackend<OmpSystem>>(threads);
//
// Sys::StateVector holds the slots' states and may leave new elements unwritten (InitSlot writes
// a slot before anything reads it).
//
// Per part of a batch (gpu/internal/batch_plan.h) and per TTT layer: generate the tokens' inputs,
// up-project them through the shared W_up (read once per kUpToks tokens of the whole batch), then
// down-project each slot's tokens through the slot's fast weight (read once per tile of that
// slot's tokens). Outputs come back to the host only to be hashed; states never do: their digests
// come from block fingerprints (one per ModelProfile::state_block_elems() elements, eight blocks
// folded side by side by FingerprintFunctor) computed where the state lives. The state kind is
// visited once per part: In-Place TTT runs the tiled kernels of batched_kernels.cuh, the other
// kinds the functors of state_kind_kernels.cuh, templated on their math shape.
#pragma once

#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/backend.h"
#include "core/check.h"
#include "core/state_shapes.h"
#include "core/ttt_digest.h"
#include "core/ttt_math.h"
#include "gpu/internal/batch_plan.h"
#include "gpu/internal/batched_kernels.cuh"
#include "gpu/internal/state_kind_kernels.cuh"

namespace rwttt::gpu::internal {

template <typename Sys>
class BatchedBackend final : public Backend {
 public:
  // `threads` > 0 sets the OpenMP thread count for this backend's work; 0 keeps the default.
  // On a host system, work below `inline_work` multiply-adds runs on the calling thread
  // (RunsInline; 0: all work is shared, as tests of the parallel path want).
  explicit BatchedBackend(int threads, std::uint64_t inline_work = 0)
      : threads_(threads), inline_work_(inline_work) {}

  std::string_view name() const override { return Sys::kName; }

  Status Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) override {
    model_ = model;
    num_ttt_ = static_cast<std::uint32_t>(model.ttt_layers.size());
    layer_elems_ = model.layer_state_elems();
    slot_elems_ = layer_elems_ * num_ttt_;
    // Shared W_up (In-Place TTT, low-rank) and W_down (low-rank) of each TTT layer.
    up_elems_ = model.shared_up_elems();
    down_elems_ = model.shared_down_elems();
    num_slots_ = 0;  // until the allocation succeeds, no slot may be used
    initialised_.clear();
    const std::uint64_t a_bytes = DTypeBytes(model.dtype);
    const std::uint64_t s_bytes = DTypeBytes(model.state_dtype);
    const std::uint64_t bytes = (up_elems_ + down_elems_) * num_ttt_ * a_bytes +
                                slot_elems_ * (1 + std::uint64_t{num_slots}) * s_bytes;
    const std::string what = std::string("backend ") + Sys::kName + ": model " + model.name +
                             " with " + std::to_string(num_slots) + " slots";
    RWTTT_TRY(Sys::CheckMemory(bytes, what));
    Sys::SetThreads(threads_);
    try {
      Resize(up_, up_elems_ * num_ttt_ * a_bytes);
      Resize(down_, down_elems_ * num_ttt_ * a_bytes);
      Resize(base_, slot_elems_ * s_bytes);
      Resize(state_, num_slots * slot_elems_ * s_bytes);
    } catch (const std::exception& e) {
      up_.clear();
      down_.clear();
      base_.clear();
      state_.clear();
      return Error::Unavailable(what + ": cannot allocate: " + e.what());
    }
    num_slots_ = num_slots;
    initialised_.assign(num_slots, false);
    inline_ = RunsInline((up_elems_ + down_elems_ + layer_elems_) * num_ttt_);
    const std::uint64_t run_key = RunKey(seed.value());
    const std::uint32_t d = model.d_model, f = model.d_ff;
    WithTypes([&](auto a, auto s) {
      using A = decltype(a);
      using S = decltype(s);
      for (std::uint32_t p = 0; p < num_ttt_; ++p) {
        const std::uint32_t layer = model.ttt_layers[p];
        Launch(up_elems_,
               GenWeightFunctor<A>{Ptr<A>(up_) + p * up_elems_, run_key, layer, d, f, d, f, true});
        Launch(down_elems_, GenWeightFunctor<A>{Ptr<A>(down_) + p * down_elems_, run_key, layer, f,
                                                d, d, f, false});
        S* base = Ptr<S>(base_) + p * layer_elems_;
        std::visit([&](const auto& kind) { GenBase(kind, base, run_key, layer); },
                   model.state_kind);
      }
    });
    return OkStatus();
  }

  void InitSlot(std::uint32_t slot) override {
    RWTTT_CHECK(slot < num_slots_) << "slot " << slot << " of " << num_slots_;
    Sys::SetThreads(threads_);
    WithTypes([&](auto, auto s) {
      using S = decltype(s);
      CopyElems(Ptr<S>(base_), Ptr<S>(state_) + slot * slot_elems_, slot_elems_);
    });
    initialised_[slot] = true;
  }

  void CopySlot(std::uint32_t from, std::uint32_t to) override {
    RWTTT_CHECK(from < num_slots_ && to < num_slots_ && initialised_[from] && initialised_[to])
        << "CopySlot(" << from << ", " << to << ")";
    Sys::SetThreads(threads_);
    WithTypes([&](auto, auto s) {
      using S = decltype(s);
      S* state = Ptr<S>(state_);
      CopyElems(state + from * slot_elems_, state + to * slot_elems_, slot_elems_);
    });
  }

  void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                  std::uint32_t end) override {
    RWTTT_CHECK(from < num_slots_ && to < num_slots_ && initialised_[from] && initialised_[to] &&
                first <= end && end <= num_ttt_)
        << "CopyLayers(" << from << ", " << to << ", " << first << ", " << end << ")";
    Sys::SetThreads(threads_);
    WithTypes([&](auto, auto s) {
      using S = decltype(s);
      S* state = Ptr<S>(state_);
      const std::uint64_t at = first * layer_elems_;
      CopyElems(state + from * slot_elems_ + at, state + to * slot_elems_ + at,
                (end - first) * layer_elems_);
    });
  }

  void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) override {
    RWTTT_CHECK(items.size() == results.size());
    for (std::size_t n = 0; n < items.size(); ++n) {
      RWTTT_CHECK(items[n].slot < num_slots_ && initialised_[items[n].slot])
          << "item " << n << " uses slot " << items[n].slot << " which is not initialised";
    }
    Sys::SetThreads(threads_);
    try {
      // A READ tile is the tokens that read a slot's state once: In-Place TTT's down-projection
      // tiles, LaCT's runs of LactReadTokens.
      const bool lact = std::holds_alternative<LactSwigluKind>(model_.state_kind);
      for (const BatchPart& part :
           planner_.Plan(items, lact ? Sys::kLactReadToks : Sys::kDownToks)) {
        inline_ = RunsInline(part.num_tokens() * model_.token_multiply_adds());
        WithTypes([&](auto a, auto s) {
          using A = decltype(a);
          using S = decltype(s);
          const bool read = part.effect == Effect::kRead;
          std::visit(
              [&](const auto& kind) {
                read ? RunRead<A, S>(kind, part, items, results)
                     : RunWrite<A, S>(kind, part, items, results);
              },
              model_.state_kind);
        });
      }
    } catch (const std::exception& e) {
      RWTTT_CHECK(false) << "backend " << Sys::kName << " failed: " << e.what();
    }
  }

  std::uint64_t StateDigest(std::uint32_t slot) override {
    RWTTT_CHECK(slot < num_slots_ && initialised_[slot]) << "slot " << slot;
    Sys::SetThreads(threads_);
    inline_ = RunsInline(slot_elems_);
    return StateDigestOfFingerprints(Fingerprints(std::vector<std::uint32_t>{slot}));
  }

 private:
  template <typename T>
  using Vec = typename Sys::template Vector<T>;
  // How dtype A's tokens, activations and targets are held in scratch: the system's choice (the
  // host keeps them widened to fp32, rounded to A as stored: batched_kernels.cuh's StoreAs; a GPU
  // keeps A).
  template <typename A>
  using Activation = typename Sys::template Activation<A>;
  using StateVec = typename Sys::template StateVector<std::uint32_t>;

  // Calls f(A{}, S{}) with the storage types of the profile's dtype and state_dtype.
  template <typename F>
  void WithTypes(F&& f) const {
    const bool a16 = model_.dtype == DType::kBf16, s16 = model_.state_dtype == DType::kBf16;
    if (a16 && s16)
      f(Bf16{}, Bf16{});
    else if (a16)
      f(Bf16{}, float{});
    else if (s16)
      f(float{}, Bf16{});
    else
      f(float{}, float{});
  }

  template <typename V>
  static void Resize(V& v, std::uint64_t bytes) {
    v.resize((bytes + 3) / 4);
  }
  static void Grow(Vec<std::uint32_t>& v, std::uint64_t bytes) {
    if (v.size() < (bytes + 3) / 4) v.resize((bytes + 3) / 4);
  }
  template <typename T, typename V>
  static T* Ptr(V& v) {
    return reinterpret_cast<T*>(thrust::raw_pointer_cast(v.data()));
  }
  template <typename T>
  static const T* Ptr(const Vec<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }
  // Copies src to the front of dst, growing dst if it is shorter (never shrinking it, so that a
  // steady stream of batches allocates nothing). Host memory is filled in place, without a
  // parallel region.
  template <typename T>
  static void Upload(Vec<T>& dst, const std::vector<T>& src) {
    if (dst.size() < src.size()) dst.resize(src.size());
    if constexpr (Sys::kHostMemory) {
      std::copy(src.begin(), src.end(), thrust::raw_pointer_cast(dst.data()));
    } else {
      thrust::copy(src.begin(), src.end(), dst.begin());
    }
  }

  // Whether work of about `macs` multiply-adds runs inline on the calling thread: on a host
  // system, when it has one thread or the work is too small to repay waking the others
  // (inline_work_, measured in docs/performance.md#kernels). No result depends on it.
  bool RunsInline(std::uint64_t macs) const {
    if constexpr (Sys::kHostMemory) {
      return Sys::Threads() <= 1 || macs < inline_work_;
    } else {
      return false;
    }
  }
  // The work of drawing one input element, in multiply-adds (a quarter of a Philox block).
  static constexpr std::uint64_t kDrawWork = 8;

  // f(0), ..., f(units - 1), about `work` multiply-adds (or their equivalent) in all: inline, in
  // that order, when inline_ is set or the launch alone is too small to share (one unit, or
  // RunsInline(work)); else in parallel.
  template <typename F>
  void Launch(std::uint64_t units, const F& f, std::uint64_t work = ~std::uint64_t{0}) const {
    if (units == 0) return;
    if constexpr (Sys::kHostMemory) {
      if (inline_ || units == 1 || RunsInline(work)) {
        for (std::uint64_t u = 0; u < units; ++u) f(u);
        return;
      }
    }
    thrust::for_each_n(Sys::Policy(), thrust::counting_iterator<std::uint64_t>(0), units, f);
  }
  static std::uint64_t Tiles(std::uint64_t n, std::uint64_t tile) { return (n + tile - 1) / tile; }

  // Uploads the part's tokens, then h = silu(x · W_up) of TTT layer p for all of them.
  template <typename A>
  void Activations(const BatchPart& part, std::uint32_t p) {
    const std::uint32_t d = model_.d_model, f = model_.d_ff, n = part.num_tokens();
    using X = Activation<A>;
    Launch(std::uint64_t{n} * Tiles(d, Sys::kTokenElems),
           GenTokenFunctor<X, A, Sys::kTokenElems>{Ptr<X>(x_), Ptr(key_), Ptr(pos_), Ptr(owner_),
                                                   model_.ttt_layers[p], d, false},
           kDrawWork * n * d);
    Launch(Tiles(n, Sys::kUpToks) * Tiles(f, Sys::kUpCols),
           UpProjFunctor<X, A, Sys::kUpCols, Sys::kUpToks>{Ptr<X>(x_), Ptr<A>(up_) + p * up_elems_,
                                                           Ptr<X>(h_), n, d, f},
           std::uint64_t{n} * d * f);
  }

  void UploadTokens(const BatchPart& part, std::uint64_t a_bytes) {
    Upload(key_, part.token_key);
    Upload(pos_, part.token_pos);
    Upload(owner_, part.token_owner);
    Upload(offsets_, part.item_offsets);
    const std::uint64_t n = part.num_tokens();
    Grow(x_, n * model_.d_model * a_bytes);
    Grow(h_, n * model_.d_ff * a_bytes);
  }

  // The base state of TTT layer `layer`: In-Place TTT's W_down draws, or the kind's math shape's
  // BaseStateElement (a kernel templated on the shape).
  template <typename S>
  void GenBase(const InplaceTttKind&, S* base, std::uint64_t run_key, std::uint32_t layer) {
    const std::uint32_t d = model_.d_model, f = model_.d_ff;
    Launch(layer_elems_, GenWeightFunctor<S>{base, run_key, layer, f, d, d, f, false});
  }
  template <typename Kind, typename S>
  void GenBase(const Kind& kind, S* base, std::uint64_t run_key, std::uint32_t layer) {
    const auto shape = MathShapeOf(model_, kind);
    Launch(layer_elems_, GenStateFunctor<S, decltype(shape)>{base, run_key, layer, shape});
  }

  // In-Place TTT's READ: tiled up- and down-projections (gpu/internal/batched_kernels.cuh).
  template <typename A, typename S>
  void RunRead(const InplaceTttKind&, const BatchPart& part, std::span<const BatchItem> items,
               std::span<ItemResult> results) {
    const std::uint32_t d = model_.d_model, f = model_.d_ff, n = part.num_tokens();
    UploadTokens(part, sizeof(Activation<A>));
    Upload(tiles_, part.tiles);
    const std::uint64_t row_bytes = std::uint64_t{num_ttt_} * d * sizeof(A);  // one token's y
    Grow(y_, n * row_bytes);
    const std::uint64_t cols = DownColumns(part.tiles.size());
    for (std::uint32_t p = 0; p < num_ttt_; ++p) {
      Activations<A>(part, p);
      Launch(part.tiles.size() * Tiles(d, cols),
             DownProjFunctor<Activation<A>, A, S, Sys::kDownCols, Sys::kDownToks>{
                 Ptr<Activation<A>>(h_), Ptr<S>(state_), Ptr(tiles_), Ptr<A>(y_), slot_elems_,
                 p * layer_elems_, d, f, num_ttt_, p, static_cast<std::uint32_t>(cols)},
             std::uint64_t{n} * d * f);
    }
    ReadResults(part, items, results, row_bytes);
  }

  // The down-projection's column block for a part of `tiles` tiles: as wide as kDownCols allows,
  // so that each tile streams whole rows of its slot's state once. When the part has fewer tiles
  // than threads, each tile's columns are split between the threads that would otherwise idle,
  // as long as every piece of a row stays at least kMinSplitCols wide: narrower pieces measured
  // slower (one `small` owner, 256 columns split in two: 12-15 GB/s against 19 whole,
  // docs/performance.md#kernels). No element's reduction order depends on it.
  std::uint64_t DownColumns(std::uint64_t tiles) const {
    const std::uint64_t d = model_.d_model;
    const std::uint64_t whole = std::min<std::uint64_t>(Sys::kDownCols, d);
    if constexpr (Sys::kHostMemory) {
      constexpr std::uint64_t kMinSplitCols = 512;
      const auto threads = static_cast<std::uint64_t>(std::max(1, Sys::Threads()));
      if (tiles == 0 || tiles >= threads) return whole;
      const std::uint64_t per_tile = (threads + tiles - 1) / tiles;
      const std::uint64_t piece = (Tiles(d, per_tile) + 15) / 16 * 16;
      return piece >= kMinSplitCols ? std::min(whole, piece) : whole;
    }
    return whole;
  }

  // Copies the part's outputs y [tokens][ttt layers][d_model] back and digests each item's.
  void ReadResults(const BatchPart& part, std::span<const BatchItem> items,
                   std::span<ItemResult> results, std::uint64_t row_bytes) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(
        ToHost(y_, (part.num_tokens() * row_bytes + 3) / 4, host_y_));
    for (std::size_t k = 0; k < part.items.size(); ++k) {
      const std::uint64_t begin = part.item_offsets[k] * row_bytes;
      const std::uint64_t end = part.item_offsets[k + 1] * row_bytes;
      ItemResult& r = results[part.items[k]];
      r = ItemResult{};
      r.out_digest = OutputDigest(bytes + begin, end - begin);
      r.carry = NextCarry(items[part.items[k]].carry, r.out_digest);
    }
  }

  // The part's tokens for the state-kind kernels, uploaded.
  PartTokens UploadPartTokens(const BatchPart& part) {
    Upload(key_, part.token_key);
    Upload(pos_, part.token_pos);
    Upload(owner_, part.token_owner);
    Upload(token_slot_, part.token_slot);
    Upload(offsets_, part.item_offsets);
    Upload(slots_, part.item_slot);
    return PartTokens{Ptr(key_),        Ptr(pos_),     Ptr(owner_),
                      Ptr(token_slot_), Ptr(offsets_), Ptr(slots_)};
  }

  float* Scratch(std::uint64_t floats) {
    Grow(scratch_, floats * sizeof(float));
    return Ptr<float>(scratch_);
  }

  // Any other kind's READ: per TTT layer, one launch of its math shape's read functor.
  template <typename A, typename S, typename Kind>
  void RunRead(const Kind& kind, const BatchPart& part, std::span<const BatchItem> items,
               std::span<ItemResult> results) {
    const std::uint64_t n = part.num_tokens();
    const PartTokens tokens = UploadPartTokens(part);
    Upload(tiles_, part.tiles);
    const std::uint64_t row_bytes = std::uint64_t{num_ttt_} * model_.d_model * sizeof(A);
    Grow(y_, n * row_bytes);
    const auto shape = MathShapeOf(model_, kind);
    for (std::uint32_t p = 0; p < num_ttt_; ++p) LaunchRead<A, S>(shape, tokens, part, p);
    ReadResults(part, items, results, row_bytes);
  }

  // The READ of TTT layer p for the part's n tokens: one call per (tile, head) for LaCT, per
  // token for low-rank.
  template <typename A, typename S>
  void LaunchRead(const LactShape& ls, const PartTokens& tokens, const BatchPart& part,
                  std::uint32_t p) {
    const std::uint64_t units = part.tiles.size() * ls.heads;
    const std::uint64_t unit_scratch = ls.read_tokens_scratch(Sys::kLactReadToks) +
                                       std::uint64_t{Sys::kLactReadToks} * ls.head_dim;
    Launch(units,
           LactReadFunctor<A, S, Sys::kLactReadToks>{
               ls, tokens, Ptr(tiles_), Ptr<S>(state_), Ptr<A>(y_), Scratch(units * unit_scratch),
               unit_scratch, slot_elems_, p * layer_elems_, model_.ttt_layers[p], p, num_ttt_});
  }
  template <typename A, typename S>
  void LaunchRead(const LowRankShape& rs, const PartTokens& tokens, const BatchPart& part,
                  std::uint32_t p) {
    const std::uint64_t n = part.num_tokens();
    Launch(n, LowRankReadFunctor<A, S>{rs, tokens, Ptr<A>(up_) + p * up_elems_,
                                       Ptr<A>(down_) + p * down_elems_, Ptr<S>(state_), Ptr<A>(y_),
                                       Scratch(n * (rs.read_scratch() + rs.d_model)), slot_elems_,
                                       p * layer_elems_, model_.ttt_layers[p], p, num_ttt_});
  }

  // Any other kind's WRITE: per TTT layer, one launch of its math shape's write functor.
  template <typename A, typename S, typename Kind>
  void RunWrite(const Kind& kind, const BatchPart& part, std::span<const BatchItem> items,
                std::span<ItemResult> results) {
    const std::uint64_t num_items = part.items.size();
    const PartTokens tokens = UploadPartTokens(part);
    const auto shape = MathShapeOf(model_, kind);
    for (std::uint32_t p = 0; p < num_ttt_; ++p) LaunchWrite<A, S>(shape, tokens, num_items, p);
    WriteResults(part, items, results);
  }

  // The WRITE of TTT layer p for the part's items: one call per (item, head) for LaCT, per item
  // for low-rank.
  template <typename A, typename S>
  void LaunchWrite(const LactShape& ls, const PartTokens& tokens, std::uint64_t num_items,
                   std::uint32_t p) {
    const std::uint64_t units = num_items * ls.heads;
    Launch(units, LactWriteFunctor<S>{ls, tokens, Ptr<S>(state_), Ptr<S>(base_),
                                      Scratch(units * ls.write_scratch()), slot_elems_,
                                      p * layer_elems_, model_.ttt_layers[p]});
  }
  template <typename A, typename S>
  void LaunchWrite(const LowRankShape& rs, const PartTokens& tokens, std::uint64_t num_items,
                   std::uint32_t p) {
    Launch(num_items, LowRankWriteFunctor<A, S>{
                          rs, tokens, Ptr<A>(up_) + p * up_elems_, Ptr<A>(down_) + p * down_elems_,
                          Ptr<S>(state_), Scratch(num_items * rs.write_scratch()), slot_elems_,
                          p * layer_elems_, model_.ttt_layers[p]});
  }

  // In-Place TTT's WRITE: the rank-C update of W_down, tiled (gpu/internal/batched_kernels.cuh).
  template <typename A, typename S>
  void RunWrite(const InplaceTttKind&, const BatchPart& part, std::span<const BatchItem> items,
                std::span<ItemResult> results) {
    const std::uint32_t d = model_.d_model, f = model_.d_ff, n = part.num_tokens();
    const auto num_items = static_cast<std::uint32_t>(part.items.size());
    using X = Activation<A>;
    UploadTokens(part, sizeof(X));
    Upload(slots_, part.item_slot);
    Grow(v_, std::uint64_t{n} * d * sizeof(X));
    for (std::uint32_t p = 0; p < num_ttt_; ++p) {
      Activations<A>(part, p);
      Launch(std::uint64_t{n} * Tiles(d, Sys::kTokenElems),
             GenTokenFunctor<X, A, Sys::kTokenElems>{Ptr<X>(v_), Ptr(key_), Ptr(pos_), Ptr(owner_),
                                                     model_.ttt_layers[p], d, true},
             kDrawWork * n * d);
      Launch(std::uint64_t{num_items} * Tiles(f, Sys::kUpdateRows) * Tiles(d, Sys::kUpdateCols),
             UpdateFunctor<X, S, Sys::kUpdateRows, Sys::kUpdateCols>{
                 Ptr<X>(h_), Ptr<X>(v_), Ptr(offsets_), Ptr(slots_), Ptr<S>(state_), slot_elems_,
                 p * layer_elems_, d, f, num_ttt_, p, model_.learning_rate},
             std::uint64_t{n} * d * f);
    }
    WriteResults(part, items, results);
  }

  // Each item's state digest after the part's WRITEs, and its carry (unchanged).
  void WriteResults(const BatchPart& part, std::span<const BatchItem> items,
                    std::span<ItemResult> results) {
    const std::span<const std::uint64_t> fp = Fingerprints(part.item_slot);
    const std::uint64_t per_slot = std::uint64_t{num_ttt_} * Blocks();
    for (std::uint32_t k = 0; k < part.items.size(); ++k) {
      ItemResult& r = results[part.items[k]];
      r = ItemResult{};
      r.state_digest = StateDigestOfFingerprints(fp.subspan(k * per_slot, per_slot));
      r.carry = items[part.items[k]].carry;
    }
  }

  // Copies `count` state elements from `from` to `to`.
  template <typename S>
  void CopyElems(const S* from, S* to, std::uint64_t count) {
    if (RunsInline(count)) {
      std::copy(from, from + count, to);
    } else {
      thrust::copy(Sys::Policy(), from, from + count, to);
    }
  }

  // Fingerprint blocks per TTT layer.
  std::uint64_t Blocks() const { return layer_elems_ / model_.state_block_elems(); }

  // Block fingerprints of each slot in `slots`: [slots][ttt layers][blocks], on the host, valid
  // until the next call.
  std::span<const std::uint64_t> Fingerprints(const std::vector<std::uint32_t>& slots) {
    Upload(fp_slots_, slots);
    const std::uint64_t units = slots.size() * std::uint64_t{num_ttt_} * Blocks();
    if (fp_.size() < units) fp_.resize(units);
    WithTypes([&](auto, auto s) {
      using S = decltype(s);
      Launch(Tiles(units, Sys::kFingerprintLanes),
             FingerprintFunctor<S, Sys::kFingerprintLanes>{
                 Ptr<S>(state_), Ptr(fp_slots_), thrust::raw_pointer_cast(fp_.data()), slot_elems_,
                 Blocks(), units, model_.state_block_elems(), num_ttt_},
             units * model_.state_block_elems());
    });
    return {ToHost(fp_, units, host_fp_), units};
  }

  // The first `n` elements of `v` readable on the host: v's own memory on a host system, else
  // copied into `host`.
  template <typename T>
  static const T* ToHost(const Vec<T>& v, std::uint64_t n, std::vector<T>& host) {
    if constexpr (Sys::kHostMemory) {
      return thrust::raw_pointer_cast(v.data());
    } else {
      if (host.size() < n) host.resize(n);
      thrust::copy(v.begin(), v.begin() + n, host.begin());
      return host.data();
    }
  }

  int threads_;
  std::uint64_t inline_work_;
  bool inline_ = false;  // Launch runs on the calling thread (RunsInline)
  ModelProfile model_;
  std::uint32_t num_ttt_ = 0;
  std::uint32_t num_slots_ = 0;
  std::uint64_t layer_elems_ = 0;  // ModelProfile::layer_state_elems()
  std::uint64_t slot_elems_ = 0;   // ttt layers * layer_elems_
  std::uint64_t up_elems_ = 0;     // per TTT layer: d_model * d_ff, or 0 (LaCT)
  std::uint64_t down_elems_ = 0;   // per TTT layer: d_ff * d_model (low-rank), or 0
  std::vector<bool> initialised_;  // [num_slots]
  // Raw storage, typed at use by the profile's dtypes.
  Vec<std::uint32_t> up_;       // [ttt layers][d_model][d_ff] of dtype
  Vec<std::uint32_t> down_;     // [ttt layers][d_ff][d_model] of dtype (low-rank)
  Vec<std::uint32_t> base_;     // [ttt layers][layer_elems] of state_dtype: version 0
  StateVec state_;              // [num_slots][ttt layers][layer_elems] of state_dtype
  Vec<std::uint32_t> scratch_;  // fp32 work of the state-kind kernels
  // Activation<dtype>: x_ [tokens][d_model], h_ [tokens][d_ff], v_ [tokens][d_model]; dtype: y_
  // [tokens][ttt][d_model].
  Vec<std::uint32_t> x_, h_, y_, v_;
  BatchPlanner planner_;
  // The part being run, as planner_ built it.
  Vec<std::uint64_t> key_;
  Vec<std::uint32_t> pos_, owner_, token_slot_, offsets_, slots_, fp_slots_;
  Vec<TokenTile> tiles_;
  Vec<std::uint64_t> fp_;
  // Host copies of outputs and fingerprints (device systems only).
  std::vector<std::uint32_t> host_y_;
  std::vector<std::uint64_t> host_fp_;
};

}  // namespace rwttt::gpu::internal
