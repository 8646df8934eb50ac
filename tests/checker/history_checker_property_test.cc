// Properties of the checker on histories synthesised from core programs: a serial-equivalent
// history with random interleavings, batches and times is valid and its serial order is a
// topological order; a mutation is caught with the right name; the reader never crashes on
// random bytes or mutated lines.
#include <algorithm>
#include <map>

#include "checker/history_checker.h"
#include "checker/history_reader.h"
#include "checker/history_writer.h"
#include "checker/internal/history_step_parser.h"
#include "core/line_reader.h"
#include "core/program.h"
#include "tests/checker/history_builder.h"
#include "tests/support/property.h"
#include "tests/support/test_files.h"

namespace rwttt {
namespace {

// A correct execution: batches of one effect and distinct owners, each owner's steps in program
// order, each batch after the previous one in time, every stamp the owner's current version.
std::vector<HistoryStep> RandomValidHistory() {
  const auto owners = *rc::gen::inRange<std::uint32_t>(1, 6);
  const auto chunk = *rc::gen::inRange<std::uint32_t>(1, 5);
  std::vector<ProgramCursor> programs;
  for (std::uint32_t o = 0; o < owners; ++o) {
    programs.emplace_back(OwnerId{o}, *rc::gen::inRange<std::uint32_t>(0, 12),
                          *rc::gen::inRange<std::uint32_t>(1, 8), chunk);
  }
  std::vector<HistoryStep> history;
  std::int64_t t = 0;
  std::uint64_t batch = 0;
  while (true) {
    std::vector<std::uint32_t> ready;
    for (std::uint32_t o = 0; o < owners; ++o) {
      if (!programs[o].done()) ready.push_back(o);
    }
    if (ready.empty()) break;
    const std::uint32_t lead = *rc::gen::elementOf(ready);
    const Effect effect = programs[lead].step().tag.effect;
    const std::int64_t duration = *rc::gen::inRange<std::int64_t>(1, 4);
    for (const std::uint32_t o : ready) {
      const Step& s = programs[o].step();
      if (s.tag.effect != effect || (o != lead && !*rc::gen::arbitrary<bool>())) continue;
      HistoryStep h = CorrectHistoryStep(s, history.size(), o, Nanos{t}, Nanos{t + duration});
      h.batch = batch;
      history.push_back(h);
      programs[o].Advance();
    }
    ++batch;
    t += duration + *rc::gen::inRange<std::int64_t>(0, 2);
  }
  return history;
}

CheckReport Check(const std::vector<HistoryStep>& history, bool serial_order = false) {
  CheckOptions options;
  options.serial_order = serial_order;
  HistoryChecker checker(HistoryHeader{}, options);
  for (const HistoryStep& s : history) checker.Add(s);
  return checker.Finish();
}

RC_GTEST_PROP(HistoryCheckerProperty, SerialEquivalentHistoriesAreValid, ()) {
  const std::vector<HistoryStep> history = RandomValidHistory();
  const CheckReport report = Check(history, /*serial_order=*/true);
  RC_ASSERT(report.valid());
  RC_ASSERT(report.steps_checked == history.size());
  // The serial order is a topological order: a permutation that keeps program and real-time order.
  RC_ASSERT(report.serial_order.has_value());
  const auto& order = *report.serial_order;
  RC_ASSERT(order.size() == history.size());
  std::vector<std::size_t> position(history.size(), history.size());
  for (std::size_t i = 0; i < order.size(); ++i) position.at(order[i]) = i;
  for (std::size_t a = 0; a < history.size(); ++a) {
    for (std::size_t b = 0; b < history.size(); ++b) {
      const bool same_owner_before = history[a].owner == history[b].owner && a < b;
      const bool real_time = history[a].end < history[b].start;
      if (same_owner_before || real_time) RC_ASSERT(position[a] < position[b]);
    }
  }
}

RC_GTEST_PROP(HistoryCheckerProperty, StaleReadIsCaught, ()) {
  std::vector<HistoryStep> history = RandomValidHistory();
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].effect == Effect::kRead && history[i].version.value() > 0)
      candidates.push_back(i);
  }
  RC_PRE(!candidates.empty());
  HistoryStep& s = history[*rc::gen::elementOf(candidates)];
  s.seen_version = Version{s.seen_version.value() - 1};
  RC_ASSERT(Check(history).Count(AnomalyType::kStaleRead) >= 1);
}

