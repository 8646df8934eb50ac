// Compiles and runs the example at the top of sim/policy.h, as written there (keep them in step).
#include <gtest/gtest.h>

#include <memory>

#include "sim/policy.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/sim/sim_test_util.h"

namespace rwttt {
namespace {

class MyPolicy final : public Policy {  // see sim/policies/ for the built-in four
 public:
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    const DeviceLayout layout = DeviceLayout::OneCopy(c);
    if (!layout.fits(c.budget_bytes)) return Error::Input("mine: one owner does not fit");
    return layout;
  }
  void NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) override {
    const Effect e = ready.count(Effect::kRead) > 0 ? Effect::kRead : Effect::kWrite;
    ready.ForEach(e, [&](const ReadyStep& s) {  // one effect, distinct owners: correct
      plan.owners.push_back(s.owner);
      return true;
    });
  }
};

SimConfig TinyConfig() {
  SimConfig c;
  c.model = LoadModelProfile("tiny").value();
  c.hardware = LoadHardwareProfile("h100-sxm").value();
  c.budget_bytes = c.hardware.memory_bytes();
  c.seed = Seed{3};
  return c;
}

TEST(PolicyHeaderExample, RegistersAndRunsOneEffectBatches) {
  ASSERT_TRUE(RegisterPolicy({"mine",
                              "what it does",
                              {PolicyOptionInfo::Uint("opt", "what it sets", 0)},
                              /*expected_correct=*/true,
                              [] { return std::make_unique<MyPolicy>(); }})
                  .ok());
  PolicyOptions options;
  options.Set("opt", "1");
  auto policy = MakePolicy("mine", options).value();
  const std::vector<Request> trace = {Request{OwnerId{0}, Nanos{0}, 12, 20, {}},
                                      Request{OwnerId{1}, Nanos{0}, 5, 30, {}}};
  SimConfig config = TinyConfig();
  testing::BatchLog batches;
  config.observer = &batches;
  const RunResult r = Simulate(trace, *policy, config).value();
  EXPECT_EQ(r.metrics.requests, 2u);
  EXPECT_EQ(r.layout.fixed_bytes, config.model.shared_weight_bytes());
  EXPECT_EQ(r.layout.owner_bytes, config.model.state_bytes());
  ASSERT_FALSE(batches.batches.empty());
  for (const testing::KeptBatch& b : batches.batches) {
    for (const BatchStep& s : b.steps) EXPECT_EQ(s.step.tag.effect, b.steps[0].step.tag.effect);
  }
}

TEST(PolicyHeaderExample, RefusesABudgetWhereOneOwnerDoesNotFit) {
  SimConfig config = TinyConfig();
  config.budget_bytes =
      DeviceLayout::OneCopy(
          PolicyContext{config.model, config.hardware, config.budget_bytes, config.policy_options})
          .one_owner_bytes() -
      1;
  MyPolicy policy;
  const PolicyContext context{config.model, config.hardware, config.budget_bytes,
                              config.policy_options};
  const Result<DeviceLayout> layout = policy.Configure(context);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().message, "mine: one owner does not fit");
  config.budget_bytes += 1;
  EXPECT_TRUE(policy
                  .Configure(PolicyContext{config.model, config.hardware, config.budget_bytes,
                                           config.policy_options})
                  .ok());
}

}  // namespace
}  // namespace rwttt
