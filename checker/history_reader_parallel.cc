// HistoryReader::ReadAll: the whole history, parsed in blocks on worker threads. Parsing is most of
// what reading a history costs (checker_bench parse), and blocks of lines parse independently;
// the calling thread reads lines into blocks and hands parsed blocks to the sink in file order, so
// the result, the first error included, is exactly what Next would give.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "checker/history_reader.h"
#include "checker/internal/history_step_parser.h"

namespace rwttt {
namespace {

// Consecutive lines of the file, read in bulk, split and parsed by a worker.
struct Block {
  std::vector<char> text;          // whole lines, then kLinePadding bytes
  std::size_t size = 0;            // bytes of `text` that are lines
  std::int64_t first_line = 0;     // the number of the first
  std::vector<HistoryStep> steps;  // parsed, in order
  std::optional<Error> error;      // the first line that does not parse, if any
  bool error_on_last_line = false;
  bool parsed = false;
};

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Splits the block into lines ("\n" or "\r\n"; blank ones skipped) and parses each.
void Parse(Block& block, simdjson::ondemand::parser& parser, SourceLoc& at) {
  block.steps.reserve(block.size / 160 + 1);
  const char* begin = block.text.data();
  const char* end = begin + block.size;
  std::int64_t number = block.first_line;
  for (const char* p = begin; p < end; ++number) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* stop = nl == nullptr ? end : nl;
    std::string_view line(p, stop - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    p = nl == nullptr ? end : nl + 1;
    if (IsBlank(line)) continue;
    at.line = number;
    HistoryStep& step = block.steps.emplace_back();
    if (Status s = ParseHistoryStep(parser, line, at, step); !s.ok()) {
      block.error = std::move(s).error();
      block.error_on_last_line = p == end;
      block.steps.pop_back();
      return;
    }
  }
}

// Worker threads that parse the blocks pushed to them, each with its own parser.
class ParsePool {
 public:
  ParsePool(unsigned threads, const std::string& path) {
    for (unsigned t = 0; t < threads; ++t) {
      workers_.emplace_back([this, path] { Work(path); });
    }
  }
  // Stops the workers once their current block is parsed; queued blocks are left unparsed.
  ~ParsePool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      queue_.clear();
    }
    work_ready_.notify_all();
    for (std::thread& w : workers_) w.join();
  }
  void Push(Block* block) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(block);
    }
    work_ready_.notify_one();
  }
  void WaitParsed(const Block& block) {
    std::unique_lock lock(mutex_);
    parsed_.wait(lock, [&] { return block.parsed; });
  }

 private:
  void Work(const std::string& path) {
    simdjson::ondemand::parser parser;
    SourceLoc at{path, 0, ""};
    while (true) {
      Block* block = nullptr;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        block = queue_.front();
        queue_.pop_front();
      }
      Parse(*block, parser, at);
      {
        std::lock_guard lock(mutex_);
        block->parsed = true;
      }
      parsed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable parsed_;
  std::deque<Block*> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

Status HistoryReader::ReadAll(unsigned threads,
                              const std::function<void(std::span<const HistoryStep>)>& sink) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  auto fill = [&](Block& block) -> Result<bool> {
    RWTTT_ASSIGN_OR_RETURN(bool more, lines_->NextLines(block.text, kBlockBytes, block.first_line));
    block.size = block.text.size();
    block.text.resize(block.size + kLinePadding, '\0');
    return more;
  };
  // The error of `block`, as Next reports it: a last line that does not parse may be truncated.
  auto fail = [&](Block& block, bool last_block) -> Status {
    Error error = std::move(*block.error);
    if (last_block && block.error_on_last_line) return MaybeTruncated(std::move(error));
    return error;
  };

  auto first = std::make_unique<Block>();
  RWTTT_ASSIGN_OR_RETURN(bool any, fill(*first));
  if (!any) return OkStatus();
  if (first->size < kBlockBytes) {  // the whole rest of the file: no threads
    Parse(*first, json_->parser, at_);
    if (first->error) return fail(*first, true);
    sink(first->steps);
    return OkStatus();
  }
  std::deque<std::unique_ptr<Block>> inflight;  // outlives the pool, whose workers use its blocks
  // Blocks are reused: fresh megabytes for every block would cost a page fault every 4 KiB.
  std::vector<std::unique_ptr<Block>> spare;
  ParsePool pool(threads, lines_->path());
  pool.Push(first.get());
  inflight.push_back(std::move(first));
  bool eof = false;
  const std::size_t max_inflight = 2 * threads + 2;
  while (!inflight.empty()) {
    if (!eof && inflight.size() < max_inflight) {
      std::unique_ptr<Block> block;
      if (spare.empty()) {
        block = std::make_unique<Block>();
      } else {
        block = std::move(spare.back());
        spare.pop_back();
        block->steps.clear();
        block->parsed = false;
      }
      RWTTT_ASSIGN_OR_RETURN(bool more, fill(*block));
      if (!more) {
        eof = true;
      } else {
        pool.Push(block.get());
        inflight.push_back(std::move(block));
      }
      continue;
    }
    Block& next = *inflight.front();
    pool.WaitParsed(next);
    // When no block follows, its last line may be the file's: fail peeks, as Next would.
    if (next.error) return fail(next, inflight.size() == 1);
    sink(next.steps);
    spare.push_back(std::move(inflight.front()));
    inflight.pop_front();
  }
  return OkStatus();
}

}  // namespace rwttt
