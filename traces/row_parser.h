// The per-format part of importing a public trace: turning one line of the file into one row.
// traces/trace_loader.h drives it (blank lines, bad rows, sorting, ids); the formats are in
// azure_trace.cc, burstgpt_trace.cc and mooncake_trace.cc.
//
//   std::unique_ptr<RowParser> p = MakeAzureRowParser();
//   if (p->TakesHeader()) RWTTT_TRY(p->ParseHeader(first_line, 1));
//   RWTTT_ASSIGN_OR_RETURN(RowOutcome o, p->ParseRow(line, line_number, row));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rwttt {

// One request as the source file gives it, before sorting and shaping.
struct ImportedRow {
  std::int64_t arrival_ns = 0;  // on the source's own clock (Unix epoch, or the trace's start)
  std::uint32_t prompt_tokens = 0;
  std::uint32_t output_tokens = 0;
  std::int64_t line = 0;  // 1-based line of the file: the row's identity
};

enum class RowOutcome {
  kKept,      // a request
  kFiltered,  // valid, but excluded by a filter the user gave (BurstGPT model or log type)
  kFailed,    // a request the source marks as failed (BurstGPT: 0 response tokens)
};

// Choices specific to BurstGPT (docs/traces.md#burstgpt).
struct BurstGptFilter {
  std::vector<std::string> models;     // keep only these Model values (any, when empty)
  std::vector<std::string> log_types;  // keep only these Log Type values (any, when empty)
  bool keep_failed = false;            // keep failed rows as requests with 0 output tokens
};

class RowParser {
 public:
  virtual ~RowParser() = default;
  // True when the first non-blank line of a file is a header for ParseHeader.
  virtual bool TakesHeader() const = 0;
  // Reads the header line. An Input error when it lacks a needed column.
  virtual Status ParseHeader(std::string_view line, std::int64_t line_number) = 0;
  // Parses one non-blank data line into `out` (its `line` member is left to the caller). An Input
  // error carries `line_number` and the column or field; its SourceLoc::file is left empty for
  // the caller, so that no string is copied per row. REQUIRES: the header was read, if
  // TakesHeader().
  virtual Result<RowOutcome> ParseRow(std::string_view line, std::int64_t line_number,
                                      ImportedRow& out) = 0;
};

// Azure LLM inference traces 2023 and 2024 (CSV; columns TIMESTAMP, ContextTokens,
// GeneratedTokens; arrival on the Unix epoch).
std::unique_ptr<RowParser> MakeAzureRowParser();
// BurstGPT (CSV; Timestamp in seconds, Model, Request tokens, Response tokens, Log Type).
std::unique_ptr<RowParser> MakeBurstGptRowParser(const BurstGptFilter& filter);
// Mooncake (JSONL; timestamp in ms, input_length, output_length, hash_ids). `line` must be
// readable for kLinePadding bytes past its end, as LineReader's lines are.
std::unique_ptr<RowParser> MakeMooncakeRowParser();

}  // namespace rwttt
