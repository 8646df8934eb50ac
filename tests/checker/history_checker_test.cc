// HistoryChecker on hand-written minimal histories: one per anomaly name, and valid histories that
// look suspicious.
#include "checker/history_checker.h"

#include <gtest/gtest.h>

#include "core/model_profile.h"
#include "core/serial_reference.h"
#include "tests/checker/history_builder.h"

namespace rwttt {
namespace {

using Set = std::set<std::string>;
using testing::HistoryBuilder;
using testing::Types;

// Owner 0's program for P=4, O=2, C=4: R[0,4) W[0,4) R[4,5) R[5,6), one after another.
HistoryBuilder OneOwner() {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30);
  h.Read(0, 1, {5, 6}, 30, 40);
  return h;
}

TEST(HistoryChecker, AcceptsOneOwnerRunSerially) {
  CheckOptions o;
  o.serial_order = true;
  const CheckReport r = OneOwner().Check(o);
  EXPECT_TRUE(r.valid()) << RenderText(r);
  EXPECT_EQ(r.steps_checked, 4u);
  EXPECT_EQ(r.serial_order, (std::vector<std::uint64_t>{0, 1, 2, 3}));
}

TEST(HistoryChecker, AcceptsConcurrentStepsOfDifferentOwnersInBatches) {
  HistoryBuilder h;
  for (std::uint64_t o : {0, 1}) h.Read(o, 0, {0, 4}, 0, 10).batch = 0;
  for (std::uint64_t o : {0, 1}) h.Write(o, 0, {0, 4}, 10, 20).batch = 1;
  for (std::uint64_t o : {0, 1}) h.Read(o, 1, {4, 5}, 20, 30).batch = 2;
  const CheckReport r = h.Check();
  EXPECT_TRUE(r.valid()) << RenderText(r);
}

TEST(HistoryChecker, AcceptsSlotReuseAfterTheOwnerFinished) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).slot = 0;
  h.Write(0, 0, {0, 4}, 10, 20).commit_slot = 0;
  HistoryStep& s = h.Read(1, 0, {0, 2}, 30, 40);  // owner 1 admitted into slot 0: stamped (1, 0)
  s.slot = 0;
  const CheckReport r = h.Check();
  EXPECT_TRUE(r.valid()) << RenderText(r);
}

TEST(HistoryChecker, AcceptsStepsThatTouchInTime) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 10);  // instantaneous, at the instant the READ ended
  h.Read(0, 1, {4, 5}, 10, 20);
  h.Read(0, 1, {5, 6}, 20, 20);
  h.Read(0, 1, {6, 7}, 20, 25);
  EXPECT_TRUE(h.Check().valid()) << RenderText(h.Check());
}

TEST(HistoryChecker, FindsMalformedOrderAndDuplicateIds) {
  HistoryBuilder h = OneOwner();
  h.steps()[3].start = Nanos{5};
  h.steps()[3].end = Nanos{45};
  EXPECT_EQ(Types(h.Check()), (Set{"malformed", "program-order", "uncommitted-read"}));
  h = OneOwner();
  h.steps()[3].step = 1;
  EXPECT_EQ(Types(h.Check()), (Set{"malformed"}));
}

TEST(HistoryChecker, FindsProgramOrderGap) {
  HistoryBuilder h = OneOwner();
  h.steps()[3].first_token = 6;
  h.steps()[3].end_token = 7;
  const CheckReport r = h.Check();
  EXPECT_EQ(Types(r), (Set{"program-order"}));
  EXPECT_EQ(r.anomalies[0].steps, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(r.anomalies[0].owner, 0u);
}

TEST(HistoryChecker, FindsEarlyWrite) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 3}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  EXPECT_EQ(Types(h.Check()), (Set{"program-order"}));
}

TEST(HistoryChecker, FindsMixedBatch) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).batch = 0;
  h.Read(1, 0, {0, 2}, 0, 10).batch = 0;
  h.Write(0, 0, {0, 4}, 10, 20).batch = 1;
  h.Read(1, 0, {2, 3}, 10, 20).batch = 1;
  const CheckReport r = h.Check();
  EXPECT_EQ(Types(r), (Set{"mixed-batch"})) << RenderText(r);
  EXPECT_NE(r.anomalies[0].explanation.find("mixes effects"), std::string::npos);
}

TEST(HistoryChecker, FindsDuplicateStep) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 2}, 0, 10);
  h.Read(0, 0, {0, 2}, 10, 20);
  const CheckReport r = h.Check();
  EXPECT_EQ(Types(r), (Set{"duplicate-step"}));
  EXPECT_EQ(r.anomalies[0].steps, (std::vector<std::uint64_t>{0, 1}));
}

