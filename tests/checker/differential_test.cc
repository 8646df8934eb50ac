// The production checker held against a second opinion: the deliberately simple reference checker
// (tests/checker/reference_checker.cc, written from docs/checker.md alone) on mutations of real
// histories. Real: the simulator's, under every built-in policy, with and without injected faults,
// with the chunk size known from the model, from the header's `chunk` field, or inferred, and with
// the trace known or not; some are offload runs (rwttt share_base=on offload=on on a budget too
// small for every owner at once), whose histories have move lines (docs/checker.md#moves-a-host-
// tier) and a real base slot. Both must give the same verdict and the same set of anomaly types on
// every mutant. A few mutants per generated history under `property` (400 in a run), a hundred
// under `slow` (10,000): one binary, the two tests told apart by name
// (tests/checker/CMakeLists.txt).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "checker/history_checker.h"
#include "checker/history_writer.h"
#include "core/cpu_backend.h"
#include "core/model_profile.h"
#include "harness/checked_run.h"
#include "harness/fuzz.h"
#include "sim/faults/fault_injector.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/checker/history_builder.h"
#include "tests/checker/reference_checker.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

class VectorSink final : public HistorySink {
 public:
  void Write(const HistoryStep& step) override { steps.push_back(step); }
  std::vector<HistoryStep> steps;
};

struct RealHistory {
  std::vector<HistoryStep> steps;
  std::vector<Request> trace;
  ModelProfile model;
  std::string policy;
  bool offload = false;  // rwttt share_base=on offload=on: the history may have moves
  FaultKind fault = FaultKind::kNone;
  std::optional<std::uint64_t> base_slot;  // declared in the header: copy-on-write version 0
};

// The slot no policy of these runs uses, which the histories made copy-on-write by
// ShareVersionZero declare as their base. (A real copy-on-write run logs its own base slot,
// sim/executor.h's kBaseSlot, and declares that: HistoryBaseSlot.)
constexpr std::uint64_t kSharedSlot = 1'000'000;

// The history a copy-on-write engine would have logged for the same run: every version-0 step
// reads the base slot (it found version 0 there, the same for every owner), and each owner's first
// WRITE reads the base and commits version 1 into the slot the run gave the owner.
void ShareVersionZero(std::vector<HistoryStep>& steps) {
  for (HistoryStep& s : steps) {
    if (s.version.value() == 0) s.slot = kSharedSlot;
  }
}

// `min_owners` to 16 owners arriving at most `max_gap` ns apart (so that they overlap), with ids
// 1, 4, 7, ..., and at least `min_prompt` prompt tokens.
std::vector<Request> OverlappingOwners(std::uint64_t min_owners, std::int64_t max_gap,
                                       std::uint32_t min_prompt) {
  std::vector<Request> trace;
  const auto owners = *rc::gen::inRange<std::uint64_t>(min_owners, 17);
  std::int64_t arrival = 0;
  for (std::uint64_t o = 0; o < owners; ++o) {
    arrival += *rc::gen::inRange<std::int64_t>(0, max_gap + 1);
    trace.push_back(Request{.id = OwnerId{o * 3 + 1},
                            .arrival = Nanos{arrival},
                            .prompt_tokens = *rc::gen::inRange<std::uint32_t>(min_prompt, 40),
                            .output_tokens = *rc::gen::inRange<std::uint32_t>(1, 30),
                            .seed = {}});
  }
  return trace;
}

// The options of an offload run: copy-on-write version 0 and the host tier, an owner offloaded
// after `after` steps in its slot.
PolicyOptions OffloadOptions(std::uint64_t after) {
  PolicyOptions options;
  options.Set("share_base", "on");
  options.Set("offload", "on");
  options.Set("offload_after", std::to_string(after));
  return options;
}

// A memory budget with room for the shared weights, the base and `states` owners' states: owners
// beyond that wait for a slot, and offload makes room for them.
std::uint64_t TightBudget(const ModelProfile& model, std::uint64_t states) {
  return model.shared_weight_bytes() + (states + 1) * model.state_bytes();
}

