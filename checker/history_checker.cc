#include "checker/history_checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "checker/history_reader.h"
#include "checker/internal/dependency_graph.h"
#include "checker/internal/findings.h"
#include "checker/internal/isolation_check.h"
#include "checker/internal/record_set.h"
#include "checker/internal/serial_reference_check.h"
#include "checker/internal/structure_check.h"
#include "checker/internal/version_check.h"
#include "core/check.h"

namespace rwttt {

using internal::Detail;
using internal::kNone;
using internal::StepRecord;

namespace internal {

void RecordSet::IndexByOwner() {
  owner_begin.assign(owner_ids.size() + 1, 0);
  for (const StepRecord& r : records) ++owner_begin[r.owner_index + 1];
  for (std::size_t o = 1; o < owner_begin.size(); ++o) owner_begin[o] += owner_begin[o - 1];
  by_owner.resize(records.size());
  std::vector<std::uint32_t> next(owner_begin.begin(), owner_begin.end() - 1);
  for (std::uint32_t i = 0; i < records.size(); ++i) by_owner[next[records[i].owner_index]++] = i;
}

std::string RecordSet::Describe(std::uint32_t index) const {
  const StepRecord& r = records[index];
  return fmt::format("step {} (owner {}, {} of tokens [{},{}) at version {})", r.step_id,
                     owner_ids[r.owner_index].value(), EffectName(r.effect), r.first_token,
                     r.end_token, r.version);
}

std::string RecordSet::DescribeBrief(std::uint32_t index) const {
  const StepRecord& r = records[index];
  return fmt::format("step {} (owner {}, {} at version {})", r.step_id,
                     owner_ids[r.owner_index].value(), EffectName(r.effect), r.version);
}

}  // namespace internal

// What Add collects; Finish runs the checks over it.
struct HistoryChecker::State {
  State(const HistoryHeader& h, CheckOptions o)
      : header(h), options(std::move(o)), findings(options.max_per_type) {}

  std::uint32_t OwnerIndex(OwnerId id) {
    const auto [it, inserted] =
        owner_index.try_emplace(id.value(), static_cast<std::uint32_t>(set.owner_ids.size()));
    if (inserted) set.owner_ids.push_back(id);
    return it->second;
  }
  std::uint32_t SlotIndex(std::uint64_t slot) {
    // Consecutive steps mostly share few slots: remember the last lookup.
    if (slot == last_slot && last_slot_index != kNone) return last_slot_index;
    const auto [it, inserted] =
        slot_index.try_emplace(slot, static_cast<std::uint32_t>(set.slot_ids.size()));
    if (inserted) set.slot_ids.push_back(slot);
    last_slot = slot;
    last_slot_index = it->second;
    return it->second;
  }

  // Whether the step reads the header's base slot (copy-on-write version 0).
  bool InBase(const HistoryStep& s) const {
    return header.base_slot && s.slot == *header.base_slot;
  }

  // The step's identity, times, owner, slots and digest, as dense indexes where the record has
  // them.
  void CopyFields(const HistoryStep& s, StepRecord& r) {
    r.step_id = s.step;
    r.has_batch = s.batch.has_value();
    r.batch = s.batch.value_or(0);
    r.start_ns = s.start.value();
    r.end_ns = s.end.value();
    r.effect = s.effect;
    r.owner_index = OwnerIndex(s.owner);
    // A step in the base slot is taken to have seen its own owner (Add): a foreign stamp logged
    // there does not make that owner one of the history's.
    r.seen_owner_index =
        s.seen_owner == s.owner || InBase(s) ? r.owner_index : OwnerIndex(s.seen_owner);
    r.slot = SlotIndex(s.slot);
    r.commit_slot = r.is_write() ? SlotIndex(s.commit_slot.value_or(s.slot)) : r.slot;
    const std::optional<std::uint64_t>& digest = r.is_write() ? s.state_digest : s.out_digest;
    r.has_digest = digest.has_value();
    r.digest = digest.value_or(0);
  }