TEST(HistoryChecker, FindsOwnerLeakOnReadAndOnCommit) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  HistoryStep& s = h.Read(1, 0, {0, 4}, 0, 10);
  s.slot = 0;
  s.seen_owner = OwnerId{0};
  EXPECT_EQ(Types(h.Check()), (Set{"owner-leak"}));

  HistoryBuilder w;
  w.Read(0, 0, {0, 4}, 0, 10);
  w.Read(1, 0, {0, 2}, 0, 10);
  w.Write(0, 0, {0, 4}, 10, 20).commit_slot = 1;  // lands in owner 1's slot
  w.Read(1, 0, {2, 3}, 20, 30);                   // which then holds owner 0's state
  const CheckReport r = w.Check();
  EXPECT_EQ(Types(r), (Set{"owner-leak"})) << RenderText(r);
  ASSERT_EQ(r.Count(AnomalyType::kOwnerLeak), 2u) << RenderText(r);
  EXPECT_NE(r.anomalies[0].explanation.find("to slot 1, which owner 1 holds"), std::string::npos)
      << r.anomalies[0].explanation;
  EXPECT_NE(r.anomalies[1].explanation.find("the log contradicts what the slot held"),
            std::string::npos)
      << r.anomalies[1].explanation;
}

TEST(HistoryChecker, FindsLostUpdate) {
  HistoryBuilder h = OneOwner();
  h.Write(0, 0, {0, 4}, 50, 60);  // a second commit of version 1, and a re-run of the WRITE
  const CheckReport r = h.Check();
  EXPECT_TRUE(Types(r).count("lost-update")) << RenderText(r);

  HistoryBuilder stale;  // a WRITE built on the version before the last commit
  stale.Read(0, 0, {0, 4}, 0, 10);
  stale.Write(0, 0, {0, 4}, 10, 20);
  stale.Read(0, 1, {4, 8}, 20, 30);
  stale.Write(0, 1, {4, 8}, 30, 40).seen_version = Version{0};
  EXPECT_EQ(Types(stale.Check()), (Set{"lost-update", "cycle"})) << RenderText(stale.Check());
}

TEST(HistoryChecker, FindsVersionGap) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{2};
  EXPECT_EQ(Types(h.Check()), (Set{"version-gap"}));
}