std::size_t CountMoves(const std::vector<HistoryStep>& steps) {
  return static_cast<std::size_t>(
      std::count_if(steps.begin(), steps.end(), [](const HistoryStep& s) { return s.is_move(); }));
}

// A run of the simulator on a random fuzz workload (sim/fuzz.h) of the tiny model with a random
// chunk size, under a random policy, sometimes with a fault injected. A third of the runs are
// offload runs on a tight budget, their faults the copy-on-write and host-tier ones too.
RealHistory GenerateRealHistory() {
  RealHistory h;
  h.model = LoadModelProfile("tiny").value();
  h.model.chunk = *rc::gen::element<std::uint32_t>(2, 3, 4, 8);
  h.offload = *rc::gen::element(0, 1, 2) == 0;
  h.policy = h.offload ? std::string("rwttt")
                       : *rc::gen::element<std::string>("rwttt", "rwttt", "sequential", "replicas",
                                                        "naive");
  if (h.policy == "rwttt" && *rc::gen::inRange(0, 3) == 0) {
    // Every kind up to torn-state; in offload runs the copy-on-write and host-tier kinds too, and
    // half the time one of the host tier's (stale-restore, restore-held: the kinds that strike
    // only there).
    const FaultKind last = h.offload ? FaultKind::kRestoreHeld : FaultKind::kTornState;
    h.fault = h.offload && *rc::gen::arbitrary<bool>()
                  ? *rc::gen::element(FaultKind::kStaleRestore, FaultKind::kRestoreHeld)
                  : static_cast<FaultKind>(*rc::gen::inRange(1, static_cast<int>(last) + 1));
  }
  FuzzSpace space;
  space.model = h.model;
  space.max_owners = *rc::gen::inRange<std::uint64_t>(1, 7);
  space.shared_weight_bytes = h.model.shared_weight_bytes();
  space.state_bytes = h.model.state_bytes();
  FuzzCase c = MakeFuzzCase(space, Seed{*rc::gen::arbitrary<std::uint64_t>()},
                            *rc::gen::inRange<std::uint64_t>(0, 1000));
  if (h.offload) {
    // Mostly at least 4 owners at once with a first WRITE each, so that states move; the fuzz
    // case's few owners seldom need to.
    if (*rc::gen::element(0, 1, 2, 3, 4, 5, 6, 7) != 0) c.trace = OverlappingOwners(4, 2000, 8);
    c.budget_bytes = TightBudget(h.model, *rc::gen::element<std::uint64_t>(1, 2, 3));
  } else if (*rc::gen::arbitrary<bool>()) {
    // Larger: up to 16 owners overlapping, longer programs, the whole device as the budget.
    c.trace = OverlappingOwners(1, 20000, 0);
    c.budget_bytes = LoadHardwareProfile("h100-sxm").value().memory_bytes();
  }
  h.trace = c.trace;
  SimConfig config;
  config.model = h.model;
  config.hardware = LoadHardwareProfile("h100-sxm").value();
  config.budget_bytes = c.budget_bytes;
  config.seed = c.seed;
  config.faults = FaultPlan{h.fault, 0.3};
  if (h.offload)
    config.policy_options = OffloadOptions(*rc::gen::element<std::uint64_t>(1, 2, 3, 4));
  CpuBackend cpu;
  config.backend = &cpu;
  VectorSink sink;
  config.history = &sink;
  auto policy = MakePolicy(h.policy, config.policy_options).value();
  const Result<RunResult> run = Simulate(c.trace, *policy, config);
  RC_ASSERT(run.ok());
  h.steps = std::move(sink.steps);
  if (h.offload) {
    // The run logs its own base slot: declare it, as `rwttt replay --history` does.
    h.base_slot = HistoryBaseSlot({h.policy, config.policy_options}, config).value();
    RC_ASSERT(h.base_slot.has_value());
  } else if (*rc::gen::arbitrary<bool>()) {
    ShareVersionZero(h.steps);
    h.base_slot = kSharedSlot;
  }
  return h;
}

