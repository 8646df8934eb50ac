// End to end: a correct policy's batched run on a real backend reproduces the serial reference
// bit for bit, whatever the trace, budget and batching.
#include <map>

#include "core/cpu_backend.h"
#include "core/serial_reference.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/sim/sim_test_util.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

RC_GTEST_PROP(ReferenceProperty, CorrectPoliciesReproduceTheSerialReference, ()) {
  SimConfig c;
  c.model = LoadModelProfile("tiny").value();
  c.hardware = LoadHardwareProfile("h100-sxm").value();
  const auto owners = *rc::gen::inRange<std::uint64_t>(1, 5);
  c.budget_bytes = 2 * c.model.shared_weight_bytes() + owners * 2 * c.model.state_bytes();
  c.seed = Seed{*rc::gen::inRange<std::uint64_t>(0, 1000)};
  const std::string policy = *rc::gen::element<std::string>("sequential", "replicas", "rwttt");
  std::vector<Request> trace;
  std::int64_t t = 0;
  const auto n = *rc::gen::inRange<std::uint64_t>(1, 6);
  for (std::uint64_t i = 0; i < n; ++i) {
    t += *rc::gen::inRange<std::int64_t>(0, 50000);
    Request r{OwnerId{i},
              Nanos{t},
              *rc::gen::inRange<std::uint32_t>(0, 30),
              *rc::gen::inRange<std::uint32_t>(0, 30),
              {}};
    if (*rc::gen::arbitrary<bool>()) r.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
    trace.push_back(r);
  }
  CpuBackend cpu;
  c.backend = &cpu;
  testing::HistoryLog log;
  c.history = &log;
  auto p = MakePolicy(policy, c.policy_options).value();
  RC_ASSERT(Simulate(trace, *p, c).ok());

  std::map<OwnerId, std::vector<const HistoryStep*>> by_owner;
  for (const HistoryStep& h : log.steps) by_owner[h.owner].push_back(&h);
  for (const Request& r : trace) {
    const OwnerReference ref = RunSerialReference(c.model, r, c.seed);
    const auto& ran = by_owner[r.id];
    RC_ASSERT(ran.size() == ref.steps.size());
    for (std::size_t i = 0; i < ran.size(); ++i) {
      if (ref.steps[i].step.is_read()) {
        RC_ASSERT(*ran[i]->out_digest == ref.steps[i].out_digest);
      } else {
        RC_ASSERT(*ran[i]->state_digest == ref.steps[i].state_digest);
      }
    }
  }
}

}  // namespace
}  // namespace rwttt