TEST(HistoryChecker, FindsStaleReadWithAGSingleWitness) {
  HistoryBuilder h = OneOwner();
  h.steps()[2].seen_version = Version{0};
  const CheckReport r = h.Check();
  EXPECT_EQ(Types(r), (Set{"stale-read", "cycle"}));
  const Anomaly& cycle = r.anomalies.back();
  EXPECT_EQ(cycle.type, AnomalyType::kCycle);
  EXPECT_EQ(cycle.steps, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(cycle.explanation,
            "G-single: a cycle of 2 steps, so no serial order exists. step 1 (owner 0, WRITE at "
            "version 0) precedes step 2 (owner 0, READ at version 1) in owner 0's program (po); "
            "then step 2 (owner 0, READ at version 1) read version 0 of owner 0, which step 1 "
            "(owner 0, WRITE at version 0) overwrote by committing version 1 (rw); which brings "
            "the order back to step 1, a contradiction.");
}

TEST(HistoryChecker, FindsAReadRepeatedAfterTheCommitAsDuplicateAndStale) {
  // The READ of [0,4) runs again after the commit of version 1 finished, tagged and seeing 0.
  HistoryBuilder h;
  h.Read(1, 0, {0, 4}, 0, 10);
  h.Write(1, 0, {0, 4}, 10, 20);
  h.Read(1, 0, {0, 4}, 30, 40);
  EXPECT_EQ(Types(h.Check()), (Set{"duplicate-step", "stale-read", "cycle"}))
      << RenderText(h.Check());
}

const Anomaly* FindCycle(const CheckReport& r) {
  for (const Anomaly& a : r.anomalies) {
    if (a.type == AnomalyType::kCycle) return &a;
  }
  return nullptr;
}

TEST(HistoryChecker, ClassifiesAWriteWriteCycleAsG0) {
  HistoryBuilder h;
  HistoryStep& a = h.Write(0, 0, {0, 4}, 0, 10);
  a.commit_version = Version{2};
  a.seen_owner = OwnerId{7};      // no read dependency from a
  h.Write(0, 0, {0, 4}, 10, 20);  // commits version 1 after version 2 did
  const CheckReport r = h.Check();
  const Anomaly* cycle = FindCycle(r);
  ASSERT_NE(cycle, nullptr) << RenderText(r);
  EXPECT_EQ(cycle->explanation.rfind("G0: a cycle of 2 steps", 0), 0u) << cycle->explanation;
}

TEST(HistoryChecker, ClassifiesAReadOfALaterCommitAsG1c) {
  HistoryBuilder h;
  h.Read(0, 1, {0, 4}, 0, 10);    // reads version 1 ...
  h.Write(0, 0, {0, 4}, 10, 20);  // ... which this later step commits
  const CheckReport r = h.Check();
  const Anomaly* cycle = FindCycle(r);
  ASSERT_NE(cycle, nullptr) << RenderText(r);
  EXPECT_EQ(cycle->explanation.rfind("G1c: a cycle of 2 steps", 0), 0u) << cycle->explanation;
  EXPECT_NE(cycle->explanation.find("step 1 (owner 0, WRITE at version 0) committed version 1 of "
                                    "owner 0, which step 0 (owner 0, READ at version 1) read (wr)"),
            std::string::npos)
      << cycle->explanation;
}

TEST(HistoryChecker, ClassifiesWriteSkewAcrossOwnersAsG2) {
  // Each WRITE built on the other owner's version 0, which the other WRITE overwrote: two rw.
  HistoryBuilder h;
  HistoryStep& a = h.Write(0, 0, {0, 4}, 0, 10);
  a.seen_owner = OwnerId{1};
  HistoryStep& b = h.Write(1, 0, {0, 4}, 0, 10);
  b.seen_owner = OwnerId{0};
  const CheckReport r = h.Check();
  const Anomaly* cycle = FindCycle(r);
  ASSERT_NE(cycle, nullptr) << RenderText(r);
  EXPECT_EQ(cycle->explanation.rfind("G2: a cycle of 2 steps", 0), 0u) << cycle->explanation;
  EXPECT_TRUE(Types(r).count("owner-leak"));
}

TEST(HistoryChecker, ExplainsRealTimeEdgesAcrossOwners) {
  // Owner 1 reads owner 0's slot at version 0 after owner 0's commit of version 1 had finished.
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  HistoryStep& x = h.Read(1, 0, {0, 4}, 30, 40);
  x.slot = 0;
  x.seen_owner = OwnerId{0};
  const CheckReport r = h.Check();
  const Anomaly* cycle = FindCycle(r);
  ASSERT_NE(cycle, nullptr) << RenderText(r);
  EXPECT_FALSE(cycle->owner.has_value());
  EXPECT_NE(cycle->explanation.find("ended at 20 ns, before step 2 (owner 1, READ at version 0) "
                                    "started at 30 ns (rt)"),
            std::string::npos)
      << cycle->explanation;
}

TEST(HistoryChecker, FindsFutureRead) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).seen_version = Version{1};
  EXPECT_EQ(Types(h.Check()), (Set{"future-read"}));
  HistoryBuilder tagged;
  tagged.Read(0, 0, {0, 4}, 0, 10);
  tagged.Write(0, 0, {0, 4}, 10, 20);
  tagged.Read(0, 1, {4, 5}, 20, 30).seen_version = Version{2};
  EXPECT_EQ(Types(tagged.Check()), (Set{"future-read"}));
}

TEST(HistoryChecker, FindsUncommittedRead) {
  HistoryBuilder h = OneOwner();
  h.steps()[1].end = Nanos{25};  // the commit of version 1 ends after the next READ started
  const CheckReport r = h.Check();
  // Also out of program order: a step starts only once its owner's previous step completed.
  EXPECT_EQ(Types(r), (Set{"program-order", "uncommitted-read"})) << RenderText(r);
  EXPECT_EQ(r.Count(AnomalyType::kUncommittedRead), 1u);
  EXPECT_EQ(r.anomalies.back().steps, (std::vector<std::uint64_t>{1, 2}));
}

