// `rwttt fuzz`: random workloads through a policy, every history checked, a failure shrunk to a
// small trace that `rwttt replay ... --check` reproduces (docs/fuzzing.md).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "cli/run_flags.h"
#include "core/output_file.h"
#include "core/program.h"
#include "core/xml_escape.h"
#include "harness/fuzz.h"
#include "harness/fuzz_judge.h"
#include "sim/faults/fault_injector.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

// A billion workloads outlasts any CI job; ten thousand owners a workload outgrows what shrinking
// and the checker's witnesses are for.
constexpr std::uint64_t kMaxFuzzIterations = 1'000'000'000;
constexpr std::uint64_t kMaxFuzzOwners = 10'000;

struct FuzzFlags {
  std::uint64_t iterations = 100;
  RunFlags run{.model = "tiny"};  // --seed: the workloads' (each case draws its run's seed)
  PolicyFlags policy;
  std::string inject;
  std::uint64_t max_owners = 8;
  std::string junit;
  std::string out = "fuzz-failures";
  std::string shard = "1/1";
  double time_budget_s = 0;
};

// One iteration's outcome, for the summary and JUnit.
struct IterationResult {
  std::uint64_t iteration = 0;
  Verdict verdict;
  double seconds = 0;
  std::string saved;      // a failure's shrunk trace, or why it could not be saved
  std::string reproduce;  // the command that replays it
};

// The command that reproduces a saved case.
std::string ReplayCommand(const FuzzFlags& f, const FuzzCase& c, const std::string& trace) {
  std::string cmd =
      fmt::format("rwttt replay {} --model {} --budget-bytes {} --seed {} --policy {}", trace,
                  f.run.model, c.budget_bytes, c.seed.value(), f.policy.policy);
  for (const auto& p : f.policy.plugins) cmd += " --policy-plugin " + p;
  for (const auto& o : f.policy.options) cmd += " --policy-opt " + o;
  if (!f.inject.empty()) cmd += " --inject " + f.inject;
  return cmd + " --backend cpu --check";
}

