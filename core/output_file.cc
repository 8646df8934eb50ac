#include "core/output_file.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
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

// The thread that compresses and writes full blocks, so that the caller's thread only fills them:
// one block waits while one is written (double buffering).
class OutputFile::BlockWriter {
 public:
  explicit BlockWriter(OutputFile& file) : file_(file), thread_([this] { Loop(); }) {}
  // Writes what was handed (unless discarding), then joins.
  ~BlockWriter() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The file is dropped without Commit: a block still waiting is not written.
  void Discard() {
    std::lock_guard lock(mutex_);
    has_pending_ = false;
  }

  // Queues `block` (waiting while an earlier one still waits) and leaves it empty, holding the
  // storage of a block already written.
  void Hand(std::string& block) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !has_pending_; });
    std::swap(pending_, block);
    has_pending_ = true;
    lock.unlock();
    cv_.notify_all();
  }

  // Waits until every block handed has been written.
  void Drain() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !has_pending_ && !busy_; });
  }

 private:
  void Loop() {
    std::string writing;
    std::unique_lock lock(mutex_);
    while (true) {
      cv_.wait(lock, [&] { return has_pending_ || stop_; });
      if (!has_pending_) return;     // stopped, nothing left
      std::swap(writing, pending_);  // pending_ takes the written block's storage
      has_pending_ = false;
      busy_ = true;
      lock.unlock();
      cv_.notify_all();
      file_.WriteBlock(writing);
      writing.clear();
      lock.lock();
      busy_ = false;
      cv_.notify_all();
    }
  }

  OutputFile& file_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string pending_;
  bool has_pending_ = false, busy_ = false, stop_ = false;
  std::thread thread_;  // last: it starts once the rest is ready
};

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  if (path == "-") return std::unique_ptr<OutputFile>(new OutputFile(path, "", stdout));
  if (path.empty()) {
    return Error::Usage("an output file name is empty: give a path, or - for stdout");
  }
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
  if (writer_) {  // its thread writes to file_: joined first, what waits left unwritten
    writer_->Discard();
    writer_.reset();
  }
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

void OutputFile::Fail(int err) {
  if (failed_.load(std::memory_order_acquire)) return;
  saved_errno_ = err;
  failed_.store(true, std::memory_order_release);
}

void OutputFile::WriteRaw(const char* data, std::size_t n) {
  if (failed_.load(std::memory_order_acquire) || n == 0) return;
  if (std::fwrite(data, 1, n, file_) != n) Fail(errno);
}

void OutputFile::WriteBlock(const std::string& block) {
  if (failed_.load(std::memory_order_acquire)) return;  // nothing more reaches the file
  if (!zstd_) {
    WriteRaw(block.data(), block.size());
  } else if (!zstd_->Run(block.data(), block.size(), false,
                         [&](const char* d, std::size_t n) { WriteRaw(d, n); })) {
    Fail(EIO);  // zstd failed: no errno of its own
  }
}

void OutputFile::HandOff(std::string& block) {
  if (!writer_ && !no_thread_) {
    try {
      writer_ = std::make_unique<BlockWriter>(*this);
    } catch (const std::system_error&) {
      no_thread_ = true;  // no thread to be had: this one writes its blocks
    }
  }
  if (writer_) {
    writer_->Hand(block);
  } else {
    WriteBlock(block);
    block.clear();
  }
}

void OutputFile::Write(std::string_view bytes) {
  if (buffer_.size() + bytes.size() > kBufferBytes && !buffer_.empty()) HandOff(buffer_);
  buffer_.append(bytes);
  if (buffer_.size() >= kBufferBytes) HandOff(buffer_);
}

void OutputFile::WriteSwapping(std::string& block) {
  if (block.size() < kBufferBytes) {
    Write(block);
    block.clear();
    return;
  }
  if (!buffer_.empty()) HandOff(buffer_);
  HandOff(block);  // its storage goes to the writer; a written block's comes back
}

Status OutputFile::Commit() {
  if (committed_) return Error::Io("committed twice", {path_, 0, ""});
  if (writer_) {
    writer_->Drain();
    writer_.reset();
  }
  auto sink = [&](const char* d, std::size_t n) { WriteRaw(d, n); };
  WriteBlock(buffer_);
  if (zstd_ && !zstd_->Run(nullptr, 0, true, sink)) Fail(EIO);
  buffer_.clear();
  if (std::fflush(file_) != 0) Fail(errno);
  if (temp_.empty()) {
    committed_ = true;
    if (owns_file_ && std::fclose(file_) != 0) Fail(errno);
    owns_file_ = false;
    if (failed_) {
      return Error::Io(std::string("write failed: ") + std::strerror(saved_errno_), {path_, 0, ""});
    }
    return OkStatus();
  }
  committed_ = true;
  if (std::fclose(file_) != 0) Fail(errno);
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
  if (!failed_.load(std::memory_order_acquire)) return OkStatus();
  return Error::Io(std::string("write failed: ") + std::strerror(saved_errno_), {path_, 0, ""});
}

void OutputFile::RemoveTemporariesOnSignal() {
  for (auto& slot : g_open_temps) {
    const char* temp = slot.load();
    if (temp != nullptr) ::unlink(temp);
  }
}

}  // namespace rwttt
