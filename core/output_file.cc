#include "core/output_file.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rwttt {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

// Temporary paths still open, for the signal handler. Fixed slots: no allocation in a handler.
constexpr int kMaxOpen = 16;
std::array<std::atomic<const char*>, kMaxOpen> g_open_temps{};

void Register(const char* temp) {
  for (auto& slot : g_open_temps) {
    const char* expected = nullptr;
    if (slot.compare_exchange_strong(expected, temp)) return;
  }
}

void Unregister(const char* temp) {
  for (auto& slot : g_open_temps) {
    const char* expected = temp;
    if (slot.compare_exchange_strong(expected, nullptr)) return;
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

class OutputFile::Compressor {
 public:
  Compressor() : stream_(ZSTD_createCStream()), out_(ZSTD_CStreamOutSize()) {
    ZSTD_initCStream(stream_, 3);
  }
  ~Compressor() { ZSTD_freeCStream(stream_); }
  // Compresses `n` bytes (or finishes the frame when `finish`), handing output to `sink`.
  template <typename Sink>
  bool Run(const char* data, std::size_t n, bool finish, Sink&& sink) {
    ZSTD_inBuffer in{data, n, 0};
    while (true) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const std::size_t ret =
          finish ? ZSTD_endStream(stream_, &out) : ZSTD_compressStream(stream_, &out, &in);
      if (ZSTD_isError(ret)) return false;
      sink(out_.data(), out.pos);
      if (finish ? ret == 0 : in.pos == in.size) return true;
    }
  }

 private:
  ZSTD_CStream* stream_;
  std::vector<char> out_;
};

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  if (path == "-") return std::unique_ptr<OutputFile>(new OutputFile(path, "", stdout));
  if (path.empty()) return Error::Usage("an output file name is empty: give a path, or - for stdout");
  if (path.back() == '/') {
    return Error::Io("cannot write: the output path names a folder, not a file", {path, 0, ""});
  }
  // A device, FIFO or socket (/dev/null, a process substitution) is written in place: renaming a
  // temporary file over it would replace the device node itself.
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    std::FILE* direct = std::fopen(path.c_str(), "wb");
    if (direct == nullptr) {
      return Error::Io(std::string("cannot write: ") + std::strerror(errno), {path, 0, ""});
    }
    auto out = std::unique_ptr<OutputFile>(new OutputFile(path, "", direct));
    out->owns_file_ = true;
    if (EndsWith(path, ".zst")) out->zstd_ = std::make_unique<Compressor>();
    return out;
  }
  std::string temp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Error::Io(std::string("cannot write: ") + std::strerror(errno), {path, 0, ""});
  }
  // mkstemp makes the file 0600; give it the mode a plain open would have.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    const int err = errno;
    ::close(fd);
    std::remove(temp.c_str());
    return Error::Io(std::string("cannot write: ") + std::strerror(err), {path, 0, ""});
  }
  auto out = std::unique_ptr<OutputFile>(new OutputFile(path, std::move(temp), file));
  if (EndsWith(path, ".zst")) out->zstd_ = std::make_unique<Compressor>();
  return out;
}

OutputFile::OutputFile(std::string path, std::string temp, std::FILE* file)
    : path_(std::move(path)), temp_(std::move(temp)), file_(file) {
  buffer_.reserve(kBufferBytes);
  if (!temp_.empty()) Register(temp_.c_str());
}

OutputFile::~OutputFile() {
  if (temp_.empty()) {
    if (owns_file_) std::fclose(file_);
    return;
  }
  if (!committed_) {
    std::fclose(file_);
    std::remove(temp_.c_str());
  }
  Unregister(temp_.c_str());
}

void OutputFile::WriteRaw(const char* data, std::size_t n) {
  if (failed_ || n == 0) return;
  if (std::fwrite(data, 1, n, file_) != n) {
    failed_ = true;
    saved_errno_ = errno;
  }
}

void OutputFile::Write(std::string_view bytes) {
  if (buffer_.empty() && bytes.size() >= kBufferBytes && !zstd_) {
    WriteRaw(bytes.data(), bytes.size());  // a whole block: no need to copy it first
    return;
  }
  if (buffer_.size() + bytes.size() > kBufferBytes && !buffer_.empty()) {
    if (zstd_) {
      if (!zstd_->Run(buffer_.data(), buffer_.size(), false,
                      [&](const char* d, std::size_t n) { WriteRaw(d, n); })) {
        failed_ = true;
      }
    } else {
      WriteRaw(buffer_.data(), buffer_.size());
    }
    buffer_.clear();
  }
  buffer_.append(bytes);
}

Status OutputFile::Commit() {
  if (committed_) return Error::Io("committed twice", {path_, 0, ""});
  auto sink = [&](const char* d, std::size_t n) { WriteRaw(d, n); };
  if (zstd_) {
    if (!zstd_->Run(buffer_.data(), buffer_.size(), false, sink) ||
        !zstd_->Run(nullptr, 0, true, sink)) {
      failed_ = true;
    }
  } else {
    WriteRaw(buffer_.data(), buffer_.size());
  }
  buffer_.clear();
  if (std::fflush(file_) != 0 && !failed_) {
    failed_ = true;
    saved_errno_ = errno;
  }
  if (temp_.empty()) {
    committed_ = true;
    if (owns_file_ && std::fclose(file_) != 0 && !failed_) {
      failed_ = true;
      saved_errno_ = errno;
    }
    owns_file_ = false;
    if (failed_) {
      return Error::Io(std::string("write failed: ") + std::strerror(saved_errno_), {path_, 0, ""});
    }
    return OkStatus();
  }
  committed_ = true;
  if (std::fclose(file_) != 0 && !failed_) {
    failed_ = true;
    saved_errno_ = errno;
  }
  if (failed_) {
    std::remove(temp_.c_str());
    return Error::Io(std::string("write failed: ") + std::strerror(saved_errno_), {path_, 0, ""});
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(temp_.c_str());
    return Error::Io(std::string("cannot rename into place: ") + std::strerror(err),
                     {path_, 0, ""});
  }
  return OkStatus();
}

Status OutputFile::health() const {
  if (!failed_) return OkStatus();
  return Error::Io(std::string("write failed: ") + std::strerror(saved_errno_), {path_, 0, ""});
}

void OutputFile::RemoveTemporariesOnSignal() {
  for (auto& slot : g_open_temps) {
    const char* temp = slot.load();
    if (temp != nullptr) ::unlink(temp);
  }
}

}  // namespace rwttt