// One owner run serially with the serial reference's own digests; `corrupt` flips one.
CheckReport CheckAgainstReference(int corrupt) {
  const Request request{
      .id = OwnerId{5}, .arrival = Nanos{0}, .prompt_tokens = 9, .output_tokens = 3, .seed = {}};
  const ModelProfile model = LoadModelProfile("tiny").value();
  const OwnerReference ref = RunSerialReference(model, request, Seed{7});
  HistoryBuilder h;
  std::int64_t t = 0;
  for (const ReferenceStep& r : ref.steps) {
    const Step& s = r.step;
    const std::pair<std::uint64_t, std::uint64_t> tokens{s.first_token, s.end_token};
    HistoryStep& step = s.is_read() ? h.Read(5, s.tag.version.value(), tokens, t, t + 5)
                                    : h.Write(5, s.tag.version.value(), tokens, t, t + 5);
    (s.is_read() ? step.out_digest : step.state_digest) =
        s.is_read() ? r.out_digest : r.state_digest;
    if (static_cast<int>(step.step) == corrupt) {
      (s.is_read() ? *step.out_digest : *step.state_digest) ^= 1;
    }
    t += 5;
  }
  CheckOptions o;
  o.inputs.trace = std::vector<Request>{request};
  o.inputs.model = model;
  HistoryHeader header{.policy = "x",
                       .backend = "cpu",
                       .seed = 7,
                       .trace = "t.jsonl",
                       .model = "tiny",
                       .hardware = {},
                       .chunk = {},
                       .base_slot = {}};
  return h.Check(o, header);
}

TEST(HistoryChecker, MatchesTheSerialReferenceBitForBit) {
  const CheckReport r = CheckAgainstReference(-1);
  EXPECT_TRUE(r.valid()) << RenderText(r);
  EXPECT_TRUE(r.checks[static_cast<int>(CheckKind::kSerialReference)].ran);
}

TEST(HistoryChecker, FindsDigestMismatchAtTheFirstDivergence) {
  const CheckReport r = CheckAgainstReference(3);
  EXPECT_EQ(Types(r), (Set{"digest-mismatch"}));
  EXPECT_EQ(r.anomalies[0].steps, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(r.anomalies[0].owner, 5u);
}

TEST(HistoryChecker, SkipsTheSerialReferenceWithoutTraceInTheHeader) {
  const CheckReport r = OneOwner().Check();
  EXPECT_FALSE(r.checks[static_cast<int>(CheckKind::kSerialReference)].ran);
  EXPECT_NE(RenderText(r).find("serial-reference check skipped"), std::string::npos);
}

TEST(HistoryChecker, CapsAnomaliesPerTypeAndCountsTheRest) {
  HistoryBuilder h;
  for (std::uint64_t o = 0; o < 10; ++o) {
    HistoryStep& s = h.Read(o, 0, {0, 4}, 0, 10);
    s.seen_owner = OwnerId{99};
  }
  CheckOptions o;
  o.max_per_type = 3;
  const CheckReport r = h.Check(o);
  EXPECT_EQ(r.anomalies.size(), 3u);
  EXPECT_EQ(r.Count(AnomalyType::kOwnerLeak), 10u);
  EXPECT_NE(RenderText(r).find("and 7 more owner-leak"), std::string::npos);
}

TEST(CheckReport, RendersJsonInTheContractShape) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).seen_version = Version{1};
  CheckReport r = h.Check();
  EXPECT_EQ(RenderJson(r),
            R"j({"valid":false,"steps_checked":1,"anomalies":[{"type":"future-read","owner":0,)j"
            R"j("steps":[0],"explanation":"step 0 (owner 0, READ of tokens [0,4) at version 0) )j"
            R"j(read version 1 of owner 0, newer than the version 0 it is tagged with"}],)j"
            R"j("counts":{"future-read":1},"checks":{"structure":{"ran":true,"chunk":null,)j"
            R"j("chunk_source":"unknown","completeness":"none","completeness_note":"not checked )j"
            R"j((no trace was given, and the chunk size is unknown)"},)j"
            R"j("owner-isolation":{"ran":true},"version-linearizability":{"ran":true},)j"
            R"j("dependency-graph":{"ran":true},"serial-reference":{"ran":false,"reason":"the )j"
            R"j(history header names no trace, model or seed (a history of another system)"}}})j");
  CheckOptions o;
  o.serial_order = true;
  const std::string valid = RenderJson(OneOwner().Check(o));
  EXPECT_EQ(valid.substr(0, valid.find(R"(,"counts")")),
            R"({"valid":true,"steps_checked":4,"anomalies":[])");
  EXPECT_NE(valid.find(R"("counts":{},)"), std::string::npos) << valid;
  EXPECT_NE(valid.find(R"("chunk":4,"chunk_source":"inferred","completeness":"chunk-writes")"),
            std::string::npos)
      << valid;
  EXPECT_EQ(valid.substr(valid.find(R"(,"serial_order")")), R"(,"serial_order":[0,1,2,3]})");
}

