#include "checker/check_report.h"

#include <fmt/format.h>

#include <iterator>

#include "core/json_writer.h"
#include "core/xml_escape.h"

namespace rwttt {
namespace {

std::string StepList(const std::vector<std::uint64_t>& steps) {
  return fmt::format("{}", fmt::join(steps, ", "));
}

// "owner-leak (owner 1): steps 1, 2\n  explanation\n"
std::string RenderAnomaly(const Anomaly& a) {
  std::string out(AnomalyName(a.type));
  if (a.owner) out += fmt::format(" (owner {})", *a.owner);
  if (!a.steps.empty()) out += ": steps " + StepList(a.steps);
  return out + "\n  " + a.explanation + "\n";
}

std::string ChecksRunPhrase(const CheckReport& report) {
  const int ran = report.ChecksRun();
  return ran == kCheckCount ? fmt::format("all {} checks ran", kCheckCount)
                            : fmt::format("{} of {} checks ran", ran, kCheckCount);
}

}  // namespace

std::string_view ChunkSourceName(ChunkSource source) {
  constexpr std::string_view kNames[] = {"unknown", "model", "header", "inferred"};
  return kNames[static_cast<int>(source)];
}

std::string_view CompletenessName(Completeness completeness) {
  constexpr std::string_view kNames[] = {"none", "chunk-writes", "absent-owners", "full"};
  return kNames[static_cast<int>(completeness)];
}

std::uint64_t CheckReport::Total() const {
  std::uint64_t n = 0;
  for (const std::uint64_t c : counts) n += c;
  return n;
}

std::uint64_t CheckReport::Omitted(AnomalyType type) const {
  std::uint64_t detailed = 0;
  for (const Anomaly& a : anomalies) detailed += a.type == type;
  return Count(type) - detailed;
}

int CheckReport::ChecksRun() const {
  int ran = 0;
  for (const CheckOutcome& c : checks) ran += c.ran;
  return ran;
}

std::string RenderText(const CheckReport& report) {
  std::string out;
  auto it = std::back_inserter(out);
  if (report.valid()) {
    fmt::format_to(it, "valid: {} steps checked, no anomalies; {}\n", report.steps_checked,
                   ChecksRunPhrase(report));
  } else {
    std::string counts;
    for (const AnomalyTypeInfo& info : kAnomalyTypes) {
      const std::uint64_t n = report.Count(info.type);
      if (n > 0) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, info.name);
    }
    fmt::format_to(it, "INVALID: {} steps checked, anomalies: {}; {}\n", report.steps_checked,
                   counts, ChecksRunPhrase(report));
  }
  for (const Anomaly& a : report.anomalies) out += "\n" + RenderAnomaly(a);
  for (const AnomalyTypeInfo& info : kAnomalyTypes) {
    if (const std::uint64_t n = report.Omitted(info.type); n > 0) {
      fmt::format_to(it, "\n... and {} more {} anomalies not shown\n", n, info.name);
    }
  }
  out += "\n";
  if (report.chunk_source == ChunkSource::kUnknown) {
    fmt::format_to(it, "chunk rule: not checked: {}\n", report.chunk_note);
  } else {
    fmt::format_to(it, "chunk rule: C = {}, {}\n", report.chunk, report.chunk_note);
  }
  fmt::format_to(it, "completeness: {}\n", report.completeness_note);
  for (int i = 0; i < kCheckCount; ++i) {
    if (!report.checks[i].ran) {
      fmt::format_to(it, "{} check skipped: {}\n", CheckName(static_cast<CheckKind>(i)),
                     report.checks[i].skipped_reason);
    }
  }
  return out;
}