  // The versions and tokens the record keeps in 32 bits: values no real history reaches are
  // malformed (and kept clamped so that the later checks stay in range).
  void NarrowCounters(const HistoryStep& s, StepRecord& r) {
    constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max() - 1;
    const std::uint64_t commit =
        s.commit_version ? s.commit_version->value() : s.version.value() + 1;
    for (const auto& [value, name] :
         {std::pair<std::uint64_t, const char*>{s.version.value(), "version"},
          {s.seen_version.value(), "seen_version"},
          {commit, "commit_version"},
          {s.first_token, "tokens"},
          {s.end_token, "tokens"}}) {
      if (value > kMax32) {
        findings.Add(AnomalyType::kMalformed, s.owner.value(), [&] {
          return Detail{{s.step},
                        fmt::format("step {}: {} {} is beyond the 2^32 - 2 this checker supports",
                                    s.step, name, value)};
        });
      }
    }
    auto narrow = [&](std::uint64_t v) { return static_cast<std::uint32_t>(std::min(v, kMax32)); };
    r.version = narrow(s.version.value());
    r.seen_version = narrow(s.seen_version.value());
    r.commit_version = r.is_write() ? narrow(commit) : 0;
    r.first_token = narrow(s.first_token);
    r.end_token = narrow(std::max(s.end_token, s.first_token));
  }

  // What the reader rejects, for steps that come straight from a simulator.
  void CheckFieldRules(const HistoryStep& s, const StepRecord& r) {
    if (s.end < s.start || s.first_token > s.end_token ||
        (!r.is_write() && (s.commit_slot || s.commit_version)) ||
        (r.is_write() && (!s.commit_slot || !s.commit_version))) {
      findings.Add(AnomalyType::kMalformed, s.owner.value(), [&] {
        return Detail{{s.step},
                      fmt::format("step {} breaks a field rule of the format (end_ns >= start_ns, "
                                  "first <= end token, commit fields exactly on a WRITE)",
                                  s.step)};
      });
    }
  }

  // A history is in order of start_ns, its steps and moves alike.
  void CheckStartOrder(const HistoryStep& s, const StepRecord& r) {
    const std::string what = fmt::format("{} {}", s.is_move() ? "move" : "step", s.step);
    if (r.start_ns < last_start) {
      findings.Add(AnomalyType::kMalformed, s.owner.value(), [&] {
        std::vector<std::uint64_t> steps;
        if (!last_start_move) steps.push_back(last_start_id);
        if (!s.is_move()) steps.push_back(s.step);
        return Detail{std::move(steps),
                      fmt::format("{} starts at {} ns, before {} {} that precedes it in the "
                                  "history (start {} ns): a history is in order of start_ns",
                                  what, r.start_ns, last_start_move ? "move" : "step",
                                  last_start_id, last_start)};
      });
    } else {
      last_start = r.start_ns;
      last_start_id = s.step;
      last_start_move = s.is_move();
    }
  }

  // A move: kept for check 2, judged here for its start order and its id.
  void AddMove(const HistoryStep& s) {
    RWTTT_CHECK(set.moves.size() < std::size_t{kNone}) << "more than 2^32 - 1 moves";
    internal::MoveRecord& m = set.moves.emplace_back();
    m.r.step_id = s.step;
    m.r.start_ns = s.start.value();
    m.r.end_ns = s.end.value();
    m.r.owner_index = OwnerIndex(s.owner);
    m.r.slot = SlotIndex(s.slot);
    m.r.commit_slot = SlotIndex(*s.moved_to);
    m.position = static_cast<std::uint32_t>(set.records.size());
    m.seen_owner = s.seen_owner.value();
    if (!move_ids.insert(s.step).second) {
      findings.Add(AnomalyType::kMalformed, s.owner.value(), [&] {
        return Detail{{}, fmt::format("move {} uses a move id an earlier move used", s.step)};
      });
    }
    if (s.end < s.start) {
      findings.Add(AnomalyType::kMalformed, s.owner.value(), [&] {
        return Detail{{}, fmt::format("move {} ends before it starts", s.step)};
      });
    }
    CheckStartOrder(s, m.r);
  }