TEST(CheckReport, RendersOneJunitTestcasePerCheck) {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).seen_version = Version{1};
  const std::string xml = RenderJunit(h.Check(), "h.jsonl");
  for (const char* name : {"structure", "owner-isolation", "version-linearizability",
                           "dependency-graph", "serial-reference"}) {
    EXPECT_NE(xml.find(std::string("name=\"") + name + "\""), std::string::npos) << name;
  }
  EXPECT_NE(xml.find("failures=\"1\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"1 anomalies\">future-read"), std::string::npos) << xml;
}

// Copy-on-write version 0 (docs/checker.md#the-base-slot-copy-on-write-version-0): slot 9 holds
// every owner's version 0. Two owners, P=4, O=2, C=4: R[0,4) in the base, the first WRITE from
// the base into a private slot (its owner's id), then R[4,5) R[5,6) there.
constexpr std::uint64_t kBase = 9;
HistoryHeader BaseHeader() {
  HistoryHeader h;
  h.base_slot = kBase;
  return h;
}
HistoryBuilder CopyOnWrite() {
  HistoryBuilder h;
  for (std::uint64_t o : {0, 1}) h.Read(o, 0, {0, 4}, 0, 10).slot = kBase;  // at once
  for (std::uint64_t o : {0, 1}) {
    HistoryStep& w = h.Write(o, 0, {0, 4}, 10, 20);
    w.slot = kBase;
    w.commit_slot = o;
  }
  for (std::uint64_t o : {0, 1}) h.Read(o, 1, {4, 5}, 20, 30);
  for (std::uint64_t o : {0, 1}) h.Read(o, 1, {5, 6}, 30, 40);
  return h;
}

TEST(HistoryChecker, AcceptsCopyOnWriteFromADeclaredBaseSlot) {
  CheckOptions o;
  o.serial_order = true;
  const CheckReport r = CopyOnWrite().Check(o, BaseHeader());
  EXPECT_TRUE(r.valid()) << RenderText(r);
  // Without the declaration the same history shares slot 9 and commits elsewhere: owner-leak.
  EXPECT_TRUE(Types(CopyOnWrite().Check()).count("owner-leak"));
}

TEST(HistoryChecker, FindsEveryCopyOnWriteMistakeAndNamesIt) {
  struct Case {
    const char* what;
    void (*mutate)(std::vector<HistoryStep>&);
    Set types;
    const char* says;
  };
  const Case cases[] = {
      {"a commit into the base", [](std::vector<HistoryStep>& h) { h[2].commit_slot = kBase; },
       Set{"owner-leak"}, "into the base slot 9"},
      {"a READ of the base at version 1",
       [](std::vector<HistoryStep>& h) {
         h[4].slot = kBase;
         h[4].seen_version = Version{0};
       },
       // and a cycle: it read version 0 after version 1 was committed
       Set{"stale-read", "cycle"}, "read version 0 of owner 0, older than the version 1"},
      {"a READ of the base at version 1 that logs version 1",
       [](std::vector<HistoryStep>& h) { h[4].slot = kBase; },
       Set{"owner-leak", "stale-read", "cycle"},
       "logged version 1 of its own state in the base slot 9"},
      {"a base step logging another owner",
       [](std::vector<HistoryStep>& h) { h[0].seen_owner = OwnerId{1}; }, Set{"owner-leak"},
       "stamped for owner 1"},
      {"a first commit into the slot another live owner holds",
       [](std::vector<HistoryStep>& h) { h[3].commit_slot = 0; }, Set{"owner-leak"},
       "two owners used one slot at the same time"},
  };
  for (const Case& c : cases) {
    HistoryBuilder h = CopyOnWrite();
    c.mutate(h.steps());
    const CheckReport r = h.Check({}, BaseHeader());
    EXPECT_EQ(Types(r), c.types) << c.what << "\n" << RenderText(r);
    EXPECT_NE(RenderText(r).find(c.says), std::string::npos) << c.what << "\n" << RenderText(r);
  }
}

TEST(HistoryChecker, AWriteFromTheBaseAtVersionOneIsALostUpdate) {
  // P=4, O=4, C=4: the second WRITE, tagged 1, reads the base (version 0) instead of its slot.
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).slot = kBase;
  HistoryStep& first = h.Write(0, 0, {0, 4}, 10, 20);
  first.slot = kBase;
  first.commit_slot = 0;
  for (std::uint64_t t = 4; t < 8; ++t) {
    h.Read(0, 1, {t, t + 1}, 10 * static_cast<std::int64_t>(t) - 20,
           10 * static_cast<std::int64_t>(t) - 10);
  }
  h.Write(0, 1, {4, 8}, 60, 70);
  EXPECT_TRUE(h.Check({}, BaseHeader()).valid()) << RenderText(h.Check({}, BaseHeader()));
  h.steps().back().slot = kBase;
  h.steps().back().seen_version = Version{0};
  const CheckReport r = h.Check({}, BaseHeader());
  // And a cycle: it read version 0 after version 1 was committed (rw against ww).
  EXPECT_EQ(Types(r), (Set{"lost-update", "cycle"})) << RenderText(r);
}

