#include "harness/fuzz.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/philox.h"

namespace rwttt {
namespace {

// Draws for one fuzz case: Philox counters keyed by the fuzz seed and the iteration.
class CaseDraws {
 public:
  CaseDraws(Seed seed, std::uint64_t iteration) : seed_(seed), iteration_(iteration) {}
  std::uint32_t Bits() {
    if (used_ == 4) {
      block_ = PhiloxBits(seed_.value(), static_cast<std::uint32_t>(iteration_),
                          static_cast<std::uint32_t>(iteration_ >> 32), 0xF022u, counter_++);
      used_ = 0;
    }
    return block_[used_++];
  }
  // Uniform in [lo, hi].
  std::uint64_t Range(std::uint64_t lo, std::uint64_t hi) { return lo + Bits() % (hi - lo + 1); }
  bool Chance(std::uint32_t percent) { return Bits() % 100 < percent; }

 private:
  Seed seed_;
  std::uint64_t iteration_;
  std::uint32_t counter_ = 0;
  PhiloxBlock block_{};
  int used_ = 4;
};

std::uint32_t Length(CaseDraws& d, std::uint32_t chunk) {
  // Around chunk boundaries: k*C - 1, k*C, k*C + 1 half the time, else anything up to 3C.
  if (d.Chance(50)) {
    const auto k = static_cast<std::int64_t>(d.Range(0, 3));
    const auto off = static_cast<std::int64_t>(d.Range(0, 2)) - 1;
    return static_cast<std::uint32_t>(std::max<std::int64_t>(0, k * chunk + off));
  }
  return static_cast<std::uint32_t>(d.Range(0, 3 * std::uint64_t{chunk} + 2));
}

// Budgets that hold between one owner and every owner of the case at once (for policies that
// keep one copy of the weights); replicas fit fewer copies in the same bytes.
std::uint64_t Budget(const FuzzSpace& s, std::uint64_t owners) {
  return 2 * s.shared_weight_bytes + (owners + 1) * s.state_bytes;
}

}  // namespace

FuzzCase MakeFuzzCase(const FuzzSpace& space, Seed seed, std::uint64_t iteration) {
  CaseDraws d(seed, iteration);
  FuzzCase c;
  c.iteration = iteration;
  c.seed = Seed{(std::uint64_t{d.Bits()} << 32) | d.Bits()};
  const std::uint64_t n = d.Range(1, std::max<std::uint64_t>(1, space.max_owners));
  const std::uint32_t pattern = d.Bits() % 4;  // 0 together, 1 bursts, 2 sparse, 3 random
  std::int64_t t = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    switch (pattern) {
      case 0:
        break;
      case 1:
        t += d.Chance(70) ? 0 : static_cast<std::int64_t>(d.Range(1, 200000));
        break;
      case 2:
        t += static_cast<std::int64_t>(d.Range(1'000'000, 10'000'000));
        break;
      default:
        t += static_cast<std::int64_t>(d.Range(0, 100000));
        break;
    }
    c.trace.push_back(Request{OwnerId{i},
                              Nanos{i == 0 ? 0 : t},
                              Length(d, space.model.chunk),
                              Length(d, space.model.chunk),
                              {}});
  }
  c.budget_bytes = Budget(space, d.Range(1, n));
  return c;
}

FuzzCase Shrink(const FuzzCase& failing, const Verdict& failure, const Judge& judge,
                std::uint64_t* tries) {
  FuzzCase best = failing;
  std::uint64_t judged = 0;
  const auto still_fails = [&](const FuzzCase& candidate) {
    ++judged;
    Result<Verdict> v = judge(candidate);
    return v.ok() && v->failed && v->anomaly == failure.anomaly;
  };
  // Each pass proposes smaller variants of `best`, most drastic first, and restarts from the
  // first that still fails. Every accepted variant is strictly smaller in the order (requests,
  // output tokens, prompt tokens, arrival times), so this ends.
  bool progress = true;
  while (progress) {
    progress = false;
    std::vector<FuzzCase> candidates;
    const auto& t = best.trace;
    // Fewer requests: drop halves, then single requests.
    if (t.size() > 1) {
      for (const std::size_t keep : {t.size() / 2, t.size() - t.size() / 2}) {
        FuzzCase front = best;
        front.trace.assign(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(keep));
        candidates.push_back(front);
        FuzzCase back = best;
        back.trace.assign(t.end() - static_cast<std::ptrdiff_t>(keep), t.end());
        candidates.push_back(back);
      }
      for (std::size_t i = t.size(); i-- > 0;) {
        FuzzCase c = best;
        c.trace.erase(c.trace.begin() + static_cast<std::ptrdiff_t>(i));
        candidates.push_back(c);
      }
    }
    // Coarser arrivals: everyone at once, then each arrival moved to the one before it.
    if (std::any_of(t.begin(), t.end(), [](const Request& r) { return r.arrival.value() != 0; })) {
      FuzzCase c = best;
      for (Request& r : c.trace) r.arrival = Nanos{0};
      candidates.push_back(c);
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i].arrival == t[i - 1].arrival) continue;
        FuzzCase shifted = best;
        shifted.trace[i].arrival = t[i - 1].arrival;
        candidates.push_back(shifted);
      }
    }
    // Output tokens folded into the prompt: the same stream in fewer steps (prefill READs cover
    // up to a chunk each, decode READs one token).
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i].output_tokens == 0) continue;
      for (const std::uint32_t fold : {t[i].output_tokens, 1u}) {
        FuzzCase c = best;
        c.trace[i].prompt_tokens += fold;
        c.trace[i].output_tokens -= fold;
        candidates.push_back(c);
      }
    }
    // Shorter prompts and outputs: halve, then minus one.
    for (std::size_t i = 0; i < t.size(); ++i) {
      for (bool prompt : {true, false}) {
        const std::uint32_t len = prompt ? t[i].prompt_tokens : t[i].output_tokens;
        for (const std::uint32_t shorter : {len / 2, len > 0 ? len - 1 : 0u}) {
          if (shorter >= len) continue;
          FuzzCase c = best;
          (prompt ? c.trace[i].prompt_tokens : c.trace[i].output_tokens) = shorter;
          candidates.push_back(c);
        }
      }
    }
    for (const FuzzCase& c : candidates) {
      if (c.trace.empty() || !still_fails(c)) continue;
      best = c;
      progress = true;
      break;
    }
  }
  // Renumber the survivors 0, 1, 2 ... so the saved trace reads simply.
  for (std::size_t i = 0; i < best.trace.size(); ++i) best.trace[i].id = OwnerId{i};
  if (tries != nullptr) *tries = judged;
  return best;
}

Result<std::pair<std::uint64_t, std::uint64_t>> ParseShard(std::string_view spec) {
  const auto slash = spec.find('/');
  std::uint64_t k = 0;
  std::uint64_t n = 0;
  const auto parse = [](std::string_view s, std::uint64_t& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (slash == std::string_view::npos || !parse(spec.substr(0, slash), k) ||
      !parse(spec.substr(slash + 1), n) || k < 1 || k > n) {
    return Error{ErrorCode::kUsage, "'" + std::string(spec) + "': expected K/N with 1 <= K <= N",
                 SourceLoc{"", 0, "shard"}};
  }
  return std::pair{k, n};
}

}  // namespace rwttt
