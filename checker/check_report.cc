#include "checker/check_report.h"

#include <fmt/format.h>

#include <iterator>

#include "core/check.h"
#include "core/json_writer.h"
#include "core/xml_escape.h"

namespace rwttt {
namespace {

std::string StepList(const std::vector<std::uint64_t>& steps) {
  return fmt::format("{}", fmt::join(steps, ", "));
}

}  // namespace

std::string_view CheckName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kStructure:
      return "structure";
    case CheckKind::kOwnerIsolation:
      return "owner-isolation";
    case CheckKind::kVersions:
      return "version-linearizability";
    case CheckKind::kDependencyGraph:
      return "dependency-graph";
    case CheckKind::kSerialReference:
      return "serial-reference";
  }
  return "?";
}

CheckKind CheckOf(std::string_view type) {
  if (type == "malformed" || type == "program-order" || type == "mixed-batch" ||
      type == "duplicate-step") {
    return CheckKind::kStructure;
  }
  if (type == "owner-leak") return CheckKind::kOwnerIsolation;
  if (type == "cycle") return CheckKind::kDependencyGraph;
  if (type == "digest-mismatch") return CheckKind::kSerialReference;
  RWTTT_CHECK(type == "lost-update" || type == "version-gap" || type == "stale-read" ||
              type == "future-read" || type == "uncommitted-read")
      << "unknown anomaly type " << type;
  return CheckKind::kVersions;
}

std::uint64_t CheckReport::Count(std::string_view type) const {
  std::uint64_t n = 0;
  for (const Anomaly& a : anomalies) n += a.type == type;
  const auto it = omitted.find(std::string(type));
  return n + (it == omitted.end() ? 0 : it->second);
}

std::string RenderText(const CheckReport& report) {
  std::string out;
  auto it = std::back_inserter(out);
  if (report.valid()) {
    fmt::format_to(it, "valid: {} steps checked, no anomalies\n", report.steps_checked);
  } else {
    std::string counts;
    for (const std::string_view type : kAnomalyTypes) {
      const std::uint64_t n = report.Count(type);
      if (n > 0) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, type);
    }
    fmt::format_to(it, "INVALID: {} steps checked, anomalies: {}\n", report.steps_checked, counts);
  }
  for (const Anomaly& a : report.anomalies) {
    fmt::format_to(it, "\n{}", a.type);
    if (a.owner) fmt::format_to(it, " (owner {})", *a.owner);
    fmt::format_to(it, ": steps {}\n  {}\n", StepList(a.steps), a.explanation);
  }
  for (const auto& [type, n] : report.omitted) {
    fmt::format_to(it, "\n... and {} more {} anomalies not shown\n", n, type);
  }
  for (int i = 0; i < kCheckCount; ++i) {
    if (!report.checks[i].ran) {
      fmt::format_to(it, "\n{} check skipped: {}\n", CheckName(static_cast<CheckKind>(i)),
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
    AppendJsonString(out, a.type);
    out += R"(,"owner":)";
    out += a.owner ? std::to_string(*a.owner) : "null";
    fmt::format_to(it, R"(,"steps":[{}],"explanation":)", fmt::join(a.steps, ","));
    AppendJsonString(out, a.explanation);
    out += '}';
  }
  out += ']';
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
    for (const Anomaly& a : report.anomalies) {
      if (CheckOf(a.type) != kind) continue;
      ++n;
      text += fmt::format("{}{}: steps {}\n  {}\n", a.type,
                          a.owner ? fmt::format(" (owner {})", *a.owner) : "", StepList(a.steps),
                          a.explanation);
    }
    for (const auto& [type, count] : report.omitted) {
      if (CheckOf(type) == kind) n += count;
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