// Moves (docs/checker.md#moves-a-host-tier), in a copy-on-write run as rwttt offload=on makes
// them: owner 0 (C = 4) runs R[0,4) in the base and commits version 1 into slot 0, is offloaded
// to host slot 2^31 while owner 1's first WRITE waits for a slot, and is restored into slot 1;
// owner 1's first WRITE takes slot 0 meanwhile. Steps get their position as id; the moves are
// moves 0 and 1 (positions 2 and 5).
constexpr std::uint64_t kHost = std::uint64_t{1} << 31;
HistoryStep& Move(HistoryBuilder& h, std::uint64_t id, std::uint64_t owner, std::uint64_t version,
                  std::uint64_t from, std::uint64_t to, std::int64_t start, std::int64_t end) {
  h.steps().push_back(
      HistoryMove(id, OwnerId{owner}, Version{version}, from, to, Nanos{start}, Nanos{end}));
  return h.steps().back();
}
HistoryStep& InSlot(HistoryStep& s, std::uint64_t slot) {
  s.slot = slot;
  if (s.commit_slot) s.commit_slot = slot;
  return s;
}
HistoryBuilder OffloadThenRestore() {
  HistoryBuilder h;
  h.Read(0, 0, {0, 4}, 0, 10).slot = kBase;               // 0
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0).slot = kBase;  // 1: commits (0, 1) in slot 0
  Move(h, 0, 0, 1, 0, kHost, 20, 30);                     // 2: offload
  h.Read(1, 0, {0, 4}, 20, 30).slot = kBase;              // 3
  InSlot(h.Write(1, 0, {0, 4}, 30, 40), 0).slot = kBase;  // 4: slot 0 is free by now
  Move(h, 1, 0, 1, kHost, 1, 40, 50);                     // 5: restore into slot 1
  InSlot(h.Read(0, 1, {4, 5}, 50, 60), 1);                // 6: finds its latest version
  InSlot(h.Read(1, 1, {4, 5}, 50, 60), 0);                // 7
  return h;
}

TEST(HistoryChecker, AcceptsAnOffloadThenARestoreIntoAnotherSlot) {
  CheckOptions o;
  o.serial_order = true;
  const CheckReport r = OffloadThenRestore().Check(o, BaseHeader());
  EXPECT_TRUE(r.valid()) << RenderText(r);
  EXPECT_EQ(r.steps_checked, 6u);  // moves are not steps: not counted, not in the serial order
  EXPECT_EQ(r.serial_order, (std::vector<std::uint64_t>{0, 1, 3, 4, 6, 7}));
  // The same with a trace and its chunk: moves are in no program (completeness, program order).
  CheckOptions traced;
  traced.inputs.trace = std::vector<Request>{Request{.id = OwnerId{0},
                                                     .arrival = Nanos{0},
                                                     .prompt_tokens = 4,
                                                     .output_tokens = 1,
                                                     .seed = {}},
                                             Request{.id = OwnerId{1},
                                                     .arrival = Nanos{0},
                                                     .prompt_tokens = 4,
                                                     .output_tokens = 1,
                                                     .seed = {}}};
  HistoryHeader header = BaseHeader();
  header.chunk = 4;
  EXPECT_TRUE(OffloadThenRestore().Check(traced, header).valid())
      << RenderText(OffloadThenRestore().Check(traced, header));
  // A move's seen_version is not judged; a move id may be a step's id.
  HistoryBuilder h = OffloadThenRestore();
  h.steps()[2].seen_version = Version{7};
  h.steps()[5].step = 4;
  EXPECT_TRUE(h.Check({}, BaseHeader()).valid()) << RenderText(h.Check({}, BaseHeader()));
  // Without the offload, owner 0 still holds slot 0 when owner 1's first WRITE commits there.
  HistoryBuilder unmoved = OffloadThenRestore();
  unmoved.steps().erase(unmoved.steps().begin() + 2);
  EXPECT_EQ(Types(unmoved.Check({}, BaseHeader())), (Set{"owner-leak"}))
      << RenderText(unmoved.Check({}, BaseHeader()));
}

