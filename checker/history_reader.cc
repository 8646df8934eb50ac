#include "checker/history_reader.h"

#include <fmt/format.h>

#include <array>

#include "checker/internal/history_step_parser.h"
#include "core/json_fields.h"

namespace rwttt {
namespace {

constexpr std::string_view kSpec = "docs/checker.md#history-format-v1";
// The largest chunk the header may give: token positions are 32-bit (kMaxRequestTokens).
constexpr std::uint64_t kMaxChunk = (std::uint64_t{1} << 31) - 1;

enum FieldBit : std::uint32_t {
  kStep = 1u << 0,
  kBatch = 1u << 1,
  kOwner = 1u << 2,
  kEffect = 1u << 3,
  kVersion = 1u << 4,
  kTokens = 1u << 5,
  kStart = 1u << 6,
  kEnd = 1u << 7,
  kSlot = 1u << 8,
  kSeenOwner = 1u << 9,
  kSeenVersion = 1u << 10,
  kCommitSlot = 1u << 11,
  kCommitVersion = 1u << 12,
  kOutDigest = 1u << 13,
  kStateDigest = 1u << 14,
  kMove = 1u << 15,  // a move line's (docs/checker.md#moves-a-host-tier)
  kFromSlot = 1u << 16,
  kToSlot = 1u << 17,
};

struct FieldName {
  std::string_view name;
  FieldBit bit;
};

// Every field of a step line, required ones first (the order of "missing" checks).
constexpr FieldName kFields[] = {
    {"step", kStep},
    {"owner", kOwner},
    {"effect", kEffect},
    {"version", kVersion},
    {"tokens", kTokens},
    {"start_ns", kStart},
    {"end_ns", kEnd},
    {"slot", kSlot},
    {"seen_owner", kSeenOwner},
    {"seen_version", kSeenVersion},
    {"batch", kBatch},
    {"commit_slot", kCommitSlot},
    {"commit_version", kCommitVersion},
    {"out_digest", kOutDigest},
    {"state_digest", kStateDigest},
    {"move", kMove},
    {"from_slot", kFromSlot},
    {"to_slot", kToSlot},
};
constexpr std::uint32_t kRequired = kStep | kOwner | kEffect | kVersion | kTokens | kStart | kEnd |
                                    kSlot | kSeenOwner | kSeenVersion;
constexpr std::uint32_t kWriteOnly = kCommitSlot | kCommitVersion | kStateDigest;
constexpr std::uint32_t kMoveRequired =
    kMove | kOwner | kFromSlot | kToSlot | kStart | kEnd | kSeenOwner | kSeenVersion;

FieldBit BitOf(std::string_view key) {
  // Hot: one call per field. Dispatch on the first character before comparing whole names.
  if (key.empty()) return FieldBit{0};
  for (const FieldName& f : kFields) {
    if (f.name[0] == key[0] && f.name == key) return f.bit;
  }
  return FieldBit{0};
}

std::string_view NameOf(std::uint32_t bit) {
  for (const FieldName& f : kFields) {
    if (f.bit == bit) return f.name;
  }
  return "?";
}

// The fast path reads the number directly; only a failure pays for the uniform error message.
Result<std::uint64_t> Uint(simdjson::ondemand::value& v, const SourceLoc& at,
                           std::string_view key) {
  std::uint64_t x = 0;
  if (v.get_uint64().get(x) == simdjson::SUCCESS) return x;
  return json::GetUint(v, json::AtField(at, key));
}

Result<std::int64_t> Int(simdjson::ondemand::value& v, const SourceLoc& at, std::string_view key) {
  std::int64_t x = 0;
  if (v.get_int64().get(x) == simdjson::SUCCESS) return x;
  return json::GetInt(v, json::AtField(at, key));
}

Result<std::uint64_t> Digest(simdjson::ondemand::value& v, const SourceLoc& at,
                             std::string_view key) {
  std::string_view hex;
  if (v.get_string().get(hex) != simdjson::SUCCESS) {
    return json::GetString(v, json::AtField(at, key)).error();
  }
  if (hex.empty() || hex.size() > 16) {
    return Error::Input(fmt::format("expected 1 to 16 hex digits, found {} characters", hex.size()),
                        json::AtField(at, key));
  }
  static constexpr auto kHexValue = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int c = 0; c < 10; ++c) table['0' + c] = static_cast<std::int8_t>(c);
    for (int c = 0; c < 6; ++c) {
      table['a' + c] = static_cast<std::int8_t>(10 + c);
      table['A' + c] = static_cast<std::int8_t>(10 + c);
    }
    return table;
  }();
  std::uint64_t out = 0;
  for (const char c : hex) {
    const std::int8_t d = kHexValue[static_cast<unsigned char>(c)];
    if (d < 0) return Error::Input("expected hex digits (0-9, a-f)", json::AtField(at, key));
    out = out << 4 | static_cast<std::uint64_t>(d);
  }
  return out;
}

