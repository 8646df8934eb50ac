// The simulator on small hand-worked runs: exact times, batches, admission and policy errors.
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "core/cpu_backend.h"
#include "sim/cost_model.h"
#include "sim/policy_registry.h"
#include "tests/sim/sim_test_util.h"

namespace rwttt {
namespace {

HardwareProfile RoundHardware() {
  return ParseHardwareProfile(R"({"name":"round","memory_bandwidth_gbs":1,"peak_tflops_bf16":1,)"
                              R"("peak_tflops_fp32":1,"memory_gib":1,"launch_overhead_ns":100,)"
                              R"("layer_overhead_ns":10})",
                              "round")
      .value();
}

SimConfig TinyConfig() {
  SimConfig c;
  c.model = LoadModelProfile("tiny").value();
  c.hardware = RoundHardware();
  c.budget_bytes = c.hardware.memory_bytes();
  return c;
}

std::vector<Request> TwoOwners() {
  // P = 8, O = 1, C = 8: READ [0,8) v0, WRITE [0,8) v0, READ [8,9) v1.
  return {Request{OwnerId{0}, Nanos{0}, 8, 1, {}}, Request{OwnerId{1}, Nanos{0}, 8, 1, {}}};
}

Result<RunResult> RunPolicy(const std::string& name, const std::vector<Request>& trace,
                            SimConfig config, testing::BatchLog* log = nullptr) {
  config.observer = log;
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(name, config.policy_options));
  return Simulate(trace, *policy, config);
}

TEST(Simulator, RwtttBatchesBothOwnersWithHandComputedTimes) {
  testing::BatchLog log;
  const RunResult r = RunPolicy("rwttt", TwoOwners(), TinyConfig(), &log).value();
  ASSERT_EQ(log.batches.size(), 3u);
  // READ x2 (8 tokens each): 12408 ns; WRITE x2: 19576 ns; READ x2 (1 token): 10616 ns.
  EXPECT_EQ(log.batches[0].end, Nanos{12408});
  EXPECT_EQ(log.batches[1].start, Nanos{12408});
  EXPECT_EQ(log.batches[1].end, Nanos{31984});
  EXPECT_EQ(log.batches[2].end, Nanos{42600});
  for (const auto& b : log.batches) EXPECT_EQ(b.steps.size(), 2u);
  EXPECT_EQ(log.batches[1].steps[0].step.tag.effect, Effect::kWrite);
  EXPECT_EQ(r.metrics.e2e.max_ns, 42600);
  EXPECT_EQ(r.metrics.ttft.p50_ns, 42600);  // the first output token is the READ of token 8
  EXPECT_EQ(r.metrics.steps, 6u);
  EXPECT_EQ(r.metrics.batch_sizes.at(2), 3u);
  EXPECT_DOUBLE_EQ(r.metrics.busy_fraction, 1.0);
}

TEST(Simulator, ACacheServesWhatTheBatchesBeforeTouched) {
  SimConfig config = TinyConfig();
  config.hardware.cache_mib = 1;
  config.hardware.cache_bandwidth_gbs = 4;  // 4 bytes/ns
  testing::BatchLog log;
  ASSERT_TRUE(RunPolicy("rwttt", TwoOwners(), config, &log).ok());
  ASSERT_EQ(log.batches.size(), 3u);
  // READ x2 (8 tokens each) finds nothing cached: 12408 ns, as without a cache.
  EXPECT_EQ(log.batches[0].end, Nanos{12408});
  // WRITE x2 finds both states: per layer 9728 B, 8192 of them from the cache: 1536 + 2048 ns.
  // 2 * (10 + 3584) + 100 = 7288 ns.
  EXPECT_EQ(log.batches[1].end - log.batches[1].start, Nanos{7288});
  // READ x2 (1 token) finds the weights (the WRITE read none, and left them) and both states:
  // per layer 5248 B, 5120 from the cache: 128 + 1280 ns. 2 * (10 + 1408) + 100 = 2936 ns.
  EXPECT_EQ(log.batches[2].end - log.batches[2].start, Nanos{2936});
}

TEST(Simulator, SequentialRunsOneOwnerToCompletionAndPaysTheSwap) {
  testing::BatchLog log;
  const RunResult r = RunPolicy("sequential", TwoOwners(), TinyConfig(), &log).value();
  ASSERT_EQ(log.batches.size(), 6u);
  // Owner 0: swap in 4096 B (8192 ns) + READ 7288, WRITE 9848, READ 6392; then owner 1 the same.
  const std::int64_t ends[] = {15480, 25328, 31720, 47200, 57048, 63440};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(log.batches[i].end, Nanos{ends[i]}) << i;
    EXPECT_EQ(log.batches[i].steps[0].step.tag.owner, OwnerId{i < 3 ? 0u : 1u});
  }
  EXPECT_EQ(log.batches[0].swap_bytes, 4096u);
  EXPECT_EQ(log.batches[1].swap_bytes, 0u);
  EXPECT_EQ(log.batches[3].swap_bytes, 4096u);  // owner 0 finished: nothing to save
  EXPECT_EQ(r.metrics.e2e.max_ns, 63440);
}

