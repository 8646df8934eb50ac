#include "harness/paper_report.h"

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/units.h"
#include "sim/metrics.h"

namespace rwttt {
namespace {

struct Ratios {
  double vs_sequential = 0;
  double vs_replicas = 0;
};

Ratios RatiosOf(const PaperTable& t, double tokens_per_s) {
  return {SafeRatio(tokens_per_s, t.row("sequential").decode_tokens_per_s),
          SafeRatio(tokens_per_s, t.row("replicas").decode_tokens_per_s)};
}

std::string Percent(double error) { return fmt::format("{:+.1f}%", 100 * error); }

// The paper's figure for row `i`: only the paper's own three rows have one, and only when what
// ran is the paper's setup (PaperSetupRan); a user's extra rows (PaperSetup::extra_policies) do
// not, even when they reuse a built-in policy's name.
PaperFigure FigureOfRow(const PaperTable& t, std::size_t i) {
  if (!PaperSetupRan(t.setup)) return {};
  return i < PaperPolicies().size() ? PaperFigureFor(t.rows[i].policy.name) : PaperFigure{};
}

// A paper figure as JSON: null when the row has none.
std::string JsonFigure(double paper) { return paper > 0 ? fmt::format("{}", paper) : "null"; }
std::string JsonError(double ours, double paper) {
  return paper > 0 ? fmt::format("{}", RelativeError(ours, paper)) : "null";
}

// The row's label: the policy name, with its options for a user's extra row.
std::string RowName(const PaperTable& t, std::size_t i) {
  const PolicySpec& p = t.rows[i].policy;
  return i < PaperPolicies().size() ? p.name : p.Label();
}

// A paper figure and our error against it, or "-" and "" for a row the paper has no figure for.
std::string Figure(double paper) { return paper > 0 ? fmt::format("{:.2f}", paper) : "-"; }
std::string ErrorVs(double ours, double paper) {
  return paper > 0 ? Percent(RelativeError(ours, paper)) : "";
}

}  // namespace

double SafeRatio(double a, double b) { return b != 0 ? a / b : 0.0; }

double RelativeError(double ours, double paper) { return paper != 0 ? ours / paper - 1 : 0.0; }

std::string FormatPaperTable(const PaperTable& t) {
  const PaperSetup& s = t.setup;
  std::string out = fmt::format(
      "RW-TTT paper experiment: {} streams of {} on {}, memory budget {}, timing {}\n"
      "each stream: prompt {} + output {} tokens, all arriving at 0; decode-only throughput\n\n",
      s.streams, s.model.name, s.hardware.name,
      t.budget_bytes >= kBytesPerGib ? fmt::format("{:.2f} GiB", t.budget_gib)
                                     : FormatBytes(t.budget_bytes),
      s.measured_timing ? "measured on " + t.backend : "model", s.prompt_tokens, s.output_tokens);
  if (!PaperSetupRan(s)) {
    out += fmt::format(
        "(the paper's figures are for {} streams of inplace-ttt-4b: this run is not compared with "
        "them)\n\n",
        kPaperStreams);
  }
  out += fmt::format("{:<11} {:>9} {:>8} {:>7} | {:>6} {:>6} {:>7} | {:>6} {:>6} {:>7} | {}\n",
                     "policy", "tok/s", "paper", "error", "x seq", "paper", "error", "x repl",
                     "paper", "error", "memory, batches");
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const PolicyRun& row = t.rows[i];
    const PaperFigure paper = FigureOfRow(t, i);
    const Ratios r = RatiosOf(t, row.decode_tokens_per_s);
    const Metrics& m = row.run.metrics;
    std::string note = m.peak_memory_bytes >= kBytesPerGib
                           ? fmt::format("{:.2f} GiB", m.peak_memory_bytes / kBytesPerGib)
                           : FormatBytes(m.peak_memory_bytes);
    if (m.lanes > 1) note += fmt::format(", {} copies", m.lanes);
    note += ", batch";
    for (const auto& [size, count] : m.batch_sizes) note += fmt::format(" {}x{}", size, count);
    out += fmt::format(
        "{:<11} {:>9.2f} {:>8} {:>7} | {:>6.2f} {:>6} {:>7} | {:>6.2f} {:>6} {:>7} | {}\n",
        RowName(t, i), row.decode_tokens_per_s, Figure(paper.tokens_per_s),
        ErrorVs(row.decode_tokens_per_s, paper.tokens_per_s), r.vs_sequential,
        Figure(paper.vs_sequential),
        row.policy.name == "sequential" ? "" : ErrorVs(r.vs_sequential, paper.vs_sequential),
        r.vs_replicas, Figure(paper.vs_replicas),
        row.policy.name == "replicas" ? "" : ErrorVs(r.vs_replicas, paper.vs_replicas), note);
  }
  const Ratios roof = RatiosOf(t, t.roofline.tokens_per_s);
  out += fmt::format(
      "{:<11} {:>9.2f} {:>8} {:>7} | {:>6.2f} {:>6} {:>7} | {:>6.2f} {:>6} {:>7} | "
      "{:.2f} GB per step at {:g} GB/s\n",
      "roofline", t.roofline.tokens_per_s, "-", "", roof.vs_sequential, "-", "", roof.vs_replicas,
      "-", "", t.roofline.bytes_per_step * 1e-9, s.hardware.memory_bandwidth_gbs);
  return out;
}

