#include "checker/history_checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "checker/history_reader.h"
#include "checker/internal/dependency_graph.h"
#include "checker/internal/serial_reference_check.h"

namespace rwttt {

using internal::kNone;
using internal::Precedes;
using internal::StepRecord;

// Per-owner state of the streaming checks: where its program is, and its last commits.
struct HistoryChecker::OwnerState {
  std::uint32_t last_step = kNone;    // previous step of this owner, in history order
  std::uint32_t last_read = kNone;    // its last READ
  std::uint32_t last_write = kNone;   // its last WRITE (program order)
  std::uint32_t last_commit = kNone;  // the WRITE with the highest commit_version so far
  std::uint32_t prev_commit = kNone;  // the one before it
  std::uint32_t next_token = 0;       // first token no READ has covered yet
  std::uint32_t chunk_start = 0;      // first token of the open chunk
  std::uint32_t writes = 0;           // WRITEs in program order so far
  std::uint32_t committed = 0;        // highest version committed so far
};

HistoryChecker::HistoryChecker(const HistoryHeader& header, CheckOptions options)
    : header_(header), options_(std::move(options)), findings_(options_.max_per_type) {}

HistoryChecker::~HistoryChecker() = default;

std::uint32_t HistoryChecker::OwnerIndex(OwnerId id) {
  const auto [it, inserted] =
      owner_index_.try_emplace(id.value(), static_cast<std::uint32_t>(owner_ids_.size()));
  if (inserted) {
    owner_ids_.push_back(id);
    owners_.emplace_back();
  }
  return it->second;
}

std::string HistoryChecker::Describe(std::uint32_t index) const {
  const StepRecord& r = records_[index];
  return fmt::format("step {} (owner {}, {} of tokens [{},{}) at version {})", r.step_id,
                     owner_ids_[r.owner].value(), r.write ? "WRITE" : "READ", r.first_token,
                     r.end_token, r.version);
}

void HistoryChecker::Add(const HistoryStep& s) {
  RWTTT_CHECK(records_.size() < std::size_t{kNone}) << "more than 2^32 - 1 steps";
  const auto index = static_cast<std::uint32_t>(records_.size());
  StepRecord& r = records_.emplace_back();
  const std::uint64_t owner = s.owner.value();
  r.step_id = s.step;
  r.has_batch = s.batch.has_value();
  r.batch = s.batch.value_or(0);
  r.start_ns = s.start.value();
  r.end_ns = s.end.value();
  r.write = s.effect == Effect::kWrite;
  r.owner = OwnerIndex(s.owner);
  r.seen_owner = s.seen_owner == s.owner ? r.owner : OwnerIndex(s.seen_owner);
  const std::optional<std::uint64_t>& digest = r.write ? s.state_digest : s.out_digest;
  r.has_digest = digest.has_value();
  r.digest = digest.value_or(0);

  // Fields the record narrows: the values no real history reaches are malformed.
  constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max() - 1;
  const std::uint64_t commit = s.commit_version ? s.commit_version->value() : s.version.value() + 1;
  for (const auto& [value, name] :
       {std::pair<std::uint64_t, const char*>{s.version.value(), "version"},
        {s.seen_version.value(), "seen_version"},
        {commit, "commit_version"},
        {s.first_token, "tokens"},
        {s.end_token, "tokens"}}) {
    if (value > kMax32) {
      findings_.Add("malformed", owner, {s.step}, [&] {
        return fmt::format("step {}: {} {} is beyond the 2^32 - 2 this checker supports", s.step,
                           name, value);
      });
    }
  }
  auto narrow = [&](std::uint64_t v) { return static_cast<std::uint32_t>(std::min(v, kMax32)); };
  r.version = narrow(s.version.value());
  r.seen_version = narrow(s.seen_version.value());
  r.commit_version = r.write ? narrow(commit) : 0;
  r.first_token = narrow(s.first_token);
  r.end_token = narrow(std::max(s.end_token, s.first_token));

  // What the reader rejects, for steps that come straight from a simulator.
  if (s.end < s.start || s.first_token > s.end_token ||
      (!r.write && (s.commit_slot || s.commit_version)) ||
      (r.write && (!s.commit_slot || !s.commit_version))) {
    findings_.Add("malformed", owner, {s.step}, [&] {
      return fmt::format(
          "step {} breaks a field rule of the format (end_ns >= start_ns, "
          "first <= end token, commit fields exactly on a WRITE)",
          s.step);
    });
  }
  if (r.start_ns < last_start_) {
    findings_.Add("malformed", owner, {records_[last_start_step_].step_id, s.step}, [&] {
      return fmt::format(
          "step {} starts at {} ns, before step {} that precedes it in the history "
          "(start {} ns): a history is in order of start_ns",
          s.step, r.start_ns, records_[last_start_step_].step_id, last_start_);
    });
  } else {
    last_start_ = r.start_ns;
    last_start_step_ = index;
  }

  CheckProgramOrder(index, s);
  CheckIsolation(index, s);
  CheckVersions(index);

  OwnerState& st = owners_[r.owner];
  if (st.last_step != kNone) po_edges_.emplace_back(st.last_step, index);
  st.last_step = index;
  if (r.write) {
    st.last_write = index;
    if (st.last_commit == kNone || r.commit_version > records_[st.last_commit].commit_version) {
      st.prev_commit = st.last_commit;
      st.last_commit = index;
      st.committed = r.commit_version;
    }
  } else {
    st.last_read = index;
  }
}

void HistoryChecker::CheckProgramOrder(std::uint32_t index, const HistoryStep& s) {
  const StepRecord& r = records_[index];
  OwnerState& st = owners_[r.owner];
  const std::uint64_t owner = s.owner.value();
  auto report = [&](std::string_view type, std::vector<std::uint64_t> steps,
                    std::function<std::string()> explain) {
    findings_.Add(type, owner, std::move(steps), explain);
  };
  bool in_place = false;
  if (!r.write) {
    if (r.first_token == st.next_token && r.end_token > r.first_token) {
      in_place = true;
      st.next_token = r.end_token;
    } else if (st.last_read != kNone && r.first_token == records_[st.last_read].first_token &&
               r.end_token == records_[st.last_read].end_token) {
      const std::uint32_t prev = st.last_read;
      report("duplicate-step", {records_[prev].step_id, s.step}, [&] {
        return fmt::format("{} repeats the READ of tokens [{},{}) that {} already ran",
                           Describe(index), r.first_token, r.end_token, Describe(prev));
      });
    } else {
      report("program-order", {s.step}, [&] {
        return fmt::format(
            "{} is out of program order: owner {}'s READs have covered tokens "
            "[0,{}), so its next READ starts at token {}",
            Describe(index), owner, st.next_token, st.next_token);
      });
    }
  } else {
    const std::uint32_t size = r.end_token - r.first_token;
    const bool after_read = st.last_step != kNone && !records_[st.last_step].write;
    if (r.first_token == st.chunk_start && r.end_token == st.next_token && size > 0 && after_read) {
      in_place = true;
      st.chunk_start = r.end_token;
      if (chunk_ == 0) chunk_ = size;
      if (size != chunk_) {
        report("program-order", {s.step}, [&] {
          return fmt::format(
              "{} closes a chunk of {} tokens, but the history's first WRITE "
              "closed a chunk of {}: every WRITE closes one full chunk",
              Describe(index), size, chunk_);
        });
      }
    } else if (st.last_write != kNone && r.first_token == records_[st.last_write].first_token &&
               r.end_token == records_[st.last_write].end_token) {
      const std::uint32_t prev = st.last_write;
      report("duplicate-step", {records_[prev].step_id, s.step}, [&] {
        return fmt::format("{} repeats the WRITE closing tokens [{},{}) that {} already ran",
                           Describe(index), r.first_token, r.end_token, Describe(prev));
      });
    } else if (r.end_token > st.next_token) {
      report("program-order", {s.step}, [&] {
        return fmt::format(
            "{} closes chunk [{},{}) before its last READ: owner {}'s READs have "
            "covered only tokens [0,{})",
            Describe(index), r.first_token, r.end_token, owner, st.next_token);
      });
    } else {
      report("program-order", {s.step}, [&] {
        return fmt::format("{} is out of program order: owner {}'s open chunk is [{},{})",
                           Describe(index), owner, st.chunk_start, st.next_token);
      });
    }
  }
  // The tag: a step's version is the number of its owner's WRITEs before it in program order.
  if (in_place && r.version != st.writes) {
    report("program-order", {s.step}, [&] {
      return fmt::format(
          "{} is tagged version {}, but {} WRITEs of owner {} precede it in its "
          "program",
          Describe(index), r.version, st.writes, owner);
    });
  }
  if (in_place && r.write) ++st.writes;
  // Steps of one owner run one after another (a step is ready when the previous one completed).
  if (st.last_step != kNone) {
    const StepRecord& prev = records_[st.last_step];
    if (!Precedes(prev, r) && prev.write == r.write) {
      const std::uint32_t p = st.last_step;
      report("program-order", {prev.step_id, s.step}, [&] {
        return fmt::format(
            "{} started at {} ns, before its owner's previous step, {}, ended at "
            "{} ns",
            Describe(index), r.start_ns, Describe(p), prev.end_ns);
      });
    }
  }
}

void HistoryChecker::CheckIsolation(std::uint32_t index, const HistoryStep& s) {
  const StepRecord& r = records_[index];
  const std::uint64_t owner = s.owner.value();
  if (r.seen_owner != r.owner) {
    findings_.Add("owner-leak", owner, {s.step}, [&] {
      return fmt::format(
          "{} read slot {}, which was stamped for owner {} (version {}): it "
          "accessed another owner's state",
          Describe(index), s.slot, s.seen_owner.value(), s.seen_version.value());
    });
  } else if (r.seen_version == 0) {
    slot_owner_[s.slot] = r.owner;  // admission stamps (owner, 0)
  }
  if (!r.write || !s.commit_slot) return;
  const std::uint64_t target = *s.commit_slot;
  const auto it = slot_owner_.find(target);
  if (it != slot_owner_.end() && it->second != r.owner) {
    const OwnerId other = owner_ids_[it->second];
    findings_.Add("owner-leak", owner, {s.step}, [&] {
      return fmt::format(
          "{} committed version {} to slot {}, which holds owner {}'s state: a "
          "WRITE may commit only to its own owner's slot",
          Describe(index), r.commit_version, target, other.value());
    });
  } else if (target != s.slot) {
    findings_.Add("owner-leak", owner, {s.step}, [&] {
      return fmt::format(
          "{} read slot {} but committed version {} to slot {}: a state is "
          "updated in place",
          Describe(index), s.slot, r.commit_version, target);
    });
  }
  slot_owner_[target] = r.owner;
}

void HistoryChecker::CheckVersions(std::uint32_t index) {
  const StepRecord& r = records_[index];
  const OwnerState& st = owners_[r.owner];
  const std::uint64_t owner = owner_ids_[r.owner].value();
  const std::string_view older = r.write ? "lost-update" : "stale-read";
  bool reported = false;
  auto report = [&](std::string_view type, std::vector<std::uint64_t> steps,
                    std::function<std::string()> explain) {
    findings_.Add(type, owner, std::move(steps), explain);
    reported = true;
  };
  // A READ that overlaps a commit of its own owner (G1b).
  if (st.last_step != kNone) {
    const StepRecord& prev = records_[st.last_step];
    if (!Precedes(prev, r) && prev.write != r.write) {
      const std::uint32_t w = r.write ? index : st.last_step;
      const std::uint32_t rd = r.write ? st.last_step : index;
      report("uncommitted-read", {records_[w].step_id, records_[rd].step_id}, [&] {
        return fmt::format(
            "{} ran during {} ([{}, {}] ns against [{}, {}] ns): it read owner {}'s "
            "state while version {} was being committed",
            Describe(rd), Describe(w), records_[rd].start_ns, records_[rd].end_ns,
            records_[w].start_ns, records_[w].end_ns, owner, records_[w].commit_version);
      });
    }
  }
  if (r.seen_owner == r.owner && !reported) {
    const std::uint32_t seen = r.seen_version;
    if (seen > r.version) {
      report("future-read", {r.step_id}, [&] {
        return fmt::format(
            "{} read version {} of owner {}, newer than the version {} it is "
            "tagged with",
            Describe(index), seen, owner, r.version);
      });
    } else if (seen < r.version) {
      report(older, {r.step_id}, [&] {
        return fmt::format(
            "{} read version {} of owner {}, older than the version {} it is "
            "tagged with{}",
            Describe(index), seen, owner, r.version,
            r.write ? ": the update to that version is lost" : "");
      });
    } else if (seen > st.committed) {
      report("future-read", {r.step_id}, [&] {
        return fmt::format(
            "{} read version {} of owner {}, which no WRITE had committed when it "
            "started (the latest commit was version {})",
            Describe(index), seen, owner, st.committed);
      });
    } else {
      // The latest commit completed before this step started, and the commit of what it saw.
      std::uint32_t latest = kNone;
      for (const std::uint32_t c : {st.last_commit, st.prev_commit}) {
        if (c != kNone && Precedes(records_[c], r)) {
          latest = c;
          break;
        }
      }
      const std::uint32_t writer =
          st.last_commit != kNone && records_[st.last_commit].commit_version == seen
              ? st.last_commit
          : st.prev_commit != kNone && records_[st.prev_commit].commit_version == seen
              ? st.prev_commit
              : kNone;
      if (latest != kNone && records_[latest].commit_version > seen) {
        report(older, {records_[latest].step_id, r.step_id}, [&] {
          return fmt::format(
              "{} read version {} of owner {}, but {} had committed version {} "
              "at {} ns, before it started at {} ns",
              Describe(index), seen, owner, Describe(latest), records_[latest].commit_version,
              records_[latest].end_ns, r.start_ns);
        });
      } else if (writer != kNone && writer != index && !Precedes(records_[writer], r)) {
        report("uncommitted-read", {records_[writer].step_id, r.step_id}, [&] {
          return fmt::format(
              "{} read version {} of owner {} at {} ns, before {} finished "
              "committing it at {} ns",
              Describe(index), seen, owner, r.start_ns, Describe(writer), records_[writer].end_ns);
        });
      }
    }
  }
  if (!r.write) return;
  const std::uint32_t cv = r.commit_version;
  if (st.last_commit != kNone && cv <= st.committed) {
    const std::uint32_t first = st.last_commit;
    report("lost-update", {records_[first].step_id, r.step_id}, [&] {
      return fmt::format(
          "{} committed version {} of owner {}, which {} had already committed "
          "(versions so far reach {}): one of the two updates is lost",
          Describe(index), cv, owner, Describe(first), st.committed);
    });
  } else if (cv > st.committed + 1 || cv != r.version + 1) {
    report("version-gap", {r.step_id}, [&] {
      return fmt::format(
          "{} committed version {} of owner {}, but the next version after {} "
          "is {} and a WRITE at version {} commits {}",
          Describe(index), cv, owner, st.committed, st.committed + 1, r.version, r.version + 1);
    });
  }
}

void HistoryChecker::CheckBatchesAndIds() {
  // Sorting indices costs 4 bytes a step, once, at the end.
  std::vector<std::uint32_t> order(records_.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto by_id = [&](std::uint32_t a, std::uint32_t b) {
    return records_[a].step_id != records_[b].step_id ? records_[a].step_id < records_[b].step_id
                                                      : a < b;
  };
  // Histories usually number steps in order and keep a batch's steps together: skip the sorts.
  if (!std::is_sorted(order.begin(), order.end(), by_id)) {
    std::sort(order.begin(), order.end(), by_id);
  }
  for (std::size_t i = 1; i < order.size(); ++i) {
    const StepRecord& a = records_[order[i - 1]];
    const StepRecord& b = records_[order[i]];
    if (a.step_id != b.step_id) continue;
    findings_.Add("malformed", owner_ids_[b.owner].value(), {b.step_id}, [&] {
      return fmt::format(
          "step id {} appears more than once (owners {} and {}): step ids are "
          "unique in a history",
          b.step_id, owner_ids_[a.owner].value(), owner_ids_[b.owner].value());
    });
  }
  std::erase_if(order, [&](std::uint32_t i) { return !records_[i].has_batch; });
  auto by_batch = [&](std::uint32_t a, std::uint32_t b) {
    return records_[a].batch < records_[b].batch;
  };
  if (!std::is_sorted(order.begin(), order.end(), by_batch)) {
    std::stable_sort(order.begin(), order.end(), by_batch);
  }
  // Within a batch, by owner (batches are small).
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && records_[order[end]].batch == records_[order[begin]].batch) ++end;
    std::sort(order.begin() + begin, order.begin() + end, [&](std::uint32_t a, std::uint32_t b) {
      const StepRecord& x = records_[a];
      const StepRecord& y = records_[b];
      return x.owner != y.owner ? owner_ids_[x.owner] < owner_ids_[y.owner] : a < b;
    });
    begin = end;
  }
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && records_[order[end]].batch == records_[order[begin]].batch) ++end;
    const StepRecord& first = records_[order[begin]];
    for (std::size_t i = begin + 1; i < end; ++i) {
      const StepRecord& a = records_[order[i - 1]];
      const StepRecord& b = records_[order[i]];
      if (b.write != first.write) {
        findings_.Add("mixed-batch", owner_ids_[b.owner].value(), {first.step_id, b.step_id}, [&] {
          return fmt::format(
              "batch {} mixes effects: step {} (owner {}) is a {} and step {} "
              "(owner {}) a {}; a batch has one effect",
              b.batch, first.step_id, owner_ids_[first.owner].value(),
              first.write ? "WRITE" : "READ", b.step_id, owner_ids_[b.owner].value(),
              b.write ? "WRITE" : "READ");
        });
      }
      if (a.owner == b.owner) {
        findings_.Add("mixed-batch", owner_ids_[b.owner].value(), {a.step_id, b.step_id}, [&] {
          return fmt::format(
              "batch {} holds two steps of owner {}, steps {} and {}; a batch has "
              "distinct owners",
              b.batch, owner_ids_[b.owner].value(), a.step_id, b.step_id);
        });
      }
    }
    begin = end;
  }
}

CheckReport HistoryChecker::Finish() {
  CheckReport report;
  report.steps_checked = records_.size();
  CheckBatchesAndIds();
  internal::GraphInputs graph{records_, owner_ids_, std::move(po_edges_)};
  std::optional<std::vector<std::uint64_t>> order =
      internal::CheckDependencyGraph(graph, options_.serial_order, findings_);
  if (options_.serial_order) report.serial_order = std::move(order);
  report.checks[static_cast<int>(CheckKind::kSerialReference)] =
      internal::CheckSerialReference(header_, options_, records_, owner_ids_, findings_);
  findings_.MoveInto(report);
  records_ = {};
  return report;
}

Result<CheckReport> CheckHistoryFile(const std::string& path, CheckOptions options) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open(path));
  HistoryChecker checker(reader->header(), std::move(options));
  HistoryStep step;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(step));
    if (!more) break;
    checker.Add(step);
  }
  return checker.Finish();
}

}  // namespace rwttt
