// Checker throughput and memory (docs/performance.md#checker): a plain timed program, one phase
// per process so that peak RSS belongs to that phase alone.
//
//   checker_bench gen 10000000 h.jsonl    # a valid history: 64 owners, batches of 16
//   checker_bench parse h.jsonl           # reader only: steps/s
//   checker_bench check h.jsonl           # reader + checks 1-4: steps/s, peak RSS bytes/step
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checker/history_checker.h"
#include "checker/history_reader.h"
#include "checker/history_writer.h"
#include "core/program.h"

namespace {

using Clock = std::chrono::steady_clock;

long PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

int Fail(const rwttt::Error& e) {
  std::fprintf(stderr, "checker_bench: %s\n", e.ToString().c_str());
  return 2;
}

// Owners arrive as others finish; each batch takes up to 16 ready owners of one effect.
int Generate(std::uint64_t steps, const std::string& path) {
  constexpr std::uint32_t kOwners = 64;
  constexpr std::uint32_t kBatch = 16;
  constexpr std::uint32_t kChunk = 16;
  rwttt::HistoryHeader header{
      .policy = "rwttt", .backend = "cpu", .seed = {}, .trace = {}, .model = {}, .hardware = {}};
  auto writer = rwttt::HistoryWriter::Create(path, header);
  if (!writer.ok()) return Fail(writer.error());
  std::vector<rwttt::ProgramCursor> live;
  std::uint64_t next_owner = 0;
  for (std::uint32_t i = 0; i < kOwners; ++i) {
    live.emplace_back(rwttt::OwnerId{next_owner++}, 200, 300, kChunk);
  }
  std::uint64_t written = 0;
  std::uint64_t batch = 0;
  std::int64_t t = 0;
  std::uint32_t cursor = 0;
  rwttt::HistoryStep h;
  while (written < steps) {
    const rwttt::Effect effect = live[cursor % kOwners].step().tag.effect;
    std::uint32_t taken = 0;
    for (std::uint32_t k = 0; k < kOwners && taken < kBatch && written < steps; ++k) {
      const std::uint32_t slot = (cursor + k) % kOwners;
      rwttt::ProgramCursor& c = live[slot];
      const rwttt::Step& s = c.step();
      if (s.tag.effect != effect) continue;
      h = rwttt::CorrectHistoryStep(s, written++, slot, rwttt::Nanos{t}, rwttt::Nanos{t + 1000});
      h.batch = batch;
      if (effect == rwttt::Effect::kWrite) {
        h.state_digest = h.step * 0x9e3779b97f4a7c15ULL;
      } else {
        h.out_digest = h.step * 0x9e3779b97f4a7c15ULL;
      }
      (*writer)->Write(h);
      ++taken;
      c.Advance();
      if (c.done()) c = rwttt::ProgramCursor(rwttt::OwnerId{next_owner++}, 200, 300, kChunk);
    }
    ++batch;
    t += 1000;
    cursor += kBatch;
  }
  if (rwttt::Status s = (*writer)->Commit(); !s.ok()) return Fail(s.error());
  std::printf("wrote %llu steps to %s\n", static_cast<unsigned long long>(written), path.c_str());
  return 0;
}

int Parse(const std::string& path) {
  const auto start = Clock::now();
  auto reader = rwttt::HistoryReader::Open(path);
  if (!reader.ok()) return Fail(reader.error());
  rwttt::HistoryStep step;
  std::uint64_t n = 0;
  while (true) {
    auto more = (*reader)->Next(step);
    if (!more.ok()) return Fail(more.error());
    if (!*more) break;
    ++n;
  }
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("parse: %llu steps in %.3f s = %.2f M steps/s, peak RSS %ld bytes\n",
              static_cast<unsigned long long>(n), s, n / s / 1e6, PeakRssBytes());
  return 0;
}

int Check(const std::string& path) {
  const auto start = Clock::now();
  auto reader = rwttt::HistoryReader::Open(path);
  if (!reader.ok()) return Fail(reader.error());
  rwttt::HistoryChecker checker((*reader)->header(), rwttt::CheckOptions{});
  rwttt::HistoryStep step;
  while (true) {
    auto more = (*reader)->Next(step);
    if (!more.ok()) return Fail(more.error());
    if (!*more) break;
    checker.Add(step);
  }
  const auto streamed = Clock::now();
  const rwttt::CheckReport report = checker.Finish();
  const auto done = Clock::now();
  const double total = std::chrono::duration<double>(done - start).count();
  const double finish = std::chrono::duration<double>(done - streamed).count();
  const auto n = report.steps_checked;
  std::printf(
      "check: %llu steps in %.3f s = %.2f M steps/s end to end (Finish: %.3f s), "
      "valid=%d, peak RSS %ld bytes = %.1f bytes/step\n",
      static_cast<unsigned long long>(n), total, n / total / 1e6, finish, report.valid(),
      PeakRssBytes(), static_cast<double>(PeakRssBytes()) / static_cast<double>(n));
  return report.valid() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "gen") return Generate(std::stoull(args[1]), args[2]);
  if (args.size() == 2 && args[0] == "parse") return Parse(args[1]);
  if (args.size() == 2 && args[0] == "check") return Check(args[1]);
  std::fprintf(stderr, "usage: checker_bench gen STEPS FILE | parse FILE | check FILE\n");
  return 2;
}