// A history as its lines (the mutation's witness when the two checkers disagree).
std::string Jsonl(const std::vector<HistoryStep>& steps) {
  std::string out;
  for (const HistoryStep& s : steps) out += FormatHistoryStep(s) + "\n";
  return out;
}

// Keeps the step what the reader accepts: commit fields and state_digest exactly on a WRITE,
// out_digest only on a READ, start <= end.
void MakeReadable(HistoryStep& s) {
  if (s.effect == Effect::kWrite) {
    if (!s.commit_slot) s.commit_slot = s.slot;
    if (!s.commit_version) s.commit_version = Version{s.version.value() + 1};
    s.out_digest.reset();
  } else {
    s.commit_slot.reset();
    s.commit_version.reset();
    s.state_digest.reset();
  }
  if (s.end < s.start) s.end = s.start;
}

std::uint64_t Bump(std::uint64_t v) {
  return v == 0 || *rc::gen::arbitrary<bool>() ? v + 1 : v - 1;
}

// rwttt replay's first host slot (docs/checker.md#moves-a-host-tier).
constexpr std::uint64_t kHostSlot = std::uint64_t{1} << 31;

// The largest start_ns of the records before position `i` (0 if none): the earliest a record at
// `i` may start and stay in start order.
std::int64_t LatestStartBefore(const std::vector<HistoryStep>& h, std::size_t i) {
  std::int64_t latest = 0;
  for (std::size_t k = 0; k < i; ++k) latest = std::max(latest, h[k].start.value());
  return latest;
}

// A distance to shift a time by, to land on or next to a boundary: 0, 1 or up to 2,000 ns.
std::int64_t NearBoundary() {
  return *rc::gen::element<std::int64_t>(0, 0, 1, *rc::gen::inRange<std::int64_t>(1, 2000));
}

// The timing mistakes around the move at `i` (docs/checker.md#moves-a-host-tier, "the source is
// used until the copy ends" and "its own steps"), keeping the history in start order: the copy
// overlapping its owner's step before or after it, and another owner entering the source slot
// while the copy out of it runs. REQUIRES: h[i] is a move.
std::string MutateMoveTiming(std::vector<HistoryStep>& h, std::size_t i) {
  HistoryStep& m = h[i];
  // The owner's step just before and just after the move, and the first record of another owner
  // that enters the move's source slot after it (a step reading it, a WRITE committing into it, a
  // move into it).
  std::optional<std::size_t> before;
  for (std::size_t k = i; k-- > 0;) {
    if (!h[k].is_move() && h[k].owner == m.owner) {
      before = k;
      break;
    }
  }
  std::optional<std::size_t> after;
  std::optional<std::size_t> entrant;
  for (std::size_t k = i + 1; k < h.size(); ++k) {
    const HistoryStep& r = h[k];
    if (!after && !r.is_move() && r.owner == m.owner) after = k;
    const bool enters =
        r.is_move() ? *r.moved_to == m.slot : r.slot == m.slot || r.commit_slot == m.slot;
    if (!entrant && r.owner != m.owner && enters) entrant = k;
  }
  // Starts the record at `k` (after the move) `d` before the move's copy ends, in start order.
  const auto pull_into_copy = [&](std::size_t k) {
    HistoryStep& r = h[k];
    r.start = Nanos{std::max(LatestStartBefore(h, k), h[i].end.value() - NearBoundary())};
    r.end = std::max(r.end, r.start);
  };
  switch (*rc::gen::inRange(0, 5)) {
    case 0:
      if (!before) return "nothing (no step of the owner before the move)";
      m.start = Nanos{std::max(LatestStartBefore(h, i), h[*before].end.value() - NearBoundary())};
      m.end = std::max(m.end, m.start);
      return fmt::format("the move on line {} starts at {}, as its owner's step on line {} ends", i,
                         m.start.value(), *before);
    case 1:
      if (!after) return "nothing (no step of the owner after the move)";
      m.end = Nanos{std::max(m.start.value(), h[*after].start.value() + NearBoundary())};
      return fmt::format("the move on line {} ends at {}, as its owner's step on line {} starts", i,
                         m.end.value(), *after);
    case 2:
      if (!after) return "nothing (no step of the owner after the move)";
      pull_into_copy(*after);
      return fmt::format("the owner's step on line {} starts at {}, as the move on line {} ends",
                         *after, h[*after].start.value(), i);
    case 3:
      if (!entrant) return "nothing (no other owner enters the move's source)";
      pull_into_copy(*entrant);
      return fmt::format("line {} enters slot {} at {}, as the move on line {} out of it ends",
                         *entrant, m.slot, h[*entrant].start.value(), i);
    default:
      if (!entrant) return "nothing (no other owner enters the move's source)";
      m.end = Nanos{std::max(m.start.value(), h[*entrant].start.value() + NearBoundary())};
      return fmt::format("the move on line {} out of slot {} ends at {}, as line {} enters it", i,
                         m.slot, m.end.value(), *entrant);
  }
}