TEST(Simulator, SequentialSliceAlternatesOwnersAndSavesTheOutgoingState) {
  SimConfig c = TinyConfig();
  c.policy_options.Set("slice", "1");
  testing::BatchLog log;
  ASSERT_TRUE(RunPolicy("sequential", TwoOwners(), c, &log).ok());
  ASSERT_EQ(log.batches.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(log.batches[i].steps[0].step.tag.owner, OwnerId{static_cast<std::uint64_t>(i % 2)});
  }
  EXPECT_EQ(log.batches[0].swap_bytes, 4096u);      // load owner 0
  EXPECT_EQ(log.batches[1].swap_bytes, 2 * 4096u);  // save owner 0, load owner 1
}

// The cpu backend, counting the state copies it is asked for.
class CopyCountingBackend final : public Backend {
 public:
  std::string_view name() const override { return inner_.name(); }
  Status Reset(const ModelProfile& m, std::uint32_t slots, Seed seed) override {
    num_slots = slots;
    return inner_.Reset(m, slots, seed);
  }
  void InitSlot(std::uint32_t slot) override { inner_.InitSlot(slot); }
  void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) override {
    inner_.RunBatch(items, results);
  }
  std::uint64_t StateDigest(std::uint32_t slot) override { return inner_.StateDigest(slot); }
  void CopySlot(std::uint32_t from, std::uint32_t to) override {
    copies.push_back({from, to});
    inner_.CopySlot(from, to);
  }
  void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                  std::uint32_t end) override {
    inner_.CopyLayers(from, to, first, end);
  }
  std::uint32_t num_slots = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> copies;

 private:
  CpuBackend inner_;
};

// Measured timing performs sequential's swaps: one whole-state copy per state the plan swaps (a
// load, or a save and a load), into the buffer past the layout's slots, never over a state.
TEST(Simulator, MeasuredSequentialCopiesEverySwapIntoTheSwapBuffer) {
  for (const char* slice : {"0", "1"}) {
    SimConfig c = TinyConfig();
    c.policy_options.Set("slice", slice);
    CopyCountingBackend backend;
    c.backend = &backend;
    c.measured_timing = true;
    testing::BatchLog log;
    testing::HistoryLog measured_history;
    c.history = &measured_history;
    ASSERT_TRUE(RunPolicy("sequential", TwoOwners(), c, &log).ok());
    std::uint64_t swapped = 0;
    for (const auto& b : log.batches) swapped += b.swap_bytes;
    const std::uint64_t state = c.model.state_bytes();
    EXPECT_EQ(backend.copies.size() * state, swapped) << "slice " << slice;
    for (const auto& [from, to] : backend.copies) {
      EXPECT_EQ(to, backend.num_slots - 1);  // the buffer
      EXPECT_LT(from, backend.num_slots - 1);
    }
    // The copies change no state: every step reads and writes what the unmeasured run's does.
    c.measured_timing = false;
    testing::HistoryLog plain_history;
    c.history = &plain_history;
    ASSERT_TRUE(RunPolicy("sequential", TwoOwners(), c).ok());
    ASSERT_EQ(measured_history.steps.size(), plain_history.steps.size());
    for (std::size_t i = 0; i < plain_history.steps.size(); ++i) {
      EXPECT_EQ(measured_history.steps[i].out_digest, plain_history.steps[i].out_digest) << i;
      EXPECT_EQ(measured_history.steps[i].state_digest, plain_history.steps[i].state_digest) << i;
      EXPECT_EQ(measured_history.steps[i].slot, plain_history.steps[i].slot) << i;
    }
  }
  // Measured timing of a policy that never swaps copies nothing.
  SimConfig c = TinyConfig();
  CopyCountingBackend backend;
  c.backend = &backend;
  c.measured_timing = true;
  ASSERT_TRUE(RunPolicy("rwttt", TwoOwners(), c).ok());
  EXPECT_TRUE(backend.copies.empty());
}

