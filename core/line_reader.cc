#include "core/line_reader.h"

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rwttt {
namespace internal {

// Raw bytes of a file, decompressed or not.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `out`; 0 means end of input.
  virtual Result<std::size_t> Read(char* out, std::size_t n) = 0;
};

}  // namespace internal

namespace {

// Reads start at 64 KiB and double up to 1 MiB as a file streams: a small file (a trace of a few
// requests, a fuzzer's input) touches 16 pages, not 256, and a large one reads in 1 MiB blocks.
constexpr std::size_t kFirstBlockBytes = std::size_t{64} << 10;
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

class FileSource final : public internal::ByteSource {
 public:
  FileSource(std::FILE* file, std::string path, bool owned)
      : file_(file), path_(std::move(path)), owned_(owned) {}
  ~FileSource() override {
    if (owned_) std::fclose(file_);
  }
  Result<std::size_t> Read(char* out, std::size_t n) override {
    const std::size_t got = std::fread(out, 1, n, file_);
    if (got == 0 && std::ferror(file_)) {
      return Error::Io(std::string("read failed: ") + std::strerror(errno), {path_, 0, ""});
    }
    return got;
  }

 private:
  std::FILE* file_;
  std::string path_;
  bool owned_;
};

class ZstdSource final : public internal::ByteSource {
 public:
  ZstdSource(std::unique_ptr<FileSource> file, std::string path)
      : file_(std::move(file)),
        path_(std::move(path)),
        in_(ZSTD_DStreamInSize()),
        stream_(ZSTD_createDStream()) {
    ZSTD_initDStream(stream_);
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }

  Result<std::size_t> Read(char* out, std::size_t n) override {
    ZSTD_outBuffer output{out, n, 0};
    while (output.pos == 0) {
      if (input_.pos == input_.size) {
        RWTTT_ASSIGN_OR_RETURN(std::size_t got, file_->Read(in_.data(), in_.size()));
        if (got == 0) {
          if (!frame_done_) {
            return Error::Input("truncated zstd stream: the file ends inside a frame",
                                {path_, 0, ""});
          }
          return std::size_t{0};
        }
        input_ = ZSTD_inBuffer{in_.data(), got, 0};
      }
      const std::size_t ret = ZSTD_decompressStream(stream_, &output, &input_);
      if (ZSTD_isError(ret)) {
        return Error::Input(std::string("corrupt zstd data: ") + ZSTD_getErrorName(ret),
                            {path_, 0, ""});
      }
      frame_done_ = ret == 0;
    }
    return output.pos;
  }

 private:
  std::unique_ptr<FileSource> file_;
  std::string path_;
  std::vector<char> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  ZSTD_DStream* stream_;
  bool frame_done_ = true;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  std::unique_ptr<FileSource> file;
  if (path == "-") {
    file = std::make_unique<FileSource>(stdin, "<stdin>", false);
  } else {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return Error::Io(std::string("cannot open: ") + std::strerror(errno), {path, 0, ""});
    }
    file = std::make_unique<FileSource>(f, path, true);
  }
  std::unique_ptr<internal::ByteSource> source;
  if (EndsWith(path, ".zst")) {
    source = std::make_unique<ZstdSource>(std::move(file), path);
  } else {
    source = std::move(file);
  }
  return std::unique_ptr<LineReader>(
      new LineReader(path == "-" ? "<stdin>" : path, std::move(source)));
}

LineReader::LineReader(std::string path, std::unique_ptr<internal::ByteSource> source)
    : path_(std::move(path)),
      source_(std::move(source)),
      buffer_(kFirstBlockBytes + kLinePadding) {}

LineReader::~LineReader() = default;

Result<bool> LineReader::Fill() {
  if (eof_) return false;
  // Move the unreturned tail to the front, then grow if the buffer is still full.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t usable = buffer_.size() - kLinePadding;
  if (end_ == usable) {
    if (usable >= kMaxLineBytes) {
      return Error::Input("line longer than 64 MiB", SourceLoc{path_, line_number_ + 1, ""});
    }
    buffer_.resize(std::min(usable * 2, kMaxLineBytes) + kLinePadding);
  } else if (usable < kBlockBytes && filled_once_) {
    buffer_.resize(std::min(usable * 2, kBlockBytes) + kLinePadding);  // a file that streams
  }
  filled_once_ = true;
  RWTTT_ASSIGN_OR_RETURN(
      std::size_t got, source_->Read(buffer_.data() + end_, buffer_.size() - kLinePadding - end_));
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  // A UTF-8 byte order mark (some editors and spreadsheet exports write one) is not content.
  if (!bom_checked_ && end_ >= 3) {
    bom_checked_ = true;
    if (begin_ == 0 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
  }
  return true;
}

Result<bool> LineReader::Next(std::string_view& line) {
  std::size_t scanned = begin_;
  while (true) {
    const char* start = buffer_.data() + scanned;
    const void* nl = std::memchr(start, '\n', end_ - scanned);
    if (nl != nullptr) {
      const std::size_t stop = static_cast<const char*>(nl) - buffer_.data();
      std::size_t len = stop - begin_;
      if (len > 0 && buffer_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buffer_.data() + begin_, len);
      begin_ = stop + 1;
      ++line_number_;
      return true;
    }
    const std::size_t pending = end_ - begin_;
    RWTTT_ASSIGN_OR_RETURN(bool more, Fill());
    scanned = begin_ + pending;
    if (!more) {
      if (end_ == begin_) return false;
      // The last line has no terminator.
      std::size_t len = end_ - begin_;
      if (buffer_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buffer_.data() + begin_, len);
      begin_ = end_;
      ++line_number_;
      return true;
    }
  }
}

Result<bool> LineReader::NextLines(std::vector<char>& out, std::size_t want,
                                   std::int64_t& first_line) {
  out.clear();
  first_line = line_number_ + 1;
  while (true) {
    // The whole lines buffered: up to the last terminator.
    const char* base = buffer_.data() + begin_;
    const std::size_t avail = end_ - begin_;
    const void* last = avail == 0 ? nullptr : memrchr(base, '\n', avail);
    if (last != nullptr) {
      const std::size_t take = static_cast<const char*>(last) - base + 1;
      out.insert(out.end(), base, base + take);
      line_number_ += std::count(base, base + take, '\n');
      begin_ += take;
      if (out.size() >= want) return true;
    }
    RWTTT_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (end_ > begin_) {  // the last line has no terminator
        out.insert(out.end(), buffer_.data() + begin_, buffer_.data() + end_);
        ++line_number_;
        begin_ = end_;
      }
      return !out.empty();
    }
  }
}

}  // namespace rwttt
