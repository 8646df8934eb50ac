#include "traces/native_trace.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_fields.h"

namespace rwttt {
namespace {

enum FieldBit : unsigned {
  kId = 1,
  kArrival = 2,
  kPrompt = 4,
  kOutput = 8,
  kSeed = 16,
};

Result<std::uint32_t> GetTokens(simdjson::ondemand::value v, const SourceLoc& at) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(v, at));
  if (n > kMaxRequestTokens) {
    return Error::Input(
        fmt::format("{} tokens is more than the {} supported", n, kMaxRequestTokens), at);
  }
  return static_cast<std::uint32_t>(n);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

struct TraceReader::JsonParser {
  simdjson::ondemand::parser parser;
};

TraceReader::TraceReader(std::unique_ptr<LineReader> lines)
    : lines_(std::move(lines)), json_(std::make_unique<JsonParser>()) {}
TraceReader::~TraceReader() = default;

Result<std::unique_ptr<TraceReader>> TraceReader::Open(const std::string& path) {
  RWTTT_ASSIGN_OR_RETURN(auto lines, LineReader::Open(path));
  return std::unique_ptr<TraceReader>(new TraceReader(std::move(lines)));
}

Status TraceReader::ParseLine(std::string_view line, Request& out) {
  const SourceLoc at = lines_->Here();
  unsigned seen = 0;
  out = Request{};
  RWTTT_TRY(json::ForEachField(
      json_->parser,
      simdjson::padded_string_view(line.data(), line.size(), line.size() + kLinePadding), at,
      [&](std::string_view key, simdjson::ondemand::value v, const SourceLoc& f) -> Status {
        unsigned bit = 0;
        if (key == "id") {
          bit = kId;
          RWTTT_ASSIGN_OR_RETURN(std::uint64_t id, json::GetUint(v, f));
          out.id = OwnerId{id};
        } else if (key == "arrival_ns") {
          bit = kArrival;
          RWTTT_ASSIGN_OR_RETURN(std::uint64_t t, json::GetUint(v, f));
          if (t > static_cast<std::uint64_t>(kMaxArrivalNs)) {
            return Error::Input(fmt::format("must be at most {} (2^62 ns, about 146 years), "
                                            "found {}",
                                            kMaxArrivalNs, t),
                                f);
          }
          out.arrival = Nanos{static_cast<std::int64_t>(t)};
        } else if (key == "prompt_tokens") {
          bit = kPrompt;
          RWTTT_ASSIGN_OR_RETURN(out.prompt_tokens, GetTokens(v, f));
        } else if (key == "output_tokens") {
          bit = kOutput;
          RWTTT_ASSIGN_OR_RETURN(out.output_tokens, GetTokens(v, f));
        } else if (key == "seed") {
          bit = kSeed;
          if (!json::IsNull(v)) {
            RWTTT_ASSIGN_OR_RETURN(std::uint64_t s, json::GetUint(v, f));
            out.seed = Seed{s};
          }
        } else {
          return Error::Input("unknown field (see docs/formats.md#trace)", f);
        }
        if (seen & bit) return Error::Input("duplicate field", f);
        seen |= bit;
        return OkStatus();
      }));
  const std::pair<unsigned, const char*> required[] = {{kId, "id"},
                                                       {kArrival, "arrival_ns"},
                                                       {kPrompt, "prompt_tokens"},
                                                       {kOutput, "output_tokens"}};
  for (const auto& [bit, name] : required) {
    if (!(seen & bit)) return Error::Input("missing required field", lines_->Here(name));
  }
  if (!ids_.insert(out.id.value()).second) {
    return Error::Input(fmt::format("duplicate request id {}", out.id.value()), lines_->Here("id"));
  }
  if (out.arrival < last_arrival_) {
    return Error::Input(
        fmt::format("arrival {} ns is earlier than line {}'s {} ns: a trace must be sorted by "
                    "arrival_ns (docs/formats.md#trace)",
                    out.arrival.value(), last_line_, last_arrival_.value()),
        lines_->Here("arrival_ns"));
  }
  last_arrival_ = out.arrival;
  last_line_ = lines_->line_number();
  return OkStatus();
}

namespace {

// A first line that does not parse as the native format may be another format given without
// --format: say which.
Error WithFormatHint(Error error, std::string_view line) {
  const std::size_t start = line.find_first_not_of(" \t");
  const bool json = start != std::string_view::npos && (line[start] == '{' || line[start] == '[');
  if (!json && line.find(',') != std::string_view::npos) {
    error.message +=
        " (this looks like CSV: an Azure or BurstGPT trace needs `format` azure or "
        "`format` burstgpt)";
  } else if (json && line[start] == '{' && line.find("\"timestamp\"") != std::string_view::npos &&
             line.find("\"input_length\"") != std::string_view::npos) {
    error.message += " (this looks like a Mooncake trace: give `format` mooncake)";
  }
  return error;
}

}  // namespace

Result<bool> TraceReader::Next(Request& out) {
  std::string_view line;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, lines_->Next(line));
    if (!more) return false;
    if (!IsBlank(line)) break;
  }
  Status parsed = ParseLine(line, out);
  if (!parsed.ok() && ids_.empty()) return WithFormatHint(std::move(parsed).error(), line);
  RWTTT_TRY(std::move(parsed));
  return true;
}

Result<std::vector<Request>> ReadTrace(const std::string& path) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, TraceReader::Open(path));
  std::vector<Request> requests;
  Request r;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(r));
    if (!more) break;
    requests.push_back(r);
  }
  if (requests.empty()) return Error::Input("the trace has no requests", {path, 0, ""});
  return requests;
}

std::string FormatRequest(const Request& r) {
  std::string line =
      fmt::format(R"({{"id":{},"arrival_ns":{},"prompt_tokens":{},"output_tokens":{})",
                  r.id.value(), r.arrival.value(), r.prompt_tokens, r.output_tokens);
  if (r.seed) line += fmt::format(R"(,"seed":{})", r.seed->value());
  line += '}';
  return line;
}

Status WriteTrace(const std::vector<Request>& requests, const std::string& path) {
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path));
  std::string line;
  for (const Request& r : requests) {
    line = FormatRequest(r);
    line += '\n';
    out->Write(line);
  }
  return out->Commit();
}

}  // namespace rwttt