RC_GTEST_PROP(HistoryCheckerProperty, AnotherOwnersStampIsCaught, ()) {
  std::vector<HistoryStep> history = RandomValidHistory();
  HistoryStep& s = history[*rc::gen::inRange<std::size_t>(0, history.size())];
  s.seen_owner = OwnerId{s.owner.value() + 100};
  RC_ASSERT(Check(history).Count(AnomalyType::kOwnerLeak) >= 1);
}

RC_GTEST_PROP(HistoryCheckerProperty, DuplicatedCommitIsCaught, ()) {
  std::vector<HistoryStep> history = RandomValidHistory();
  std::vector<std::size_t> writes;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].effect == Effect::kWrite && history[i].version.value() > 0) writes.push_back(i);
  }
  RC_PRE(!writes.empty());
  HistoryStep& w = history[*rc::gen::elementOf(writes)];
  w.commit_version = w.version;  // commits again the version the previous WRITE committed
  RC_ASSERT(Check(history).Count(AnomalyType::kLostUpdate) >= 1);
}

RC_GTEST_PROP(HistoryCheckerProperty, SkippedVersionIsCaught, ()) {
  std::vector<HistoryStep> history = RandomValidHistory();
  std::vector<std::size_t> writes;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].effect == Effect::kWrite) writes.push_back(i);
  }
  RC_PRE(!writes.empty());
  HistoryStep& w = history[*rc::gen::elementOf(writes)];
  w.commit_version = Version{w.commit_version->value() + 1};
  RC_ASSERT(Check(history).Count(AnomalyType::kVersionGap) >= 1);
}

// The reader returns a value or an Error on any input; what it accepts, the checker takes.
RC_GTEST_PROP(HistoryReaderFuzz, NeverCrashesOnRandomOrMutatedLines, ()) {
  const std::vector<HistoryStep> history = RandomValidHistory();
  std::string line = FormatHistoryStep(*rc::gen::elementOf(history));
  const int mutations = *rc::gen::inRange(0, 4);
  for (int i = 0; i < mutations && !line.empty(); ++i) {
    const auto at = *rc::gen::inRange<std::size_t>(0, line.size());
    switch (*rc::gen::inRange(0, 4)) {
      case 0:
        line[at] = static_cast<char>(*rc::gen::arbitrary<std::uint8_t>());
        break;
      case 1:
        line.resize(at);
        break;
      case 2:
        line.insert(at, *rc::gen::arbitrary<std::string>());
        break;
      default:
        line.erase(at, *rc::gen::inRange<std::size_t>(0, 8));
        break;
    }
  }
  if (*rc::gen::inRange(0, 8) == 0) line = *rc::gen::arbitrary<std::string>();
  std::string padded = line + std::string(kLinePadding, '\0');
  simdjson::ondemand::parser parser;
  HistoryStep step;
  const Status status =
      ParseHistoryStep(parser, std::string_view(padded.data(), line.size()), {"fuzz", 2, ""}, step);
  if (status.ok()) {
    HistoryChecker checker(HistoryHeader{}, CheckOptions{});
    checker.Add(step);
    RC_ASSERT(checker.Finish().steps_checked == 1u);
  } else {
    RC_ASSERT(!status.error().message.empty());
  }
}

// Whole files: random bytes, or a valid history cut or corrupted anywhere, plain or named .zst.
RC_GTEST_PROP(HistoryReaderFuzz, NeverCrashesOnRandomOrMutatedFiles, ()) {
  std::string contents = FormatHistoryHeader(HistoryHeader{}) + "\n";
  for (const HistoryStep& s : RandomValidHistory()) contents += FormatHistoryStep(s) + "\n";
  if (*rc::gen::inRange(0, 4) == 0) {
    contents = *rc::gen::arbitrary<std::string>();
  } else {
    const auto at = *rc::gen::inRange<std::size_t>(0, contents.size());
    if (*rc::gen::arbitrary<bool>()) {
      contents.resize(at);
    } else {
      contents[at] = static_cast<char>(*rc::gen::arbitrary<std::uint8_t>());
    }
  }
  testing::TempDir dir;
  const std::string path =
      dir.Write(*rc::gen::arbitrary<bool>() ? "h.jsonl" : "h.jsonl.zst", contents);
  const Result<CheckReport> report = CheckHistoryFile(path, CheckOptions{}, nullptr);
  if (!report.ok()) RC_ASSERT(!report.error().ToString().empty());
}

}  // namespace
}  // namespace rwttt