// JUnit XML in the shape `rwttt check` writes: <testsuites> around one <testsuite>, named after
// the policy, the seed and the shard so that the suites of a sharded campaign do not collide.
std::string JunitXml(const FuzzFlags& f, const std::vector<IterationResult>& results,
                     std::uint64_t failures) {
  double total = 0;
  for (const auto& r : results) total += r.seconds;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  xml += fmt::format(
      R"(  <testsuite name="rwttt fuzz {} seed {} shard {}" tests="{}" failures="{}" time="{:.3f}">)",
      XmlEscape(f.policy.policy), f.run.seed, XmlEscape(f.shard), results.size(), failures, total);
  xml += "\n";
  for (const auto& r : results) {
    xml += fmt::format(
        R"(    <testcase classname="fuzz.{}" name="seed {} iteration {}" time="{:.3f}")",
        XmlEscape(f.policy.policy), f.run.seed, r.iteration, r.seconds);
    if (!r.verdict.failed) {
      xml += "/>\n";
      continue;
    }
    xml += fmt::format(
        ">\n      <failure type=\"{}\" message=\"{}\">{}\nshrunk trace: {}\nreproduce: "
        "{}</failure>\n    </testcase>\n",
        XmlEscape(r.verdict.anomaly), XmlEscape(r.verdict.detail), XmlEscape(r.verdict.detail),
        XmlEscape(r.saved), XmlEscape(r.reproduce));
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

// Shrinks the failing case `c` of `result`, prints the finding, and saves the shrunk trace under
// --out with the command that replays it (or, when it cannot be saved, prints its requests).
void ShrinkAndSave(const FuzzFlags& f, const ModelProfile& model, const Judge& judge,
                   const FuzzCase& c, IterationResult& result) {
  const Verdict& v = result.verdict;
  std::uint64_t tries = 0;
  const FuzzCase small = Shrink(c, v, judge, &tries);
  std::uint64_t steps = 0;
  for (const Request& r : small.trace) {
    steps += ProgramStepCount(r.prompt_tokens, r.output_tokens, model.chunk);
  }
  // The finding is printed first: a trace that cannot be saved must not hide it.
  std::printf("FAIL seed %llu iteration %llu: %s%s%s\n",
              static_cast<unsigned long long>(f.run.seed),
              static_cast<unsigned long long>(result.iteration), v.anomaly.c_str(),
              v.detail.empty() ? "" : ": ", v.detail.c_str());
  std::fflush(stdout);
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  const std::string path =
      fmt::format("{}/fuzz-seed{}-iter{}.jsonl", f.out, f.run.seed, result.iteration);
  result.reproduce = ReplayCommand(f, small, path);
  if (const Status saved = WriteTrace(small.trace, path); saved.ok()) {
    result.saved = path;
    std::printf("  shrunk from %zu requests to %zu (%llu steps) in %llu tries: %s\n",
                c.trace.size(), small.trace.size(), static_cast<unsigned long long>(steps),
                static_cast<unsigned long long>(tries), path.c_str());
    std::printf("  reproduce: %s\n", result.reproduce.c_str());
  } else {
    result.saved = "not saved: " + saved.error().ToString();
    std::printf(
        "  shrunk from %zu requests to %zu (%llu steps) in %llu tries, but the trace "
        "could not be saved: %s\n",
        c.trace.size(), small.trace.size(), static_cast<unsigned long long>(steps),
        static_cast<unsigned long long>(tries), saved.error().ToString().c_str());
    std::printf("  its requests:\n");
    for (const Request& r : small.trace) std::printf("    %s\n", FormatRequest(r).c_str());
  }
}

Result<int> RunFuzz(const FuzzFlags& f) {
  FuzzTarget target;
  RWTTT_ASSIGN_OR_RETURN(target.policy, PreparePolicy(f.policy));
  RWTTT_ASSIGN_OR_RETURN(auto shard, ParseShard(f.shard));
  RWTTT_ASSIGN_OR_RETURN(RunConfig run, ResolveRunConfig(f.run));
  target.model = std::move(run.model);
  target.model_spec = f.run.model;
  target.hardware = std::move(run.hardware);
  if (!f.inject.empty()) {
    RWTTT_ASSIGN_OR_RETURN(target.faults, ParseFaultPlan(f.inject));
  }
  FuzzSpace space;
  space.model = target.model;
  space.max_owners = f.max_owners;
  space.shared_weight_bytes = target.model.shared_weight_bytes();
  space.state_bytes = target.model.state_bytes();
  const Judge judge = [&](const FuzzCase& c) { return JudgeFuzzCase(target, c); };
  // The JUnit file is opened before any work: an unwritable path fails now.
  std::unique_ptr<OutputFile> junit;
  if (!f.junit.empty()) {
    RWTTT_ASSIGN_OR_RETURN(junit, OutputFile::Create(f.junit));
  }

  const auto started = std::chrono::steady_clock::now();
  std::vector<IterationResult> results;
  std::uint64_t failures = 0;
  for (std::uint64_t i = 0; i < f.iterations; ++i) {
    if (!InShard(i, shard.first, shard.second)) continue;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (f.time_budget_s > 0 && elapsed >= f.time_budget_s) {
      std::fprintf(stderr, "rwttt fuzz: time budget of %.0f s spent after %zu iterations\n",
                   f.time_budget_s, results.size());
      break;
    }
    const FuzzCase c = MakeFuzzCase(space, run.seed, i);
    const auto t0 = std::chrono::steady_clock::now();
    RWTTT_ASSIGN_OR_RETURN(Verdict v, judge(c));
    results.push_back({i,
                       v,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                       {},
                       {}});
    if (!v.failed) continue;
    ++failures;
    ShrinkAndSave(f, target.model, judge, c, results.back());
    break;  // the first failure is the one to fix; its shrunk trace is saved
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%zu iterations of %s on %s / %s (seed %llu, shard %llu/%llu) in %.2f s: %zu passed, "
      "%llu failed\n",
      results.size(), f.policy.policy.c_str(), f.run.model.c_str(), target.hardware.name.c_str(),
      static_cast<unsigned long long>(f.run.seed), static_cast<unsigned long long>(shard.first),
      static_cast<unsigned long long>(shard.second), seconds, results.size() - failures,
      static_cast<unsigned long long>(failures));
  if (junit) {
    junit->Write(JunitXml(f, results, failures));
    RWTTT_TRY(junit->Commit());
  }
  return failures > 0 ? kExitViolation : kExitOk;
}

}  // namespace

Command AddFuzzCommand(CLI::App& app) {
  auto flags = std::make_shared<FuzzFlags>();
  CLI::App* fuzz = app.add_subcommand(
      "fuzz", "Fuzz a policy with random workloads, checking every history (docs/fuzzing.md)");
  AddWhole(fuzz, "--iterations", flags->iterations, "Workloads to try",
           {.min = 1, .max = kMaxFuzzIterations})
      ->capture_default_str();
  AddRunFlags(fuzz, flags->run,
              {.hardware = false, .budget = nullptr, .seed = "Seed of the workloads"});
  AddPolicyOptions(fuzz, flags->policy);
  fuzz->add_option(
      "--inject", flags->inject,
      "Inject a fault KIND[@RATE] in every run: each must be caught (fuzz the checker)");
  AddWhole(fuzz, "--max-owners", flags->max_owners, "Most requests in one workload",
           {.min = 1, .max = kMaxFuzzOwners})
      ->capture_default_str();
  fuzz->add_option("--junit", flags->junit, "Write JUnit XML: one testcase per iteration");
  fuzz->add_option("--out", flags->out, "Where shrunk failing traces are saved")
      ->capture_default_str();
  fuzz->add_option("--shard", flags->shard,
                   "K/N: run only iterations i with i mod N == K-1 (CI matrices, job arrays)")
      ->capture_default_str();
  AddReal(fuzz, "--time-budget", flags->time_budget_s,
          "Stop starting new iterations after this many seconds",
          {.min = 0, .min_open = false, .max = 1e9, .zero = "no limit"});
  return {fuzz, [flags] { return RunFuzz(*flags); }};
}

}  // namespace rwttt::cli
