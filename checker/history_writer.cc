#include "checker/history_writer.h"

#include <fmt/format.h>

#include <iterator>

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
  if (header.chunk) out += ",\"chunk\":" + std::to_string(*header.chunk);
  if (header.base_slot) out += ",\"base_slot\":" + std::to_string(*header.base_slot);
  out += '}';
  return out;
}

void AppendHistoryStep(const HistoryStep& s, std::string& out) {
  // Appended piece by piece, integers through fmt::format_int: the simulator writes millions of
  // these lines a second, and a format string per line costs several times as much.
  const auto number = [&out](auto value) {
    const fmt::format_int digits(value);
    out.append(digits.data(), digits.size());
  };
  const auto field = [&out, &number](std::string_view key, std::uint64_t value) {
    out += key;
    number(value);
  };
  const auto hex = [&out](std::string_view key, std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += key;
    char digits[16];
    for (int i = 15; i >= 0; --i, value >>= 4) digits[i] = kDigits[value & 0xF];
    out.append(digits, 16);
    out += '"';
  };
  if (s.is_move()) {
    field(R"({"move":)", s.step);
    field(R"(,"owner":)", s.owner.value());
    field(R"(,"from_slot":)", s.slot);
    field(R"(,"to_slot":)", *s.moved_to);
    out += R"(,"start_ns":)";
    number(s.start.value());
    out += R"(,"end_ns":)";
    number(s.end.value());
    field(R"(,"seen_owner":)", s.seen_owner.value());
    field(R"(,"seen_version":)", s.seen_version.value());
    out += '}';
    return;
  }
  field(R"({"step":)", s.step);
  if (s.batch) field(R"(,"batch":)", *s.batch);
  field(R"(,"owner":)", s.owner.value());
  out += s.effect == Effect::kRead ? R"(,"effect":"READ")" : R"(,"effect":"WRITE")";
  field(R"(,"version":)", s.version.value());
  field(R"(,"tokens":[)", s.first_token);
  field(",", s.end_token);
  out += ']';
  out += R"(,"start_ns":)";
  number(s.start.value());
  out += R"(,"end_ns":)";
  number(s.end.value());
  field(R"(,"slot":)", s.slot);
  field(R"(,"seen_owner":)", s.seen_owner.value());
  field(R"(,"seen_version":)", s.seen_version.value());
  if (s.effect == Effect::kWrite) {
    if (s.commit_slot) field(R"(,"commit_slot":)", *s.commit_slot);
    if (s.commit_version) field(R"(,"commit_version":)", s.commit_version->value());
    if (s.state_digest) hex(R"(,"state_digest":")", *s.state_digest);
  } else if (s.out_digest) {
    hex(R"(,"out_digest":")", *s.out_digest);
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
  return writer;
}

void HistoryWriter::Write(const HistoryStep& step) {
  // Lines collect in line_ and go to the file a block at a time, whose storage the file's writer
  // thread takes rather than copying it (line_ comes back empty, with storage to refill).
  AppendHistoryStep(step, line_);
  line_ += '\n';
  if (line_.size() >= kBlockBytes) out_->WriteSwapping(line_);
}

Status HistoryWriter::Commit() {
  out_->Write(line_);
  line_.clear();
  return out_->Commit();
}

}  // namespace rwttt
