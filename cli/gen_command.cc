// `rwttt gen`: synthetic traces in the native format.
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "core/output_file.h"
#include "traces/generator.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct GenFlags {
  std::optional<std::uint64_t> count;
  std::optional<double> duration_s;
  double rate = 1.0;
  std::string arrival = "poisson";
  double cv = 1.0;
  std::string prompt = "fixed:128";
  std::string output = "fixed:64";
  std::uint64_t seed = 0;
  std::string out = "-";
};

Result<int> RunGen(const GenFlags& f) {
  GeneratorOptions o;
  o.count = f.count;
  o.duration_s = f.duration_s;
  o.rate_per_s = f.rate;
  o.arrival = f.arrival == "gamma" ? ArrivalProcess::kGamma : ArrivalProcess::kPoisson;
  o.cv = f.cv;
  o.seed = Seed{f.seed};
  RWTTT_ASSIGN_OR_RETURN(o.prompt, ParseLengthDistribution(f.prompt, "--prompt"));
  RWTTT_ASSIGN_OR_RETURN(o.output, ParseLengthDistribution(f.output, "--output"));
  RWTTT_ASSIGN_OR_RETURN(auto file, OutputFile::Create(f.out));
  std::string line;
  RWTTT_TRY(GenerateTrace(o, [&](const Request& r) {
    line = FormatRequest(r);
    line += '\n';
    file->Write(line);
    return OkStatus();
  }));
  RWTTT_TRY(file->Commit());
  return kExitOk;
}

}  // namespace

Command AddGenCommand(CLI::App& app) {
  auto flags = std::make_shared<GenFlags>();
  CLI::App* gen = app.add_subcommand("gen", "Generate a synthetic trace (native JSONL format)");
  auto* count = AddWhole(gen, "--count", flags->count, "Number of requests",
                         {.min = 1, .max = kMaxGeneratedRequests});
  auto* duration = AddReal(gen, "--duration", flags->duration_s,
                           "Generate arrivals for this many seconds instead of --count",
                           {.min = 0, .min_open = true, .max = kMaxGeneratedSeconds});
  count->excludes(duration);
  AddReal(gen, "--rate", flags->rate, "Mean arrival rate, requests per second",
          {.min = 0, .min_open = true, .max = kMaxGeneratedRate})
      ->capture_default_str();
  gen->add_option("--arrival", flags->arrival, "Arrival process")
      ->check(CLI::IsMember({"poisson", "gamma"}))
      ->capture_default_str();
  AddReal(gen, "--cv", flags->cv,
          "gamma: coefficient of variation of inter-arrival gaps (>1 is bursty)",
          {.min = 0, .min_open = true, .max = 100})
      ->capture_default_str();
  gen->add_option("--prompt", flags->prompt,
                  "Prompt length: fixed:N, uniform:A:B or lognormal:MEAN:SIGMA")
      ->capture_default_str();
  gen->add_option("--output", flags->output, "Output length, same spellings as --prompt")
      ->capture_default_str();
  AddWhole(gen, "--seed", flags->seed, "Seed: the same seed gives the same bytes", kSeedRange)
      ->capture_default_str();
  gen->add_option("-o,--out", flags->out, "Output file ('-' for stdout; .zst compresses)")
      ->capture_default_str();
  return {gen, [flags] { return RunGen(*flags); }};
}

}  // namespace rwttt::cli
