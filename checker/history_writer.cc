#include "checker/history_writer.h"

#include <fmt/format.h>

#include <cstring>
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

namespace {

// A step line built in a buffer on the stack, then appended to its string in one copy: the
// simulator writes millions of these lines a second, and appending piece by piece (two dozen
// length checks and library copies a line) took about a tenth of the history path's time
// (docs/performance.md#the-history-path).
class StepLine {
 public:
  // The longest line: under 256 bytes of keys, punctuation and a digest's 16 hex digits (a WRITE
  // with every field: 195), and at most 13 numbers of at most 20 characters each (a uint64's 20
  // digits; an int64's sign and 19). HistoryWriter.LongestLinesMatchAnIndependentFormatting writes
  // that line.
  static constexpr std::size_t kMaxBytes = 256 + 13 * 20;

  // Appends a string literal, without its terminating zero.
  template <std::size_t N>
  void Text(const char (&text)[N]) {
    std::memcpy(end_, text, N - 1);
    end_ += N - 1;
  }
  void Char(char c) { *end_++ = c; }
  template <typename Int>
  void Number(Int value) {
    const fmt::format_int digits(value);
    std::memcpy(end_, digits.data(), digits.size());
    end_ += digits.size();
  }
  template <std::size_t N, typename Int>
  void Field(const char (&key)[N], Int value) {
    Text(key);
    Number(value);
  }
  // key, then 16 lower-case hex digits and a closing quote.
  template <std::size_t N>
  void Hex(const char (&key)[N], std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    Text(key);
    for (int i = 15; i >= 0; --i, value >>= 4) end_[i] = kDigits[value & 0xF];
    end_ += 16;
    Char('"');
  }
  void AppendTo(std::string& out) const {
    out.append(bytes_, static_cast<std::size_t>(end_ - bytes_));
  }

 private:
  char bytes_[kMaxBytes];
  char* end_ = bytes_;
};

}  // namespace

void AppendHistoryStep(const HistoryStep& s, std::string& out) {
  StepLine line;
  if (s.is_move()) {
    line.Field(R"({"move":)", s.step);
    line.Field(R"(,"owner":)", s.owner.value());
    line.Field(R"(,"from_slot":)", s.slot);
    line.Field(R"(,"to_slot":)", *s.moved_to);
    line.Field(R"(,"start_ns":)", s.start.value());
    line.Field(R"(,"end_ns":)", s.end.value());
    line.Field(R"(,"seen_owner":)", s.seen_owner.value());
    line.Field(R"(,"seen_version":)", s.seen_version.value());
    line.Char('}');
    line.AppendTo(out);
    return;
  }
  line.Field(R"({"step":)", s.step);
  if (s.batch) line.Field(R"(,"batch":)", *s.batch);
  line.Field(R"(,"owner":)", s.owner.value());
  if (s.effect == Effect::kRead) {
    line.Text(R"(,"effect":"READ")");
  } else {
    line.Text(R"(,"effect":"WRITE")");
  }
  line.Field(R"(,"version":)", s.version.value());
  line.Field(R"(,"tokens":[)", s.first_token);
  line.Field(",", s.end_token);
  line.Char(']');
  line.Field(R"(,"start_ns":)", s.start.value());
  line.Field(R"(,"end_ns":)", s.end.value());
  line.Field(R"(,"slot":)", s.slot);
  line.Field(R"(,"seen_owner":)", s.seen_owner.value());
  line.Field(R"(,"seen_version":)", s.seen_version.value());
  if (s.effect == Effect::kWrite) {
    if (s.commit_slot) line.Field(R"(,"commit_slot":)", *s.commit_slot);
    if (s.commit_version) line.Field(R"(,"commit_version":)", s.commit_version->value());
    if (s.state_digest) line.Hex(R"(,"state_digest":")", *s.state_digest);
  } else if (s.out_digest) {
    line.Hex(R"(,"out_digest":")", *s.out_digest);
  }
  line.Char('}');
  line.AppendTo(out);
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
  static_assert(StepLine::kMaxBytes + 1 <= kLineBytes);  // a line and its '\n'
  writer->line_.reserve(kLineCapacity);
  writer->line_ += FormatHistoryHeader(header);
  writer->line_ += '\n';
  return writer;
}

void HistoryWriter::Write(const HistoryStep& step) {
  // Lines collect in line_ and go to the file a block at a time, whose storage the file's writer
  // thread takes rather than copying it (line_ comes back empty, with storage to refill).
  AppendHistoryStep(step, line_);
  line_ += '\n';
  if (line_.size() >= kBlockBytes) {
    out_->WriteSwapping(line_);
    line_.reserve(kLineCapacity);  // the storage handed back may be smaller
  }
}

Status HistoryWriter::Commit() {
  out_->Write(line_);
  line_.clear();
  return out_->Commit();
}

}  // namespace rwttt
