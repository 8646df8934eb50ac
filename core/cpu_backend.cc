#include "core/cpu_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <variant>

#include "core/check.h"
#include "core/host_memory.h"
#include "core/state_shapes.h"
#include "core/ttt_digest.h"
#include "core/ttt_math.h"

namespace rwttt {

Status CpuBackend::Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) {
  const std::uint64_t n_ttt = model.ttt_layers.size();
  const std::uint64_t layer_elems = model.layer_state_elems();
  // Shared W_up (In-Place TTT, low-rank) and W_down (low-rank) of each TTT layer.
  const std::uint64_t up_elems = model.shared_up_elems();
  const std::uint64_t down_elems = model.shared_down_elems();
  // Everything is held as fp32 here, whatever the dtypes: shared weights, base state, the slots.
  const std::uint64_t bytes =
      ((1 + std::uint64_t{num_slots}) * layer_elems + up_elems + down_elems) * n_ttt *
      sizeof(float);
  RWTTT_TRY(CheckHostMemory(
      bytes, fmt::format("backend {}: model {} with {} slots", label_, model.name, num_slots)));
  SetModel(model, RunKey(seed.value()));
  shared_.reset();
  auto shared = std::make_shared<SharedWeights>();
  try {
    shared->up.assign(n_ttt * up_elems, 0.0f);
    shared->down.assign(n_ttt * down_elems, 0.0f);
    shared->base.assign(n_ttt * layer_elems, 0.0f);
  } catch (const std::bad_alloc&) {
    return Error::Unavailable(fmt::format(
        "backend {}: out of host memory for the shared weights of model {}", label_, model.name));
  }
  RWTTT_TRY(AllocateSlots(num_slots));
  const std::uint32_t d = model.d_model;
  const std::uint32_t f = model.d_ff;
  for (std::uint32_t p = 0; p < n_ttt; ++p) {
    const std::uint32_t layer = model.ttt_layers[p];
    for (std::uint64_t e = 0; e < up_elems; ++e) {  // [d_model][d_ff]
      shared->up[p * up_elems + e] = RoundAct(UpWeight(run_key_, layer, e / f, e % f, d));
    }
    for (std::uint64_t e = 0; e < down_elems; ++e) {  // [d_ff][d_model]
      shared->down[p * down_elems + e] = RoundAct(BaseWeight(run_key_, layer, e / d, e % d, f));
    }
    float* base = shared->base.data() + p * layer_elems;
    std::visit([&](const auto& kind) { FillBase(kind, p, base); }, model_.state_kind);
  }
  shared_ = std::move(shared);
  return OkStatus();
}

Status CpuBackend::ShareWeightsOf(const CpuBackend& source, std::uint32_t num_slots) {
  RWTTT_CHECK(source.shared_ != nullptr) << "ShareWeightsOf: the source backend was never Reset";
  const std::uint64_t bytes = std::uint64_t{num_slots} * source.layer_elems_ *
                              source.model_.ttt_layers.size() * sizeof(float);
  RWTTT_TRY(CheckHostMemory(bytes, fmt::format("backend {}: model {} with {} more slots", label_,
                                               source.model_.name, num_slots)));
  SetModel(source.model_, source.run_key_);
  shared_ = source.shared_;
  return AllocateSlots(num_slots);
}

void CpuBackend::SetModel(const ModelProfile& model, std::uint64_t run_key) {
  model_ = model;
  act_bf16_ = model.dtype == DType::kBf16;
  state_bf16_ = model.state_dtype == DType::kBf16;
  run_key_ = run_key;
  layer_elems_ = model.layer_state_elems();
  up_elems_ = model.shared_up_elems();
  down_elems_ = model.shared_down_elems();
}

