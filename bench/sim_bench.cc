// Simulator throughput (issue 5): simulated steps per second in fast mode (no math, no history)
// and with the history written, on a generated trace, one core.
//
//   build/bench/sim_bench [--requests N] [--history FILE] [--fast-only] [--policy NAME]
//                         [--cache MIB]   (the device with a last-level cache of MIB)
//
// Prints one line per configuration: steps, events, wall and CPU seconds, steps and events per
// CPU second (one core: the run is single-threaded), peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "checker/history_writer.h"
#include "harness/history_sinks.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "traces/generator.h"

namespace rwttt {
namespace {

// CPU seconds this process has used: the fair "one core" clock when other work shares the machine.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

int Main(int argc, char** argv) {
  std::uint64_t requests = 20000;
  std::string history_path =
      (std::filesystem::temp_directory_path() / "rwttt-sim-bench-history.jsonl").string();
  bool fast_only = false;
  std::string only;      // --policy NAME: run just that one
  double cache_mib = 0;  // --cache MIB: the device has a last-level cache (sim/cache_residency.h)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--fast-only") == 0) fast_only = true;
  }
  for (int i = 1; i + 1 < argc; ++i) {  // FLAG VALUE pairs, wherever --fast-only stands
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::stoull(argv[i + 1]);
    if (std::strcmp(argv[i], "--history") == 0) history_path = argv[i + 1];
    if (std::strcmp(argv[i], "--policy") == 0) only = argv[i + 1];
    if (std::strcmp(argv[i], "--cache") == 0) cache_mib = std::stod(argv[i + 1]);
  }
  GeneratorOptions g;
  g.count = requests;
  g.rate_per_s = 200;
  g.prompt = {LengthDistribution::Kind::kUniform, 16, 512};
  g.output = {LengthDistribution::Kind::kUniform, 16, 512};
  g.seed = Seed{1};
  const std::vector<Request> trace = GenerateTraceVector(g).value();

  std::printf("%-26s %12s %10s %8s %8s %14s %14s %10s\n", "configuration", "steps", "events",
              "wall s", "cpu s", "steps/cpu-s", "events/cpu-s", "RSS MiB");
  for (const char* policy : {"rwttt", "sequential", "replicas", "naive"}) {
    if (!only.empty() && only != policy) continue;
    for (bool with_history : {false, true}) {
      if (with_history && fast_only) continue;
      SimConfig config;
      config.model = LoadModelProfile("tiny").value();
      config.hardware = LoadHardwareProfile("h100-sxm").value();
      config.budget_bytes = config.hardware.memory_bytes();
      if (cache_mib > 0) {
        config.hardware.cache_mib = cache_mib;
        config.hardware.cache_bandwidth_gbs = 10 * config.hardware.memory_bandwidth_gbs;
      }
      config.seed = Seed{1};
      if (std::string(policy) == "replicas") config.policy_options.Set("replicas", "8");
      std::unique_ptr<HistoryWriter> writer;
      std::unique_ptr<HistoryWriterSink> sink;
      if (with_history) {
        HistoryHeader header;
        header.policy = policy;
        header.backend = "none";
        writer = HistoryWriter::Create(history_path, header).value();
        sink = std::make_unique<HistoryWriterSink>(*writer);
        config.history = sink.get();
      }
      auto p = MakePolicy(policy, config.policy_options).value();
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = CpuSeconds();
      const RunResult r = Simulate(trace, *p, config).value();
      if (writer) (void)writer->Commit();
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double cpu = CpuSeconds() - cpu_start;
      std::printf("%-26s %12llu %10llu %8.3f %8.3f %14.0f %14.0f %10.1f\n",
                  (std::string(policy) + (with_history ? " +history" : " fast") +
                   (cache_mib > 0 ? " +cache" : ""))
                      .c_str(),
                  static_cast<unsigned long long>(r.metrics.steps),
                  static_cast<unsigned long long>(r.events), wall, cpu, r.metrics.steps / cpu,
                  r.events / cpu, PeakRssMiB());
    }
  }
  std::filesystem::remove(history_path);
  return 0;
}

}  // namespace
}  // namespace rwttt

int main(int argc, char** argv) { return rwttt::Main(argc, argv); }