// One mutation of a move line, chosen at random: the mistakes a host-tier engine (or its log)
// could make. REQUIRES: h[i] is a move.
std::string MutateMove(std::vector<HistoryStep>& h, std::size_t i,
                       std::optional<std::uint64_t> base) {
  HistoryStep& m = h[i];
  // Another owner's step near the move (whose slot that owner likely holds then), if any.
  const auto near_other = [&]() -> const HistoryStep* {
    std::vector<std::size_t> near;
    const std::size_t from = i < 12 ? 0 : i - 12;
    for (std::size_t k = from; k < std::min(h.size(), i + 12); ++k) {
      if (!h[k].is_move() && h[k].owner != m.owner && (!base || h[k].slot != *base)) {
        near.push_back(k);
      }
    }
    if (near.empty()) return nullptr;
    return &h[*rc::gen::elementOf(near)];
  };
  switch (*rc::gen::inRange(0, 12)) {
    case 0:
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(i));
      return fmt::format("dropped the move on line {}", i);
    case 9:
    case 10:
      return MutateMoveTiming(h, i);
    case 1: {
      const HistoryStep* other = near_other();
      if (other == nullptr) return "nothing (no other owner near the move)";
      m.moved_to = other->slot;
      return fmt::format("the move on line {} goes to slot {}, owner {}'s", i, other->slot,
                         other->owner.value());
    }
    case 2: {
      const HistoryStep* other = near_other();
      switch (*rc::gen::inRange(0, 4)) {
        case 0:
          m.slot = other != nullptr ? other->slot : m.slot + 1;
          break;
        case 1:
          m.slot = m.slot + 1;
          break;
        case 2:
          m.slot = *m.moved_to;
          break;
        default:
          m.slot = kHostSlot + *rc::gen::inRange<std::uint64_t>(0, 4);
      }
      return fmt::format("the move on line {} comes from slot {}", i, m.slot);
    }
    case 3:
      m.seen_owner = *rc::gen::arbitrary<bool>() && near_other() != nullptr
                         ? near_other()->owner
                         : OwnerId{m.owner.value() + 1};
      return fmt::format("the move on line {} carries owner {}'s stamp", i, m.seen_owner.value());
    case 4: {
      if (i == 0) return "nothing (the move is first)";
      if (*rc::gen::arbitrary<bool>()) {
        // The line moved up, its times kept: it starts after the lines it now precedes.
        const std::size_t j = i - std::min(i, *rc::gen::inRange<std::size_t>(1, 6));
        const HistoryStep moved = m;
        h.erase(h.begin() + static_cast<std::ptrdiff_t>(i));
        h.insert(h.begin() + static_cast<std::ptrdiff_t>(j), moved);
        return fmt::format("the move on line {} moved up to line {}", i, j);
      }
      // Its start before the line above's.
      const std::int64_t above = h[i - 1].start.value();
      m.start = Nanos{std::max<std::int64_t>(0, above - *rc::gen::inRange<std::int64_t>(1, 3000))};
      return fmt::format("the move on line {} starts at {}, before the line above", i,
                         m.start.value());
    }
    case 5: {
      std::vector<std::size_t> others;
      for (std::size_t k = 0; k < h.size(); ++k) {
        if (k != i && h[k].is_move()) others.push_back(k);
      }
      if (others.empty() || *rc::gen::inRange(0, 4) == 0) {
        h.insert(h.begin() + static_cast<std::ptrdiff_t>(i), h[i]);
        return fmt::format("duplicated the move on line {}", i);
      }
      const std::size_t k = *rc::gen::elementOf(others);
      m.step = h[k].step;
      return fmt::format("the move on line {} takes the id of the move on line {}", i, k);
    }
    case 6:
      if (!base) return "nothing (no base slot)";
      if (*rc::gen::arbitrary<bool>()) {
        m.slot = *base;
        return fmt::format("the move on line {} comes out of the base", i);
      }
      m.moved_to = *base;
      return fmt::format("the move on line {} goes into the base", i);
    case 7:
      std::swap(m.slot, *m.moved_to);
      return fmt::format("the move on line {} goes the other way", i);
    case 8: {
      const HistoryStep* other = near_other();
      m.owner = other != nullptr ? other->owner : OwnerId{m.owner.value() + 1};
      if (*rc::gen::arbitrary<bool>()) m.seen_owner = m.owner;
      return fmt::format("the move on line {} is owner {}'s", i, m.owner.value());
    }
    default: {
      // Its copy's interval shifted: it may now overlap the steps around it.
      const std::int64_t d = *rc::gen::inRange<std::int64_t>(-3000, 3000);
      if (*rc::gen::arbitrary<bool>()) {
        m.end = Nanos{std::max<std::int64_t>(m.start.value(), m.end.value() + d)};
      } else {
        m.start = Nanos{std::max<std::int64_t>(0, m.start.value() + d)};
        m.end = std::max(m.end, m.start);
      }
      return fmt::format("the move on line {} runs over [{}, {}]", i, m.start.value(),
                         m.end.value());
    }
  }
}