Status Tokens(simdjson::ondemand::value& v, const SourceLoc& at, HistoryStep& out) {
  simdjson::ondemand::array array;
  auto where = [&] { return json::AtField(at, "tokens"); };  // built only for an error
  if (v.get_array().get(array) != simdjson::SUCCESS) {
    return Error::Input("expected an array [first, end] of two non-negative integers", where());
  }
  std::uint64_t values[2] = {0, 0};
  std::size_t n = 0;
  for (auto element : array) {
    simdjson::ondemand::value e;
    if (element.get(e) != simdjson::SUCCESS) return json::NotJson(element.error(), where());
    if (n >= 2) return Error::Input("expected exactly two elements [first, end]", where());
    RWTTT_ASSIGN_OR_RETURN(values[n], Uint(e, at, "tokens"));
    ++n;
  }
  if (n != 2) return Error::Input("expected exactly two elements [first, end]", where());
  if (values[0] > values[1]) {
    return Error::Input(fmt::format("first token {} is after end {}", values[0], values[1]),
                        where());
  }
  out.first_token = values[0];
  out.end_token = values[1];
  return OkStatus();
}

Status ParseField(std::string_view key, FieldBit bit, simdjson::ondemand::value& v,
                  const SourceLoc& at, HistoryStep& out) {
  // Optional fields may be null, meaning absent.
  if ((bit & (kBatch | kCommitSlot | kCommitVersion | kOutDigest | kStateDigest)) &&
      json::IsNull(v)) {
    return OkStatus();
  }
  switch (bit) {
    case kStep: {
      RWTTT_ASSIGN_OR_RETURN(out.step, Uint(v, at, key));
      break;
    }
    case kBatch: {
      RWTTT_ASSIGN_OR_RETURN(out.batch, Uint(v, at, key));
      break;
    }
    case kOwner: {
      RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, Uint(v, at, key));
      out.owner = OwnerId{x};
      break;
    }
    case kEffect: {
      std::string_view e;
      if (v.get_string().get(e) != simdjson::SUCCESS) {
        return json::GetString(v, json::AtField(at, key)).error();
      }
      if (e == "READ") {
        out.effect = Effect::kRead;
      } else if (e == "WRITE") {
        out.effect = Effect::kWrite;
      } else {
        return Error::Input(fmt::format("expected \"READ\" or \"WRITE\", found \"{}\"", e),
                            json::AtField(at, key));
      }
      break;
    }
    case kVersion: {
      RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, Uint(v, at, key));
      out.version = Version{x};
      break;
    }
    case kTokens:
      RWTTT_TRY(Tokens(v, at, out));
      break;
    case kStart: {
      RWTTT_ASSIGN_OR_RETURN(std::int64_t x, Int(v, at, key));
      out.start = Nanos{x};
      break;
    }
    case kEnd: {
      RWTTT_ASSIGN_OR_RETURN(std::int64_t x, Int(v, at, key));
      out.end = Nanos{x};
      break;
    }
    case kSlot: {
      RWTTT_ASSIGN_OR_RETURN(out.slot, Uint(v, at, key));
      break;
    }
    case kSeenOwner: {
      RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, Uint(v, at, key));
      out.seen_owner = OwnerId{x};
      break;
    }
    case kSeenVersion: {
      RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, Uint(v, at, key));
      out.seen_version = Version{x};
      break;
    }
    case kCommitSlot: {
      RWTTT_ASSIGN_OR_RETURN(out.commit_slot, Uint(v, at, key));
      break;
    }
    case kCommitVersion: {
      RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, Uint(v, at, key));
      out.commit_version = Version{x};
      break;
    }
    case kOutDigest: {
      RWTTT_ASSIGN_OR_RETURN(out.out_digest, Digest(v, at, key));
      break;
    }
    case kStateDigest: {
      RWTTT_ASSIGN_OR_RETURN(out.state_digest, Digest(v, at, key));
      break;
    }
    case kMove:
    case kFromSlot:
    case kToSlot:
      break;  // a move's: ParseHistoryStep reads them
  }
  return OkStatus();
}

