// The formats a trace file can be read in: rwttt's native JSONL and the public traces it imports
// (docs/traces.md).
//
//   RWTTT_ASSIGN_OR_RETURN(TraceFormat f, ParseTraceFormat("azure"));
//   std::string_view name = TraceFormatName(f);   // "azure"
#pragma once

#include <array>
#include <string_view>

#include "core/result.h"

namespace rwttt {

enum class TraceFormat {
  kNative,    // docs/formats.md#trace
  kAzure,     // Azure LLM inference traces 2023/2024: TIMESTAMP,ContextTokens,GeneratedTokens
  kBurstGpt,  // BurstGPT: Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
  kMooncake,  // Mooncake JSONL: timestamp (ms), input_length, output_length, hash_ids
};

// Every format's name, in enum order, as the command line spells it.
inline constexpr std::array<std::string_view, 4> kTraceFormatNames = {"native", "azure", "burstgpt",
                                                                      "mooncake"};

inline std::string_view TraceFormatName(TraceFormat format) {
  return kTraceFormatNames[static_cast<std::size_t>(format)];
}

// A Usage error names the accepted spellings.
Result<TraceFormat> ParseTraceFormat(std::string_view name);

}  // namespace rwttt