Status CpuBackend::AllocateSlots(std::uint32_t num_slots) {
  try {
    slots_.assign(num_slots, {});
    initialised_.assign(num_slots, false);
    // A slot's memory is taken when InitSlot first copies the base into it: a run touches only
    // the slots it uses (the callers' CheckHostMemory has counted them all).
    x_.assign(std::uint64_t{model_.d_model} * kMatVecLanes, 0.0f);
    h_.assign(std::uint64_t{model_.d_ff} * kMatVecLanes, 0.0f);
    den_.assign(h_.size(), 0.0f);
    acc_.assign(std::uint64_t{model_.d_model} * std::max(kWriteRows, kMatVecLanes), 0.0f);
  } catch (const std::bad_alloc&) {
    slots_.clear();
    return Error::Unavailable(
        fmt::format("backend {}: out of host memory allocating {} slots of model {}", label_,
                    num_slots, model_.name));
  }
  return OkStatus();
}

void CpuBackend::FillBase(const InplaceTttKind&, std::uint32_t position, float* base) const {
  const std::uint32_t layer = model_.ttt_layers[position];
  const std::uint32_t d = model_.d_model;
  const std::uint32_t f = model_.d_ff;
  for (std::uint64_t e = 0; e < layer_elems_; ++e) {  // W_down [d_ff][d_model]
    base[e] = RoundState(BaseWeight(run_key_, layer, e / d, e % d, f));
  }
}

namespace {

// One layer's version-0 state of a kind whose base is drawn element by element from its shape.
template <typename Shape>
void FillKindBase(const Shape& shape, std::uint64_t run_key, std::uint32_t layer, bool state_bf16,
                  float* base, std::uint64_t elems) {
  for (std::uint64_t e = 0; e < elems; ++e) {
    base[e] = RoundAs(state_bf16, BaseStateElement(shape, run_key, layer, e));
  }
}

}  // namespace

void CpuBackend::FillBase(const LactSwigluKind& kind, std::uint32_t position, float* base) const {
  FillKindBase(MathShapeOf(model_, kind), run_key_, model_.ttt_layers[position], state_bf16_, base,
               layer_elems_);
}

void CpuBackend::FillBase(const LowRankKind& kind, std::uint32_t position, float* base) const {
  FillKindBase(MathShapeOf(model_, kind), run_key_, model_.ttt_layers[position], state_bf16_, base,
               layer_elems_);
}

void CpuBackend::InitSlot(std::uint32_t slot) {
  RWTTT_CHECK(slot < slots_.size()) << "slot " << slot << " of " << slots_.size();
  slots_[slot] = shared_->base;
  initialised_[slot] = true;
}

void CpuBackend::CopySlot(std::uint32_t from, std::uint32_t to) {
  RWTTT_CHECK(from < slots_.size() && to < slots_.size() && initialised_[from] && initialised_[to])
      << "CopySlot(" << from << ", " << to << ")";
  slots_[to] = slots_[from];
}

void CpuBackend::CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                            std::uint32_t end) {
  RWTTT_CHECK(from < slots_.size() && to < slots_.size() && initialised_[from] &&
              initialised_[to] && first <= end && end <= model_.ttt_layers.size())
      << "CopyLayers(" << from << ", " << to << ", " << first << ", " << end << ")";
  std::copy(Layer(from, first), Layer(from, end), Layer(to, first));
}

void CpuBackend::RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) {
  RWTTT_CHECK(items.size() == results.size());
  // One item at a time, in item order: the semantics every batched backend must reproduce.
  std::visit(
      [&](const auto& kind) {
        for (std::size_t n = 0; n < items.size(); ++n) {
          RWTTT_CHECK(items[n].slot < slots_.size() && initialised_[items[n].slot])
              << "item " << n << " uses slot " << items[n].slot << " which is not initialised";
          const bool read = items[n].effect == Effect::kRead;
          results[n] = read ? Read(kind, items[n]) : Write(kind, items[n]);
        }
      },
      model_.state_kind);
}