// The first required field of `required` missing from `seen`, as an error.
Status MissingField(std::uint32_t seen, std::uint32_t required, std::string_view what,
                    const SourceLoc& at) {
  for (const FieldName& f : kFields) {
    if ((f.bit & required) && !(seen & f.bit)) {
      return Error::Input(fmt::format("missing {} (see {})", what, kSpec),
                          json::AtField(at, f.name));
    }
  }
  return OkStatus();
}

}  // namespace

Status ParseHistoryStep(simdjson::ondemand::parser& parser, std::string_view line,
                        const SourceLoc& at, HistoryStep& out) {
  out = HistoryStep{};
  simdjson::ondemand::document doc;
  const simdjson::padded_string_view text(line.data(), line.size(), line.size() + kLinePadding);
  if (auto code = parser.iterate(text).get(doc); code != simdjson::SUCCESS) {
    return json::NotJson(code, at);
  }
  simdjson::ondemand::object object;
  if (auto code = doc.get_object().get(object); code != simdjson::SUCCESS) {
    return json::NotJson(code, at);
  }
  std::uint32_t seen = 0;
  std::uint64_t move_id = 0, from_slot = 0, to_slot = 0;
  for (auto field : object) {
    std::string_view key;
    if (auto code = field.unescaped_key().get(key); code != simdjson::SUCCESS) {
      return json::NotJson(code, at);
    }
    const FieldBit bit = BitOf(key);
    simdjson::ondemand::value value;
    if (auto code = field.value().get(value); code != simdjson::SUCCESS) {
      return json::NotJson(code, json::AtField(at, key));
    }
    // Unknown fields are ignored for forward compatibility (docs/checker.md).
    if (bit == 0) continue;
    if (seen & bit) return Error::Input("duplicate field", json::AtField(at, key));
    seen |= bit;
    if (bit == kMove) {
      RWTTT_ASSIGN_OR_RETURN(move_id, Uint(value, at, key));
    } else if (bit == kFromSlot) {
      RWTTT_ASSIGN_OR_RETURN(from_slot, Uint(value, at, key));
    } else if (bit == kToSlot) {
      RWTTT_ASSIGN_OR_RETURN(to_slot, Uint(value, at, key));
    } else {
      RWTTT_TRY(ParseField(key, bit, value, at, out));
    }
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Error::Input("unexpected content after the JSON object", at);
  }
  if (seen & kMove) {  // a move: its own fields; a step's, if any, are ignored
    if (seen & kStep) {
      return Error::Input("a line is a step or a move, not both: it has both \"step\" and \"move\"",
                          json::AtField(at, "move"));
    }
    RWTTT_TRY(MissingField(seen, kMoveRequired, "field required on a move", at));
    const HistoryStep step = out;
    out = HistoryMove(move_id, step.owner, step.seen_version, from_slot, to_slot, step.start,
                      step.end);
    out.seen_owner = step.seen_owner;
  } else {
    RWTTT_TRY(MissingField(seen, kRequired, "required field", at));
  }
  if (out.is_move()) {
    if (out.end < out.start) {
      return Error::Input(
          fmt::format("end_ns {} is before start_ns {}", out.end.value(), out.start.value()),
          json::AtField(at, "end_ns"));
    }
    return OkStatus();
  }
  if (out.effect == Effect::kRead) {
    const std::uint32_t bad = seen & kWriteOnly;
    if (bad) {
      return Error::Input("only a WRITE step may have this field; this step is a READ",
                          json::AtField(at, NameOf(bad & -bad)));
    }
  } else {
    if (seen & kOutDigest) {
      return Error::Input("only a READ step may have this field; this step is a WRITE",
                          json::AtField(at, "out_digest"));
    }
    for (const FieldBit bit : {kCommitSlot, kCommitVersion}) {
      if (!(seen & bit)) {
        return Error::Input(fmt::format("missing field required on a WRITE step (see {})", kSpec),
                            json::AtField(at, NameOf(bit)));
      }
    }
  }
  if (out.end < out.start) {
    return Error::Input(
        fmt::format("end_ns {} is before start_ns {}", out.end.value(), out.start.value()),
        json::AtField(at, "end_ns"));
  }
  return OkStatus();
}

