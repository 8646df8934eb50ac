#include "core/step_cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "core/units.h"

namespace rwttt {

LayerWork ReadLayerWork(const ModelProfile& m, bool ttt_layer, std::uint32_t tokens) {
  const double act = DTypeBytes(m.dtype);
  const double layer_params = static_cast<double>(m.params) / m.layers;
  const double state = ttt_layer ? static_cast<double>(m.layer_state_elems()) : 0.0;
  // In-Place TTT's W_down and LaCT's fast weights replace shared parameters; a low-rank delta
  // adds to them (its base weights stay shared) and costs its own FLOPs.
  const double replaced = m.state_replaces_params() ? state : 0.0;
  const double extra = m.state_replaces_params() ? 0.0 : state;
  LayerWork w;
  w.shared_bytes = (layer_params - replaced) * act;
  w.owner_bytes = state * DTypeBytes(m.state_dtype);
  w.token_bytes = static_cast<double>(tokens) * 2.0 * m.d_model * act;
  w.flops = 2.0 * (layer_params + extra) * tokens;
  return w;
}

double NewtonSchulzFlops(std::uint32_t rows, std::uint32_t cols) {
  const double p = std::min(rows, cols), q = std::max(rows, cols);
  // Per step: A = X Xᵀ (2 p² q), A² (2 p³), B X (2 p² q); plus the normalisation (2 p q).
  return 5.0 * (4.0 * p * p * q + 2.0 * p * p * p) + 2.0 * p * q;
}

namespace {

// A WRITE's token bytes and FLOPs for each kind; act: bytes per activation, elems: one layer's
// state elements.
void AddWriteWork(const ModelProfile& m, const InplaceTttKind&, double act, double elems,
                  LayerWork& w) {
  const double chunk = m.chunk;
  w.token_bytes = chunk * (m.d_ff + m.d_model) * act;
  w.flops = 2.0 * chunk * elems + elems;
}

void AddWriteWork(const ModelProfile& m, const LactSwigluKind& k, double act, double elems,
                  LayerWork& w) {
  const double chunk = m.chunk;
  // Keys, values and three learning rates per head per token.
  w.token_bytes = chunk * (2.0 * m.d_model + 3.0 * k.heads) * act;
  // Forward with the keys (4 D H per head) and the backward (8 D H), D H summed over heads
  // being d_model * fast_dim; then the add and the weight norm (about 4 per element).
  w.flops = 12.0 * chunk * m.d_model * k.fast_dim + 5.0 * elems;
  if (k.muon) {
    const std::uint32_t head_dim = k.head_dim(m.dims());
    w.flops += k.heads * (2.0 * NewtonSchulzFlops(k.fast_dim, head_dim) +
                          NewtonSchulzFlops(head_dim, k.fast_dim));
  }
}

void AddWriteWork(const ModelProfile& m, const LowRankKind& k, double act, double elems,
                  LayerWork& w) {
  const double chunk = m.chunk;
  // Each projection's input and target per token: x and its d_ff target (up), h and its
  // d_model target (down); P, Q, dA, dB cost 4 r (in + out) per token; then the add.
  const double per_projection = m.d_model + m.d_ff;
  const double projections = (k.up ? 1 : 0) + (k.down ? 1 : 0);
  w.token_bytes = chunk * per_projection * projections * act;
  w.flops = 4.0 * chunk * elems + 2.0 * elems;
}

}  // namespace

LayerWork WriteLayerWork(const ModelProfile& m) {
  const double act = DTypeBytes(m.dtype);
  const double elems = static_cast<double>(m.layer_state_elems());
  LayerWork w;
  w.owner_bytes = 2.0 * elems * DTypeBytes(m.state_dtype);
  std::visit([&](const auto& kind) { AddWriteWork(m, kind, act, elems, w); }, m.state_kind);
  return w;
}

Status CheckOneOwnerFits(const ModelProfile& m, std::uint64_t budget_bytes,
                         std::string_view budget_name) {
  const std::uint64_t need = m.shared_weight_bytes() + m.state_bytes();
  if (need <= budget_bytes) return OkStatus();
  return Error::Input(fmt::format(
      "model '{}' cannot run: shared weights ({:.3f} GiB) plus one owner's state ({:.3f} GiB) "
      "exceed the {} memory budget ({:.3f} GiB)",
      m.name, m.shared_weight_bytes() / kBytesPerGib, m.state_bytes() / kBytesPerGib, budget_name,
      budget_bytes / kBytesPerGib));
}

}  // namespace rwttt