// Copy-on-write version 0 (rwttt share_base=on): version-0 steps read the shared base, so a
// batch of them reads one state; each first WRITE commits version 1 into a slot of its own, and
// only then is that slot's memory charged.
TEST(Simulator, CopyOnWriteReadsTheBaseOnceAndChargesASlotAtTheFirstWrite) {
  SimConfig c = TinyConfig();
  const std::uint64_t state = c.model.state_bytes();
  // The shared weights, the base and one state: the two owners' first WRITEs take turns.
  c.budget_bytes = c.model.shared_weight_bytes() + 2 * state;
  c.policy_options.Set("share_base", "on");
  testing::BatchLog log;
  testing::HistoryLog history;
  c.history = &history;
  const RunResult r = RunPolicy("rwttt", TwoOwners(), c, &log).value();
  ASSERT_GE(log.batches.size(), 3u);
  // Both READs of version 0, in one batch, read the base: one state's bytes, not two.
  ASSERT_EQ(log.batches[0].steps.size(), 2u);
  const CostModel cost(c.model, c.hardware);
  const BatchTiming one_state =
      cost.BatchTime({.read_steps = 2, .read_tokens = 16, .read_slots = 1});
  EXPECT_EQ(log.batches[0].end - log.batches[0].start, one_state.total);
  EXPECT_LT(one_state.total, Nanos{12408});  // two states' READ (the hand-worked rwttt run)
  for (const HistoryStep& h : history.steps) {
    if (h.version.value() == 0) {
      EXPECT_EQ(h.slot, kBaseSlot) << h.step;
      EXPECT_EQ(h.seen_owner, h.owner);
      EXPECT_EQ(h.seen_version, Version{0});
    } else {
      EXPECT_NE(h.slot, kBaseSlot) << h.step;
    }
    if (h.effect == Effect::kWrite) {
      EXPECT_NE(h.commit_slot, std::optional<std::uint64_t>(kBaseSlot));
    }
  }
  // One slot's memory at a time: the second first WRITE waited for the first owner to finish.
  EXPECT_EQ(r.metrics.peak_memory_bytes, c.budget_bytes);
  EXPECT_EQ(r.metrics.steps, 6u);
}

TEST(Simulator, CopyOnWriteAdmitsOwnersThatNeverWriteWithoutAStateEach) {
  // Four owners that never write (P + O < C); room for the shared weights and two states.
  std::vector<Request> trace;
  for (std::uint64_t o = 0; o < 4; ++o) trace.push_back(Request{OwnerId{o}, Nanos{0}, 4, 1, {}});
  SimConfig c = TinyConfig();
  c.budget_bytes = c.model.shared_weight_bytes() + 2 * c.model.state_bytes();
  testing::BatchLog own;
  const RunResult own_slots = RunPolicy("rwttt", trace, c, &own).value();
  c.policy_options.Set("share_base", "on");
  testing::BatchLog shared;
  const RunResult cow = RunPolicy("rwttt", trace, c, &shared).value();
  EXPECT_EQ(own.batches.front().steps.size(), 2u);     // two states fit: two owners at a time
  EXPECT_EQ(shared.batches.front().steps.size(), 4u);  // all four read the base together
  EXPECT_LT(cow.metrics.makespan_s, own_slots.metrics.makespan_s);
}

