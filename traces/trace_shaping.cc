#include "traces/trace_shaping.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "core/philox.h"
#include "traces/import_fields.h"

namespace rwttt {
namespace {

// The counter word that separates sampling draws from any other use of the same seed.
constexpr std::uint32_t kSampleStream = 0x53414d50;  // "SAMP"

bool KeepSample(Seed seed, OwnerId id, double fraction) {
  const std::uint64_t key = id.value();
  const PhiloxBlock bits = PhiloxBits(seed.value(), static_cast<std::uint32_t>(key),
                                      static_cast<std::uint32_t>(key >> 32), kSampleStream, 0);
  return UnitDouble(bits[0], bits[1]) < fraction;
}

bool PositiveFinite(double x) { return std::isfinite(x) && x > 0; }

}  // namespace

Result<TimeWindow> ParseTimeWindow(std::string_view text, std::string_view flag) {
  const std::size_t comma = text.find(',');
  const auto usage = [&](const std::string& why) {
    return Error::Usage(fmt::format("{} {}: {} (expected START,DURATION in seconds, e.g. 60,600)",
                                    flag, text, why));
  };
  if (comma == std::string_view::npos) return usage("no comma");
  auto start = ParseDecimalSecondsNs(text.substr(0, comma));
  if (!start.ok()) return usage(start.error().message);
  auto duration = ParseDecimalSecondsNs(text.substr(comma + 1));
  if (!duration.ok()) return usage(duration.error().message);
  if (*duration == 0) return usage("the duration must be positive");
  if (*start > INT64_MAX - *duration) return usage("too large");
  return TimeWindow{Nanos{*start}, Nanos{*duration}};
}

Status ValidateShaping(const ShapingOptions& o) {
  if (o.sample_fraction && !(*o.sample_fraction > 0 && *o.sample_fraction <= 1)) {
    return Error::Usage(
        fmt::format("`sample_fraction` {}: must be above 0 and at most 1", *o.sample_fraction));
  }
  if (o.time_scale && !PositiveFinite(*o.time_scale)) {
    return Error::Usage(fmt::format("`time_scale` {}: must be a positive number", *o.time_scale));
  }
  if (o.rate_per_s && !PositiveFinite(*o.rate_per_s)) {
    return Error::Usage(fmt::format("`rate_per_s` {}: must be a positive number", *o.rate_per_s));
  }
  if (o.time_scale && o.rate_per_s) {
    return Error::Usage("`time_scale` and `rate_per_s` both set the time scale: give one");
  }
  if (o.window && o.window->duration.value() <= 0) {
    return Error::Usage("`window`: the duration must be positive");
  }
  return OkStatus();
}

Status ApplyShaping(std::vector<Request>& requests, const ShapingOptions& o,
                    ShapingCounts& counts) {
  RWTTT_CHECK(ValidateShaping(o).ok()) << "ApplyShaping needs validated options";
  counts = ShapingCounts{};
  if (!o.any() || requests.empty()) return OkStatus();
  const Nanos origin = requests.front().arrival;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Request r = requests[i];
    RWTTT_CHECK(i == 0 || requests[i - 1].arrival <= r.arrival)
        << "ApplyShaping needs sorted input";
    if (o.window) {
      const std::int64_t offset = (r.arrival - origin).value();
      if (offset < o.window->start.value() ||
          offset - o.window->start.value() >= o.window->duration.value()) {
        ++counts.outside_window;
        continue;
      }
    }
    if (o.sample_fraction && !KeepSample(o.seed, r.id, *o.sample_fraction)) {
      ++counts.sampled_out;
      continue;
    }
    const bool cut_prompt = o.max_prompt && r.prompt_tokens > *o.max_prompt;
    const bool cut_output = o.max_output && r.output_tokens > *o.max_output;
    if (cut_prompt) r.prompt_tokens = *o.max_prompt;
    if (cut_output) r.output_tokens = *o.max_output;
    counts.prompt_clipped += cut_prompt;
    counts.output_clipped += cut_output;
    counts.clipped += cut_prompt || cut_output;
    requests[kept++] = r;
  }
  requests.resize(kept);
  if (requests.empty()) return OkStatus();

  const Nanos first = requests.front().arrival;
  const std::int64_t span = (requests.back().arrival - first).value();
  double factor = o.time_scale.value_or(1.0);
  if (o.rate_per_s) {
    if (requests.size() < 2 || span == 0) {
      return Error::Input(fmt::format(
          "`rate_per_s` needs at least two requests at different times; {} left after shaping",
          requests.size()));
    }
    // Target span (count-1)/rate seconds, over the current span.
    factor = (static_cast<double>(requests.size() - 1) / *o.rate_per_s * 1e9) /
             static_cast<double>(span);
  }
  counts.time_scale = factor;
  if (static_cast<double>(span) * factor > static_cast<double>(kMaxArrivalNs)) {
    const std::string option = o.rate_per_s ? fmt::format("`rate_per_s` {}", *o.rate_per_s)
                                            : fmt::format("`time_scale` {}", factor);
    return Error::Input(fmt::format(
        "{} stretches the trace's {:.6g} s of arrivals to {:.3g} s, past the 2^62 ns (about 146 "
        "years) a trace may span",
        option, static_cast<double>(span) / 1e9, static_cast<double>(span) * factor / 1e9));
  }
  for (Request& r : requests) {
    const std::int64_t offset = (r.arrival - first).value();
    // Exact when factor is 1; otherwise one IEEE product and one rounding, the same everywhere.
    r.arrival = Nanos{factor == 1.0 ? offset : std::llround(static_cast<double>(offset) * factor)};
  }
  return OkStatus();
}

}  // namespace rwttt
