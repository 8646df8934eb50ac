#include "core/step_cost.h"

#include <fmt/format.h>

namespace rwttt {

LayerWork ReadLayerWork(const ModelProfile& m, bool ttt_layer, std::uint32_t tokens) {
  const double act = DTypeBytes(m.dtype);
  const double layer_params = static_cast<double>(m.params) / m.layers;
  const double fast = ttt_layer ? static_cast<double>(m.layer_state_elems()) : 0.0;
  LayerWork w;
  w.shared_bytes = (layer_params - fast) * act;
  w.owner_bytes = fast * DTypeBytes(m.state_dtype);
  w.token_bytes = static_cast<double>(tokens) * 2.0 * m.d_model * act;
  w.flops = 2.0 * layer_params * tokens;
  return w;
}

LayerWork WriteLayerWork(const ModelProfile& m) {
  const double act = DTypeBytes(m.dtype);
  const double elems = static_cast<double>(m.layer_state_elems());
  LayerWork w;
  w.owner_bytes = 2.0 * elems * DTypeBytes(m.state_dtype);
  w.token_bytes = static_cast<double>(m.chunk) * (m.d_ff + m.d_model) * act;
  w.flops = 2.0 * m.chunk * elems + elems;
  return w;
}

Status CheckOneOwnerFits(const ModelProfile& m, std::uint64_t budget_bytes,
                         std::string_view budget_name) {
  const std::uint64_t need = m.shared_weight_bytes() + m.state_bytes();
  if (need <= budget_bytes) return OkStatus();
  return Error::Input(fmt::format(
      "model '{}' cannot run: shared weights ({:.3f} GiB) plus one owner's state ({:.3f} GiB) "
      "exceed the {} memory budget ({:.3f} GiB)",
      m.name, m.shared_weight_bytes() / 1073741824.0, m.state_bytes() / 1073741824.0, budget_name,
      budget_bytes / 1073741824.0));
}

}  // namespace rwttt
