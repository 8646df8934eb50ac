// Each injected fault leaves its physical signature in the history (the checker's tests assert
// that each is also caught and named; see tests/checker/).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "core/cpu_backend.h"
#include "core/serial_reference.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/sim/sim_test_util.h"

namespace rwttt {
namespace {

std::vector<Request> FourOwners() {
  // Overlapping owners whose programs have several chunks each (C = 8 in `tiny`).
  return {Request{OwnerId{0}, Nanos{0}, 12, 20, {}}, Request{OwnerId{1}, Nanos{0}, 5, 30, {}},
          Request{OwnerId{2}, Nanos{1000}, 16, 9, {}}, Request{OwnerId{3}, Nanos{2000}, 3, 25, {}}};
}

struct Injected {
  std::vector<HistoryStep> history;
  RunResult run;
};

Injected RunWith(FaultKind kind, const std::string& policy = "rwttt") {
  SimConfig c;
  c.model = LoadModelProfile("tiny").value();
  c.hardware = LoadHardwareProfile("h100-sxm").value();
  c.budget_bytes = c.hardware.memory_bytes();
  c.seed = Seed{5};
  c.faults = FaultPlan{kind, 0.3};
  CpuBackend cpu;
  c.backend = &cpu;
  testing::HistoryLog log;
  c.history = &log;
  auto p = MakePolicy(policy, c.policy_options).value();
  Injected out;
  out.run = Simulate(FourOwners(), *p, c).value();
  out.history = log.steps;
  return out;
}

// The first point a kind can strike always fires, so "injected > 0" cannot fail: more than one
// shows the RATE draws (0.3 here) strike too.
void ExpectMoreThanTheFirst(const RunResult& run) { EXPECT_GT(run.faults_injected, 1u); }

TEST(FaultInjection, ParsesKindsAndRates) {
  EXPECT_EQ(ParseFaultPlan("lost-update").value().kind, FaultKind::kLostUpdate);
  EXPECT_EQ(ParseFaultPlan("torn-state@0.5").value().rate, 0.5);
  EXPECT_FALSE(ParseFaultPlan("torn-state@0").ok());
  EXPECT_FALSE(ParseFaultPlan("torn-state@x").ok());
  const auto bad = ParseFaultPlan("bit-rot");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("stale-read, uncommitted-read"), std::string::npos);
}

TEST(FaultInjection, StaleReadSeesTheVersionBeforeTheLastCommit) {
  const Injected r = RunWith(FaultKind::kStaleRead);
  ExpectMoreThanTheFirst(r.run);
  int stale = 0;
  for (const HistoryStep& h : r.history) {
    if (h.effect == Effect::kRead && h.seen_owner == h.owner &&
        h.seen_version.value() + 1 == h.version.value()) {
      ++stale;
    }
  }
  EXPECT_EQ(static_cast<std::uint64_t>(stale), r.run.faults_injected);
}

TEST(FaultInjection, UncommittedReadStartsBeforeItsOwnersCommitEnds) {
  const Injected r = RunWith(FaultKind::kUncommittedRead);
  ExpectMoreThanTheFirst(r.run);
  std::map<OwnerId, HistoryStep> last_write;
  int overlapping = 0;
  Nanos previous_start{0};
  for (const HistoryStep& h : r.history) {
    EXPECT_GE(h.start, previous_start);  // still in start order
    previous_start = h.start;
    if (h.effect == Effect::kWrite) {
      last_write[h.owner] = h;
    } else if (last_write.contains(h.owner) && h.start < last_write[h.owner].end &&
               h.seen_version == *last_write[h.owner].commit_version) {
      ++overlapping;
    }
  }
  EXPECT_EQ(static_cast<std::uint64_t>(overlapping), r.run.faults_injected);
}

TEST(FaultInjection, LostUpdateCommitsOneVersionTwice) {
  const Injected r = RunWith(FaultKind::kLostUpdate);
  ExpectMoreThanTheFirst(r.run);
  std::set<std::pair<OwnerId, Version>> commits;
  int twice = 0;
  for (const HistoryStep& h : r.history) {
    if (h.effect == Effect::kWrite && !commits.insert({h.owner, *h.commit_version}).second) ++twice;
  }
  EXPECT_EQ(static_cast<std::uint64_t>(twice), r.run.faults_injected);
}

TEST(FaultInjection, CrossOwnerWriteUpdatesAnotherOwnersSlot) {
  const Injected r = RunWith(FaultKind::kCrossOwnerWrite);
  ExpectMoreThanTheFirst(r.run);
  bool foreign = false;
  for (const HistoryStep& h : r.history) {
    foreign |= h.effect == Effect::kWrite && h.seen_owner != h.owner;
  }
  EXPECT_TRUE(foreign);
}

TEST(FaultInjection, EarlyWriteRunsBeforeTheChunksLastRead) {
  const Injected r = RunWith(FaultKind::kEarlyWrite);
  ExpectMoreThanTheFirst(r.run);
  std::map<OwnerId, std::uint64_t> read_end;  // how far each owner's READs have got
  int early = 0;
  for (const HistoryStep& h : r.history) {
    if (h.effect == Effect::kRead) {
      read_end[h.owner] = h.end_token;
    } else if (read_end[h.owner] < h.end_token) {
      ++early;
    }
  }
  EXPECT_EQ(static_cast<std::uint64_t>(early), r.run.faults_injected);
}

TEST(FaultInjection, DuplicateStepRunsAReadTwiceWithTheSameOutput) {
  const Injected r = RunWith(FaultKind::kDuplicateStep);
  ExpectMoreThanTheFirst(r.run);
  std::map<std::tuple<OwnerId, std::uint64_t, std::uint64_t>, std::uint64_t> digests;
  int twice = 0;
  for (const HistoryStep& h : r.history) {
    if (h.effect != Effect::kRead) continue;
    auto [it, fresh] = digests.insert({{h.owner, h.first_token, h.end_token}, *h.out_digest});
    if (!fresh) {
      ++twice;
      EXPECT_EQ(it->second, *h.out_digest);  // a retry computes the same outputs
    }
  }
  EXPECT_EQ(static_cast<std::uint64_t>(twice), r.run.faults_injected);
}

// Digest of each owner's k-th WRITE, against the serial reference.
int WritesDifferingFromReference(const std::vector<HistoryStep>& history) {
  const ModelProfile m = LoadModelProfile("tiny").value();
  std::map<OwnerId, std::vector<std::uint64_t>> ran;
  for (const HistoryStep& h : history) {
    if (h.effect == Effect::kWrite) ran[h.owner].push_back(*h.state_digest);
  }
  int differing = 0;
  for (const Request& req : FourOwners()) {
    std::vector<std::uint64_t> expected;
    for (const ReferenceStep& s : RunSerialReference(m, req, Seed{5}).steps) {
      if (!s.step.is_read()) expected.push_back(s.state_digest);
    }
    for (std::size_t i = 0; i < std::min(expected.size(), ran[req.id].size()); ++i) {
      differing += expected[i] != ran[req.id][i];
    }
  }
  return differing;
}

TEST(FaultInjection, TornStateDivergesFromTheSerialReference) {
  const Injected r = RunWith(FaultKind::kTornState);
  ExpectMoreThanTheFirst(r.run);
  EXPECT_GT(WritesDifferingFromReference(r.history), 0);
  EXPECT_EQ(WritesDifferingFromReference(RunWith(FaultKind::kNone).history), 0);
}

TEST(FaultInjection, ACorrectRunInjectsNothing) {
  EXPECT_EQ(RunWith(FaultKind::kNone).run.faults_injected, 0u);
}

TEST(FaultInjection, NaiveReallyCorruptsState) {
  EXPECT_GT(WritesDifferingFromReference(RunWith(FaultKind::kNone, "naive").history), 0);
}

}  // namespace
}  // namespace rwttt
