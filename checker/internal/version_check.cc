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
  std::vector<std::uint32_t> writes_;          // history indices, history order
  std::vector<Timed> ends_;                    // (0, end, took), sorted
  std::vector<std::uint32_t> versions_by_end_; // [ends_]: commit versions in ends_'s order
  std::vector<std::uint32_t> prefix_max_;      // [ends_]: highest version in [0, i]
  std::vector<std::uint32_t> suffix_in_run_;   // [ends_]: highest version from i to its end's run
  std::vector<Timed> starts_;                  // (0, start, took), sorted
  std::vector<Timed> version_ends_;            // (version, end, took), sorted
  std::vector<Timed> version_starts_;          // (version, start, took), sorted
};

// "before it started at 20 ns" or, when the times are equal, "as it started at 20 ns".
std::string When(std::int64_t end, std::int64_t start) {
  return fmt::format("{} it started at {} ns", end < start ? "before" : "as", start);
}

}  // namespace

void CheckVersions(const CheckContext& ctx, Findings& findings) {
  const RecordSet& set = ctx.set;
  const auto& records = set.records;
  for (std::uint32_t o = 0; o < set.owner_ids.size(); ++o) {
    const std::span<const std::uint32_t> steps = set.StepsOf(o);
    const OwnerWrites writes(records, steps);
    const std::uint64_t owner = set.owner_ids[o].value();
    // The first WRITE (history order) satisfying `pred`, for explanations.
    auto find_write = [&](auto pred) {
      for (const std::uint32_t w : writes.writes()) {
        if (pred(records[w], w)) return w;
      }
      return kNone;
    };
    std::uint32_t highest = 0;  // the owner's highest version committed earlier in the history
    std::uint32_t highest_step = kNone;
    for (const std::uint32_t i : steps) {
      const StepRecord& x = records[i];
      const AnomalyType older = x.is_write() ? AnomalyType::kLostUpdate : AnomalyType::kStaleRead;
      // At most one finding of each type per step: the first rule that finds it explains it.
      std::uint32_t found = 0;
      auto report = [&](AnomalyType type, auto detail) {
        if (found & (1u << Index(type))) return;
        found |= 1u << Index(type);
        findings.Add(type, owner, detail);
      };
      if (x.seen_owner == o) {
        const std::uint32_t sv = x.seen_version;
        if (sv > x.version) {
          report(AnomalyType::kFutureRead, [&] {
            return Detail{{x.step_id},
                          fmt::format("{} read version {} of owner {}, newer than the version {} "
                                      "it is tagged with",
                                      set.Describe(i), sv, owner, x.version)};
          });
        } else if (sv < x.version) {
          report(older, [&] {
            return Detail{{x.step_id},
                          fmt::format("{} read version {} of owner {}, older than the version {} "
                                      "it is tagged with{}",
                                      set.Describe(i), sv, owner, x.version,
                                      x.is_write() ? ": the update to that version is lost" : "")};
          });
        }
        const std::uint32_t latest = writes.LatestBefore(x);
        if (sv < latest) {
          report(older, [&] {
            const std::uint32_t w = find_write([&](const StepRecord& r, std::uint32_t) {
              return r.commit_version == latest && Precedes(r, x);
            });
            return Detail{{records[w].step_id, x.step_id},
                          fmt::format("{} read version {} of owner {}, but {} had committed "
                                      "version {} at {} ns, {}",
                                      set.Describe(i), sv, owner, set.Describe(w), latest,
                                      records[w].end_ns, When(records[w].end_ns, x.start_ns))};
          });
        }
        if (sv > 0) {
          // A WRITE committing sv that overlaps x makes this an uncommitted-read, which the
          // overlap rule below reports.
          const auto [committed, overlapping] = writes.Committing(sv, x);
          if (!committed && !overlapping) {
            report(AnomalyType::kFutureRead, [&] {
              return Detail{{x.step_id},
                            fmt::format("{} read version {} of owner {}, which no WRITE of the "
                                        "owner committed before it ran",
                                        set.Describe(i), sv, owner)};
            });
          }
        }
      }
      if (x.seen_owner == o && writes.Overlapping(x) > 0) {
        report(AnomalyType::kUncommittedRead, [&] {
          const std::uint32_t w = find_write(
              [&](const StepRecord& r, std::uint32_t wi) { return wi != i && Overlap(r, x); });
          return Detail{{records[w].step_id, x.step_id},
                        fmt::format("{} ran over [{}, {}] ns, overlapping {} over [{}, {}] ns: it "
                                    "used owner {}'s state while version {} was being committed",
                                    set.Describe(i), x.start_ns, x.end_ns, set.Describe(w),
                                    records[w].start_ns, records[w].end_ns, owner,
                                    records[w].commit_version)};
        });
      }
      if (!x.is_write()) continue;
      const std::uint32_t cv = x.commit_version;
      if (cv <= highest) {
        report(AnomalyType::kLostUpdate, [&] {
          const std::uint32_t same = find_write([&](const StepRecord& r, std::uint32_t wi) {
            return wi < i && r.commit_version == cv;
          });
          std::string before =
              cv == 0 ? "version 0, which the owner has from its admission"
              : same != kNone
                  ? fmt::format("a version {} had already committed", set.Describe(same))
                  : fmt::format("a version older than the {} that {} had already committed",
                                highest, set.Describe(highest_step));
          return Detail{{x.step_id},
                        fmt::format("{} committed version {} of owner {}, {}: one of the updates "
                                    "is lost",
                                    set.Describe(i), cv, owner, before)};
        });
      } else if (cv > highest + 1) {
        report(AnomalyType::kVersionGap, [&] {
          return Detail{{x.step_id},
                        fmt::format("{} committed version {} of owner {}, but the owner's "
                                    "versions so far reach {}, so the next is {}",
                                    set.Describe(i), cv, owner, highest, highest + 1)};
        });
      }
      if (cv > highest || highest_step == kNone) {
        highest = std::max(highest, cv);
        highest_step = i;
      }
    }
  }
}

}  // namespace rwttt::internal