// One mutation of the list, chosen at random; returns what it did, for the witness. A
// third of the mutations of a history with moves are of a move (MutateMove).
std::string Mutate(std::vector<HistoryStep>& h, std::uint32_t chunk,
                   std::optional<std::uint64_t> base) {
  if (h.empty()) return "nothing (empty)";
  std::vector<std::size_t> moves;
  for (std::size_t k = 0; k < h.size(); ++k) {
    if (h[k].is_move()) moves.push_back(k);
  }
  if (!moves.empty() && *rc::gen::inRange(0, 3) == 0) {
    return MutateMove(h, *rc::gen::elementOf(moves), base);
  }
  const std::size_t i = *rc::gen::inRange<std::size_t>(0, h.size());
  HistoryStep& s = h[i];
  const auto pick_other = [&] { return h[*rc::gen::inRange<std::size_t>(0, h.size())]; };
  switch (*rc::gen::inRange(0, base ? 18 : 17)) {
    case 0:
      s.version = Version{Bump(s.version.value())};
      return fmt::format("version of line {}", i);
    case 1:
      s.seen_version = Version{Bump(s.seen_version.value())};
      return fmt::format("seen_version of line {}", i);
    case 2:
      s.seen_owner =
          *rc::gen::arbitrary<bool>() ? pick_other().owner : OwnerId{s.owner.value() + 1};
      return fmt::format("seen_owner of line {}", i);
    case 3:
      s.slot = *rc::gen::arbitrary<bool>() ? pick_other().slot : s.slot + 1;
      return fmt::format("slot of line {}", i);
    case 4:
      if (s.effect != Effect::kWrite) return "nothing (commit_slot of a READ)";
      s.commit_slot = *rc::gen::arbitrary<bool>() ? pick_other().slot : s.slot + 1;
      return fmt::format("commit_slot of line {}", i);
    case 5:
      if (s.effect != Effect::kWrite) return "nothing (commit_version of a READ)";
      s.commit_version = Version{Bump(s.commit_version->value())};
      return fmt::format("commit_version of line {}", i);
    case 6:
      s.effect = s.effect == Effect::kRead ? Effect::kWrite : Effect::kRead;
      MakeReadable(s);
      return fmt::format("effect of line {}", i);
    case 7:
      if (*rc::gen::arbitrary<bool>()) {
        s.batch = pick_other().batch;
      } else {
        s.batch.reset();
      }
      return fmt::format("batch of line {}", i);
    case 8: {
      const std::int64_t d = *rc::gen::inRange<std::int64_t>(-3000, 3000);
      if (*rc::gen::arbitrary<bool>()) {
        s.start = Nanos{std::max<std::int64_t>(0, s.start.value() + d)};
      } else {
        s.end = Nanos{std::max<std::int64_t>(0, s.end.value() + d)};
      }
      if (s.end < s.start) std::swap(s.start, s.end);
      return fmt::format("time of line {}", i);
    }
    case 9:
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(i));
      return fmt::format("dropped line {}", i);
    case 10:
      h.insert(h.begin() + static_cast<std::ptrdiff_t>(i), h[i]);
      return fmt::format("duplicated line {}", i);
    case 11: {
      const std::size_t j = std::min(h.size() - 1, i + *rc::gen::inRange<std::size_t>(1, 4));
      std::swap(h[i], h[j]);
      return fmt::format("swapped lines {} and {}", i, j);
    }
    case 12: {
      std::vector<std::size_t> writes;
      for (std::size_t k = 0; k < h.size(); ++k) {
        if (h[k].effect == Effect::kWrite) writes.push_back(k);
      }
      if (writes.empty()) return "nothing (no WRITE to drop)";
      const std::size_t w = *rc::gen::elementOf(writes);
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(w));
      return fmt::format("dropped the WRITE on line {}", w);
    }
    case 13: {
      // A READ that completes a chunk, merged with its owner's READ after the chunk's WRITE.
      std::vector<std::pair<std::size_t, std::size_t>> pairs;
      for (std::size_t a = 0; a < h.size(); ++a) {
        if (h[a].is_move() || h[a].effect != Effect::kRead || h[a].end_token % chunk != 0) {
          continue;
        }
        for (std::size_t b = a + 1; b < h.size(); ++b) {
          if (!h[b].is_move() && h[b].owner == h[a].owner && h[b].effect == Effect::kRead &&
              h[b].first_token == h[a].end_token) {
            pairs.emplace_back(a, b);
            break;
          }
        }
      }
      if (pairs.empty()) return "nothing (no READs to merge)";
      const auto [a, b] = *rc::gen::elementOf(pairs);
      h[a].end_token = h[b].end_token;
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(b));
      return fmt::format("merged the READs on lines {} and {} across a chunk boundary", a, b);
    }
    case 14: {
      // An owner moves, from line i on, to another slot: an existing one or a new one.
      const OwnerId owner = s.owner;
      const std::uint64_t to = *rc::gen::arbitrary<bool>() ? pick_other().slot : 1000 + i;
      for (std::size_t k = i; k < h.size(); ++k) {
        if (h[k].owner != owner) continue;
        h[k].slot = to;
        if (h[k].commit_slot) h[k].commit_slot = to;
      }
      return fmt::format("moved owner {} to slot {} from line {}", owner.value(), to, i);
    }
    case 15:
      s.seen_owner = s.owner;
      s.seen_version = s.version;
      s.slot = pick_other().slot;
      return fmt::format("line {} reads another slot with its own stamp", i);
    case 17:
      // The copy-on-write mistakes: a step reading the base, or a WRITE committing into it.
      if (s.effect == Effect::kWrite && *rc::gen::arbitrary<bool>()) {
        s.commit_slot = *base;
        return fmt::format("line {} commits into the base", i);
      }
      s.slot = *base;
      return fmt::format("line {} reads the base", i);
    default:
      s.first_token = std::min(s.first_token, s.end_token);
      s.end_token = s.end_token + *rc::gen::inRange<std::uint64_t>(1, 3);
      return fmt::format("tokens of line {}", i);
  }
}

