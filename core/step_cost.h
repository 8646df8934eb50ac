// What each step of a model profile costs: bytes moved and FLOPs, split by what a batch shares.
//
//   LayerWork w = ReadLayerWork(model, /*ttt_layer=*/true, /*tokens=*/1);
//   // a batch of k owners moves w.shared_bytes once and w.owner_bytes k times
//
// The cost model (sim/) turns these into time over a hardware profile. Formulas and a worked
// example: docs/cost-model.md.
#pragma once

#include <cstdint>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"

namespace rwttt {

// Work of one step in one layer.
struct LayerWork {
  double shared_bytes = 0;  // weights every owner shares: read once per batch
  double owner_bytes = 0;   // the owner's fast weight: read (READ) or read and written (WRITE)
  double token_bytes = 0;   // activations in and out
  double flops = 0;
};

// A READ of `tokens` tokens in one layer: the whole layer's weights once, the fast weight if it
// is a TTT layer, 2 * params/layer FLOPs per token.
LayerWork ReadLayerWork(const ModelProfile& model, bool ttt_layer, std::uint32_t tokens);

// A WRITE in one TTT layer: reads and writes the fast weight, reads the chunk's H [C x d_ff] and
// V [C x d_model], 2 * C * d_ff * d_model FLOPs for H^T V plus one per element for the add.
LayerWork WriteLayerWork(const ModelProfile& model);

// Fails when one owner can never run: the shared weights plus one owner's state exceed
// `budget_bytes` (the message gives both sizes).
Status CheckOneOwnerFits(const ModelProfile& model, std::uint64_t budget_bytes,
                         std::string_view budget_name);

}  // namespace rwttt