// A first WRITE waiting for memory never deadlocks a run: admission keeps one state's memory in
// reserve, so some owner can always take a slot, finish and give it back.
TEST(Simulator, CopyOnWriteNeverDeadlocksWhenFirstWritesArriveWithMemoryFull) {
  std::vector<Request> trace;
  for (std::uint64_t o = 0; o < 12; ++o) {
    trace.push_back(Request{OwnerId{o},
                            Nanos{static_cast<std::int64_t>(o) * 50},
                            static_cast<std::uint32_t>(8 + o % 3),
                            static_cast<std::uint32_t>(1 + o % 9),
                            {}});
  }
  SimConfig c = TinyConfig();
  c.policy_options.Set("share_base", "on");
  for (std::uint64_t states = 2; states <= 5; ++states) {
    c.budget_bytes = c.model.shared_weight_bytes() + states * c.model.state_bytes();
    const Result<RunResult> r = RunPolicy("rwttt", trace, c);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->metrics.requests, trace.size());
    EXPECT_LE(r->metrics.peak_memory_bytes, c.budget_bytes);
  }
}

// The host tier (rwttt share_base=on offload=on) on the round device with a 1 GB/s host link:
// three owners whose first WRITEs find one state's memory. The owner in the slot, once it has run
// a step there, is copied to host memory (a move in the history, its own stamp with it), the
// next first WRITE takes the slot, and the owner comes back into a free slot later. Each copy
// takes the state's 4,096 bytes over the link: 4,096 ns.
TEST(Simulator, OffloadCopiesAWaitingOwnersStateToHostMemoryAndBack) {
  SimConfig c = TinyConfig();
  c.hardware.host_memory_gib = 1;
  c.hardware.host_link_gbs = 1;
  c.budget_bytes = c.model.shared_weight_bytes() + 2 * c.model.state_bytes();  // base + one
  c.policy_options.Set("share_base", "on");
  c.policy_options.Set("offload", "on");
  c.policy_options.Set("offload_after", "1");
  std::vector<Request> trace;
  for (std::uint64_t o = 0; o < 3; ++o) trace.push_back(Request{OwnerId{o}, Nanos{0}, 8, 9, {}});
  testing::BatchLog log;
  testing::HistoryLog history;
  c.history = &history;
  const RunResult r = RunPolicy("rwttt", trace, c, &log).value();
  EXPECT_EQ(r.metrics.requests, 3u);
  EXPECT_GT(r.metrics.offloads, 0u);
  EXPECT_EQ(r.metrics.offloads, r.metrics.restores);
  // Host memory holds a state from the start of its copy there to the end of its copy back.
  EXPECT_GE(r.metrics.peak_host_bytes, c.model.state_bytes());
  EXPECT_LE(r.metrics.peak_host_bytes, 3 * c.model.state_bytes());
  EXPECT_LE(r.metrics.peak_memory_bytes, c.budget_bytes);
  ASSERT_FALSE(log.moves.empty());
  for (const LinkCopy& m : log.moves) EXPECT_EQ((m.end - m.start).value(), 4096);
  // The first move: owner 0 (first into the slot) leaves slot 0 for host slot 0 with the version
  // its first WRITE committed.
  const auto first = std::find_if(history.steps.begin(), history.steps.end(),
                                  [](const HistoryStep& h) { return h.is_move(); });
  ASSERT_NE(first, history.steps.end());
  EXPECT_EQ(first->owner, OwnerId{0});
  EXPECT_EQ(first->slot, 0u);
  EXPECT_EQ(*first->moved_to, kHostSlots);
  EXPECT_EQ(first->seen_owner, OwnerId{0});
  EXPECT_EQ(first->seen_version, Version{1});
  // Every step after a restore finds its own latest version in its new slot.
  for (const HistoryStep& h : history.steps) {
    if (h.is_move()) continue;
    EXPECT_EQ(h.seen_owner, h.owner) << h.step;
    EXPECT_EQ(h.seen_version, h.version) << h.step;
  }
}