namespace {

// The fingerprints of `blocks` blocks of `block` elements of one TTT layer's state (held as fp32,
// stored as bf16 when kBf16): eight blocks at a time, so that their independent fold chains run
// side by side in vector lanes; each block's elements are absorbed in order, as one by one.
template <bool kBf16>
RWTTT_HOST_CLONES void FingerprintLayer(const float* w, std::uint32_t position,
                                        std::uint64_t blocks, std::uint32_t block,
                                        std::uint64_t* out) {
  constexpr std::uint64_t kLanes = 8;
  std::uint64_t i0 = 0;
  if (block % 16 == 0) {
    // Sixteen blocks at a time, their chains the lanes of two vectors of 64-bit folds. Each tile
    // of 16 elements of the 16 blocks is transposed in registers, so that element j of every
    // block comes as one vector (loaded one lane at a time, it cost more than the folds).
    typedef std::uint32_t Words16 __attribute__((vector_size(64)));
    typedef std::uint32_t Words8 __attribute__((vector_size(32)));
    typedef std::uint64_t Folds8 __attribute__((vector_size(64)));
    for (; i0 + 16 <= blocks; i0 += 16) {
      Folds8 lo, hi;  // the folds of blocks i0 + l and i0 + 8 + l
      for (std::uint32_t l = 0; l < 8; ++l) {
        lo[l] = FingerprintStart(position, static_cast<std::uint32_t>(i0 + l));
        hi[l] = FingerprintStart(position, static_cast<std::uint32_t>(i0 + 8 + l));
      }
      for (std::uint32_t j0 = 0; j0 < block; j0 += 16) {
        F32x16 tile[16];
        for (std::uint32_t r = 0; r < 16; ++r)
          __builtin_memcpy(&tile[r], w + (i0 + r) * block + j0, sizeof tile[r]);
        TransposeInRegisters(tile);  // lane r of tile[c]: element j0 + c of block i0 + r
        for (std::uint32_t c = 0; c < 16; ++c) {
          Words16 words;
          __builtin_memcpy(&words, &tile[c], sizeof words);
          if constexpr (kBf16) {
            for (std::uint32_t l = 0; l < 16; ++l)
              words[l] = FloatToBf16(BitsToFloat(words[l])).bits;
          }
          const Words8 first = __builtin_shufflevector(words, words, 0, 1, 2, 3, 4, 5, 6, 7);
          const Words8 second = __builtin_shufflevector(words, words, 8, 9, 10, 11, 12, 13, 14, 15);
          FingerprintAbsorbInto(lo, __builtin_convertvector(first, Folds8));
          FingerprintAbsorbInto(hi, __builtin_convertvector(second, Folds8));
        }
      }
      for (std::uint32_t l = 0; l < 8; ++l) {
        out[i0 + l] = lo[l];
        out[i0 + 8 + l] = hi[l];
      }
    }
  }
  for (; i0 + kLanes <= blocks; i0 += kLanes) {
    std::uint64_t h[kLanes];
    for (std::uint64_t l = 0; l < kLanes; ++l)
      h[l] = FingerprintStart(position, static_cast<std::uint32_t>(i0 + l));
    for (std::uint32_t j = 0; j < block; ++j) {
      for (std::uint64_t l = 0; l < kLanes; ++l) {
        const float v = w[(i0 + l) * block + j];
        h[l] = FingerprintAbsorb(h[l], kBf16 ? FloatToBf16(v).bits : FloatBits(v));
      }
    }
    for (std::uint64_t l = 0; l < kLanes; ++l) out[i0 + l] = h[l];
  }
  for (; i0 < blocks; ++i0) {
    std::uint64_t h = FingerprintStart(position, static_cast<std::uint32_t>(i0));
    for (std::uint32_t j = 0; j < block; ++j) {
      const float v = w[i0 * block + j];
      h = FingerprintAbsorb(h, kBf16 ? FloatToBf16(v).bits : FloatBits(v));
    }
    out[i0] = h;
  }
}

}  // namespace

