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

// A READ of `tokens` tokens in one layer: the whole layer's shared weights once, the owner's state
// if it is a TTT layer, 2 * params/layer FLOPs per token (plus 2 per delta element for low-rank).
LayerWork ReadLayerWork(const ModelProfile& model, bool ttt_layer, std::uint32_t tokens);

// A WRITE in one TTT layer: reads and writes the owner's state and reads the chunk's inputs.
// In-Place TTT: H [C x d_ff] and V [C x d_model], 2 C d_ff d_model FLOPs for Hᵀ V plus one per
// element. LaCT: 12 C d_model fast_dim (the keys' forward and the backward), Muon's Newton–Schulz
// steps when on, and the weight norm. Low-rank: 4 C per state element.
// docs/cost-model.md#state-kinds.
LayerWork WriteLayerWork(const ModelProfile& model);

// FLOPs of Muon's orthogonalisation (core/lact_math.h NewtonSchulz) of one [rows x cols] matrix.
double NewtonSchulzFlops(std::uint32_t rows, std::uint32_t cols);

// Fails when one owner can never run: the shared weights plus one owner's state exceed
// `budget_bytes` (the message gives both sizes).
Status CheckOneOwnerFits(const ModelProfile& model, std::uint64_t budget_bytes,
                         std::string_view budget_name);

}  // namespace rwttt