// A user's policy whose layout asks for the host tier without copy-on-write slots, or on hardware
// without a host tier, is refused before the run.
class OffloadingLayoutPolicy final : public Policy {
 public:
  explicit OffloadingLayoutPolicy(SlotMode mode) : mode_(mode) {}
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    DeviceLayout layout = DeviceLayout::OneCopy(c);
    layout.slot_mode = mode_;
    layout.offload_after_steps = 1;
    return layout;
  }
  void NextBatch(const ReadyView&, std::uint32_t, BatchPlan&) override {}

 private:
  SlotMode mode_;
};

TEST(Simulator, ALayoutThatOffloadsNeedsCopyOnWriteAndAHostTier) {
  SimConfig c = TinyConfig();
  c.hardware.host_memory_gib = 1;
  c.hardware.host_link_gbs = 1;
  OffloadingLayoutPolicy per_owner(SlotMode::kPerOwner);
  const Result<RunResult> r = Simulate(TwoOwners(), per_owner, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().ToString(),
            "the policy's layout offloads states to host memory, which needs copy-on-write slots "
            "(SlotMode::kCopyOnWrite) and hardware with a host tier; round has one");
  c.hardware.host_link_gbs = 0;
  c.hardware.host_memory_gib = 0;
  OffloadingLayoutPolicy cow(SlotMode::kCopyOnWrite);
  EXPECT_FALSE(Simulate(TwoOwners(), cow, c).ok());
}

TEST(Simulator, OffloadNeedsCopyOnWriteAndAHostTier) {
  SimConfig c = TinyConfig();  // the round device has no host tier
  c.policy_options.Set("offload", "on");
  const Result<RunResult> alone = RunPolicy("rwttt", TwoOwners(), c);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().ToString(),
            "policy_options: offload=on: needs share_base=on (the host tier makes room for the "
            "states owners take at their first WRITE)");
  c.policy_options.Set("share_base", "on");
  const Result<RunResult> no_host = RunPolicy("rwttt", TwoOwners(), c);
  ASSERT_FALSE(no_host.ok());
  EXPECT_EQ(no_host.error().ToString(),
            "policy_options: offload=on: hardware round has no host tier (host_memory_gib and "
            "host_link_gbs, docs/formats.md#hardware-profile)");
}

// The worked example of docs/cost-model.md#attention-and-the-kv-cache: tiny with 2 query heads,
// 1 KV head of 8 (32 bytes of K and V a token per layer), on the round-number device.
SimConfig TinyWithAttention() {
  SimConfig c = TinyConfig();
  c.model.attention = AttentionShape{2, 1, 8, DType::kBf16, 0};
  return c;
}

TEST(Simulator, AttentionAddsTheKvReadsAndTheKvReservationToTheHandWorkedRun) {
  testing::BatchLog log;
  const RunResult r = RunPolicy("rwttt", TwoOwners(), TinyWithAttention(), &log).value();
  ASSERT_EQ(log.batches.size(), 3u);
  // Prefill: 6144 + (16 read + 16 written) * 32 = 7168 B per layer: 2 * (10 + 7168) + 100.
  EXPECT_EQ(log.batches[0].end, Nanos{14456});
  // The WRITE attends to nothing: 19,576 ns as without attention.
  EXPECT_EQ(log.batches[1].end - log.batches[1].start, Nanos{19576});
  // Decode at position 8: 5248 + (2 * 9 read + 2 written) * 32 = 5888 B: 2 * (10 + 5888) + 100.
  EXPECT_EQ(log.batches[2].end - log.batches[2].start, Nanos{11896});
  // Each owner holds 2 layers * 32 B * 9 tokens = 576 B of KV beside its state while admitted.
  const ModelProfile& m = TinyConfig().model;
  EXPECT_EQ(r.metrics.peak_memory_bytes, m.shared_weight_bytes() + 2 * (m.state_bytes() + 576));
}

