// Properties of every run, over random traces, policies and budgets.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "checker/history_checker.h"
#include "core/program.h"
#include "sim/cache_residency.h"
#include "sim/cost_model.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/sim/sim_test_util.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

std::vector<Request> AnyTrace(std::uint32_t chunk) {
  const auto n = *rc::gen::inRange<std::uint64_t>(1, 12);
  std::vector<Request> trace;
  std::int64_t t = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    // Bursts: often zero gaps (simultaneous arrivals); lengths around chunk boundaries.
    t += *rc::gen::weightedOneOf<std::int64_t>(
        {{3, rc::gen::just<std::int64_t>(0)}, {2, rc::gen::inRange<std::int64_t>(1, 200000)}});
    const auto near = [&] {
      return *rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(0, 3 * chunk + 2),
                             rc::gen::element(chunk - 1, chunk, chunk + 1, 2 * chunk));
    };
    trace.push_back(Request{OwnerId{i * 3 + 1}, Nanos{t}, near(), near(), {}});
  }
  return trace;
}

struct Case {
  std::string policy;
  SimConfig config;
  std::vector<Request> trace;
};

Case AnyCase() {
  Case c;
  c.policy = *rc::gen::element<std::string>("sequential", "replicas", "naive", "rwttt");
  c.config.model = LoadModelProfile("tiny").value();
  c.config.hardware = LoadHardwareProfile("h100-sxm").value();
  // Budgets from "one owner at a time" to "everyone at once".
  const std::uint64_t owners = *rc::gen::inRange<std::uint64_t>(1, 6);
  c.config.budget_bytes =
      2 * c.config.model.shared_weight_bytes() + owners * 2 * c.config.model.state_bytes();
  if (c.policy == "sequential" && *rc::gen::arbitrary<bool>()) {
    c.config.policy_options.Set("slice", std::to_string(*rc::gen::inRange(1, 4)));
  }
  if (c.policy == "rwttt" && *rc::gen::arbitrary<bool>()) {
    c.config.policy_options.Set("max_batch", std::to_string(*rc::gen::inRange(1, 4)));
  }
  if (c.policy == "rwttt" && *rc::gen::arbitrary<bool>()) {
    c.config.policy_options.Set("share_base", "on");  // copy-on-write version 0
    if (*rc::gen::arbitrary<bool>()) {                // and the host tier
      c.config.policy_options.Set("offload", "on");
      c.config.policy_options.Set("offload_after", std::to_string(*rc::gen::inRange(1, 5)));
    }
  }
  if (*rc::gen::arbitrary<bool>()) {  // a last-level cache of 1 to 64 KiB (tiny: 2 KiB of weights
                                      // and 4 KiB states), faster than memory
    c.config.hardware.cache_mib = *rc::gen::inRange(1, 65) / 1024.0;
    c.config.hardware.cache_bandwidth_gbs =
        c.config.hardware.memory_bandwidth_gbs * *rc::gen::inRange(2, 11);
  }
  c.trace = AnyTrace(c.config.model.chunk);
  return c;
}

Result<RunResult> RunCase(Case& c, testing::BatchLog* log, testing::HistoryLog* history) {
  c.config.observer = log;
  c.config.history = history;
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(c.policy, c.config.policy_options));
  return Simulate(c.trace, *policy, c.config);
}

RC_GTEST_PROP(SimulatorProperty, EveryStepRunsExactlyOnceInProgramOrder, ()) {
  Case c = AnyCase();
  testing::BatchLog log;
  const auto r = RunCase(c, &log, nullptr);
  if (!r.ok()) RC_FAIL(r.error().ToString());
  std::map<OwnerId, std::vector<Step>> ran;
  for (const auto& b : log.batches) {
    for (const auto& s : b.steps) ran[s.step.tag.owner].push_back(s.step);
  }
  for (const Request& req : c.trace) {
    const auto expected = BuildProgram(req, c.config.model.chunk);
    const auto& got = ran[req.id];
    RC_ASSERT(got == expected);
  }
  RC_ASSERT(r->metrics.peak_memory_bytes <= c.config.budget_bytes);
}

