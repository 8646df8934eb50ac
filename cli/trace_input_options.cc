#include "cli/trace_input_options.h"

#include <cstdio>

#include "cli/numeric_flags.h"
#include "traces/native_trace.h"
#include "traces/trace_format.h"

namespace rwttt::cli {

void AddTraceInputOptions(CLI::App* app, TraceInputFlags& f, TraceInputOptionSet which) {
  if (which.format) {
    app->add_option("--format", f.format, "Trace format: native, azure, burstgpt or mooncake")
        ->check(CLI::IsMember({"native", "azure", "burstgpt", "mooncake"}))
        ->capture_default_str();
  }
  const std::string group = "Workload shaping (applied in this order; see docs/traces.md)";
  app->add_option("--window", f.window,
                  "Keep arrivals in [START, START+DUR) seconds after the first one: START,DUR")
      ->group(group);
  AddReal(app, "--sample", f.sample,
          "Keep each request with this probability; deterministic by --seed",
          {.min = 0, .min_open = true, .max = 1})
      ->group(group);
  if (which.seed) {
    AddWhole(app, "--seed", f.seed, "Seed of --sample: the same seed keeps the same requests",
             kSeedRange)
        ->capture_default_str()
        ->group(group);
  }
  AddWhole(app, "--max-prompt", f.max_prompt, "Clip prompts to at most N tokens (counted)",
           {.min = 0, .max = kMaxRequestTokens})
      ->group(group);
  AddWhole(app, "--max-output", f.max_output, "Clip outputs to at most N tokens (counted)",
           {.min = 0, .max = kMaxRequestTokens})
      ->group(group);
  auto* scale = AddReal(app, "--time-scale", f.time_scale,
                        "Multiply every inter-arrival gap by X (0.5 = twice as fast)",
                        {.min = 0, .min_open = true, .max = 1e9})
                    ->group(group);
  auto* rate = AddReal(app, "--rate", f.rate, "Rescale time so the mean rate is R requests/s",
                       {.min = 0, .min_open = true, .max = 1e9})
                   ->group(group);
  scale->excludes(rate);
  const std::string import_group = "Import";
  app->add_option("--burstgpt-model", f.burstgpt_models,
                  "burstgpt: keep only this Model (e.g. ChatGPT, GPT-4); repeatable")
      ->allow_extra_args(false)
      ->group(import_group);
  app->add_option("--burstgpt-log-type", f.burstgpt_log_types,
                  "burstgpt: keep only this Log Type ('Conversation log' or 'API log'); repeatable")
      ->allow_extra_args(false)
      ->group(import_group);
  app->add_flag("--burstgpt-keep-failed", f.burstgpt_keep_failed,
                "burstgpt: keep failed requests (0 response tokens) instead of dropping them")
      ->group(import_group);
  app->add_flag("--skip-bad-rows", f.skip_bad_rows,
                "Skip malformed rows of an imported file, counting them, instead of failing")
      ->group(import_group);
}

Result<TraceLoadOptions> ToLoadOptions(const TraceInputFlags& f) {
  TraceLoadOptions o;
  ShapingOptions& s = o.shaping;
  if (!f.window.empty()) {
    RWTTT_ASSIGN_OR_RETURN(TimeWindow window, ParseTimeWindow(f.window, "--window"));
    s.window = window;
  }
  s.sample_fraction = f.sample;
  s.seed = Seed{f.seed};
  s.max_prompt = f.max_prompt;
  s.max_output = f.max_output;
  s.time_scale = f.time_scale;
  s.rate_per_s = f.rate;
  RWTTT_TRY(ValidateShaping(s));
  o.burstgpt.models = f.burstgpt_models;
  o.burstgpt.log_types = f.burstgpt_log_types;
  o.burstgpt.keep_failed = f.burstgpt_keep_failed;
  o.skip_bad_rows = f.skip_bad_rows;
  const bool burstgpt_options =
      !f.burstgpt_models.empty() || !f.burstgpt_log_types.empty() || f.burstgpt_keep_failed;
  if (burstgpt_options) {
    RWTTT_ASSIGN_OR_RETURN(const TraceFormat format, ParseTraceFormat(f.format));
    if (format != TraceFormat::kBurstGpt) {
      return Error::Usage("--burstgpt-* options need the burstgpt format");
    }
  }
  return o;
}

Result<LoadedTrace> LoadTraceFromFlags(const std::string& path, const TraceInputFlags& f,
                                       bool report_losses) {
  RWTTT_ASSIGN_OR_RETURN(TraceFormat format, ParseTraceFormat(f.format));
  RWTTT_ASSIGN_OR_RETURN(TraceLoadOptions options, ToLoadOptions(f));
  RWTTT_ASSIGN_OR_RETURN(LoadedTrace trace, LoadTrace(path, format, options));
  const ImportReport& r = trace.report;
  if (report_losses && (r.dropped() > 0 || r.shaping.clipped > 0 || r.failed > 0)) {
    std::fprintf(stderr, "rwttt: %s", FormatImportReport(r, "import: ").c_str());
  }
  return trace;
}

}  // namespace rwttt::cli
