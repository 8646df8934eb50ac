// Mooncake traces (docs/traces.md#mooncake).
#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_fields.h"
#include "core/line_reader.h"
#include "traces/native_trace.h"
#include "traces/row_parser.h"

namespace rwttt {
namespace {

enum FieldBit : unsigned { kTimestamp = 1, kInput = 2, kOutput = 4 };

constexpr std::uint64_t kNsPerMs = 1'000'000;

Result<std::uint32_t> Tokens(simdjson::ondemand::value v, const SourceLoc& at) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(v, at));
  if (n > kMaxRequestTokens) {
    return Error::Input(
        fmt::format("{} tokens is more than the {} supported", n, kMaxRequestTokens), at);
  }
  return static_cast<std::uint32_t>(n);
}

class MooncakeRowParser final : public RowParser {
 public:
  bool TakesHeader() const override { return false; }
  Status ParseHeader(std::string_view, std::int64_t) override { return OkStatus(); }

  Result<RowOutcome> ParseRow(std::string_view line, std::int64_t n, ImportedRow& out) override {
    // Field names are only turned into a SourceLoc on the error path.
    const SourceLoc at{"", n, ""};
    unsigned seen = 0;
    simdjson::ondemand::document doc;
    const simdjson::padded_string_view text(line.data(), line.size(), line.size() + kLinePadding);
    if (auto code = parser_.iterate(text).get(doc); code != simdjson::SUCCESS) {
      return json::NotJson(code, at);
    }
    simdjson::ondemand::object object;
    if (auto code = doc.get_object().get(object); code != simdjson::SUCCESS) {
      return json::NotJson(code, at);
    }
    for (auto field : object) {
      std::string_view key;
      if (auto code = field.unescaped_key().get(key); code != simdjson::SUCCESS) {
        return json::NotJson(code, at);
      }
      simdjson::ondemand::value value;
      if (auto code = field.value().get(value); code != simdjson::SUCCESS) {
        return json::NotJson(code, json::AtField(at, key));
      }
      unsigned bit = 0;
      if (key == "timestamp") {
        bit = kTimestamp;
        RWTTT_ASSIGN_OR_RETURN(std::uint64_t ms, json::GetUint(value, json::AtField(at, key)));
        if (ms > static_cast<std::uint64_t>(kMaxArrivalNs) / kNsPerMs) {
          return Error::Input(fmt::format("must be at most {} ms (2^62 ns, about 146 years), "
                                          "found {}",
                                          static_cast<std::uint64_t>(kMaxArrivalNs) / kNsPerMs,
                                          ms),
                              json::AtField(at, key));
        }
        out.arrival_ns = static_cast<std::int64_t>(ms * kNsPerMs);
      } else if (key == "input_length") {
        bit = kInput;
        RWTTT_ASSIGN_OR_RETURN(out.prompt_tokens, Tokens(value, json::AtField(at, key)));
      } else if (key == "output_length") {
        bit = kOutput;
        RWTTT_ASSIGN_OR_RETURN(out.output_tokens, Tokens(value, json::AtField(at, key)));
      } else if (key == "hash_ids") {
        // Prefix-block hashes: rwttt models no prefix cache, so only the type is checked.
        simdjson::ondemand::array blocks;
        if (value.get_array().get(blocks) != simdjson::SUCCESS) {
          return Error::Input("expected an array", json::AtField(at, key));
        }
        continue;
      } else {
        continue;  // fields a later Mooncake release may add are ignored (docs/traces.md)
      }
      if (seen & bit) return Error::Input("duplicate field", json::AtField(at, key));
      seen |= bit;
    }
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return Error::Input("unexpected content after the JSON object", at);
    }
    const std::pair<unsigned, const char*> required[] = {
        {kTimestamp, "timestamp"}, {kInput, "input_length"}, {kOutput, "output_length"}};
    for (const auto& [bit, name] : required) {
      if (!(seen & bit)) return Error::Input("missing required field", json::AtField(at, name));
    }
    return RowOutcome::kKept;
  }

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace

std::unique_ptr<RowParser> MakeMooncakeRowParser() { return std::make_unique<MooncakeRowParser>(); }

}  // namespace rwttt
