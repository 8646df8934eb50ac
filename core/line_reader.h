// Reads a text file line by line, with line numbers, whatever its line endings, decompressing
// `.zst` files on the fly. Lines are handed out padded as simdjson requires.
//
//   RWTTT_ASSIGN_OR_RETURN(auto reader, LineReader::Open("history.jsonl.zst"));
//   std::string_view line;  bool more = true;
//   while (more) { RWTTT_ASSIGN_OR_RETURN(more, reader->Next(line)); if (more) Use(line); }
//
// "\n" and "\r\n" both end a line; the last line needs no terminator; a UTF-8 byte order mark
// at the start is skipped. The path "-" is stdin.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rwttt {

namespace internal {
class ByteSource;
}

// Bytes readable past the end of every line handed out (simdjson's SIMDJSON_PADDING is 64).
inline constexpr std::size_t kLinePadding = 64;

class LineReader {
 public:
  // Opens `path` (decompressing when it ends in ".zst"). An Io error names the path.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line, without its terminator, and returns true; false at the end.
  // The view (and kLinePadding bytes after it) stays valid until the next call.
  Result<bool> Next(std::string_view& line);

  // Reads whole lines in bulk, for readers that split and parse them elsewhere (on other
  // threads): replaces `out` with the next lines, terminators included, at least `want` bytes
  // unless the input ends first, and sets `first_line` to the number of the first. The last line
  // of the input may lack its terminator. Returns false at the end of the input. May be mixed
  // with Next.
  Result<bool> NextLines(std::vector<char>& out, std::size_t want, std::int64_t& first_line);

  // 1-based number of the line last returned by Next() (or the last line NextLines returned).
  std::int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  SourceLoc Here(std::string_view field = {}) const {
    return SourceLoc{path_, line_number_, std::string(field)};
  }

  // The largest line accepted; a longer one is an error rather than unbounded memory.
  static constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

 private:
  LineReader(std::string path, std::unique_ptr<internal::ByteSource> source);
  // Appends more bytes at end_; returns false at end of input.
  Result<bool> Fill();

  std::string path_;
  std::unique_ptr<internal::ByteSource> source_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first byte not yet returned
  std::size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  bool bom_checked_ = false;  // whether the first bytes were looked at for a byte order mark
  bool filled_once_ = false;  // a second fill means the file streams: grow the buffer
  std::int64_t line_number_ = 0;
};

}  // namespace rwttt