TEST(HistoryChecker, FindsEveryMoveMistakeAsAnOwnerLeakAndNamesIt) {
  struct Case {
    const char* what;
    void (*mutate)(std::vector<HistoryStep>&);
    const char* says;
  };
  const Case cases[] = {
      {"a move of another owner's stamp",
       [](std::vector<HistoryStep>& h) { h[2].seen_owner = OwnerId{1}; },
       "move 0 (owner 0, slot 0 to slot 2147483648) carried a state stamped for owner 1: it moved "
       "another owner's state"},
      {"a restore into the base", [](std::vector<HistoryStep>& h) { *h[5].moved_to = kBase; },
       "move 1 (owner 0, slot 2147483648 to slot 9) moved a state into the base slot 9, which "
       "holds every owner's version 0 and is no owner's to move"},
      {"an offload out of the base", [](std::vector<HistoryStep>& h) { h[2].slot = kBase; },
       "move 0 (owner 0, slot 9 to slot 2147483648) moved a state out of the base slot 9"},
      {"a restore from a host slot that holds no state",
       [](std::vector<HistoryStep>& h) { h[5].slot = kHost + 1; },
       "move 1 (owner 0, slot 2147483649 to slot 1) moved from slot 2147483649, where no owner's "
       "state had been put"},
      {"a restore of the state owner 1 put in slot 0",
       [](std::vector<HistoryStep>& h) { h[5].slot = 0; },
       "move 1 (owner 0, slot 0 to slot 1) moved from slot 0, which held owner 1's state (put "
       "there by step 4 (owner 1, WRITE of tokens [0,4) at version 0)): it moved a state that is "
       "not its own"},
      {"a restore into the slot owner 1 holds and runs in again",
       [](std::vector<HistoryStep>& h) { *h[5].moved_to = 0; },
       "move 1 (owner 0, slot 2147483648 to slot 0) used slot 0, which owner 1 still held: its "
       "latest use, step 4 (owner 1, WRITE of tokens [0,4) at version 0), was in that slot and it "
       "runs again in step 7 (owner 1, READ of tokens [4,5) at version 1)"},
      {"a restore into slot 0 while owner 1's first WRITE commits there",
       [](std::vector<HistoryStep>& h) {
         *h[5].moved_to = 0;
         h[5].start = Nanos{35};
       },
       "move 1 (owner 0, slot 2147483648 to slot 0) used slot 0 over [35, 50] ns, which does not "
       "come after step 4 (owner 1, WRITE of tokens [0,4) at version 0) over [30, 40] ns, owner "
       "1's latest use of the slot it held: two owners used one slot at the same time"},
  };
  for (const Case& c : cases) {
    HistoryBuilder h = OffloadThenRestore();
    c.mutate(h.steps());
    const CheckReport r = h.Check({}, BaseHeader());
    EXPECT_EQ(Types(r), (Set{"owner-leak"})) << c.what << "\n" << RenderText(r);
    EXPECT_NE(RenderText(r).find(c.says), std::string::npos) << c.what << "\n" << RenderText(r);
  }
}

TEST(HistoryChecker, EnteringASlotWhileARestoreCopiesIntoItIsAnOwnerLeak) {
  HistoryBuilder h = OffloadThenRestore();
  std::swap(h.steps()[6], h.steps()[7]);
  h.steps()[6].step = 6;  // owner 1 reads slot 1 while owner 0's restore into it runs
  InSlot(h.steps()[6], 1);
  h.steps()[6].start = Nanos{45};
  h.steps()[6].end = Nanos{55};
  h.steps()[7].step = 7;  // then owner 0 runs there
  h.steps()[7].start = Nanos{55};
  h.steps()[7].end = Nanos{65};
  const CheckReport r = h.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"owner-leak"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("step 6 (owner 1, READ of tokens [4,5) at version 1) used slot 1 "
                               "over [45, 55] ns, which does not come after move 1 (owner 0, slot "
                               "2147483648 to slot 1) over [40, 50] ns"),
            std::string::npos)
      << RenderText(r);
}

// The copy out of a slot uses it until it ends: owner 1's first WRITE may commit into slot 0 only
// after owner 0's offload out of it has ended.
TEST(HistoryChecker, EnteringASlotWhileTheOffloadOutOfItCopiesIsAnOwnerLeak) {
  HistoryBuilder h = OffloadThenRestore();
  h.steps()[2].end = Nanos{35};  // the offload now ends after owner 1's WRITE started (30)
  const CheckReport r = h.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"owner-leak"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("step 4 (owner 1, WRITE of tokens [0,4) at version 0) used slot 0 "
                               "over [30, 40] ns, which does not come after move 0 (owner 0, slot "
                               "0 to slot 2147483648) over [20, 35] ns"),
            std::string::npos)
      << RenderText(r);
}