TEST(Simulator, AnOwnerWaitsForRoomForItsKvAndOneThatCanNeverFitIsNamed) {
  SimConfig c = TinyWithAttention();
  const ModelProfile& m = c.model;
  // Room for two states but only one state and its KV beside the other's: the second waits.
  c.budget_bytes = m.shared_weight_bytes() + 2 * m.state_bytes() + 576;
  const RunResult r = RunPolicy("rwttt", TwoOwners(), c).value();
  EXPECT_GT(r.metrics.admission_wait.max_ns, 0);
  EXPECT_LE(r.metrics.peak_memory_bytes, c.budget_bytes);
  // A request whose KV alone can never fit beside the weights and its state.
  c.budget_bytes = m.shared_weight_bytes() + m.state_bytes() + 575;
  const auto never = RunPolicy("rwttt", TwoOwners(), c);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(
      never.error().message,
      "request 0 can never be admitted: its KV cache for 9 tokens (576 bytes), the policy's " +
          std::to_string(m.shared_weight_bytes()) + " pinned bytes and " +
          std::to_string(m.state_bytes()) + " bytes per owner exceed the " +
          std::to_string(c.budget_bytes) + "-byte memory budget");
}

TEST(Simulator, ReplicasRunConcurrentlyAndShareTheDevice) {
  SimConfig c = TinyConfig();
  c.policy_options.Set("replicas", "2");
  testing::BatchLog log;
  const RunResult r = RunPolicy("replicas", TwoOwners(), c, &log).value();
  EXPECT_EQ(r.layout.lanes, 2u);
  ASSERT_EQ(log.batches.size(), 6u);
  // Both prefills start at 0: 120 ns of launch and layer overheads each on the host, then
  // 2 * 3584 ns of device time each, the device shared by the two (docs/cost-model.md):
  // both end at 120 + 2 * 7168. Alone, each would have ended at 120 + 7168 = 7288.
  for (int k : {0, 1}) {
    EXPECT_EQ(log.batches[k].lane, static_cast<std::uint32_t>(k));
    EXPECT_EQ(log.batches[k].start, Nanos{0});
    EXPECT_EQ(log.batches[k].end, Nanos{120 + 2 * (2 * 3584)});
  }
}

TEST(Simulator, NaiveMixesEffectsOnOneSharedSlot) {
  // Owner 1 arrives after owner 0's first READ, so READ and WRITE steps are ready together.
  std::vector<Request> trace = {Request{OwnerId{0}, Nanos{0}, 8, 4, {}},
                                Request{OwnerId{1}, Nanos{12000}, 8, 4, {}}};
  testing::BatchLog log;
  const RunResult r = RunPolicy("naive", trace, TinyConfig(), &log).value();
  EXPECT_EQ(r.layout.slot_mode, SlotMode::kShared);
  bool mixed = false;
  for (const auto& b : log.batches) {
    bool reads = false, writes = false;
    for (const auto& s : b.steps) {
      EXPECT_EQ(s.slot, 0u);
      (s.step.is_read() ? reads : writes) = true;
    }
    mixed |= reads && writes;
  }
  EXPECT_TRUE(mixed);
}

TEST(Simulator, AdmissionWaitsForMemoryAndNeverExceedsTheBudget) {
  SimConfig c = TinyConfig();
  const ModelProfile& m = c.model;
  // Room for the shared weights and exactly one owner's state.
  c.budget_bytes = m.shared_weight_bytes() + m.state_bytes();
  const RunResult r = RunPolicy("rwttt", TwoOwners(), c).value();
  EXPECT_EQ(r.metrics.peak_memory_bytes, c.budget_bytes);
  EXPECT_EQ(r.metrics.batch_sizes.at(1), 6u);  // never two owners at once
  EXPECT_GT(r.metrics.admission_wait.max_ns, 0);
  EXPECT_EQ(r.slots, 1u);
}

