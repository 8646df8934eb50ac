// Every sim/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run (tests/headers/check_header_examples.py keeps the copies
// equal to the headers). Examples run in a scratch working directory, as their file names want.
// clang-format is off around each example: it keeps its header's layout, line for line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu_backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "sim/batch_record.h"
#include "sim/cache_residency.h"
#include "sim/cost_model.h"
#include "sim/device_sharing.h"
#include "sim/executor.h"
#include "sim/faults/fault_injector.h"
#include "sim/latency_histogram.h"
#include "sim/metrics.h"
#include "sim/policy.h"
#include "sim/policy_plugin.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "sim/start_order.h"
#include "sim/timeline.h"
#include "tests/sim/sim_test_util.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

// A policy for the plugin example: every ready READ, then every ready WRITE, one owner each.
class Mine final : public Policy {
 public:
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    return DeviceLayout::OneCopy(c);
  }
  void NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) override {
    const Effect e = ready.count(Effect::kRead) > 0 ? Effect::kRead : Effect::kWrite;
    ready.ForEach(e, [&](const ReadyStep& s) {
      plan.owners.push_back(s.owner);
      return true;
    });
  }
};

}  // namespace

// clang-format off
// example: sim/policy_plugin.h
RWTTT_POLICY_PLUGIN(register_policy) {  // in the plugin, Mine a Policy (sim/policy.h)
  auto make = [] { return std::make_unique<Mine>(); };
  return register_policy({"aligned", "...", {}, /*expected_correct=*/true, make});
}
// end example
// clang-format on

namespace {

// A scratch directory, a two-request trace, the tiny model on h100-sxm and the rwttt policy.
class HeaderExample : public testing::ScratchDirTest {
 protected:
  const ModelProfile m = LoadModelProfile("tiny").value();
  const HardwareProfile hw = LoadHardwareProfile("h100-sxm").value();
  const std::vector<Request> trace = {Request{OwnerId{0}, Nanos{0}, 12, 20, {}},
                                      Request{OwnerId{1}, Nanos{0}, 5, 30, {}}};
  std::unique_ptr<Policy> policy = MakePolicy("rwttt", {}).value();

  SimConfig Config() const {
    SimConfig c;
    c.model = m;
    c.hardware = hw;
    c.budget_bytes = hw.memory_bytes();
    c.seed = Seed{7};
    return c;
  }
};

// Counts the steps of every batch it is shown.
class StepCounter final : public BatchObserver {
 public:
  // clang-format off
  // example: sim/batch_record.h
  void OnBatch(const BatchRecord& b) override { for (const BatchStep& s : b.steps) Use(s); }
  // end example
  // clang-format on
  void Use(const BatchStep& s) { tokens += s.step.tokens(); }
  std::uint64_t tokens = 0;
};

TEST_F(HeaderExample, SimBatchRecord) {
  StepCounter counter;
  SimConfig config = Config();
  config.observer = &counter;
  ASSERT_TRUE(Simulate(trace, *policy, config).ok());
  // Every token is READ once and, chunk by chunk, WRITten once (the last partial chunk never).
  EXPECT_GT(counter.tokens, 12u + 20u + 5u + 30u);
}

TEST_F(HeaderExample, SimCostModel) {
  const ModelProfile& model = m;
  const HardwareProfile& hardware = hw;
  // clang-format off
  // example: sim/cost_model.h
  CostModel cost(model, hardware);
  BatchTiming t = cost.BatchTime({.read_steps = 8, .read_tokens = 8, .read_slots = 8});
  // end example
  // clang-format on
  EXPECT_GT(t.device, Nanos{0});
  EXPECT_LT(t.device, t.total);  // the launch and layer overheads are host time
  // A batch of one moves the weights for one token: less in all, more per token.
  EXPECT_LT(cost.BatchTime({.read_steps = 1, .read_tokens = 1, .read_slots = 1}).total, t.total);
}

TEST_F(HeaderExample, SimCacheResidency) {
  const ModelProfile& model = m;
  HardwareProfile cached = hw;
  cached.cache_mib = 64;
  cached.cache_bandwidth_gbs = 10 * hw.memory_bandwidth_gbs;
  const CostModel cost(model, cached);
  // clang-format off
  // example: sim/cache_residency.h
  CacheResidency cache = CacheResidencyOf(model, cached);  // hardware with a cache
  const std::uint32_t slot = 3;
  BatchShape shape{.read_steps = 1, .read_tokens = 1, .read_slots = 1};
  cache.Place(/*lane=*/0, {&slot, 1}, {}, shape);  // first: nothing cached
  cache.Place(/*lane=*/0, {&slot, 1}, {}, shape);  // again: shape.cached_read_slots == 1
  // end example
  // clang-format on
  EXPECT_EQ(shape.cached_read_slots, 1u);
  EXPECT_EQ(shape.cached_weights, 1u);
  EXPECT_LT(cost.BatchTime(shape).device,
            cost.BatchTime({.read_steps = 1, .read_tokens = 1, .read_slots = 1}).device);
}

TEST_F(HeaderExample, SimDeviceSharing) {
  // clang-format off
  // example: sim/device_sharing.h
  DeviceSharing device;
  device.Start(/*lane=*/0, Nanos{0}, /*host=*/Nanos{100}, /*device=*/Nanos{1000});
  device.Start(/*lane=*/1, Nanos{0}, Nanos{100}, Nanos{1000});
  Nanos t = device.NextEnd();  // both share the device from 100 ns on: 2100
  std::vector<std::uint32_t> ended;
  device.AdvanceTo(t, ended);  // ended == {0, 1}
  // end example
  // clang-format on
  EXPECT_EQ(t, Nanos{2100});
  EXPECT_EQ(ended, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(device.empty());
}

TEST_F(HeaderExample, SimStartOrder) {
  std::vector<HistoryStep> written;
  const auto Write = [&](const std::vector<HistoryStep>& r) {
    written.insert(written.end(), r.begin(), r.end());
  };
  const std::vector<HistoryStep> records(2);
  const Nanos end{500};
  {
    const std::uint64_t batch_id = 0;
    // clang-format off
    // example: sim/start_order.h
    StartOrder<std::vector<HistoryStep>> pending;
    pending.Open(batch_id) = records;                   // at dispatch; ids increase
    pending.at(batch_id)[0].end = end;                  // at its end, then:
    pending.End(batch_id, [&](auto& r) { Write(r); });  // released once earlier ones are
    // end example
    // clang-format on
  }
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].end, end);
  // Batch 2 ends before batch 1: its records wait for 1's.
  StartOrder<std::vector<HistoryStep>> pending;
  pending.Open(1) = records;
  pending.Open(2) = records;
  written.clear();
  pending.End(2, Write);
  EXPECT_TRUE(written.empty());
  pending.End(1, Write);
  EXPECT_EQ(written.size(), 4u);
}