struct Verdicts {
  std::set<std::string> production;
  std::set<std::string> reference;
  std::string production_text;
};

// Both checkers on `steps`; C from the model (source 0), the header (1) or inferred (2).
Verdicts CheckBoth(const RealHistory& real, const std::vector<HistoryStep>& steps, int source,
                   bool trace_known) {
  HistoryHeader header;
  CheckOptions options;
  options.reference = false;
  testing::ReferenceInputs ref;
  header.base_slot = real.base_slot;
  ref.base_slot = real.base_slot;
  if (source == 0) options.inputs.model = real.model;
  if (source == 1) header.chunk = real.model.chunk;
  if (source != 2) ref.chunk = real.model.chunk;
  if (trace_known) {
    options.inputs.trace = real.trace;
    ref.trace = real.trace;
  }
  HistoryChecker checker(header, std::move(options));
  for (const HistoryStep& s : steps) checker.Add(s);
  const CheckReport report = checker.Finish();
  Verdicts v;
  v.production = testing::Types(report);
  v.production.erase("digest-mismatch");  // check 5 is not the reference's
  v.reference = testing::ReferenceAnomalyTypes(steps, ref);
  v.production_text = RenderText(report);
  return v;
}

std::string Witness(const RealHistory& real, const std::vector<HistoryStep>& steps,
                    const std::vector<std::string>& mutations, int source, bool trace_known,
                    const Verdicts& v) {
  testing::ReferenceInputs ref;
  if (source != 2) ref.chunk = real.model.chunk;
  if (trace_known) ref.trace = real.trace;
  ref.base_slot = real.base_slot;
  std::string rules;
  for (const testing::ReferenceFinding& f : testing::ReferenceFindings(steps, ref)) {
    rules += fmt::format("  {} {} at line {}\n", f.type, f.rule,
                         f.index ? std::to_string(*f.index) : "-");
  }
  return fmt::format(
      "policy {}{} fault {} chunk {} (source {}) trace {} base slot {}\nmutations: {}\n"
      "production: {}\n"
      "reference:  {}\n{}\nreference rules:\n{}history:\n{}",
      real.policy, real.offload ? " (offload)" : "", FaultKindName(real.fault), real.model.chunk,
      source == 0   ? "model"
      : source == 1 ? "header"
                    : "inferred",
      trace_known ? "known" : "unknown",
      real.base_slot ? std::to_string(*real.base_slot) : std::string("none"),
      fmt::join(mutations, "; "), fmt::join(v.production, ", "), fmt::join(v.reference, ", "),
      v.production_text, rules, Jsonl(steps));
}

