#include "checker/internal/version_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <span>
#include <tuple>

namespace rwttt::internal {
namespace {

// (group, time, took): a WRITE's end or start time, grouped (by version, or all in group 0), with
// whether it took time. Sorted, "took" false first: an instantaneous WRITE ending at T precedes
// only steps that take time from T on.
using Timed = std::tuple<std::uint32_t, std::int64_t, bool>;

std::ptrdiff_t Lower(const std::vector<Timed>& v, std::uint32_t group, std::int64_t time,
                     bool took) {
  return std::lower_bound(v.begin(), v.end(), Timed{group, time, took}) - v.begin();
}
std::ptrdiff_t Upper(const std::vector<Timed>& v, std::uint32_t group, std::int64_t time,
                     bool took) {
  return std::upper_bound(v.begin(), v.end(), Timed{group, time, took}) - v.begin();
}

// Positions in `ends` (sorted) of the WRITEs of `group` that precede a step starting at `start`:
// [group begin, a) ended before it, [b, c) at its start and count (Precedes' equality clause).
struct Range {
  std::ptrdiff_t begin, before, tie, end;
};
Range Preceding(const std::vector<Timed>& ends, std::uint32_t group, const StepRecord& x) {
  const std::ptrdiff_t begin = Lower(ends, group, INT64_MIN, false);
  const std::ptrdiff_t before = Lower(ends, group, x.start_ns, false);
  const std::ptrdiff_t tie = x.took_time() ? before : Lower(ends, group, x.start_ns, true);
  const std::ptrdiff_t end = Upper(ends, group, x.start_ns, true);
  return {begin, before, tie, end};
}
std::size_t Count(const Range& r) { return (r.before - r.begin) + (r.end - r.tie); }

// How many WRITEs of `group` in `starts` (sorted) the step `x` precedes.
std::size_t Following(const std::vector<Timed>& starts, std::uint32_t group, const StepRecord& x) {
  const std::ptrdiff_t end = Lower(starts, group + 1, INT64_MIN, false);
  const std::ptrdiff_t from = Lower(starts, group, x.end_ns, !x.took_time());
  return static_cast<std::size_t>(end - from);
}

// One owner's WRITEs, sorted for O(log n) questions about real time.
class OwnerWrites {
 public:
  OwnerWrites(const Records& records, std::span<const std::uint32_t> steps) {
    for (const std::uint32_t i : steps) {
      const StepRecord& r = records[i];
      if (!r.is_write()) continue;
      writes_.push_back(i);
      ends_.emplace_back(0, r.end_ns, r.took_time());
      starts_.emplace_back(0, r.start_ns, r.took_time());
      version_ends_.emplace_back(r.commit_version, r.end_ns, r.took_time());
      version_starts_.emplace_back(r.commit_version, r.start_ns, r.took_time());
    }
    // The versions, in the order of ends_ after sorting: sort indices, not the tuples alone.
    std::vector<std::uint32_t> order(writes_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return ends_[a] < ends_[b]; });
    std::vector<Timed> sorted_ends;
    for (const std::uint32_t i : order) {
      sorted_ends.push_back(ends_[i]);
      versions_by_end_.push_back(records[writes_[i]].commit_version);
    }
    ends_ = std::move(sorted_ends);
    std::sort(starts_.begin(), starts_.end());
    std::sort(version_ends_.begin(), version_ends_.end());
    std::sort(version_starts_.begin(), version_starts_.end());
    const std::size_t n = ends_.size();
    prefix_max_.resize(n);
    suffix_in_run_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      prefix_max_[i] = std::max(i == 0 ? 0u : prefix_max_[i - 1], versions_by_end_[i]);
    }
    for (std::size_t i = n; i-- > 0;) {
      const bool same = i + 1 < n && std::get<1>(ends_[i]) == std::get<1>(ends_[i + 1]);
      suffix_in_run_[i] = std::max(same ? suffix_in_run_[i + 1] : 0u, versions_by_end_[i]);
    }
  }

  const std::vector<std::uint32_t>& writes() const { return writes_; }