TEST_F(HeaderExample, SimExecutor) {
  CpuBackend cpu;
  Backend* backend = &cpu;
  testing::HistoryLog history_sink;
  const std::size_t owners = 1;
  const ModelProfile& model = m;
  const std::uint32_t slots = 1;
  const Seed seed{7};
  const OwnerId owner{0};
  ExecItem item;
  item.step = Step{.tag = {owner, Version{0}, Effect::kRead}, .first_token = 0, .end_token = 4};
  item.input_seed = 7;
  const std::vector<ExecItem> items = {item};
  const std::uint64_t batch_id = 0;
  const Nanos start{0}, end{100};
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/executor.h
    Executor ex(backend, &history_sink, /*measure=*/false, owners);
    RWTTT_TRY(ex.Begin(model, slots, seed));  ex.Admit(owner, /*slot=*/0, /*init_slot=*/true);
    std::optional<Nanos> wall = ex.Dispatch(items, batch_id, start);  // at the batch's start
    ex.Complete(items, batch_id, end);          // at its end: its history records, its commits
    // end example
    // clang-format on
    EXPECT_FALSE(wall.has_value());  // not measuring
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  ASSERT_EQ(history_sink.steps.size(), 1u);
  EXPECT_EQ(history_sink.steps[0].end, end);
  EXPECT_EQ(history_sink.steps[0].owner, owner);
  EXPECT_EQ(history_sink.steps[0].seen_owner, owner);  // the slot it read was stamped its own
  EXPECT_EQ(history_sink.steps[0].end_token, 4u);
}

TEST_F(HeaderExample, SimFaultInjector) {
  const Seed seed{7};
  const std::uint64_t key = 42;
  std::vector<std::uint64_t> struck;
  const auto Use = [&](std::uint64_t k) { struck.push_back(k); };
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/faults/fault_injector.h
    RWTTT_ASSIGN_OR_RETURN(FaultPlan plan, ParseFaultPlan("lost-update@0.2"));
    FaultInjector inject(plan, seed);  if (inject.Fire(key)) Use(key);  // strike at point `key`
    // end example
    // clang-format on
    EXPECT_EQ(plan.kind, FaultKind::kLostUpdate);
    EXPECT_EQ(plan.rate, 0.2);
    EXPECT_EQ(inject.injected(), 1u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(struck, std::vector<std::uint64_t>{42});  // the first point always fires
}

TEST_F(HeaderExample, SimLatencyHistogram) {
  const std::int64_t gap_ns = 2'000'000;
  // clang-format off
  // example: sim/latency_histogram.h
  LatencyHistogram h;  h.Add(gap_ns);  LatencySummary s = h.Summary();
  // end example
  // clang-format on
  EXPECT_EQ(s.count, 1u);
}

TEST_F(HeaderExample, SimMetrics) {
  const std::vector<Request> trace = {Request{OwnerId{0}, Nanos{0}, 4, 2, {}}};
  const auto Record = [](MetricsBuilder& b) {
    b.OnArrival(0, Nanos{0});
    b.OnAdmit(0, Nanos{10});
    b.OnFirstToken(0, Nanos{100});
    b.OnOutputToken(0, Nanos{100});
    b.OnOutputToken(0, Nanos{200});
    b.OnLastToken(0, Nanos{200}, 2);
    b.OnFinish(0, Nanos{200});
  };
  const std::uint64_t prompt_tokens = 4, output_tokens = 2, budget_bytes = 1 << 20;
  ::testing::internal::CaptureStdout();
  // clang-format off
  // example: sim/metrics.h
  MetricsBuilder m(trace.size());  Record(m);  // the run: m.OnArrival(i, t) ... m.OnFinish(i, t)
  Metrics s = m.Finish(prompt_tokens, output_tokens, /*lanes=*/1, budget_bytes);
  std::puts(FormatMetrics(s).c_str());
  // end example
  // clang-format on
  std::fflush(stdout);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), FormatMetrics(s) + "\n");
  EXPECT_EQ(s.requests, 1u);
  EXPECT_EQ(s.output_tokens, 2u);
}