void AgreeOnMutantsOfARealHistory(int mutants) {
  const RealHistory real = GenerateRealHistory();
  const int source = *rc::gen::inRange(0, 3);
  const bool trace_known = *rc::gen::arbitrary<bool>();
  // The history as run: both agree, and a correct policy without faults is valid.
  const Verdicts original = CheckBoth(real, real.steps, source, trace_known);
  if (original.production != original.reference) {
    RC_FAIL(Witness(real, real.steps, {}, source, trace_known, original));
  }
  if (real.policy != "naive" && real.fault == FaultKind::kNone) {
    RC_ASSERT(original.production.empty());
  }
  for (int m = 0; m < mutants; ++m) {
    std::vector<HistoryStep> steps = real.steps;
    std::vector<std::string> mutations;
    const int count = *rc::gen::inRange(1, 4);
    for (int k = 0; k < count; ++k) {
      mutations.push_back(Mutate(steps, real.model.chunk, real.base_slot));
    }
    const Verdicts v = CheckBoth(real, steps, source, trace_known);
    if (v.production != v.reference)
      RC_FAIL(Witness(real, steps, mutations, source, trace_known, v));
    if (m == 0) RC_TAG(v.production.empty() ? "a mutant judged valid" : "a mutant judged invalid");
    if (m == 0) RC_TAG(real.base_slot ? "copy-on-write" : "a slot per owner");
    if (m == 0 && real.offload) {
      RC_TAG(CountMoves(real.steps) > 0 ? "an offload run with moves" : "an offload run, no move");
    }
  }
}