std::string RenderJson(const CheckReport& report) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"valid":{},"steps_checked":{},"anomalies":[)",
                 report.valid() ? "true" : "false", report.steps_checked);
  bool first = true;
  for (const Anomaly& a : report.anomalies) {
    if (!first) out += ',';
    first = false;
    out += R"({"type":)";
    AppendJsonString(out, AnomalyName(a.type));
    out += R"(,"owner":)";
    out += a.owner ? std::to_string(*a.owner) : "null";
    fmt::format_to(it, R"(,"steps":[{}])", fmt::join(a.steps, ","));
    if (a.cycle_class) fmt::format_to(it, R"(,"cycle_class":"{}")", CycleClassName(*a.cycle_class));
    out += R"(,"explanation":)";
    AppendJsonString(out, a.explanation);
    out += '}';
  }
  out += R"(],"counts":{)";
  first = true;
  for (const AnomalyTypeInfo& info : kAnomalyTypes) {
    if (report.Count(info.type) == 0) continue;
    fmt::format_to(it, R"({}"{}":{})", first ? "" : ",", info.name, report.Count(info.type));
    first = false;
  }
  out += R"(},"checks":{)";
  for (int i = 0; i < kCheckCount; ++i) {
    const CheckOutcome& c = report.checks[i];
    fmt::format_to(it, R"({}"{}":{{"ran":{})", i ? "," : "", CheckName(static_cast<CheckKind>(i)),
                   c.ran ? "true" : "false");
    if (!c.ran) {
      out += R"(,"reason":)";
      AppendJsonString(out, c.skipped_reason);
    }
    if (static_cast<CheckKind>(i) == CheckKind::kStructure) {
      out += R"(,"chunk":)";
      out += report.chunk_source == ChunkSource::kUnknown ? "null" : std::to_string(report.chunk);
      fmt::format_to(it, R"(,"chunk_source":"{}","completeness":"{}","completeness_note":)",
                     ChunkSourceName(report.chunk_source), CompletenessName(report.completeness));
      AppendJsonString(out, report.completeness_note);
    }
    out += '}';
  }
  out += '}';
  if (report.serial_order) {
    fmt::format_to(it, R"(,"serial_order":[{}])", fmt::join(*report.serial_order, ","));
  }
  out += '}';
  return out;
}

std::string RenderJunit(const CheckReport& report, std::string_view suite) {
  std::string out;
  auto it = std::back_inserter(out);
  int failures = 0;
  int skipped = 0;
  std::vector<std::string> bodies(kCheckCount);
  for (int i = 0; i < kCheckCount; ++i) {
    const CheckKind kind = static_cast<CheckKind>(i);
    std::string text;
    std::uint64_t n = 0;
    for (const AnomalyTypeInfo& info : kAnomalyTypes) {
      if (info.check != kind) continue;
      n += report.Count(info.type);
      for (const Anomaly& a : report.anomalies) {
        if (a.type == info.type) text += RenderAnomaly(a);
      }
      if (const std::uint64_t more = report.Omitted(info.type); more > 0) {
        text += fmt::format("... and {} more {} anomalies not shown\n", more, info.name);
      }
    }
    if (n > 0) {
      ++failures;
      bodies[i] =
          fmt::format("      <failure message=\"{} anomalies\">{}</failure>\n", n, XmlEscape(text));
    } else if (!report.checks[i].ran) {
      ++skipped;
      bodies[i] = fmt::format("      <skipped message=\"{}\"/>\n",
                              XmlEscape(report.checks[i].skipped_reason));
    }
  }
  fmt::format_to(it,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites>\n"
                 "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                 XmlEscape(suite), kCheckCount, failures, skipped);
  for (int i = 0; i < kCheckCount; ++i) {
    const std::string_view name = CheckName(static_cast<CheckKind>(i));
    if (bodies[i].empty()) {
      fmt::format_to(it, "    <testcase classname=\"rwttt.check\" name=\"{}\"/>\n", name);
    } else {
      fmt::format_to(it,
                     "    <testcase classname=\"rwttt.check\" name=\"{}\">\n{}    </testcase>\n",
                     name, bodies[i]);
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace rwttt