std::uint64_t CpuBackend::StateDigest(std::uint32_t slot) {
  RWTTT_CHECK(slot < slots_.size() && initialised_[slot]) << "slot " << slot;
  const std::uint32_t block = model_.state_block_elems();
  const std::uint64_t blocks = layer_elems_ / block;
  const std::uint32_t n_ttt = model_.ttt_layers.size();
  fingerprints_.resize(n_ttt * blocks);
  for (std::uint32_t p = 0; p < n_ttt; ++p) {
    std::uint64_t* out = fingerprints_.data() + p * blocks;
    if (state_bf16_) {
      FingerprintLayer<true>(Layer(slot, p), p, blocks, block, out);
    } else {
      FingerprintLayer<false>(Layer(slot, p), p, blocks, block, out);
    }
  }
  return StateDigestOfFingerprints(fingerprints_);
}

void CpuBackend::FlipStateBit(std::uint32_t slot, std::uint32_t position, std::uint64_t element,
                              std::uint32_t bit) {
  RWTTT_CHECK(slot < slots_.size() && initialised_[slot] && position < model_.ttt_layers.size() &&
              element < layer_elems_);
  float& v = Layer(slot, position)[element];
  const bool bf16 = model_.state_dtype == DType::kBf16;
  RWTTT_CHECK(bit < (bf16 ? 16u : 32u));
  v = BitsToFloat(FloatBits(v) ^ (1u << (bf16 ? bit + 16 : bit)));
}

float CpuBackend::RoundAct(float v) const { return RoundAs(act_bf16_, v); }

float CpuBackend::RoundState(float v) const { return RoundAs(state_bf16_, v); }

float* CpuBackend::Layer(std::uint32_t slot, std::uint32_t position) {
  return slots_[slot].data() + position * layer_elems_;
}

RWTTT_HOST_CLONES void CpuBackend::Activation(std::uint64_t token_key, std::uint32_t owner_lo,
                                              std::uint32_t token, std::uint32_t position,
                                              std::uint32_t layers, float* h) {
  const std::uint32_t d = model_.d_model;
  const std::uint32_t f = model_.d_ff;
  const float* up = shared_->up.data() + position * up_elems_;
  float* x = x_.data();
  for (std::uint32_t l = 0; l < layers; ++l)
    InputRow(token_key, owner_lo, token, model_.ttt_layers[position + l], d, x + l * d);
  RoundRow(act_bf16_, x, layers * d);
  if (layers == 2) {
    VecMatPair(x, up, x + d, up + up_elems_, d, f, h, h + f);
  } else {
    VecMat(x, up, d, f, h);
  }
  SiluRow(h, layers * f, den_.data());
  RoundRow(act_bf16_, h, layers * f);
}

namespace {

// The lane width for `count` tokens (2..16): eight when they fit, since a CPU that splits
// 512-bit operations in two (AMD's Zen 4) runs eight lanes in half the time of sixteen.
std::uint32_t LanesFor(std::uint32_t count) { return count <= 8 ? 8 : kMatVecLanes; }

// fn.template operator()<kLanes>() for `lanes`, 8 or 16.
template <typename Fn>
RWTTT_HD_ALWAYS_INLINE void WithLanes(std::uint32_t lanes, Fn&& fn) {
  if (lanes == 8) {
    fn.template operator()<8>();
  } else {
    fn.template operator()<kMatVecLanes>();
  }
}

// Lanes [0, count) of `width` lane vectors back into rows: rows[g * row_stride + k] =
// transposed[k * lanes + g] for g < count, k < width.
RWTTT_HD_ALWAYS_INLINE void FromLanes(const float* transposed, std::uint32_t lanes,
                                      std::uint32_t count, std::uint32_t width, float* rows,
                                      std::uint64_t row_stride) {
  for (std::uint32_t g = 0; g < count; ++g) {
    float* row = rows + g * row_stride;
    for (std::uint32_t k = 0; k < width; ++k) row[k] = transposed[std::uint64_t{k} * lanes + g];
  }
}

}  // namespace

