// `rwttt calibrate`: times the real kernels of a backend over a grid of batch shapes, fits a
// hardware profile to them (harness/calibration.h) and writes it, with the fit's residuals, for
// `--hardware` (docs/calibration.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/run_flags.h"
#include "core/output_file.h"
#include "harness/calibration.h"

namespace rwttt::cli {
namespace {

struct CalibrateFlags {
  RunFlags run{.model = "small", .backend = "omp"};
  std::uint32_t repeats = 5;
  std::string name;   // default: calibrated-BACKEND
  double memory = 0;  // GiB; 0: this machine's memory
  std::string out = "calibrated.json";
  bool json = false;
};

Result<int> RunCalibrate(const CalibrateFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(const RunConfig run, ResolveRunConfig(f.run));
  RWTTT_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, MakeRunBackend(f.run, run.model));
  CalibrationOptions o = DefaultCalibration(run.model, backend->name(), run.seed, f.repeats);
  if (!f.name.empty()) o.name = f.name;
  if (f.memory > 0) o.memory_gib = f.memory;
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(f.out));  // before the runs: fail early
  RWTTT_ASSIGN_OR_RETURN(const Calibration c, Calibrate(*backend, o));
  out->Write(CalibrationJson(c) + "\n");
  RWTTT_TRY(out->Commit());
  if (f.json) {
    if (f.out != "-") std::puts(CalibrationJson(c).c_str());
  } else if (f.out != "-") {  // with -o - the profile is the output: the table would break it
    std::fputs(CalibrationTable(c).c_str(), stdout);
    std::printf("wrote %s (use it as --hardware %s)\n", f.out.c_str(), f.out.c_str());
  }
  return kExitOk;
}

}  // namespace

Command AddCalibrateCommand(CLI::App& app) {
  auto flags = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit a hardware profile to a backend's real kernels (bandwidth, peaks, overheads, cache)");
  CalibrateFlags& f = *flags;
  AddRunFlags(cmd, f.run,
              {.hardware = false,
               .budget = nullptr,
               .seed = "Seed of the weights and inputs the kernels are timed on",
               .backend = "The backend whose kernels are timed",
               .threads = true});
  AddWhole(cmd, "--repeats", f.repeats, "Timed runs of each shape (the median is fitted)",
           {.min = 1, .max = 1000})
      ->capture_default_str();
  cmd->add_option("--name", f.name, "The profile's name (default: calibrated-BACKEND)");
  AddReal(cmd, "--memory", f.memory, "The profile's memory in GiB",
          {.min = 0, .max = kMaxMemoryGib, .zero = "this machine's available memory"});
  cmd->add_option("-o,--out", f.out, "Profile JSON file ('-': print it instead of the table)")
      ->capture_default_str();
  cmd->add_flag("--json", f.json, "Print the profile with its calibration as JSON, not a table");
  return {cmd, [flags] { return RunCalibrate(*flags); }};
}

}  // namespace rwttt::cli
