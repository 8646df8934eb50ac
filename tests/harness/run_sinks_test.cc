// Where a run's history goes: the sinks of history_sinks.h and their wiring in RunSinks, as
// replay, report and fuzz use them.
#include "harness/run_sinks.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/cpu_backend.h"
#include "harness/history_sinks.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

// Remembers the step ids it was given, under a name, in a shared log.
class LogSink final : public HistorySink {
 public:
  LogSink(std::string name, std::vector<std::string>& log, Status health = OkStatus())
      : name_(std::move(name)), log_(log), health_(std::move(health)) {}
  void Write(const HistoryStep& step) override {
    log_.push_back(name_ + std::to_string(step.step));
  }
  Status health() const override { return health_; }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  Status health_;
};

TEST(TeeSink, HandsEachRecordToEverySinkInTheOrderAdded) {
  std::vector<std::string> log;
  LogSink a("a", log);
  LogSink b("b", log);
  TeeSink tee;
  EXPECT_TRUE(tee.empty());
  tee.Add(&a);
  tee.Add(&b);
  EXPECT_FALSE(tee.empty());
  HistoryStep step;
  step.step = 1;
  tee.Write(step);
  step.step = 2;
  tee.Write(step);
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2", "b2"}));
  EXPECT_TRUE(tee.health().ok());
}

TEST(TeeSink, IsUnhealthyWhenAnySinkIs) {
  std::vector<std::string> log;
  LogSink ok("ok", log);
  LogSink broken("broken", log, Error::Io("disk full"));
  TeeSink tee;
  tee.Add(&ok);
  tee.Add(&broken);
  const Status s = tee.health();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "disk full");
}

std::vector<Request> Workload() {
  std::vector<Request> trace;
  for (std::uint64_t i = 0; i < 3; ++i) {
    trace.push_back(Request{OwnerId{i}, Nanos{0}, 20, 6, {}});
  }
  return trace;
}

SimConfig TinyConfig(Backend* backend) {
  SimConfig config;
  config.model = LoadModelProfile("tiny").value();
  config.hardware = LoadHardwareProfile("h100-sxm").value();
  config.budget_bytes = config.hardware.memory_bytes();
  config.seed = Seed{3};
  config.backend = backend;
  return config;
}

TEST(RunSinks, WithNothingAskedForThereIsNoSinkAndNoReport) {
  RunSinks sinks;
  EXPECT_EQ(sinks.sink(), nullptr);
  const auto report = sinks.Finish();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->has_value());
}

TEST(RunSinks, WritesTheHistoryFileAndChecksTheSameSteps) {
  testing::TempDir dir;
  const std::string path = dir.File("h.jsonl");
  const std::vector<Request> trace = Workload();
  CpuBackend cpu;
  SimConfig config = TinyConfig(&cpu);
  HistoryHeader header;
  header.policy = "rwttt";
  header.backend = "cpu";
  header.seed = 3;
  header.trace = "t.jsonl";
  header.model = "tiny";
  header.hardware = "h100-sxm";
  header.chunk = config.model.chunk;
  RunSinks sinks;
  ASSERT_TRUE(sinks.WriteTo(path, header).ok());
  sinks.Check(header, InMemoryCheck(trace, "t.jsonl", config.model));
  config.history = sinks.sink();
  ASSERT_NE(config.history, nullptr);
  auto policy = MakePolicy("rwttt", {}).value();
  const RunResult run = Simulate(trace, *policy, config).value();
  EXPECT_FALSE(testing::FileExists(path)) << "committed only by Finish";
  const auto report = sinks.Finish();
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_TRUE(report->has_value());
  EXPECT_TRUE((*report)->valid()) << RenderText(**report);
  EXPECT_GT((*report)->steps_checked, 0u);
  // The file holds a header line and one line per step the checker was given.
  const std::string text = testing::ReadFile(path);
  const auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ(lines, (*report)->steps_checked + 1) << text.substr(0, 300);
  (void)run;
}

TEST(RunSinks, AFileThatCannotBeCreatedIsAnErrorNamingIt) {
  RunSinks sinks;
  const Status s = sinks.WriteTo("/nonexistent-dir/h.jsonl", HistoryHeader{});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().ToString().find("/nonexistent-dir/h.jsonl"), std::string::npos)
      << s.error().ToString();
  EXPECT_EQ(sinks.sink(), nullptr);
}

TEST(InMemoryCheck, FeedsTheTraceModelAndDetailCap) {
  const std::vector<Request> trace = Workload();
  const ModelProfile model = LoadModelProfile("tiny").value();
  const CheckOptions o = InMemoryCheck(trace, "note", model, 7);
  EXPECT_EQ(o.max_per_type, 7u);
  EXPECT_TRUE(o.reference);
  ASSERT_TRUE(o.inputs.trace.has_value());
  EXPECT_EQ(o.inputs.trace->size(), 3u);
  EXPECT_EQ(o.inputs.trace_note, "note");
  ASSERT_TRUE(o.inputs.model.has_value());
  EXPECT_EQ(o.inputs.model->name, model.name);
}

}  // namespace
}  // namespace rwttt
