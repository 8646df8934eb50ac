// `rwttt check HISTORY`: runs the checker on a history file (docs/checker.md) and prints its
// report; exit 0 valid, 1 anomalies found, 2 bad input.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "checker/history_checker.h"
#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "core/output_file.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct CheckFlags {
  std::string history;
  bool json = false;
  std::string junit;
  std::string serial_order;
  std::uint64_t max_per_type = 100;
  bool no_reference = false;
};

Result<int> RunCheck(const CheckFlags& f) {
  CheckOptions options;
  options.serial_order = !f.serial_order.empty();
  options.max_per_type = f.max_per_type;
  options.reference = !f.no_reference;
  // Outputs are opened before the check: an unwritable path fails now, not after minutes. One
  // that is not committed (a serial order of an invalid history) leaves no file.
  std::unique_ptr<OutputFile> junit;
  std::unique_ptr<OutputFile> order;
  if (!f.junit.empty()) {
    RWTTT_ASSIGN_OR_RETURN(junit, OutputFile::Create(f.junit));
  }
  if (!f.serial_order.empty()) {
    RWTTT_ASSIGN_OR_RETURN(order, OutputFile::Create(f.serial_order));
  }
  RWTTT_ASSIGN_OR_RETURN(CheckReport report,
                         CheckHistoryFile(f.history, std::move(options), ReadTrace));
  if (junit) {
    junit->Write(RenderJunit(report, "rwttt check " + f.history));
    RWTTT_TRY(junit->Commit());
  }
  if (order) {
    if (!report.valid()) {
      std::fputs("rwttt: no serial order written: the history is not valid\n", stderr);
    } else if (report.serial_order) {
      order->Write(fmt::format("{}\n", fmt::join(*report.serial_order, "\n")));
      RWTTT_TRY(order->Commit());
    } else {
      std::fputs("rwttt: no serial order written: the dependency graph has a cycle\n", stderr);
    }
  }
  const std::string text = f.json ? RenderJson(report) + "\n" : RenderText(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return report.valid() ? kExitOk : kExitViolation;
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = app.add_subcommand(
      "check",
      "Check a history (format v1, docs/checker.md): exit 0 valid, 1 anomalies, 2 bad "
      "input");
  check->add_option("history", flags->history, "History file (.jsonl, .jsonl.zst, '-' for stdin)")
      ->required();
  check->add_flag("--json", flags->json, "Print the report as JSON (docs/checker.md#reports)");
  check->add_option("--junit", flags->junit,
                    "Also write a JUnit XML report, one testcase per check");
  check->add_option("--serial-order", flags->serial_order,
                    "Write an equivalent serial order (step ids, one a line) when one exists; "
                    "the JSON report then includes it too");
  AddWhole(check, "--max-per-type", flags->max_per_type,
           "Anomalies of one type shown in detail; the rest are counted (the verdict, counts and "
           "exit code never change)",
           {.min = 0, .max = UINT64_MAX, .zero = "none shown"})
      ->capture_default_str();
  check->add_flag("--no-reference", flags->no_reference,
                  "Run checks 1-4 only: the serial reference is skipped, and a trace, model or "
                  "hardware the header names that cannot be found is left out, not an error");
  return {check, [flags] { return RunCheck(*flags); }};
}

}  // namespace rwttt::cli
