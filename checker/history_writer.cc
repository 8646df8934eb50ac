#include "checker/history_writer.h"

#include <iterator>

#include <fmt/format.h>

#include "core/json_writer.h"

namespace rwttt {
namespace {

void AppendOptionalString(std::string& out, std::string_view key,
                          const std::optional<std::string>& value) {
  out += ",\"";
  out += key;
  out += "\":";
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out += "null";
  }
}

}  // namespace

std::string FormatHistoryHeader(const HistoryHeader& header) {
  std::string out = R"({"format":"rwttt-history","version":1,"policy":)";
  AppendJsonString(out, header.policy);
  out += ",\"seed\":";
  out += header.seed ? std::to_string(*header.seed) : "null";
  out += ",\"backend\":";
  AppendJsonString(out, header.backend);
  AppendOptionalString(out, "trace", header.trace);
  AppendOptionalString(out, "model", header.model);
  AppendOptionalString(out, "hardware", header.hardware);
  out += '}';
  return out;
}

void AppendHistoryStep(const HistoryStep& s, std::string& out) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"step":{})", s.step);
  if (s.batch) fmt::format_to(it, R"(,"batch":{})", *s.batch);
  fmt::format_to(it,
                 R"(,"owner":{},"effect":"{}","version":{},"tokens":[{},{}],"start_ns":{},)"
                 R"("end_ns":{},"slot":{},"seen_owner":{},"seen_version":{})",
                 s.owner.value(), EffectName(s.effect), s.version.value(), s.first_token,
                 s.end_token, s.start.value(), s.end.value(), s.slot, s.seen_owner.value(),
                 s.seen_version.value());
  if (s.effect == Effect::kWrite) {
    if (s.commit_slot) fmt::format_to(it, R"(,"commit_slot":{})", *s.commit_slot);
    if (s.commit_version) fmt::format_to(it, R"(,"commit_version":{})", s.commit_version->value());
    if (s.state_digest) fmt::format_to(it, R"(,"state_digest":"{:016x}")", *s.state_digest);
  } else if (s.out_digest) {
    fmt::format_to(it, R"(,"out_digest":"{:016x}")", *s.out_digest);
  }
  out += '}';
}

std::string FormatHistoryStep(const HistoryStep& step) {
  std::string out;
  AppendHistoryStep(step, out);
  return out;
}

Result<std::unique_ptr<HistoryWriter>> HistoryWriter::Create(const std::string& path,
                                                             const HistoryHeader& header) {
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path));
  auto writer = std::unique_ptr<HistoryWriter>(new HistoryWriter(std::move(out)));
  writer->line_ = FormatHistoryHeader(header);
  writer->line_ += '\n';
  writer->out_->Write(writer->line_);
  return writer;
}

void HistoryWriter::Write(const HistoryStep& step) {
  line_.clear();
  AppendHistoryStep(step, line_);
  line_ += '\n';
  out_->Write(line_);
  ++steps_written_;
}

Status HistoryWriter::Commit() { return out_->Commit(); }

}  // namespace rwttt
