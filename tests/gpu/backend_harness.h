// Shared by the backend tests: random small cases (profile, owners, seed), a random scheduler
// that runs a case's owners on a backend in random batches, and the comparison with the serial
// reference. Generators draw with RapidCheck, so failures shrink and replay from RC_PARAMS.
//
//   const KernelCase c = *GenKernelCase();
//   RcAssertMatchesSerialReference(*MakeOmpBackend(2, /*inline_work=*/0), c);
#pragma once

#include <cstdint>
#include <vector>

#include "core/backend.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/serial_reference.h"
#include "tests/support/property.h"

namespace rwttt::testing {

struct KernelCase {
  ModelProfile model;
  std::vector<Request> requests;  // distinct owners
  Seed seed;
};

// Small random profiles (d_model <= 24, d_ff <= 40, up to 3 layers, any dtypes, chunk 1..6, any
// state kind with small heads, fast_dim, rank) and 1..5 owners with random ids, short prompts and
// outputs, and optional per-request seeds.
rc::Gen<KernelCase> GenKernelCase();

// In-Place TTT profiles wide enough for the host kernels' full register tiles and column blocks
// (d_model 48..160, d_ff 48..200, one or two layers, chunk 1..6) and 1..3 owners with prompts of
// up to 24 tokens, so that parts hold several tokens per tile.
rc::Gen<KernelCase> GenWideKernelCase();

// Draws a state kind and its fields for `m` (inside a RapidCheck generator or property).
void GenStateKind(ModelProfile& m);

// `m` as a fixed small instance of `kind` (LaCT: 2 heads, fast_dim 5, Muon and the weight norm;
// low-rank: rank 3 on both projections).
ModelProfile WithStateKind(ModelProfile m, const StateKind& kind);

// Runs every owner's program on `backend` (Reset to the case's model with one slot per owner in a
// random assignment), forming each batch from a random non-empty subset of ready owners whose next
// steps share one effect. Returns per owner (the case's order) the steps with their digests.
std::vector<OwnerReference> RunInRandomBatches(Backend& backend, const KernelCase& c);

// RC_ASSERTs that RunInRandomBatches equals RunSerialReference for every owner, bit for bit.
void RcAssertMatchesSerialReference(Backend& backend, const KernelCase& c);

// Random items over few slots, effects mixed, as a broken policy might send them; for checking
// that a batched backend applies items sharing a slot in item order, as cpu does.
std::vector<BatchItem> GenSharedSlotItems(const ModelProfile& model, std::uint32_t num_slots);

// RC_ASSERTs that `backend` runs one batch of GenSharedSlotItems over three slots of `model`
// exactly as the cpu backend does: every item's digests and carry, then every slot's state.
void RcAssertSharedSlotItemsMatchCpu(Backend& backend, const ModelProfile& model);

// A ModelProfile from its shape; ttt_layers "all".
ModelProfile SmallProfile(std::uint32_t d_model, std::uint32_t d_ff, std::uint32_t layers,
                          std::uint32_t chunk, DType dtype, DType state_dtype, float eta);

}  // namespace rwttt::testing