RWTTT_HOST_CLONES void CpuBackend::ActivationLanes(std::uint64_t token_key, std::uint32_t owner_lo,
                                                   std::uint32_t token, std::uint32_t position,
                                                   std::uint32_t lanes, float* h) {
  const std::uint32_t d = model_.d_model;
  const std::uint32_t f = model_.d_ff;
  const float* up = shared_->up.data() + position * up_elems_;
  float* x = x_.data();
  WithLanes(lanes, [&]<std::uint32_t kLanes>() RWTTT_LAMBDA_INLINE {
    InputLanes<kLanes>(token_key, owner_lo, token, model_.ttt_layers[position], d, x);
    RoundRow(act_bf16_, x, d * kLanes);
    VecMatLanes<kLanes>(x, up, d, f, h);
  });
  SiluRow(h, f * lanes, den_.data());
  RoundRow(act_bf16_, h, f * lanes);
}

RWTTT_HOST_CLONES ItemResult CpuBackend::Read(const InplaceTttKind&, const BatchItem& item) {
  const std::uint32_t d = model_.d_model;
  const std::uint32_t f = model_.d_ff;
  const std::uint32_t n_ttt = model_.ttt_layers.size();
  const std::uint64_t key = TokenKey(item.input_seed, item.carry, item.owner.value());
  const auto owner_lo = static_cast<std::uint32_t>(item.owner.value());
  // y: [tokens][ttt layers][d_model]
  y_.resize(std::uint64_t{item.end_token - item.first_token} * n_ttt * d);
  for (std::uint32_t t = item.first_token; t < item.end_token;) {
    const std::uint32_t count = std::min(kMatVecLanes, item.end_token - t);
    float* y = y_.data() + std::uint64_t{t - item.first_token} * n_ttt * d;
    if (count == 1) {  // a decode step: one token, not a vector of them; two layers at a time
      for (std::uint32_t p = 0; p < n_ttt;) {
        const std::uint32_t layers = std::min(2u, n_ttt - p);
        Activation(key, owner_lo, t, p, layers, h_.data());
        if (layers == 2) {
          VecMatPair(h_.data(), Layer(item.slot, p), h_.data() + f, Layer(item.slot, p + 1), f, d,
                     y, y + d);
        } else {
          VecMat(h_.data(), Layer(item.slot, p), f, d, y);
        }
        RoundRow(act_bf16_, y, layers * d);
        p += layers;
        y += layers * d;
      }
      ++t;
      continue;
    }
    for (std::uint32_t p = 0; p < n_ttt; ++p, y += d) {
      // The tokens as lanes: y of token t + g is lane g of yᵀ, which acc_ holds.
      const std::uint32_t lanes = LanesFor(count);
      ActivationLanes(key, owner_lo, t, p, lanes, h_.data());
      float* yt = acc_.data();
      WithLanes(lanes, [&]<std::uint32_t kLanes>() RWTTT_LAMBDA_INLINE {
        VecMatLanes<kLanes>(h_.data(), Layer(item.slot, p), f, d, yt);
      });
      FromLanes(yt, lanes, count, d, y, std::uint64_t{n_ttt} * d);
      for (std::uint32_t g = 0; g < count; ++g)
        RoundRow(act_bf16_, y + std::uint64_t{g} * n_ttt * d, d);
    }
    t += count;
  }
  return ReadResult(item, y_);
}

ItemResult CpuBackend::ReadResult(const BatchItem& item, const std::vector<float>& y) {
  ItemResult result;
  if (act_bf16_) {
    bits_.resize(y.size());
    for (std::size_t n = 0; n < y.size(); ++n) bits_[n] = FloatToBf16(y[n]).bits;
    result.out_digest = OutputDigest(bits_.data(), bits_.size() * sizeof(std::uint16_t));
  } else {
    result.out_digest = OutputDigest(y.data(), y.size() * sizeof(float));
  }
  result.carry = NextCarry(item.carry, result.out_digest);
  return result;
}

