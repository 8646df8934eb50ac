// `rwttt import FORMAT FILE`: a public trace (Azure, BurstGPT, Mooncake) to the native format.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/trace_input_options.h"
#include "core/output_file.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct ImportFlags {
  TraceInputFlags input;
  std::string path;
  std::string out = "-";
};

Result<int> RunImport(const ImportFlags& f) {
  // The output is opened first: an unwritable path fails before a large file is read.
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(f.out));
  RWTTT_ASSIGN_OR_RETURN(LoadedTrace trace,
                         LoadTraceFromFlags(f.path, f.input, /*report_losses=*/false));
  std::string line;
  for (const Request& r : trace.requests) {
    line = FormatRequest(r);
    line += '\n';
    out->Write(line);
  }
  RWTTT_TRY(out->Commit());
  // stderr, so that the trace on stdout stays clean.
  std::fprintf(stderr, "rwttt: %s", FormatImportReport(trace.report, "import: ").c_str());
  return kExitOk;
}

}  // namespace

Command AddImportCommand(CLI::App& app) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* import = app.add_subcommand(
      "import", "Convert a public trace (azure, burstgpt, mooncake) to the native format");
  import->add_option("FORMAT", flags->input.format, "azure, burstgpt, mooncake (or native)")
      ->required()
      ->check(CLI::IsMember({"native", "azure", "burstgpt", "mooncake"}));
  import->add_option("FILE", flags->path, "Trace file (.zst ok; '-' for stdin)")->required();
  import->add_option("-o,--out", flags->out, "Output file ('-' for stdout; .zst compresses)")
      ->capture_default_str();
  AddTraceInputOptions(import, flags->input, {.format = false, .seed = true});
  return {import, [flags] { return RunImport(*flags); }};
}

}  // namespace rwttt::cli