TEST_F(HeaderExample, SimPolicy) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/policy.h
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
    const PolicyOptionInfo opt = PolicyOptionInfo::Uint("opt", "what it sets", /*default=*/0);
    auto make = [] { return std::make_unique<MyPolicy>(); };
    RWTTT_TRY(RegisterPolicy({"mine", "what it does", {opt}, /*expected_correct=*/true, make}));
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  auto mine = MakePolicy("mine", {});
  ASSERT_TRUE(mine.ok());
  testing::BatchLog batches;
  SimConfig config = Config();
  config.observer = &batches;
  const Result<RunResult> r = Simulate(trace, **mine, config);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metrics.requests, 2u);
  EXPECT_EQ(r->layout.fixed_bytes, config.model.shared_weight_bytes());  // DeviceLayout::OneCopy
  EXPECT_EQ(r->layout.owner_bytes, config.model.state_bytes());
  ASSERT_FALSE(batches.batches.empty());
  for (const testing::KeptBatch& b : batches.batches) {
    for (const BatchStep& s : b.steps) EXPECT_EQ(s.step.tag.effect, b.steps[0].step.tag.effect);
  }
}

TEST_F(HeaderExample, SimPolicyPlugin) {
  const PolicyPluginInfo* info = rwttt_policy_plugin();  // the entry point the example defines
  EXPECT_EQ(info->abi, kPolicyPluginAbi);
  ASSERT_TRUE(info->register_policies(&RegisterPolicy).ok());
  auto aligned = MakePolicy("aligned", {});
  ASSERT_TRUE(aligned.ok());
  const Result<RunResult> r = Simulate(trace, **aligned, Config());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metrics.requests, 2u);
}

TEST_F(HeaderExample, SimPolicyRegistry) {
  const PolicyOptions options;
  std::string listed;
  ::testing::internal::CaptureStdout();
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/policy_registry.h
    RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy("rwttt", options));
    for (const PolicyInfo& p : Policies()) std::puts(p.name.c_str());
    // end example
    // clang-format on
    EXPECT_NE(policy, nullptr);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  std::fflush(stdout);
  listed = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(listed.starts_with("sequential\nreplicas\nnaive\nrwttt\n")) << listed;
}

TEST_F(HeaderExample, SimSimulator) {
  ::testing::internal::CaptureStdout();
  std::uint64_t requests = 0;
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/simulator.h
    SimConfig config;  config.model = m;  config.hardware = hw;  config.seed = Seed{7};
    config.budget_bytes = hw.memory_bytes();
    RWTTT_ASSIGN_OR_RETURN(RunResult r, Simulate(trace, *policy, config));
    std::puts(FormatMetrics(r.metrics).c_str());
    // end example
    // clang-format on
    requests = r.metrics.requests;
    std::fflush(stdout);
    EXPECT_EQ(::testing::internal::GetCapturedStdout(), FormatMetrics(r.metrics) + "\n");
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(requests, 2u);
}

TEST_F(HeaderExample, SimTimeline) {
  SimConfig config = Config();
  auto example = [&]() -> Status {
    // clang-format off
    // example: sim/timeline.h
    RWTTT_ASSIGN_OR_RETURN(auto timeline, TimelineWriter::Create("run.trace.json"));
    config.observer = timeline.get();  RWTTT_TRY(Simulate(trace, *policy, config));
    RWTTT_TRY(timeline->Commit());
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  const std::string json = testing::ReadFile("run.trace.json");
  EXPECT_TRUE(json.starts_with("{")) << json.substr(0, 80);
  EXPECT_NE(json.find("\"traceEvents\""), std::string::npos);
}

}  // namespace
}  // namespace rwttt