std::string PaperTableToJson(const PaperTable& t) {
  const PaperSetup& s = t.setup;
  std::string rows;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const PolicyRun& row = t.rows[i];
    const PaperFigure paper = FigureOfRow(t, i);
    const Ratios r = RatiosOf(t, row.decode_tokens_per_s);
    rows += fmt::format(
        R"({}{{"policy":{},"replay_flags":{},"decode_tokens_per_s":{},"decode_tokens":{},)"
        R"("decode_ns":{},"vs_sequential":{},"vs_replicas":{},)"
        R"("paper":{{"tokens_per_s":{},"vs_sequential":{},"vs_replicas":{}}},)"
        R"("error":{{"tokens_per_s":{},"vs_sequential":{},"vs_replicas":{}}},"metrics":{}}})",
        rows.empty() ? "" : ",", JsonString(row.policy.name), JsonString(row.policy.ReplayFlags()),
        row.decode_tokens_per_s, row.decode_tokens, row.decode_ns, r.vs_sequential, r.vs_replicas,
        JsonFigure(paper.tokens_per_s), JsonFigure(paper.vs_sequential),
        JsonFigure(paper.vs_replicas), JsonError(row.decode_tokens_per_s, paper.tokens_per_s),
        JsonError(r.vs_sequential, paper.vs_sequential),
        JsonError(r.vs_replicas, paper.vs_replicas), MetricsToJson(row.run.metrics));
  }
  const Ratios roof = RatiosOf(t, t.roofline.tokens_per_s);
  return fmt::format(
      R"({{"experiment":"paper","model":{},"hardware":{},"streams":{},"prompt_tokens":{},)"
      R"("output_tokens":{},"budget_gib":{},"budget_bytes":{},"seed":{},"timing":{},"backend":{},)"
      R"("rows":[{}],"roofline":{{"tokens_per_s":{},"bytes_per_step":{},"step_ns":{},)"
      R"("vs_sequential":{},"vs_replicas":{}}}}})",
      JsonString(s.model.name), JsonString(s.hardware.name), s.streams, s.prompt_tokens,
      s.output_tokens, t.budget_gib, t.budget_bytes, s.seed.value(),
      JsonString(s.measured_timing ? "measured" : "model"), JsonString(t.backend), rows,
      t.roofline.tokens_per_s, t.roofline.bytes_per_step, t.roofline.step_ns, roof.vs_sequential,
      roof.vs_replicas);
}

}  // namespace rwttt