  // The highest version committed by the WRITEs that precede `x` (0 if none).
  std::uint32_t LatestBefore(const StepRecord& x) const {
    const Range r = Preceding(ends_, 0, x);
    std::uint32_t best = r.before > 0 ? prefix_max_[r.before - 1] : 0;
    if (r.tie < r.end) best = std::max(best, suffix_in_run_[r.tie]);
    return best;
  }

  // How many WRITEs, other than `x`, overlap `x` in real time.
  std::size_t Overlapping(const StepRecord& x) const {
    const std::size_t n = writes_.size() - Count(Preceding(ends_, 0, x)) - Following(starts_, 0, x);
    return n - (x.is_write() ? 1 : 0);  // x neither precedes nor follows itself
  }

  // Among the WRITEs, other than `x`, that commit `version`: does one precede `x`, and does one
  // overlap it.
  std::pair<bool, bool> Committing(std::uint32_t version, const StepRecord& x) const {
    const Range r = Preceding(version_ends_, version, x);
    const std::size_t all =
        static_cast<std::size_t>(Lower(version_ends_, version + 1, INT64_MIN, false) - r.begin);
    const std::size_t preceding = Count(r);
    const std::size_t self = x.is_write() && x.commit_version == version ? 1 : 0;
    const std::size_t overlapping = all - preceding - Following(version_starts_, version, x) - self;
    return {preceding > 0, overlapping > 0};
  }

 private:
  std::vector<std::uint32_t> writes_;           // history indices, history order
  std::vector<Timed> ends_;                     // (0, end, took), sorted
  std::vector<std::uint32_t> versions_by_end_;  // [ends_]: commit versions in ends_'s order
  std::vector<std::uint32_t> prefix_max_;       // [ends_]: highest version in [0, i]
  std::vector<std::uint32_t> suffix_in_run_;    // [ends_]: highest version from i to its end's run
  std::vector<Timed> starts_;                   // (0, start, took), sorted
  std::vector<Timed> version_ends_;             // (version, end, took), sorted
  std::vector<Timed> version_starts_;           // (version, start, took), sorted
};

// "before it started at 20 ns" or, when the times are equal, "as it started at 20 ns".
std::string When(std::int64_t end, std::int64_t start) {
  return fmt::format("{} it started at {} ns", end < start ? "before" : "as", start);
}

// Judges one owner's steps against its WRITEs (docs/checker.md#check-3-version-linearizability).
class OwnerVersions {
 public:
  OwnerVersions(const RecordSet& set, std::uint32_t owner, Findings& findings)
      : set_(set),
        records_(set.records),
        owner_(owner),
        id_(set.owner_ids[owner].value()),
        writes_(set.records, set.StepsOf(owner)),
        findings_(findings) {}

  void Judge() {
    for (const std::uint32_t i : set_.StepsOf(owner_)) {
      found_ = 0;
      if (records_[i].seen_owner_index == owner_) JudgeObserved(i);
      if (records_[i].is_write()) JudgeCommit(i);
    }
  }

 private:
  // At most one finding of each type per step: the first rule that finds it explains it.
  template <typename DetailFn>
  void Report(AnomalyType type, DetailFn&& detail) {
    if (found_ & (1u << Index(type))) return;
    found_ |= 1u << Index(type);
    findings_.Add(type, id_, detail);
  }
  // The first of the owner's WRITEs (history order) satisfying `pred`, for explanations.
  template <typename Pred>
  std::uint32_t FindWrite(Pred&& pred) const {
    for (const std::uint32_t w : writes_.writes()) {
      if (pred(records_[w], w)) return w;
    }
    return kNone;
  }