RC_GTEST_PROP(SimulatorProperty, BatchesObeyTheirPolicysRule, ()) {
  Case c = AnyCase();
  testing::BatchLog log;
  testing::HistoryLog history;
  RC_ASSERT(RunCase(c, &log, &history).ok());
  // No lane runs two batches at once, and a lane's batches do not overlap.
  std::map<std::uint32_t, Nanos> lane_free;
  for (const auto& b : log.batches) {
    RC_ASSERT(b.start >= lane_free[b.lane]);
    lane_free[b.lane] = b.end;
    std::set<OwnerId> owners;
    std::set<Effect> effects;
    for (const auto& s : b.steps) {
      owners.insert(s.step.tag.owner);
      effects.insert(s.step.tag.effect);
    }
    RC_ASSERT(owners.size() == b.steps.size());  // distinct owners, whatever the policy
    if (c.policy != "naive") RC_ASSERT(effects.size() == 1u);
    if (c.policy == "sequential" || c.policy == "replicas") RC_ASSERT(b.steps.size() == 1u);
  }
  // Correct policies: every step saw its own slot stamped with its owner at its version.
  if (c.policy != "naive") {
    for (const HistoryStep& h : history.steps) {
      if (h.is_move()) continue;  // its stamp is its owner's latest version, not a tag
      RC_ASSERT(h.seen_owner == h.owner);
      RC_ASSERT(h.seen_version == h.version);
    }
  }
}

// Bandwidth is conserved (sim/device_sharing.h): whatever the window [a, b], the device time of
// the batches whose device part (after their host time) lies inside it fits in b - a, so at no
// instant do lanes running at once (replicas) move more bytes per second than the device allows.
// No batch is faster than alone, and one that overlaps no other takes exactly its own time.
RC_GTEST_PROP(SimulatorProperty, LanesAtOnceNeverExceedTheDevice, ()) {
  Case c = AnyCase();
  testing::BatchLog log;
  testing::HistoryLog history;
  RC_ASSERT(RunCase(c, &log, &history).ok());
  // Observers and the history get batches in start order, however lanes end them.
  for (std::size_t i = 1; i < log.batches.size(); ++i) {
    RC_ASSERT(log.batches[i].id == log.batches[i - 1].id + 1);
    RC_ASSERT(log.batches[i].start >= log.batches[i - 1].start);
  }
  for (std::size_t i = 1; i < history.steps.size(); ++i) {
    RC_ASSERT(history.steps[i].start >= history.steps[i - 1].start);
  }
  const CostModel cost(c.config.model, c.config.hardware);
  // What each batch finds cached: the rule, replayed in start order (sim/cache_residency.h).
  CacheResidency cache = CacheResidencyOf(c.config.model, c.config.hardware);
  // The slot each WRITE updates: its own, or (copy-on-write, a first WRITE) its owner's new one.
  std::map<std::uint64_t, std::uint64_t> updates;
  for (const HistoryStep& h : history.steps) {
    if (h.commit_slot) updates[h.step] = *h.commit_slot;
  }
  struct Timed {
    Nanos start, join, end;
    BatchTiming own;
  };
  std::vector<Timed> batches;
  bool any_cached = false;
  for (const auto& b : log.batches) {
    BatchShape shape;
    shape.swap_bytes = b.swap_bytes;
    std::set<std::uint32_t> read_slots, write_slots;
    for (const auto& s : b.steps) {
      if (s.step.is_read()) {
        ++shape.read_steps;
        shape.read_tokens += s.step.tokens();
        read_slots.insert(s.slot);
      } else {
        ++shape.write_steps;
        write_slots.insert(static_cast<std::uint32_t>(updates.at(s.step_id)));
      }
    }
    shape.read_slots = read_slots.size();
    shape.write_slots = write_slots.size();
    const std::vector<std::uint32_t> reads(read_slots.begin(), read_slots.end());
    const std::vector<std::uint32_t> writes(write_slots.begin(), write_slots.end());
    cache.Place(b.lane, reads, writes, shape);
    any_cached = any_cached || shape.cached_read_slots + shape.cached_write_slots > 0;
    const BatchTiming own = cost.BatchTime(shape);
    batches.push_back(Timed{b.start, b.start + own.host(), b.end, own});
  }
  for (const Timed& x : batches) {
    RC_ASSERT(x.end - x.start >= x.own.total);
    // Windows from x's join: the batches joining no earlier, by end, their device time summed.
    std::vector<std::pair<Nanos, Nanos>> later;  // (end, device)
    for (const Timed& z : batches) {
      if (z.join >= x.join) later.emplace_back(z.end, z.own.device);
    }
    std::sort(later.begin(), later.end());
    Nanos inside{0};
    for (const auto& [end, device] : later) {
      inside = inside + device;
      RC_ASSERT(inside <= end - x.join);
    }
    const bool alone = std::none_of(batches.begin(), batches.end(), [&](const Timed& o) {
      return &o != &x && o.start < x.end && o.end > x.start;
    });
    if (alone) RC_ASSERT(x.end - x.start == x.own.total);
  }
  if (c.policy == "replicas" && log.batches.size() > 1) RC_TAG("replicas");
  if (any_cached) RC_TAG("cached");
}