template <typename Kind>
ItemResult CpuBackend::Read(const Kind& kind, const BatchItem& item) {
  const std::uint64_t key = TokenKey(item.input_seed, item.carry, item.owner.value());
  const auto owner_lo = static_cast<std::uint32_t>(item.owner.value());
  const auto shape = MathShapeOf(model_, kind);
  const std::uint32_t n_ttt = model_.ttt_layers.size(), d = model_.d_model;
  std::vector<float> scratch(ReadScratch(shape));
  std::vector<float> out(std::uint64_t{kReadTokens} * d);
  std::vector<float> y(std::uint64_t{item.end_token - item.first_token} * n_ttt * d);
  // y: [tokens][ttt layers][d_model], filled kReadTokens tokens at a time.
  for (std::uint32_t t = item.first_token; t < item.end_token; t += kReadTokens) {
    const std::uint32_t count = std::min(kReadTokens, item.end_token - t);
    for (std::uint32_t p = 0; p < n_ttt; ++p) {
      ReadLayer(shape, p, key, owner_lo, t, count, Layer(item.slot, p), scratch.data(), out.data());
      for (std::uint32_t g = 0; g < count; ++g) {
        float* row = y.data() + (std::uint64_t{t - item.first_token + g} * n_ttt + p) * d;
        for (std::uint32_t j = 0; j < d; ++j) row[j] = RoundAct(out[std::uint64_t{g} * d + j]);
      }
    }
  }
  return ReadResult(item, y);
}

std::uint64_t CpuBackend::ReadScratch(const LactShape& ls) {
  static_assert(kReadTokens == kLactReadLanes);
  return ls.read_tokens_scratch(kReadTokens);
}
std::uint64_t CpuBackend::ReadScratch(const LowRankShape& rs) { return rs.read_scratch(); }

RWTTT_HOST_CLONES void CpuBackend::ReadLayer(const LactShape& ls, std::uint32_t position,
                                             std::uint64_t key, std::uint32_t owner_lo,
                                             std::uint32_t first_token, std::uint32_t count,
                                             const float* w, float* scratch, float* out) {
  const std::uint32_t layer = model_.ttt_layers[position];
  LactTokenKey keys[kReadTokens];
  for (std::uint32_t head = 0; head < ls.heads; ++head) {
    for (std::uint32_t g = 0; g < count; ++g)
      keys[g] = {key, owner_lo, first_token + g, layer, head};
    LactReadTokens(ls, w + head * ls.head_elems(), keys, count, scratch, out + head * ls.head_dim,
                   model_.d_model);
  }
}

RWTTT_HOST_CLONES void CpuBackend::ReadLayer(const LowRankShape& rs, std::uint32_t position,
                                             std::uint64_t key, std::uint32_t owner_lo,
                                             std::uint32_t first_token, std::uint32_t count,
                                             const float* w, float* scratch, float* out) {
  for (std::uint32_t g = 0; g < count; ++g) {
    LowRankRead(rs, shared_->up.data() + position * up_elems_,
                shared_->down.data() + position * down_elems_, w, key, owner_lo, first_token + g,
                model_.ttt_layers[position], scratch, out + std::uint64_t{g} * model_.d_model);
  }
}

template <typename Kind>
ItemResult CpuBackend::Write(const Kind& kind, const BatchItem& item) {
  const std::uint32_t n_ttt = model_.ttt_layers.size();
  const std::uint64_t key = TokenKey(item.input_seed, item.carry, item.owner.value());
  const auto owner_lo = static_cast<std::uint32_t>(item.owner.value());
  const auto shape = MathShapeOf(model_, kind);
  std::vector<float> scratch(shape.write_scratch());
  for (std::uint32_t p = 0; p < n_ttt; ++p) {
    const std::uint32_t layer = model_.ttt_layers[p];
    WriteLayer(shape, p, layer, key, owner_lo, item, scratch.data());
  }
  return WriteResult(item);
}

RWTTT_HOST_CLONES void CpuBackend::WriteLayer(const LactShape& ls, std::uint32_t position,
                                              std::uint32_t layer, std::uint64_t key,
                                              std::uint32_t owner_lo, const BatchItem& item,
                                              float* scratch) {
  float* w = Layer(item.slot, position);
  const float* base = shared_->base.data() + position * layer_elems_;
  for (std::uint32_t head = 0; head < ls.heads; ++head) {
    const std::uint64_t at = head * ls.head_elems();
    LactWriteHead(ls, w + at, base + at, {key, owner_lo, 0, layer, head}, item.first_token,
                  item.end_token, scratch);
  }
}

