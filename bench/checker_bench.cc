// Checker throughput and memory (docs/performance.md#checker): a plain timed program, one phase
// per process so that peak RSS belongs to that phase alone.
//
//   checker_bench gen 10000000 h.jsonl    # a valid history: 64 owners, batches of 32, + its trace
//   checker_bench parse h.jsonl           # reader only: steps/s
//   checker_bench check h.jsonl           # what rwttt check does: steps/s, peak RSS bytes/step
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "checker/history_checker.h"
#include "checker/history_reader.h"
#include "checker/history_writer.h"
#include "core/program.h"
#include "traces/native_trace.h"

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

// Owners arrive as others finish; each batch takes up to 32 ready owners of one effect. Once
// `steps` are written no owner is admitted and the live ones run to completion, so the history is
// complete: the trace it names (written beside it, h.trace.jsonl) is checked whole.
int Generate(std::uint64_t steps, const std::string& path) {
  constexpr std::uint32_t kOwners = 64;
  constexpr std::uint32_t kBatch = 32;
  constexpr std::uint32_t kChunk = 16;
  constexpr std::uint32_t kPrompt = 200;
  constexpr std::uint32_t kOutput = 300;
  std::string stem = path;
  const bool zst = stem.ends_with(".zst");
  if (zst) stem.resize(stem.size() - 4);
  if (stem.ends_with(".jsonl")) stem.resize(stem.size() - 6);
  const std::string trace_path = stem + ".trace.jsonl";
  rwttt::HistoryHeader header{.policy = "rwttt",
                              .backend = "cpu",
                              .seed = {},
                              .trace = std::filesystem::path(trace_path).filename().string(),
                              .model = {},
                              .hardware = {},
                              .chunk = kChunk,
                              .base_slot = {}};
  auto writer = rwttt::HistoryWriter::Create(path, header);
  if (!writer.ok()) return Fail(writer.error());
  std::vector<rwttt::ProgramCursor> live;
  std::vector<rwttt::Request> trace;
  auto admit = [&] {
    const rwttt::OwnerId id{trace.size()};
    trace.push_back({.id = id,
                     .arrival = rwttt::Nanos{0},
                     .prompt_tokens = kPrompt,
                     .output_tokens = kOutput,
                     .seed = {}});
    return rwttt::ProgramCursor(id, kPrompt, kOutput, kChunk);
  };
  for (std::uint32_t i = 0; i < kOwners; ++i) live.push_back(admit());
  std::uint64_t written = 0;
  std::uint64_t batch = 0;
  std::int64_t t = 0;
  std::uint32_t cursor = 0;
  std::uint32_t running = kOwners;
  rwttt::HistoryStep h;
  while (running > 0) {
    std::uint32_t lead = cursor % kOwners;
    while (live[lead].done()) lead = (lead + 1) % kOwners;
    const rwttt::Effect effect = live[lead].step().tag.effect;
    std::uint32_t taken = 0;
    for (std::uint32_t k = 0; k < kOwners && taken < kBatch; ++k) {
      const std::uint32_t slot = (lead + k) % kOwners;
      rwttt::ProgramCursor& c = live[slot];
      if (c.done() || c.step().tag.effect != effect) continue;
      h = rwttt::CorrectHistoryStep(c.step(), written++, slot, rwttt::Nanos{t},
                                    rwttt::Nanos{t + 1000});
      h.batch = batch;
      if (effect == rwttt::Effect::kWrite) {
        h.state_digest = h.step * 0x9e3779b97f4a7c15ULL;
      } else {
        h.out_digest = h.step * 0x9e3779b97f4a7c15ULL;
      }
      (*writer)->Write(h);
      ++taken;
      c.Advance();
      if (c.done()) {
        if (written < steps) {
          c = admit();
        } else {
          --running;
        }
      }
    }
    ++batch;
    t += 1000;
    cursor += kBatch;
  }
  if (rwttt::Status s = (*writer)->Commit(); !s.ok()) return Fail(s.error());
  if (rwttt::Status s = rwttt::WriteTrace(trace, trace_path); !s.ok()) return Fail(s.error());
  std::printf("wrote %llu steps of %zu owners to %s, their trace to %s\n",
              static_cast<unsigned long long>(written), trace.size(), path.c_str(),
              trace_path.c_str());
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

// What `rwttt check` does (CheckHistoryFile: the header's trace loaded, checks 1-4 and
// completeness; the generated history names no model, so check 5 is skipped), timed end to end.
int Check(const std::string& path) {
  const auto start = Clock::now();
  auto report = rwttt::CheckHistoryFile(path, rwttt::CheckOptions{}, rwttt::ReadTrace);
  if (!report.ok()) return Fail(report.error());
  const std::string text = rwttt::RenderText(*report);
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  const auto n = report->steps_checked;
  std::printf(
      "check: %llu steps in %.3f s = %.2f M steps/s end to end, valid=%d, peak RSS %ld "
      "bytes = %.1f bytes/step\n%s",
      static_cast<unsigned long long>(n), total, n / total / 1e6, report->valid(), PeakRssBytes(),
      static_cast<double>(PeakRssBytes()) / static_cast<double>(n), text.c_str());
  return report->valid() ? 0 : 1;
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
