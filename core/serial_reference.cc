#include "core/serial_reference.h"

#include "core/check.h"
#include "core/cpu_backend.h"
#include "core/program.h"

namespace rwttt {

OwnerReference RunSerialReference(const ModelProfile& model, const Request& request,
                                  Seed run_seed) {
  CpuBackend cpu;
  const Status reset = cpu.Reset(model, /*num_slots=*/1, run_seed);
  RWTTT_CHECK(reset.ok()) << "serial reference: " << reset.error().ToString();
  return RunSerialReference(cpu, model, request, run_seed);
}

OwnerReference RunSerialReference(CpuBackend& cpu, const ModelProfile& model,
                                  const Request& request, Seed run_seed) {
  cpu.InitSlot(0);
  const std::uint64_t input_seed = request.seed.value_or(run_seed).value();
  OwnerReference ref;
  std::uint64_t carry = 0;
  for (ProgramCursor c(request, model.chunk); !c.done(); c.Advance()) {
    const Step& step = c.step();
    const BatchItem item{.owner = request.id,
                         .effect = step.tag.effect,
                         .first_token = step.first_token,
                         .end_token = step.end_token,
                         .slot = 0,
                         .input_seed = input_seed,
                         .carry = carry};
    ItemResult result;
    cpu.RunBatch({&item, 1}, {&result, 1});
    carry = result.carry;
    ref.steps.push_back(ReferenceStep{step, result.out_digest, result.state_digest});
  }
  return ref;
}

}  // namespace rwttt