void CpuBackend::WriteLayer(const LowRankShape& rs, std::uint32_t position, std::uint32_t layer,
                            std::uint64_t key, std::uint32_t owner_lo, const BatchItem& item,
                            float* scratch) {
  LowRankWrite(rs, shared_->up.data() + position * up_elems_,
               shared_->down.data() + position * down_elems_, Layer(item.slot, position), key,
               owner_lo, item.first_token, item.end_token, layer, scratch);
}

ItemResult CpuBackend::WriteResult(const BatchItem& item) {
  ItemResult result;
  result.state_digest = StateDigest(item.slot);
  result.carry = item.carry;
  return result;
}

RWTTT_HOST_CLONES ItemResult CpuBackend::Write(const InplaceTttKind&, const BatchItem& item) {
  const std::uint32_t d = model_.d_model;
  const std::uint32_t f = model_.d_ff;
  const std::uint32_t n_ttt = model_.ttt_layers.size();
  const std::uint64_t key = TokenKey(item.input_seed, item.carry, item.owner.value());
  const auto owner_lo = static_cast<std::uint32_t>(item.owner.value());
  const std::uint32_t tokens = item.end_token - item.first_token;
  const float eta = model_.learning_rate;
  // H: [d_ff][tokens], each hidden unit's tokens side by side as ActivationLanes gives them (so
  // the lanes are copied, not transposed); V: [tokens][d_model].
  std::vector<float>& hs = write_h_;
  std::vector<float>& vs = write_v_;
  hs.resize(std::uint64_t{tokens} * f);
  vs.resize(std::uint64_t{tokens} * d);
  for (std::uint32_t p = 0; p < n_ttt; ++p) {
    const std::uint32_t layer = model_.ttt_layers[p];
    // The chunk's tokens kMatVecLanes at a time as vector lanes, transposed back into H and V.
    for (std::uint32_t c0 = 0; c0 < tokens; c0 += kMatVecLanes) {
      const std::uint32_t count = std::min(kMatVecLanes, tokens - c0);
      const std::uint32_t t = item.first_token + c0;
      const std::uint32_t lanes = LanesFor(count);
      ActivationLanes(key, owner_lo, t, p, lanes, h_.data());
      for (std::uint32_t i = 0; i < f; ++i) {
        const float* lanes_of_i = h_.data() + std::uint64_t{i} * lanes;
        float* tokens_of_i = hs.data() + std::uint64_t{i} * tokens + c0;
        for (std::uint32_t g = 0; g < count; ++g) tokens_of_i[g] = lanes_of_i[g];
      }
      float* vt = x_.data();  // free once ActivationLanes returns
      WithLanes(lanes, [&]<std::uint32_t kLanes>() RWTTT_LAMBDA_INLINE {
        TargetLanes<kLanes>(key, owner_lo, t, layer, d, vt);
      });
      float* v = vs.data() + std::uint64_t{c0} * d;
      FromLanes(vt, lanes, count, d, v, d);
      RoundRow(act_bf16_, v, count * d);
    }
    // acc[i][j] = Σ_c H[c][i] · V[c][j], c ascending from 0, for kWriteRows rows i at a time.
    float* w = Layer(item.slot, p);
    for (std::uint32_t i0 = 0; i0 < f; i0 += kWriteRows) {
      const std::uint32_t rows = std::min(kWriteRows, f - i0);
      std::fill_n(acc_.data(), std::uint64_t{rows} * d, 0.0f);
      MacOuterProducts(acc_.data(), rows, d, hs.data() + std::uint64_t{i0} * tokens, 1, vs.data(),
                       d, tokens, /*s_row_stride=*/tokens);
      float* row = w + std::uint64_t{i0} * d;
      for (std::uint64_t e = 0; e < std::uint64_t{rows} * d; ++e)
        row[e] = RoundAs(state_bf16_, UpdatedWeight(row[e], acc_[e], eta));
    }
  }
  return WriteResult(item);
}

}  // namespace rwttt