// The host tier (rwttt share_base=on offload=on) over random traces and budgets, tight ones
// included: every workload completes, its history (moves and all) checks valid, each direction of
// the link copies one state at a time for its bytes over the link's bandwidth, and an owner's state
// is back in a slot before its next step starts.
RC_GTEST_PROP(SimulatorProperty, OffloadRunsCompleteAndCheckValid, ()) {
  Case c;
  c.policy = "rwttt";
  c.config.model = LoadModelProfile("tiny").value();
  c.config.hardware = LoadHardwareProfile("h100-sxm").value();
  const std::uint64_t state = c.config.model.state_bytes();
  c.config.budget_bytes = c.config.model.shared_weight_bytes() +
                          *rc::gen::inRange<std::uint64_t>(2, 6) * state;  // base + 1 to 4
  c.config.policy_options.Set("share_base", "on");
  c.config.policy_options.Set("offload", "on");
  c.config.policy_options.Set("offload_after", std::to_string(*rc::gen::inRange(1, 5)));
  c.trace = AnyTrace(c.config.model.chunk);
  testing::BatchLog log;
  testing::HistoryLog history;
  const auto r = RunCase(c, &log, &history);
  if (!r.ok()) RC_FAIL(r.error().ToString());
  RC_ASSERT(r->metrics.requests == c.trace.size());
  RC_ASSERT(r->metrics.peak_memory_bytes <= c.config.budget_bytes);
  RC_ASSERT(r->metrics.offloads == r->metrics.restores);
  RC_ASSERT(log.moves.size() == r->metrics.offloads + r->metrics.restores);
  HistoryHeader header;
  header.base_slot = kBaseSlot;
  header.chunk = c.config.model.chunk;
  HistoryChecker checker(header, CheckOptions{});
  for (const HistoryStep& h : history.steps) checker.Add(h);
  const CheckReport report = checker.Finish();
  RC_ASSERT(report.valid());
  const auto copy_ns = static_cast<std::int64_t>(
      std::ceil(static_cast<double>(state) / c.config.hardware.host_link_gbs));
  Nanos free_at[2] = {Nanos{0}, Nanos{0}};
  for (const LinkCopy& m : log.moves) {
    RC_ASSERT((m.end - m.start).value() == copy_ns);
    RC_ASSERT(m.start >= free_at[m.to_host ? 0 : 1]);
    free_at[m.to_host ? 0 : 1] = m.end;
  }
  std::map<OwnerId, Nanos> back_at;  // each owner's latest restore's end
  for (const HistoryStep& h : history.steps) {
    if (h.is_move()) {
      if (*h.moved_to < kHostSlots) back_at[h.owner] = h.end;
    } else {
      RC_ASSERT(h.start >= back_at[h.owner]);
    }
  }
  if (r->metrics.offloads > 0) RC_TAG("offloaded");
}

RC_GTEST_PROP(SimulatorProperty, SameInputsGiveTheSameRun, ()) {
  Case c = AnyCase();
  Case d = c;
  testing::BatchLog a, b;
  testing::HistoryLog ha, hb;
  const auto ra = RunCase(c, &a, &ha);
  const auto rb = RunCase(d, &b, &hb);
  RC_ASSERT(ra.ok() && rb.ok());
  RC_ASSERT(MetricsToJson(ra->metrics) == MetricsToJson(rb->metrics));
  RC_ASSERT(a.batches.size() == b.batches.size());
  for (std::size_t i = 0; i < a.batches.size(); ++i) {
    RC_ASSERT(a.batches[i].start == b.batches[i].start);
    RC_ASSERT(a.batches[i].end == b.batches[i].end);
    RC_ASSERT(a.batches[i].steps == b.batches[i].steps);
  }
  RC_ASSERT(ha.steps.size() == hb.steps.size());
}

RC_GTEST_PROP(SimulatorProperty, NaiveOnTwoOverlappingOwnersSeesAnotherOwnersStamp, ()) {
  // Two owners whose programs overlap in time on the naive engine: one of them must observe the
  // other's stamp in the shared slot. (The checker turns this into owner-leak.)
  Case c;
  c.policy = "naive";
  c.config.model = LoadModelProfile("tiny").value();
  c.config.hardware = LoadHardwareProfile("h100-sxm").value();
  c.config.budget_bytes = c.config.hardware.memory_bytes();
  const auto len = *rc::gen::inRange<std::uint32_t>(1, 40);
  c.trace = {Request{OwnerId{0}, Nanos{0}, len, *rc::gen::inRange<std::uint32_t>(1, 40), {}},
             Request{OwnerId{1},
                     Nanos{0},
                     *rc::gen::inRange<std::uint32_t>(1, 40),
                     *rc::gen::inRange<std::uint32_t>(1, 40),
                     {}}};
  testing::HistoryLog history;
  RC_ASSERT(RunCase(c, nullptr, &history).ok());
  bool foreign = false;
  for (const HistoryStep& h : history.steps) foreign |= h.seen_owner != h.owner;
  RC_ASSERT(foreign);
}

}  // namespace
}  // namespace rwttt