TEST(Simulator, ImpossibleBudgetIsAnErrorNamingIt) {
  SimConfig c = TinyConfig();
  c.budget_bytes = c.model.shared_weight_bytes();
  const auto r = RunPolicy("rwttt", TwoOwners(), c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no owner can ever be admitted"), std::string::npos);
}

TEST(Simulator, ARunPastTheClockIsAnErrorNamingTheRequest) {
  // A device this slow (made in code, below the profile reader's range) needs more than the
  // 2^63 ns the clock holds for one batch: an error, not a wrapped clock or an abort.
  SimConfig c = TinyConfig();
  c.hardware.memory_bandwidth_gbs = 1e-300;
  std::vector<Request> trace = TwoOwners();
  for (Request& r : trace) r.arrival = Nanos{1000};
  const auto r = RunPolicy("rwttt", trace, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("request 0 (the trace's request #1) would run past the "
                                    "simulator's 2^63 ns clock: its batch starts at 1000 ns",
                                    0),
            0u)
      << r.error().message;
}

// A user's policy that breaks the rules must get an error, not a crash or a wrong run.
class PutsOwnerTwice final : public Policy {
 public:
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    return DeviceLayout{1, c.model.shared_weight_bytes(), c.model.state_bytes()};
  }
  void NextBatch(const ReadyView& ready, std::uint32_t, BatchPlan& plan) override {
    ready.ForEach(Effect::kRead, [&](const ReadyStep& s) {
      plan.owners = {s.owner, s.owner};
      return false;
    });
  }
};

class NeverSchedules final : public Policy {
 public:
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    return DeviceLayout{1, c.model.shared_weight_bytes(), c.model.state_bytes()};
  }
  void NextBatch(const ReadyView&, std::uint32_t, BatchPlan&) override {}
};

TEST(Simulator, BrokenPoliciesAreErrors) {
  PutsOwnerTwice twice;
  auto r = Simulate(TwoOwners(), twice, TinyConfig());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("twice in one batch"), std::string::npos) << r.error().message;
  NeverSchedules idle;
  r = Simulate(TwoOwners(), idle, TinyConfig());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("stalled"), std::string::npos);
}

// Many lanes, each owner on its own (as replicas lays them out): NextBatch is asked only while a
// step is ready, so an instant costs what its ready owners do, not what its thousand lanes do.
class OneOwnerPerLane final : public Policy {
 public:
  Result<DeviceLayout> Configure(const PolicyContext& c) override {
    return DeviceLayout{kLanes, c.model.shared_weight_bytes(), c.model.state_bytes()};
  }
  void OnAdmit(OwnerId owner, std::uint32_t slot) override { lane_owner_[slot] = owner; }
  void NextBatch(const ReadyView& ready, std::uint32_t lane, BatchPlan& plan) override {
    ++calls;
    if (ready.count(Effect::kRead) + ready.count(Effect::kWrite) == 0) ++calls_with_nothing_ready;
    if (lane_owner_[lane] && ready.Find(*lane_owner_[lane]) != nullptr) {
      plan.owners.push_back(*lane_owner_[lane]);
    }
  }
  static constexpr std::uint32_t kLanes = 1000;
  std::uint64_t calls = 0;
  std::uint64_t calls_with_nothing_ready = 0;

 private:
  std::optional<OwnerId> lane_owner_[kLanes];
};

TEST(Simulator, NextBatchIsAskedOnlyWhileAStepIsReady) {
  OneOwnerPerLane policy;
  const auto r = Simulate(TwoOwners(), policy, TinyConfig());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(policy.calls_with_nothing_ready, 0u);
  // Both owners sit in lanes 0 and 1, so no instant asks past lane 1 before its ready steps are
  // placed: at most two calls per batch, never a thousand.
  EXPECT_LE(policy.calls, 2 * r->metrics.batches);
  EXPECT_GT(r->metrics.batches, 0u);
}

TEST(PolicyRegistry, UnknownNamesAndOptionsAreErrorsListingWhatExists) {
  PolicyOptions o;
  auto p = MakePolicy("fifo", o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "unknown policy 'fifo' (known: sequential, replicas, naive, rwttt)");
  o.Set("slices", "2");
  p = MakePolicy("sequential", o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "policy 'sequential' has no option 'slices' (it takes: slice)");
  PolicyOptions bad;
  bad.Set("max_batch", "many");
  SimConfig c = TinyConfig();
  c.policy_options = bad;
  const auto r = RunPolicy("rwttt", TwoOwners(), c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().ToString(),
            "policy_options: max_batch=many: expected an integer in [0, 18446744073709551615]");
}

}  // namespace
}  // namespace rwttt