  HistoryHeader header;
  CheckOptions options;
  internal::Findings findings;  // what Add finds (field values, start order)
  internal::RecordSet set;
  std::unordered_map<std::uint64_t, std::uint32_t> owner_index;
  std::unordered_map<std::uint64_t, std::uint32_t> slot_index;
  std::uint64_t last_slot = 0;
  std::uint32_t last_slot_index = kNone;
  std::int64_t last_start = INT64_MIN;  // the largest start_ns so far, and its step's id
  std::uint64_t last_start_id = 0;
  bool last_start_move = false;                // whether that was a move's
  std::unordered_set<std::uint64_t> move_ids;  // the moves' ids so far
};

HistoryChecker::HistoryChecker(const HistoryHeader& header, CheckOptions options)
    : state_(std::make_unique<State>(header, std::move(options))) {
  const CheckOptions& o = state_->options;
  RWTTT_CHECK(!o.inputs.model || !header.chunk || *header.chunk == o.inputs.model->chunk)
      << "the header's chunk " << *header.chunk << " disagrees with the model's "
      << o.inputs.model->chunk;
}

HistoryChecker::~HistoryChecker() = default;

void HistoryChecker::Add(const HistoryStep& s) {
  State& st = *state_;
  if (s.is_move()) {
    st.AddMove(s);
    return;
  }
  RWTTT_CHECK(st.set.records.size() < std::size_t{kNone}) << "more than 2^32 - 1 steps";
  StepRecord& r = st.set.records.emplace_back();
  st.CopyFields(s, r);
  st.NarrowCounters(s, r);
  if (st.InBase(s)) {
    // The base holds version 0, every owner's: checks 3 and 4 take the step to have seen
    // (its owner, 0); check 2 judges what it logged.
    if (s.seen_owner != s.owner || s.seen_version.value() != 0) {
      st.set.base_stamps.push_back({static_cast<std::uint32_t>(st.set.records.size() - 1),
                                    s.seen_owner.value(), s.seen_version.value()});
    }
    r.seen_owner_index = r.owner_index;
    r.seen_version = 0;
  }
  st.CheckFieldRules(s, r);
  st.CheckStartOrder(s, r);
}

CheckReport HistoryChecker::Finish() {
  State& st = *state_;
  internal::RecordSet& set = st.set;
  const CheckOptions& options = st.options;
  CheckReport report;
  report.steps_checked = set.records.size();
  set.IndexByOwner();
  if (st.header.base_slot) {
    const auto base = st.slot_index.find(*st.header.base_slot);
    if (base != st.slot_index.end()) set.base_slot = base->second;
  }

  const internal::ChunkChoice chunk = internal::ChooseChunk(set, st.header, options.inputs);
  report.chunk = chunk.chunk;
  report.chunk_source = chunk.source;
  report.chunk_note = chunk.note;
  internal::CheckContext ctx{set, st.header, options, chunk.chunk, nullptr, {}};
  std::vector<Request> trace;
  if (options.inputs.trace) {
    trace = *options.inputs.trace;
    std::sort(trace.begin(), trace.end(),
              [](const Request& a, const Request& b) { return a.id < b.id; });
    ctx.trace = &trace;
  }
  ctx.request_of.assign(set.owner_ids.size(), nullptr);
  if (ctx.trace != nullptr) {
    for (std::uint32_t o = 0; o < set.owner_ids.size(); ++o) {
      const auto it = std::lower_bound(trace.begin(), trace.end(), set.owner_ids[o],
                                       [](const Request& r, OwnerId id) { return r.id < id; });
      if (it != trace.end() && it->id == set.owner_ids[o]) ctx.request_of[o] = &*it;
    }
  }
  const internal::CompletenessChoice completeness = internal::ChooseCompleteness(ctx);
  report.completeness = completeness.level;
  report.completeness_note = completeness.note;

  // Checks 1, 2 and 4 on this thread, check 3 on another (they read the records only); the
  // findings merge by type, so the report is the same as run one after another. A small history
  // (a fuzz iteration, a short replay) is not worth a thread.
  internal::Findings& findings = st.findings;
  internal::Findings version_findings(options.max_per_type);
  constexpr std::size_t kStepsWorthAThread = std::size_t{1} << 16;
  std::thread versions;
  if (set.records.size() >= kStepsWorthAThread) {
    versions = std::thread([&] { internal::CheckVersions(ctx, version_findings); });
  } else {
    internal::CheckVersions(ctx, version_findings);
  }
  internal::CheckStructure(ctx, findings);
  internal::CheckBatches(ctx, findings);
  internal::CheckOwnerIsolation(ctx, findings);
  std::optional<std::vector<std::uint64_t>> order =
      internal::CheckDependencyGraph(set, options.serial_order, findings);
  if (versions.joinable()) versions.join();
  findings.Merge(std::move(version_findings));
  if (options.serial_order) report.serial_order = std::move(order);
  report.checks[static_cast<int>(CheckKind::kSerialReference)] =
      internal::CheckSerialReference(ctx, findings);
  findings.MoveInto(report);
  set = {};
  return report;
}

Result<CheckReport> CheckHistoryFile(const std::string& path, CheckOptions options,
                                     const TraceLoader& load_trace) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open(path));
  const InputSearch search{DefaultInputDirs(path), load_trace, options.reference};
  RWTTT_ASSIGN_OR_RETURN(options.inputs, LoadCheckInputs(reader->header(), path, search));
  HistoryChecker checker(reader->header(), std::move(options));
  RWTTT_TRY(reader->ReadAll(/*threads=*/0, [&](std::span<const HistoryStep> steps) {
    for (const HistoryStep& s : steps) checker.Add(s);
  }));
  return checker.Finish();
}

}  // namespace rwttt