  // What step i observed: its owner's version as tagged, the latest committed, committed at all,
  // and not while a commit of its owner ran.
  void JudgeObserved(std::uint32_t i) {
    const StepRecord& x = records_[i];
    const AnomalyType older = x.is_write() ? AnomalyType::kLostUpdate : AnomalyType::kStaleRead;
    const std::uint32_t sv = x.seen_version;
    if (sv > x.version) {
      Report(AnomalyType::kFutureRead, [&] {
        return Detail{{x.step_id},
                      fmt::format("{} read version {} of owner {}, newer than the version {} it "
                                  "is tagged with",
                                  set_.Describe(i), sv, id_, x.version)};
      });
    } else if (sv < x.version) {
      Report(older, [&] {
        return Detail{{x.step_id},
                      fmt::format("{} read version {} of owner {}, older than the version {} it "
                                  "is tagged with{}",
                                  set_.Describe(i), sv, id_, x.version,
                                  x.is_write() ? ": the update to that version is lost" : "")};
      });
    }
    if (const std::uint32_t latest = writes_.LatestBefore(x); sv < latest) {
      Report(older, [&] {
        const std::uint32_t w = FindWrite([&](const StepRecord& r, std::uint32_t) {
          return r.commit_version == latest && Precedes(r, x);
        });
        return Detail{{records_[w].step_id, x.step_id},
                      fmt::format("{} read version {} of owner {}, but {} had committed version "
                                  "{} at {} ns, {}",
                                  set_.Describe(i), sv, id_, set_.Describe(w), latest,
                                  records_[w].end_ns, When(records_[w].end_ns, x.start_ns))};
      });
    }
    // A WRITE committing sv that overlaps x makes this an uncommitted-read, reported below.
    if (sv > 0) {
      if (const auto [committed, overlapping] = writes_.Committing(sv, x);
          !committed && !overlapping) {
        Report(AnomalyType::kFutureRead, [&] {
          return Detail{{x.step_id},
                        fmt::format("{} read version {} of owner {}, which no WRITE of the owner "
                                    "committed before it ran",
                                    set_.Describe(i), sv, id_)};
        });
      }
    }
    if (writes_.Overlapping(x) > 0) {
      Report(AnomalyType::kUncommittedRead, [&] {
        const std::uint32_t w = FindWrite(
            [&](const StepRecord& r, std::uint32_t wi) { return wi != i && Overlap(r, x); });
        return Detail{
            {records_[w].step_id, x.step_id},
            fmt::format("{} ran over [{}, {}] ns, overlapping {} over [{}, {}] ns: it "
                        "used owner {}'s state while version {} was being committed",
                        set_.Describe(i), x.start_ns, x.end_ns, set_.Describe(w),
                        records_[w].start_ns, records_[w].end_ns, id_, records_[w].commit_version)};
      });
    }
  }

  // WRITE i's commit against the owner's highest version so far (history order).
  void JudgeCommit(std::uint32_t i) {
    const StepRecord& x = records_[i];
    const std::uint32_t cv = x.commit_version;
    if (cv <= highest_) {
      Report(AnomalyType::kLostUpdate, [&] {
        const std::uint32_t same = FindWrite([&](const StepRecord& r, std::uint32_t wi) {
          return wi < i && r.commit_version == cv;
        });
        const std::string before =
            cv == 0 ? "version 0, which the owner has from its admission"
            : same != kNone
                ? fmt::format("a version {} had already committed", set_.Describe(same))
                : fmt::format("a version older than the {} that {} had already committed", highest_,
                              set_.Describe(highest_step_));
        return Detail{{x.step_id},
                      fmt::format("{} committed version {} of owner {}, {}: one of the updates "
                                  "is lost",
                                  set_.Describe(i), cv, id_, before)};
      });
    } else if (cv > highest_ + 1) {
      Report(AnomalyType::kVersionGap, [&] {
        return Detail{{x.step_id},
                      fmt::format("{} committed version {} of owner {}, but the owner's versions "
                                  "so far reach {}, so the next is {}",
                                  set_.Describe(i), cv, id_, highest_, highest_ + 1)};
      });
    }
    if (cv > highest_ || highest_step_ == kNone) {
      highest_ = std::max(highest_, cv);
      highest_step_ = i;
    }
  }

  const RecordSet& set_;
  const Records& records_;
  std::uint32_t owner_;
  std::uint64_t id_;
  OwnerWrites writes_;
  Findings& findings_;
  std::uint32_t found_ = 0;    // types found for the step being judged
  std::uint32_t highest_ = 0;  // the highest version committed earlier in the history
  std::uint32_t highest_step_ = kNone;
};

}  // namespace

void CheckVersions(const CheckContext& ctx, Findings& findings) {
  for (std::uint32_t o = 0; o < ctx.set.owner_ids.size(); ++o) {
    OwnerVersions(ctx.set, o, findings).Judge();
  }
}

}  // namespace rwttt::internal
