// The serial reference (DESIGN §2, §6 step 5): each owner's program run alone, one step at a time,
// on the scalar cpu backend. What every correct batched run must reproduce bit for bit.
//
//   OwnerReference ref = RunSerialReference(model, request, Seed{7});
//   std::uint64_t d = ref.steps[i].out_digest;  // the i-th step of its program (core/program.h)
#pragma once

#include <cstdint>
#include <vector>

#include "core/model_profile.h"
#include "core/request.h"
#include "core/step.h"
#include "core/strong_types.h"

namespace rwttt {

struct ReferenceStep {
  Step step;                       // as ProgramCursor yields it
  std::uint64_t out_digest = 0;    // READ: ItemResult::out_digest
  std::uint64_t state_digest = 0;  // WRITE: the state digest after committing version + 1
};

struct OwnerReference {
  std::vector<ReferenceStep> steps;  // program order
};

// The owner's input seed is request.seed when present, else run_seed.
// Cost: O(steps * per-step math) time, one state of memory.
OwnerReference RunSerialReference(const ModelProfile& model, const Request& request, Seed run_seed);

class CpuBackend;

// The same on a cpu backend the caller keeps, so that checking many owners generates the shared
// weights once instead of once per owner. Uses (and overwrites) slot 0.
// REQUIRES: cpu.Reset(model, num_slots >= 1, run_seed) succeeded.
OwnerReference RunSerialReference(CpuBackend& cpu, const ModelProfile& model,
                                  const Request& request, Seed run_seed);

}  // namespace rwttt