// The sanity check under the property: a configuration like the generator's offload runs (a
// budget of 3 states, 12 owners at once) does move states, declares the run's own base slot, and
// both checkers find its history valid.
TEST(CheckerDifferential, OffloadRunsOnATightBudgetHaveMoves) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  std::vector<Request> trace;
  for (std::uint64_t o = 0; o < 12; ++o) {
    trace.push_back(Request{.id = OwnerId{o},
                            .arrival = Nanos{static_cast<std::int64_t>(o) * 100},
                            .prompt_tokens = 20,
                            .output_tokens = 12,
                            .seed = {}});
  }
  SimConfig config;
  config.model = model;
  config.hardware = LoadHardwareProfile("h100-sxm").value();
  config.budget_bytes = TightBudget(model, 3);
  config.seed = Seed{3};
  config.policy_options = OffloadOptions(2);
  CpuBackend cpu;
  config.backend = &cpu;
  VectorSink sink;
  config.history = &sink;
  auto policy = MakePolicy("rwttt", config.policy_options).value();
  const Result<RunResult> run = Simulate(trace, *policy, config);
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  const std::vector<HistoryStep>& steps = sink.steps;
  std::size_t offloads = 0;
  std::size_t restores = 0;
  for (const HistoryStep& s : steps) {
    if (!s.is_move()) continue;
    EXPECT_NE(s.slot >= kHostSlot, *s.moved_to >= kHostSlot) << FormatHistoryStep(s);
    ++(*s.moved_to >= kHostSlot ? offloads : restores);
  }
  EXPECT_GT(offloads, 0u);
  EXPECT_GT(restores, 0u);
  const std::optional<std::uint64_t> base =
      HistoryBaseSlot({"rwttt", config.policy_options}, config).value();
  ASSERT_EQ(base, std::optional<std::uint64_t>(4294967295u));
  EXPECT_TRUE(std::any_of(steps.begin(), steps.end(),
                          [&](const HistoryStep& s) { return !s.is_move() && s.slot == *base; }));
  HistoryHeader header;
  header.base_slot = base;
  header.chunk = model.chunk;
  CheckOptions options;
  options.reference = false;
  options.inputs.trace = trace;
  HistoryChecker checker(header, std::move(options));
  for (const HistoryStep& s : steps) checker.Add(s);
  const CheckReport report = checker.Finish();
  EXPECT_TRUE(report.valid()) << RenderText(report);
  testing::ReferenceInputs ref;
  ref.chunk = model.chunk;
  ref.trace = trace;
  ref.base_slot = base;
  EXPECT_EQ(testing::ReferenceAnomalyTypes(steps, ref), std::set<std::string>{});
}

RC_GTEST_PROP(CheckerDifferential, AgreesWithTheReferenceOnMutatedRealHistories, ()) {
  AgreeOnMutantsOfARealHistory(4);
}

// Label `slow`: 100 runs of 100 mutants.
RC_GTEST_PROP(CheckerDifferential, AgreesWithTheReferenceOnTenThousandMutants, ()) {
  AgreeOnMutantsOfARealHistory(100);
}

}  // namespace
}  // namespace rwttt