HistoryReader::HistoryReader(std::unique_ptr<LineReader> lines)
    : lines_(std::move(lines)), json_(std::make_unique<JsonParser>()) {}
HistoryReader::~HistoryReader() = default;

Result<std::unique_ptr<HistoryReader>> HistoryReader::Open(const std::string& path) {
  RWTTT_ASSIGN_OR_RETURN(auto lines, LineReader::Open(path));
  auto reader = std::unique_ptr<HistoryReader>(new HistoryReader(std::move(lines)));
  reader->at_.file = path;
  RWTTT_TRY(reader->ReadHeader());
  return reader;
}

namespace {
bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}
}  // namespace

Status HistoryReader::ReadHeader() {
  std::string_view line;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, lines_->Next(line));
    if (!more) {
      return Error::Input(fmt::format("empty history: expected a header line such as "
                                      "{{\"format\":\"rwttt-history\",\"version\":1,...}} (see {})",
                                      kSpec),
                          SourceLoc{lines_->path(), 0, ""});
    }
    if (!IsBlank(line)) break;
  }
  Status status = ParseHeader(line);
  if (!status.ok()) return MaybeTruncated(std::move(status).error());
  return OkStatus();
}

namespace {

// The header's two required fields, as read (still to be validated).
struct FormatFields {
  std::optional<std::string> format;
  std::optional<std::uint64_t> version;
};

Result<std::optional<std::string>> OptionalString(simdjson::ondemand::value v,
                                                  const SourceLoc& at) {
  if (json::IsNull(v)) return std::optional<std::string>();
  RWTTT_ASSIGN_OR_RETURN(std::string s, json::GetString(v, at));
  return std::optional<std::string>(std::move(s));
}

// Reads one known header field (`key`, one of the v1 header's) into `format` or `header`.
Status ParseHeaderField(std::string_view key, simdjson::ondemand::value v, const SourceLoc& at,
                        FormatFields& format, HistoryHeader& header) {
  if (key == "format") {
    RWTTT_ASSIGN_OR_RETURN(format.format, json::GetString(v, at));
  } else if (key == "version") {
    RWTTT_ASSIGN_OR_RETURN(format.version, json::GetUint(v, at));
  } else if (key == "policy") {
    RWTTT_ASSIGN_OR_RETURN(auto s, OptionalString(v, at));
    header.policy = s.value_or("");
  } else if (key == "backend") {
    RWTTT_ASSIGN_OR_RETURN(auto s, OptionalString(v, at));
    header.backend = s.value_or("");
  } else if (key == "seed") {
    if (!json::IsNull(v)) {
      RWTTT_ASSIGN_OR_RETURN(header.seed, json::GetUint(v, at));
    }
  } else if (key == "trace") {
    RWTTT_ASSIGN_OR_RETURN(header.trace, OptionalString(v, at));
  } else if (key == "model") {
    RWTTT_ASSIGN_OR_RETURN(header.model, OptionalString(v, at));
  } else if (key == "chunk") {
    if (!json::IsNull(v)) {
      RWTTT_ASSIGN_OR_RETURN(const std::uint64_t c, json::GetUint(v, at));
      if (c < 1 || c > kMaxChunk) {
        return Error::Input(fmt::format("chunk must be 1 to {} tokens, found {}", kMaxChunk, c),
                            at);
      }
      header.chunk = static_cast<std::uint32_t>(c);
    }
  } else if (key == "base_slot") {
    if (!json::IsNull(v)) {
      RWTTT_ASSIGN_OR_RETURN(header.base_slot, json::GetUint(v, at));
    }
  } else {
    RWTTT_ASSIGN_OR_RETURN(header.hardware, OptionalString(v, at));
  }
  return OkStatus();
}

// The first line must say it is a version 1 rwttt history.
Status CheckFormatFields(const FormatFields& fields, const SourceLoc& at) {
  if (!fields.format) {
    return Error::Input(fmt::format("missing required field: the first line must be the history "
                                    "header {{\"format\":\"rwttt-history\",\"version\":1,...}} "
                                    "(see {})",
                                    kSpec),
                        json::AtField(at, "format"));
  }
  if (*fields.format != "rwttt-history") {
    return Error::Input(fmt::format("unknown format \"{}\": expected \"rwttt-history\" (see {})",
                                    *fields.format, kSpec),
                        json::AtField(at, "format"));
  }
  if (!fields.version) {
    return Error::Input("missing required field", json::AtField(at, "version"));
  }
  if (*fields.version != 1) {
    return Error::Input(fmt::format("unsupported history version {}: this rwttt reads version 1 "
                                    "(see {})",
                                    *fields.version, kSpec),
                        json::AtField(at, "version"));
  }
  return OkStatus();
}

}  // namespace

