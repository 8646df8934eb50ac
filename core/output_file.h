// An output file that appears complete or not at all: bytes go to a temporary file beside the
// target, which Commit() renames into place. Dropped without Commit() (an error, an exception),
// the temporary file is removed and any previous file at the path is left as it was.
//
//   RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create("trace.jsonl"));
//   out->Write(line);
//   RWTTT_TRY(out->Commit());
//
// The path "-" writes to stdout, and an existing path that is not a regular file (/dev/null, a
// FIFO) is written in place: neither can be renamed over. A path ending in ".zst" is compressed
// with zstd. Bytes collect in blocks of about 1 MiB; from the first full block on, a thread of the
// file's own compresses and writes each block while the caller fills the next.
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rwttt {

class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> Create(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends bytes. Errors (a full disk) are remembered and reported by Commit().
  void Write(std::string_view bytes);
  // Write(block), taking block's storage instead of copying it when it is a block's worth;
  // `block` is left empty (holding storage for the caller to refill).
  void WriteSwapping(std::string& block);
  // Flushes, closes and renames into place. Call once; the file is then complete.
  Status Commit();
  // An Io error once a write has failed (a full disk, a file-size limit), so that a long run can
  // stop early instead of computing what it cannot write.
  Status health() const;
  const std::string& path() const { return path_; }

  // Removes every temporary file still open. Async-signal-safe; for SIGINT/SIGTERM handlers.
  static void RemoveTemporariesOnSignal();

 private:
  class Compressor;
  class BlockWriter;
  OutputFile(std::string path, std::string temp, std::FILE* file);
  void WriteRaw(const char* data, std::size_t n);
  // Compresses (with zstd) and writes a block: on the block writer's thread once it runs.
  void WriteBlock(const std::string& block);
  // Hands `block` to the block writer (starting it; where no thread can start, writes it here)
  // and leaves it empty, holding storage to refill.
  void HandOff(std::string& block);
  void Fail(int err);

  std::string path_;
  std::string temp_;  // empty when writing in place (stdout, a device or FIFO)
  std::FILE* file_;
  bool owns_file_ = false;  // in place and opened here: closed by Commit or the destructor
  std::unique_ptr<Compressor> zstd_;
  std::string buffer_;
  // Set by whichever thread writes: saved_errno_ first, then failed_ (release), read with acquire.
  std::atomic<bool> failed_{false};
  int saved_errno_ = 0;
  bool committed_ = false;
  std::unique_ptr<BlockWriter> writer_;  // from the first full block until Commit
  bool no_thread_ = false;               // starting the writer's thread failed
};

}  // namespace rwttt