// A move comes after its owner's previous step and before its next one, in real time.
TEST(HistoryChecker, AMoveOverlappingItsOwnersStepsIsAnUncommittedRead) {
  HistoryBuilder during = OffloadThenRestore();
  during.steps()[2].start = Nanos{15};  // offload begins while the WRITE [10, 20] still runs
  during.steps()[3].start = Nanos{15};  // (keeps the history in start order)
  CheckReport r = during.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"uncommitted-read"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("move 0 (owner 0, slot 0 to slot 2147483648) over [15, 30] ns began "
                               "while step 1 (owner 0, WRITE of tokens [0,4) at version 0), the "
                               "step before it, ran ([10, 20] ns)"),
            std::string::npos)
      << RenderText(r);
  HistoryBuilder early = OffloadThenRestore();
  early.steps()[5].end = Nanos{55};  // the restore ends after owner 0's next step started (50)
  r = early.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"uncommitted-read"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("move 1 (owner 0, slot 2147483648 to slot 1) over [40, 55] ns had "
                               "not ended when step 6 (owner 0, READ of tokens [4,5) at version "
                               "1), the step after it, started at 50 ns"),
            std::string::npos)
      << RenderText(r);
}

TEST(HistoryChecker, FindsAMoveOutOfStartOrderAndARepeatedMoveIdMalformed) {
  HistoryBuilder early = OffloadThenRestore();
  early.steps()[5].start = Nanos{25};  // before step 4, which precedes it in the history
  CheckReport r = early.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"malformed"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("move 1 starts at 25 ns, before step 4 that precedes it in the "
                               "history (start 30 ns): a history is in order of start_ns"),
            std::string::npos)
      << RenderText(r);
  HistoryBuilder late = OffloadThenRestore();  // a step starting before the move above it
  late.steps()[3].start = Nanos{15};
  late.steps()[3].end = Nanos{30};
  r = late.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"malformed"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("step 3 starts at 15 ns, before move 0 that precedes it"),
            std::string::npos)
      << RenderText(r);
  HistoryBuilder repeated = OffloadThenRestore();
  repeated.steps()[5].step = 0;
  r = repeated.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"malformed"})) << RenderText(r);
  EXPECT_NE(RenderText(r).find("move 0 uses a move id an earlier move used"), std::string::npos)
      << RenderText(r);
}

TEST(HistoryChecker, ARestoreOfAnOlderVersionIsTheNextStepsStaleRead) {
  // --inject stale-restore: the restore brings back version 0; the move itself is not judged.
  HistoryBuilder h = OffloadThenRestore();
  h.steps()[5].seen_version = Version{0};
  EXPECT_TRUE(h.Check({}, BaseHeader()).valid());  // as long as the log hides it
  h.steps()[6].seen_version = Version{0};          // what owner 0's next step then finds
  const CheckReport r = h.Check({}, BaseHeader());
  EXPECT_EQ(Types(r), (Set{"stale-read", "cycle"})) << RenderText(r);
  EXPECT_EQ(r.anomalies[0].steps, (std::vector<std::uint64_t>{6}));
  EXPECT_EQ(r.anomalies[0].explanation,
            "step 6 (owner 0, READ of tokens [4,5) at version 1) read version 0 of owner 0, older "
            "than the version 1 it is tagged with");

  // The next step a WRITE: its lost-update. Owner 0 (C = 4) is offloaded after R[4,8).
  HistoryBuilder w;
  w.Read(0, 0, {0, 4}, 0, 10).slot = kBase;
  InSlot(w.Write(0, 0, {0, 4}, 10, 20), 0).slot = kBase;
  InSlot(w.Read(0, 1, {4, 8}, 20, 30), 0);
  Move(w, 0, 0, 1, 0, kHost, 30, 40);
  Move(w, 1, 0, 0, kHost, 1, 40, 50);  // brings back (0, 0)
  InSlot(w.Write(0, 1, {4, 8}, 50, 60), 1).seen_version = Version{0};
  const CheckReport lost = w.Check({}, BaseHeader());
  EXPECT_EQ(Types(lost), (Set{"lost-update", "cycle"})) << RenderText(lost);
  EXPECT_NE(RenderText(lost).find("step 5 (owner 0, WRITE of tokens [4,8) at version 1) read "
                                  "version 0 of owner 0, older than the version 1"),
            std::string::npos)
      << RenderText(lost);
}

}  // namespace
}  // namespace rwttt
