// Writes history format v1 (DESIGN §6, docs/checker.md): the header line, then one line per
// executed step, atomically (core/output_file.h; a path ending in ".zst" is compressed).
//
//   RWTTT_ASSIGN_OR_RETURN(auto writer, HistoryWriter::Create("out.jsonl", header));
//   writer->Write(step);  RWTTT_TRY(writer->Commit());
//
// The simulator writes its histories through this class; other systems may copy the line format
// from FormatHistoryStep.
#pragma once

#include <memory>
#include <string>

#include "checker/history.h"
#include "core/output_file.h"
#include "core/result.h"

namespace rwttt {

// The header line, without a terminator:
// {"format":"rwttt-history","version":1,"policy":...,"seed":7 or null,...[,"chunk":C]}
std::string FormatHistoryHeader(const HistoryHeader& header);

// Appends one step line, without a terminator, to `out`. Digests are written as 16 lower-case hex
// digits; optional fields that are absent are left out; commit fields and state_digest only on a
// WRITE, out_digest only on a READ.
void AppendHistoryStep(const HistoryStep& step, std::string& out);
std::string FormatHistoryStep(const HistoryStep& step);

class HistoryWriter {
 public:
  // Creates `path` ("-" is stdout) and writes the header. An Io error names the path.
  static Result<std::unique_ptr<HistoryWriter>> Create(const std::string& path,
                                                       const HistoryHeader& header);
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Appends one step. Steps must come in order of start_ns (the format's rule; the checker reports
  // a history that breaks it as `malformed`). Write errors surface in Commit().
  void Write(const HistoryStep& step);
  // Completes the file (rename into place). Call once. Dropped without it, no file appears.
  Status Commit();

  // An Io error once writing has failed (OutputFile::health).
  Status health() const { return out_->health(); }

 private:
  explicit HistoryWriter(std::unique_ptr<OutputFile> out) : out_(std::move(out)) {}

  std::unique_ptr<OutputFile> out_;
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
  // What line_ reserves: a block and the line that completes it, so that it never grows (each
  // growth touched fresh pages: a page fault apiece, and on a virtual machine they are dear).
  static constexpr std::size_t kLineBytes = 1024;  // at least the longest step line and '\n'
  static constexpr std::size_t kLineCapacity = kBlockBytes + kLineBytes;
  std::string line_;  // lines not yet handed to out_
};

}  // namespace rwttt