Status HistoryReader::ParseHeader(std::string_view line) {
  const SourceLoc at = lines_->Here();
  FormatFields format;
  std::uint32_t seen = 0;
  RWTTT_TRY(json::ForEachField(
      json_->parser,
      simdjson::padded_string_view(line.data(), line.size(), line.size() + kLinePadding), at,
      [&](std::string_view key, simdjson::ondemand::value v, const SourceLoc& f) -> Status {
        static constexpr std::string_view kKeys[] = {"format", "version",  "policy", "backend",
                                                     "seed",   "trace",    "model",  "hardware",
                                                     "chunk",  "base_slot"};
        std::uint32_t bit = 0;
        for (std::size_t i = 0; i < std::size(kKeys); ++i) {
          if (kKeys[i] == key) bit = 1u << i;
        }
        if (bit == 0) return OkStatus();  // unknown: ignored (forward compatibility)
        if (seen & bit) return Error::Input("duplicate field", f);
        seen |= bit;
        return ParseHeaderField(key, v, f, format, header_);
      }));
  return CheckFormatFields(format, at);
}

Error HistoryReader::MaybeTruncated(Error error) {
  // Only the reader's own JSON errors can mean truncation; peeking past the line is safe because
  // the reader is unusable after an error anyway.
  if (error.message.rfind("not a valid JSON object", 0) != 0) return error;
  std::string_view rest;
  Result<bool> more = lines_->Next(rest);
  if (more.ok() && !*more) {
    error.message = "the last line is incomplete (a truncated file?): " + error.message;
  }
  return error;
}

Result<bool> HistoryReader::Next(HistoryStep& out) {
  std::string_view line;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, lines_->Next(line));
    if (!more) return false;
    if (!IsBlank(line)) break;
  }
  at_.line = lines_->line_number();
  Status status = ParseHistoryStep(json_->parser, line, at_, out);
  if (!status.ok()) return MaybeTruncated(std::move(status).error());
  return true;
}

}  // namespace rwttt
