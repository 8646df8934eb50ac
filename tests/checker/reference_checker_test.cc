// Tests of the reference checker itself: each rule of docs/checker.md checks 1-4 (the base slot's
// and the moves' included) on a tiny hand-written history, plus valid histories that must give no
// anomaly.
#include "tests/checker/reference_checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/history.h"
#include "core/request.h"
#include "core/step.h"
#include "core/strong_types.h"
#include "tests/checker/step_builder.h"

namespace rwttt::testing {
namespace {

using Types = std::set<std::string>;

// Steps judged by the reference checker.
class Steps : public StepBuilder {
 public:
  Types Check(const ReferenceInputs& inputs = {}) const {
    return ReferenceAnomalyTypes(steps(), inputs);
  }
  // Whether the rule named `rule` fired on the step at `index`.
  bool Fired(const std::string& rule, std::size_t index, const ReferenceInputs& inputs = {}) const {
    const std::vector<ReferenceFinding> findings = ReferenceFindings(steps(), inputs);
    return std::any_of(findings.begin(), findings.end(), [&](const ReferenceFinding& f) {
      return f.rule == rule && f.index == index;
    });
  }
};

// Moves a step into `slot`, where it finds `stamp` (owner, version); returns it.
HistoryStep& InSlot(HistoryStep& s, std::uint64_t slot,
                    std::pair<std::uint64_t, std::uint64_t> stamp) {
  s.slot = slot;
  s.seen_owner = OwnerId{stamp.first};
  s.seen_version = Version{stamp.second};
  if (s.effect == Effect::kWrite) s.commit_slot = slot;
  return s;
}

Request Req(std::uint64_t owner, std::uint32_t prompt, std::uint32_t output) {
  Request r;
  r.id = OwnerId{owner};
  r.prompt_tokens = prompt;
  r.output_tokens = output;
  return r;
}

ReferenceInputs WithTrace(std::vector<Request> trace, std::optional<std::uint32_t> chunk = {}) {
  return ReferenceInputs{.chunk = chunk, .trace = std::move(trace)};
}

ReferenceInputs Chunk(std::uint32_t c) { return ReferenceInputs{.chunk = c, .trace = {}}; }

bool Contains(const Types& types, const std::string& type) { return types.count(type) == 1; }

// ----------------------------------------------------------------------------------------------
// Valid histories.

// One owner, P = 5, O = 3, C = 4: R[0,4) W[0,4) R[4,5) R[5,6) R[6,7) R[7,8) W[4,8), back to back.
Steps OneOwnerSerial() {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30);
  h.Read(0, 1, {5, 6}, 30, 40);
  h.Read(0, 1, {6, 7}, 40, 50);
  h.Read(0, 1, {7, 8}, 50, 60);
  h.Write(0, 1, {4, 8}, 60, 70);
  return h;
}

TEST(ReferenceChecker, OneOwnerSerialIsValid) {
  const Steps h = OneOwnerSerial();
  EXPECT_EQ(h.Check(), Types{});                              // C inferred, no trace
  EXPECT_EQ(h.Check(Chunk(4)), Types{});                      // C given
  EXPECT_EQ(h.Check(WithTrace({Req(0, 5, 3)}, 4)), Types{});  // the whole program
  EXPECT_EQ(h.Check(WithTrace({Req(0, 5, 3)})), Types{});     // trace, C inferred
}

TEST(ReferenceChecker, DocWorkedExampleIsValid) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30);
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_EQ(h.Check(WithTrace({Req(0, 4, 1)})), Types{});
}

TEST(ReferenceChecker, TwoOwnersBatchedIsValid) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10).batch = 0;
  h.Read(1, 0, {0, 4}, 0, 10).batch = 0;
  h.Write(0, 0, {0, 4}, 10, 20).batch = 1;
  h.Write(1, 0, {0, 4}, 10, 20).batch = 1;
  h.Read(0, 1, {4, 5}, 20, 30).batch = 2;
  h.Read(1, 1, {4, 5}, 20, 30).batch = 2;
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_EQ(h.Check(WithTrace({Req(0, 4, 1), Req(1, 4, 1)}, 4)), Types{});
}

TEST(ReferenceChecker, SlotReuseAfterOwnerFinishedIsValid) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});  // owner 0 finishes; its state stays in slot 0
  InSlot(h.Read(1, 0, {0, 4}, 20, 30), 0, {1, 0});   // owner 1 admitted into slot 0
  InSlot(h.Write(1, 0, {0, 4}, 30, 40), 0, {1, 0});
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_EQ(h.Check(WithTrace({Req(0, 4, 0), Req(1, 4, 0)}, 4)), Types{});
}

TEST(ReferenceChecker, OwnerMovingIntoFreshSlotWithItsOwnStampIsValid) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});
  InSlot(h.Read(0, 1, {4, 5}, 20, 30), 7, {0, 1});  // restored into never-used slot 7
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, OwnerReturningToASlotAfterAnotherUsedItIsValid) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  InSlot(h.Read(0, 0, {1, 2}, 10, 20), 2, {0, 0});  // owner 0 moves on: slot 0 is free
  InSlot(h.Read(1, 0, {0, 1}, 20, 30), 0, {1, 0});  // owner 1 uses it and finishes
  InSlot(h.Read(0, 0, {2, 3}, 30, 40), 0, {0, 0});  // owner 0 comes back (slot 2 then free)
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, AStepOfDurationStartingWhenAnInstantaneousOneEndsFollowsIt) {
  Steps h;
  h.Read(0, 0, {0, 1}, 5, 5);
  h.Read(0, 0, {1, 2}, 5, 8);
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, ManyOwnersInLockstepAreValid) {
  // 8 owners, P = 20, O = 30, C = 8, one step of every owner per round, each owner in its slot:
  // prefill R[0,8) W R[8,16) W R[16,20), decode one token a READ, a WRITE after each 8th token.
  constexpr std::uint64_t kOwners = 8, kPrompt = 20, kTotal = 50, kChunk = 8;
  Steps h;
  std::vector<Request> trace;
  std::vector<std::uint64_t> token(kOwners, 0), version(kOwners, 0);
  std::vector<bool> write_next(kOwners, false), done(kOwners, false);
  for (std::int64_t round = 0; std::find(done.begin(), done.end(), false) != done.end(); ++round) {
    for (std::uint64_t o = 0; o < kOwners; ++o) {
      if (done[o]) continue;
      const std::int64_t start = 10 * round, end = 10 * round + 10;
      if (write_next[o]) {
        h.Write(o, version[o], {token[o] - kChunk, token[o]}, start, end);
        ++version[o];
        write_next[o] = false;
      } else {
        const std::uint64_t first = token[o];
        const std::uint64_t last =
            first < kPrompt ? std::min(kPrompt, (first / kChunk + 1) * kChunk) : first + 1;
        h.Read(o, version[o], {first, last}, start, end);
        token[o] = last;
        write_next[o] = last % kChunk == 0;
      }
      done[o] = token[o] == kTotal && !write_next[o];
    }
  }
  for (std::uint64_t o = 0; o < kOwners; ++o) trace.push_back(Req(o, kPrompt, kTotal - kPrompt));
  EXPECT_EQ(h.steps().size(), kOwners * (33 + 6));  // 3 + 30 READs, 6 WRITEs
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_EQ(h.Check(WithTrace(trace, kChunk)), Types{});
}

// ----------------------------------------------------------------------------------------------
// Check 1: structure.

TEST(ReferenceChecker, DuplicateStepIsNotAlsoProgramOrder) {
  Steps h;  // R[0,5) R[5,6) R[0,5)
  h.Read(0, 0, {0, 5}, 0, 10);
  h.Read(0, 0, {5, 6}, 10, 20);
  h.Read(0, 0, {0, 5}, 20, 30);
  EXPECT_EQ(h.Check(), (Types{"duplicate-step"}));
  EXPECT_TRUE(h.Fired("structure/duplicate-step", 2));
}

TEST(ReferenceChecker, DuplicateWriteAlsoCommitsTwice) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Write(0, 0, {0, 4}, 20, 30);
  const Types types = h.Check();
  EXPECT_TRUE(Contains(types, "duplicate-step"));
  EXPECT_TRUE(Contains(types, "lost-update"));
  EXPECT_FALSE(Contains(types, "program-order"));
}

TEST(ReferenceChecker, ReadAfterChunkEndInsteadOfWriteIsProgramOrderAndMissingStep) {
  Steps h;  // C = 8: R[0,8) v0, W[0,8) v0->1, R[8,16) v1, R[16,17) v1
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  h.Read(0, 1, {8, 16}, 20, 30);
  h.Read(0, 1, {16, 17}, 30, 40);
  EXPECT_EQ(h.Check(Chunk(8)), (Types{"program-order", "missing-step"}));
  EXPECT_EQ(h.Check(), (Types{"program-order", "missing-step"}));  // C inferred: 8
  EXPECT_TRUE(h.Fired("structure/program-order/effect", 3, Chunk(8)));
}

TEST(ReferenceChecker, ReadCrossingAChunkBoundaryIsProgramOrder) {
  Steps h;  // a READ [8,20) with C = 8
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  h.Read(0, 1, {8, 20}, 20, 30);
  EXPECT_EQ(h.Check(Chunk(8)), (Types{"program-order"}));
  EXPECT_TRUE(h.Fired("structure/program-order/crosses-chunk", 2, Chunk(8)));
  Steps alone;  // ... also as a first step (which also starts at 8, not 0)
  alone.Read(0, 1, {8, 20}, 0, 10);
  EXPECT_TRUE(Contains(alone.Check(Chunk(8)), "program-order"));
}

TEST(ReferenceChecker, FirstStepNotStartingAtZeroIsProgramOrder) {
  Steps h;
  h.Read(0, 0, {4, 5}, 0, 10);
  EXPECT_EQ(h.Check(), (Types{"program-order"}));
  EXPECT_TRUE(h.Fired("structure/program-order/start", 0));
}

TEST(ReferenceChecker, AfterAnEmptyReadAtZeroAReadAtZeroIsExpected) {
  Steps h;  // "b' > 0": no WRITE closes token 0, even with C known
  h.Read(0, 0, {0, 0}, 0, 10);
  h.Read(0, 0, {0, 4}, 10, 20);
  h.Write(0, 0, {0, 4}, 20, 30);
  EXPECT_TRUE(h.Fired("structure/program-order/empty-read", 0, Chunk(4)));
  EXPECT_FALSE(h.Fired("structure/program-order/effect", 1, Chunk(4)));
  EXPECT_EQ(h.Check(Chunk(4)), (Types{"program-order"}));
}

TEST(ReferenceChecker, EmptyReadIsProgramOrder) {
  Steps h;
  h.Read(0, 0, {0, 0}, 0, 10);
  h.Read(0, 0, {0, 1}, 10, 20);  // judged against the empty READ: expected start 0
  EXPECT_EQ(h.Check(), (Types{"program-order"}));
  EXPECT_TRUE(h.Fired("structure/program-order/empty-read", 0));
}

TEST(ReferenceChecker, EarlyWriteIsProgramOrder) {
  Steps h;  // a WRITE before its chunk's last READ
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  EXPECT_EQ(h.Check(Chunk(8)), (Types{"program-order"}));
  EXPECT_TRUE(h.Fired("structure/program-order/effect", 1, Chunk(8)));
}

TEST(ReferenceChecker, WriteWithTheWrongSpanIsProgramOrder) {
  Steps h;
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {4, 8}, 10, 20);
  EXPECT_EQ(h.Check(Chunk(8)), (Types{"program-order", "missing-step"}));
  EXPECT_TRUE(h.Fired("structure/program-order/write-span", 1, Chunk(8)));
}

TEST(ReferenceChecker, WrongTagIsProgramOrder) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10);
  h.Read(0, 3, {1, 2}, 10, 20).seen_version = Version{0};  // tag 3; C unknown: READs are tagged 0
  EXPECT_TRUE(h.Fired("structure/program-order/tag", 1));
  EXPECT_TRUE(Contains(h.Check(), "program-order"));
}

TEST(ReferenceChecker, PreviousStepNotPrecedingInRealTimeIsProgramOrder) {
  Steps h;  // two instantaneous steps at one instant overlap
  h.Read(0, 0, {0, 1}, 5, 5);
  h.Read(0, 0, {1, 2}, 5, 5);
  EXPECT_EQ(h.Check(), (Types{"program-order"}));
  EXPECT_TRUE(h.Fired("structure/program-order/real-time", 1));
}

TEST(ReferenceChecker, ReadPastTheEndOfTheTraceProgramIsProgramOrder) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10);
  h.Read(0, 0, {1, 2}, 10, 20);
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0)})), (Types{"program-order"}));  // C unknown
  EXPECT_TRUE(h.Fired("structure/program-order/read-past-end", 1, WithTrace({Req(0, 1, 0)})));
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0)}, 4)), (Types{"program-order"}));  // C known
}

TEST(ReferenceChecker, StepOtherThanTheProgramsIsProgramOrder) {
  Steps h;  // P = 10, C = 8: the program's READ at 8 is [8,10), not [8,9)
  h.Read(0, 0, {0, 8}, 0, 10);
  h.Write(0, 0, {0, 8}, 10, 20);
  h.Read(0, 1, {8, 9}, 20, 30);
  h.Read(0, 1, {9, 10}, 30, 40);  // in order after [8,9): the READ at 9 is [9,10)
  const ReferenceInputs inputs = WithTrace({Req(0, 10, 0)}, 8);
  EXPECT_EQ(h.Check(inputs), (Types{"program-order", "missing-step"}));
  EXPECT_TRUE(h.Fired("structure/program-order/not-the-program-step", 2, inputs));
  EXPECT_FALSE(h.Fired("structure/program-order/not-the-program-step", 3, inputs));
  EXPECT_EQ(h.Check(Chunk(8)), Types{});  // without the trace, nothing says P = 10
}

TEST(ReferenceChecker, WriteClosingPastTheEndOfTheProgramIsProgramOrder) {
  Steps h;  // P + O = 6 < 8: no WRITE closes [0,8)
  h.Read(0, 0, {0, 6}, 0, 10);
  h.Read(0, 0, {6, 7}, 10, 20);
  h.Read(0, 0, {7, 8}, 20, 30);
  h.Write(0, 0, {0, 8}, 30, 40);
  EXPECT_EQ(h.Check(WithTrace({Req(0, 6, 0)}, 8)), (Types{"program-order"}));
}

TEST(ReferenceChecker, MissingWriteAfterReadEndingAChunkWithoutTrace) {
  Steps h;
  h.Read(0, 0, {0, 8}, 0, 10);
  EXPECT_EQ(h.Check(Chunk(8)), (Types{"missing-step"}));
  EXPECT_EQ(h.Check(), Types{});  // C unknown: nothing to require
}

TEST(ReferenceChecker, TraceOwnerWithNoStepIsMissingStep) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10);
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0), Req(1, 1, 0)})), (Types{"missing-step"}));
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0), Req(1, 1, 0)}, 4)), (Types{"missing-step"}));
  // An owner with an empty program misses nothing.
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0), Req(1, 0, 0)})), Types{});
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0), Req(1, 0, 0)}, 4)), Types{});
}

TEST(ReferenceChecker, LogCutShortIsMissingStepOnlyWhenCIsKnown) {
  Steps h;  // P = 6, C = 4: R[0,4) W[0,4) R[4,6) is the program; the log stops after [4,5)
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30);
  // [4,5) is not the program's READ at 4 ([4,6)), and [4,6) is missing.
  EXPECT_EQ(h.Check(WithTrace({Req(0, 6, 0)}, 4)), (Types{"program-order", "missing-step"}));
  Steps decode;  // P = 4, O = 2: R[0,4) W[0,4) R[4,5) R[5,6); the log lacks R[5,6)
  decode.Read(0, 0, {0, 4}, 0, 10);
  decode.Write(0, 0, {0, 4}, 10, 20);
  decode.Read(0, 1, {4, 5}, 20, 30);
  EXPECT_EQ(decode.Check(WithTrace({Req(0, 4, 2)})), (Types{"missing-step"}));
  Steps reads;  // C unknown and the owner has a step: only step-less owners are missing
  reads.Read(0, 0, {0, 1}, 0, 10);
  EXPECT_EQ(reads.Check(WithTrace({Req(0, 3, 0)})), Types{});
}

TEST(ReferenceChecker, BatchMixingEffectsIsMixedBatch) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10).batch = 0;
  h.Write(0, 0, {0, 4}, 10, 20).batch = 1;
  h.Read(1, 0, {0, 1}, 10, 20).batch = 1;
  EXPECT_EQ(h.Check(), (Types{"mixed-batch"}));
  EXPECT_TRUE(h.Fired("structure/mixed-batch/effect", 2));
}

TEST(ReferenceChecker, BatchWithTwoStepsOfOneOwnerIsMixedBatch) {
  Steps h;  // batch ids need not be contiguous in the history
  h.Read(0, 0, {0, 1}, 0, 10).batch = 4;
  h.Read(1, 0, {0, 1}, 0, 10).batch = 5;
  h.Read(0, 0, {1, 2}, 10, 20).batch = 4;
  EXPECT_EQ(h.Check(), (Types{"mixed-batch"}));
  EXPECT_TRUE(h.Fired("structure/mixed-batch/owner", 2));
}

TEST(ReferenceChecker, StepsWithoutBatchAreInNoBatch) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(1, 0, {0, 1}, 10, 20);
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, StartBeforeAnEarlierStartIsMalformed) {
  Steps h;
  h.Read(0, 0, {0, 1}, 10, 20);
  h.Read(1, 0, {0, 1}, 5, 6);
  EXPECT_EQ(h.Check(), (Types{"malformed"}));
  EXPECT_TRUE(h.Fired("structure/malformed/start-order", 1));
}

TEST(ReferenceChecker, RepeatedStepIdIsMalformed) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10);
  h.Read(1, 0, {0, 1}, 0, 10).step = 0;
  EXPECT_EQ(h.Check(), (Types{"malformed"}));
}

TEST(ReferenceChecker, ValueBeyondTwoToThe32MinusTwoIsMalformed) {
  constexpr std::uint64_t kMax = (std::uint64_t{1} << 32) - 2;
  Steps ok;
  ok.Read(0, 0, {0, kMax}, 0, 10);
  EXPECT_EQ(ok.Check(), Types{});
  Steps token;
  token.Read(0, 0, {0, kMax + 1}, 0, 10);
  EXPECT_EQ(token.Check(), (Types{"malformed"}));
  Steps version;
  version.Read(0, kMax + 1, {0, 1}, 0, 10);
  EXPECT_TRUE(version.Fired("structure/malformed/value-range", 0));
  Steps seen;
  seen.Read(0, 0, {0, 1}, 0, 10).seen_version = Version{kMax + 1};
  EXPECT_TRUE(seen.Fired("structure/malformed/value-range", 0));
  Steps commit;
  commit.Read(0, 0, {0, 4}, 0, 10);
  commit.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{kMax + 1};
  EXPECT_TRUE(commit.Fired("structure/malformed/value-range", 1));
}

TEST(ReferenceChecker, OwnerNotInTheTraceIsMalformed) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10);
  h.Read(5, 0, {0, 1}, 0, 10);
  EXPECT_EQ(h.Check(WithTrace({Req(0, 1, 0)})), (Types{"malformed"}));
  EXPECT_EQ(h.Check(), Types{});
}

// ----------------------------------------------------------------------------------------------
// Check 2: owner isolation.

TEST(ReferenceChecker, ForeignStampIsOwnerLeak) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {1, 0});
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/foreign-stamp", 0));
}

TEST(ReferenceChecker, TwoOwnersInOneSlotInOneBatchIsOwnerLeak) {
  Steps h;  // each with its own stamp, overlapping in time
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0}).batch = 0;
  InSlot(h.Read(1, 0, {0, 4}, 0, 10), 0, {1, 0}).batch = 0;
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/held-slot/concurrent", 1));
}

TEST(ReferenceChecker, WriteIntoASlotAnotherLiveOwnerHoldsIsOwnerLeak) {
  Steps h;  // owner 1 commits (1,1) into slot 1; owner 0 WRITEs in slot 1 with its own stamp;
  // then owner 1 reads slot 1 logging (1,1)
  InSlot(h.Read(1, 0, {0, 4}, 0, 10), 1, {1, 0});
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  InSlot(h.Write(1, 0, {0, 4}, 10, 20), 1, {1, 0});
  InSlot(h.Write(0, 0, {0, 4}, 20, 30), 1, {0, 0});
  InSlot(h.Read(1, 1, {4, 5}, 30, 40), 1, {1, 1});
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/held-slot/live", 3));
}

TEST(ReferenceChecker, EnteringASlotItsLiveHolderStillUsesIsOwnerLeak) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  InSlot(h.Read(1, 0, {0, 1}, 10, 20), 0, {1, 0});  // owner 0 still has a step in slot 0
  InSlot(h.Read(0, 0, {1, 2}, 20, 30), 0, {0, 0});
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/held-slot/live", 1));
  EXPECT_FALSE(h.Fired("isolation/held-slot/live", 2));  // owner 1 finished: slot 0 was free
}

TEST(ReferenceChecker, EnteringASlotWhoseHolderMovedOnIsLegal) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  InSlot(h.Read(0, 0, {1, 2}, 10, 20), 2, {0, 0});
  InSlot(h.Read(1, 0, {0, 1}, 20, 30), 0, {1, 0});
  InSlot(h.Read(0, 0, {2, 3}, 30, 40), 2, {0, 0});
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, CommitIntoAnotherSlotIsOwnerLeak) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  h.Write(0, 0, {0, 4}, 10, 20).commit_slot = 3;
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/commit-elsewhere", 1));
}

TEST(ReferenceChecker, OwnStampAfterAForeignCommitContradictsTheTable) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  InSlot(h.Read(1, 0, {0, 4}, 0, 10), 1, {1, 0});
  h.Write(1, 0, {0, 4}, 10, 20).commit_slot = 0;     // owner 1's update lands in slot 0
  InSlot(h.Write(0, 0, {0, 4}, 20, 30), 0, {0, 0});  // owner 0 claims to find its own state
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/commit-elsewhere", 2));
  EXPECT_TRUE(h.Fired("isolation/stamp-contradicts-table", 3));
}

// ----------------------------------------------------------------------------------------------
// Check 2: the base slot (copy-on-write version 0).

constexpr std::uint64_t kBase = 9;  // the header's base_slot in these tests

// `inputs` with the header's base_slot declared as kBase.
ReferenceInputs WithBase(ReferenceInputs inputs = {}) {
  inputs.base_slot = kBase;
  return inputs;
}

// Moves a step into the base slot, where it finds its own version 0 (owner, 0); a WRITE keeps its
// commit_slot (by default the owner's own slot: its private slot). Returns it.
HistoryStep& InBase(HistoryStep& s) {
  s.slot = kBase;
  s.seen_owner = s.owner;
  s.seen_version = Version{0};
  return s;
}

TEST(ReferenceChecker, ManyOwnersReadingTheBaseAtOnceIsValid) {
  Steps h;  // 4 owners read version 0 from the base in one batch, then again one after another
  for (std::uint64_t o = 0; o < 4; ++o) InBase(h.Read(o, 0, {0, 1}, 0, 10)).batch = 0;
  for (std::uint64_t o = 0; o < 4; ++o) {
    InBase(h.Read(o, 0, {1, 2}, 10 + 10 * static_cast<std::int64_t>(o),
                  20 + 10 * static_cast<std::int64_t>(o)));
  }
  EXPECT_EQ(h.Check(WithBase()), Types{});
  // Without base_slot, slot 9 is an ordinary slot that four owners share: owner-leak.
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
}

// Owners 0 and 1, P = 5, O = 3, C = 4, copy-on-write: the version-0 steps in the base, the first
// WRITE from the base into the owner's private slot (its id), the rest there, in lockstep.
Steps CopyOnWrite() {
  Steps h;
  for (std::uint64_t o = 0; o < 2; ++o) InBase(h.Read(o, 0, {0, 4}, 0, 10)).batch = 0;
  for (std::uint64_t o = 0; o < 2; ++o) InBase(h.Write(o, 0, {0, 4}, 10, 20)).batch = 1;
  for (std::uint64_t o = 0; o < 2; ++o) h.Read(o, 1, {4, 5}, 20, 30).batch = 2;
  for (std::uint64_t o = 0; o < 2; ++o) h.Read(o, 1, {5, 6}, 30, 40).batch = 3;
  for (std::uint64_t o = 0; o < 2; ++o) h.Read(o, 1, {6, 7}, 40, 50).batch = 4;
  for (std::uint64_t o = 0; o < 2; ++o) h.Read(o, 1, {7, 8}, 50, 60).batch = 5;
  for (std::uint64_t o = 0; o < 2; ++o) h.Write(o, 1, {4, 8}, 60, 70).batch = 6;
  return h;
}

TEST(ReferenceChecker, CopyOnWriteProgramIsValid) {
  const Steps h = CopyOnWrite();
  EXPECT_EQ(h.steps()[2].slot, kBase);
  EXPECT_EQ(h.steps()[2].commit_slot, std::optional<std::uint64_t>{0});
  EXPECT_EQ(h.Check(WithBase()), Types{});
  EXPECT_EQ(h.Check(WithBase(Chunk(4))), Types{});
  EXPECT_EQ(h.Check(WithBase(WithTrace({Req(0, 5, 3), Req(1, 5, 3)}, 4))), Types{});
}

TEST(ReferenceChecker, WithoutBaseSlotACommitElsewhereStaysOwnerLeak) {
  const Steps h = CopyOnWrite();  // the same history, its header declaring no base_slot
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/commit-elsewhere", 2));
  EXPECT_TRUE(h.Fired("isolation/commit-elsewhere", 3));
  EXPECT_FALSE(h.Fired("isolation/commit-elsewhere", 2, WithBase()));
  // A base slot the history does not use changes nothing.
  ReferenceInputs elsewhere;
  elsewhere.base_slot = 42;
  EXPECT_EQ(h.Check(elsewhere), (Types{"owner-leak"}));
}

TEST(ReferenceChecker, BaseStepLoggingItsOwnVersionOneIsOwnerLeak) {
  Steps h;
  InBase(h.Read(0, 0, {0, 4}, 0, 10)).seen_version = Version{1};
  // Check 2 judges the logged stamp; check 3 takes (0, 0): no future-read.
  EXPECT_EQ(h.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/base-stamp", 0, WithBase()));
  EXPECT_EQ(h.Check(), (Types{"future-read"}));  // no base: slot 9 is owner 0's, holding (0, 1)
}

TEST(ReferenceChecker, BaseStepWithAForeignStampIsOwnerLeak) {
  Steps h;
  InBase(h.Read(0, 0, {0, 4}, 0, 10)).seen_owner = OwnerId{1};
  EXPECT_EQ(h.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/foreign-stamp", 0, WithBase()));
  EXPECT_FALSE(h.Fired("isolation/base-stamp", 0, WithBase()));
}

TEST(ReferenceChecker, CommitIntoTheBaseSlotIsOwnerLeak) {
  Steps in_place;  // an owner in its own slot commits into the base
  in_place.Read(0, 0, {0, 4}, 0, 10);
  in_place.Write(0, 0, {0, 4}, 10, 20).commit_slot = kBase;
  EXPECT_EQ(in_place.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(in_place.Fired("isolation/base-commit", 1, WithBase()));
  EXPECT_TRUE(in_place.Fired("isolation/commit-elsewhere", 1, WithBase()));
  Steps from_base;  // a WRITE in the base commits back into the base
  InBase(from_base.Read(0, 0, {0, 4}, 0, 10));
  InBase(from_base.Write(0, 0, {0, 4}, 10, 20)).commit_slot = kBase;
  EXPECT_EQ(from_base.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(from_base.Fired("isolation/base-commit", 1, WithBase()));
  EXPECT_FALSE(from_base.Fired("isolation/commit-elsewhere", 1, WithBase()));
}

TEST(ReferenceChecker, ReadInTheBaseTaggedOneIsStaleRead) {
  Steps h;
  InBase(h.Read(0, 0, {0, 4}, 0, 10));
  InBase(h.Write(0, 0, {0, 4}, 10, 20));
  InBase(h.Read(0, 1, {4, 5}, 20, 30));  // logs (0, 0), as the base holds
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 2, WithBase()));
  EXPECT_EQ(h.Check(WithBase()), (Types{"stale-read", "cycle"}));  // rw to the WRITE, po back
  // Whatever it logged: logging (0, 1) is an owner-leak, and still a stale-read.
  h.steps()[2].seen_version = Version{1};
  EXPECT_TRUE(h.Fired("isolation/base-stamp", 2, WithBase()));
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 2, WithBase()));
  EXPECT_EQ(h.Check(WithBase()), (Types{"owner-leak", "stale-read", "cycle"}));
}

TEST(ReferenceChecker, WriteInTheBaseTaggedOneIsLostUpdate) {
  Steps h;
  InBase(h.Read(0, 0, {0, 4}, 0, 10));
  InBase(h.Write(0, 0, {0, 4}, 10, 20));  // commits (0, 1) into slot 0
  h.Read(0, 1, {4, 8}, 20, 30);
  InBase(h.Write(0, 1, {4, 8}, 30, 40));  // builds (0, 2) on the base's version 0
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 3, WithBase()));
  EXPECT_EQ(h.Check(WithBase()), (Types{"lost-update", "cycle"}));
}

TEST(ReferenceChecker, FirstWriteFromTheBaseIntoALiveOwnersSlotIsOwnerLeak) {
  Steps h;  // owner 1 holds slot 1 and still runs there; owner 0's first WRITE commits into it
  InBase(h.Read(1, 0, {0, 4}, 0, 10));
  InBase(h.Write(1, 0, {0, 4}, 10, 20));  // owner 1 enters slot 1
  InBase(h.Read(0, 0, {0, 4}, 10, 20));
  InBase(h.Write(0, 0, {0, 4}, 20, 30)).commit_slot = 1;
  h.Read(1, 1, {4, 5}, 30, 40);  // owner 1 was still live in slot 1
  EXPECT_EQ(h.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/base-write-entry/live", 3, WithBase()));
  // At the same time as owner 1's commit into slot 1: concurrent.
  Steps concurrent;
  InBase(concurrent.Read(1, 0, {0, 4}, 0, 10));
  InBase(concurrent.Read(0, 0, {0, 4}, 0, 10));
  InBase(concurrent.Write(1, 0, {0, 4}, 10, 20)).batch = 1;
  InBase(concurrent.Write(0, 0, {0, 4}, 10, 20)).commit_slot = 1;
  concurrent.steps().back().batch = 1;
  EXPECT_EQ(concurrent.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(concurrent.Fired("isolation/base-write-entry/concurrent", 3, WithBase()));
}

TEST(ReferenceChecker, FirstWriteFromTheBaseIntoAFreeSlotIsValid) {
  Steps h;  // owner 1 finished in slot 1; owner 0's first WRITE then takes slot 1
  InBase(h.Read(1, 0, {0, 4}, 0, 10));
  InBase(h.Write(1, 0, {0, 4}, 10, 20));
  InBase(h.Read(0, 0, {0, 4}, 10, 20));
  InBase(h.Write(0, 0, {0, 4}, 20, 30)).commit_slot = 1;
  InSlot(h.Read(0, 1, {4, 5}, 30, 40), 1, {0, 1});
  EXPECT_EQ(h.Check(WithBase()), Types{});
  EXPECT_EQ(h.Check(WithBase(WithTrace({Req(0, 4, 1), Req(1, 4, 0)}, 4))), Types{});
  // Into a never-used slot too.
  Steps fresh;
  InBase(fresh.Read(0, 0, {0, 4}, 0, 10));
  InBase(fresh.Write(0, 0, {0, 4}, 10, 20)).commit_slot = 5;
  InSlot(fresh.Read(0, 1, {4, 5}, 20, 30), 5, {0, 1});
  EXPECT_EQ(fresh.Check(WithBase()), Types{});
}

// ----------------------------------------------------------------------------------------------
// Check 2: moves (a host tier), and how checks 1 and 3 see them.

constexpr std::uint64_t kHost = std::uint64_t{1} << 31;  // rwttt replay's first host slot

// Appends move `id` of `owner`'s state, stamped (owner, version), from slot `from` to slot `to`
// over [start, end]; returns it. (A move takes a position in the history, so the ids StepBuilder
// gives later steps skip it; they stay unique.)
HistoryStep& Move(Steps& h, std::uint64_t id, std::uint64_t owner, std::uint64_t version,
                  std::uint64_t from, std::uint64_t to, std::int64_t start, std::int64_t end) {
  h.steps().push_back(
      HistoryMove(id, OwnerId{owner}, Version{version}, from, to, Nanos{start}, Nanos{end}));
  return h.steps().back();
}

// Whether any rule fired on the record at `index`.
bool AnyFired(const Steps& h, std::size_t index, const ReferenceInputs& inputs = {}) {
  const std::vector<ReferenceFinding> findings = ReferenceFindings(h.steps(), inputs);
  return std::any_of(findings.begin(), findings.end(),
                     [&](const ReferenceFinding& f) { return f.index == index; });
}

// Owner 0 (P = 4, O = 2, C = 4) runs in slot 0 and is offloaded to the host after its first
// WRITE; owner 1 (P = 4, O = 0) is then admitted into slot 0; owner 0 is restored into slot 1 and
// finishes there.
Steps OffloadThenRestore() {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});    // 0
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});  // 1: commits (0, 1) into slot 0
  Move(h, 0, 0, 1, 0, kHost, 20, 30);                // 2: offload
  InSlot(h.Read(1, 0, {0, 4}, 30, 40), 0, {1, 0});   // 3: owner 1 admitted into slot 0
  Move(h, 1, 0, 1, kHost, 1, 30, 45);                // 4: restore into slot 1
  InSlot(h.Write(1, 0, {0, 4}, 40, 50), 0, {1, 0});  // 5
  InSlot(h.Read(0, 1, {4, 5}, 45, 55), 1, {0, 1});   // 6: finds its own latest version
  InSlot(h.Read(0, 1, {5, 6}, 55, 65), 1, {0, 1});   // 7
  return h;
}

TEST(ReferenceChecker, OffloadThenRestoreIsValid) {
  const Steps h = OffloadThenRestore();
  EXPECT_TRUE(h.steps()[2].is_move());
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_EQ(h.Check(Chunk(4)), Types{});
  EXPECT_EQ(h.Check(WithTrace({Req(0, 4, 2), Req(1, 4, 0)}, 4)), Types{});
  EXPECT_EQ(h.Check(WithBase(WithTrace({Req(0, 4, 2), Req(1, 4, 0)}, 4))), Types{});  // B unused
  // The offload [20, 30] is owner 0's latest use of slot 0 and precedes owner 1's entry at 30 (it
  // took time); each move comes after owner 0's step before it and before its step after it.
  EXPECT_FALSE(AnyFired(h, 2));
  EXPECT_FALSE(AnyFired(h, 3));
  EXPECT_FALSE(AnyFired(h, 4));
  // Without the moves, owner 0 is still live in slot 0 (its current slot) when owner 1 enters it.
  Steps unmoved;
  for (const HistoryStep& s : h.steps()) {
    if (!s.is_move()) unmoved.steps().push_back(s);
  }
  EXPECT_EQ(unmoved.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(unmoved.Fired("isolation/held-slot/live", 2));
}

TEST(ReferenceChecker, MovesAreNotSteps) {
  Steps h;  // a move whose unused fields would break every step rule, and whose id is a step's
  h.Read(0, 0, {0, 4}, 0, 10).batch = 3;
  HistoryStep& m = Move(h, 0, 0, 0, 0, kHost, 10, 20);
  m.effect = Effect::kWrite;
  m.version = Version{7};
  m.first_token = 0;
  m.end_token = 4;  // the same tokens as step 0, and a span that would infer C = 4
  m.batch = 3;
  m.commit_slot = 0;
  m.commit_version = Version{(std::uint64_t{1} << 32) + 5};
  m.seen_version = Version{(std::uint64_t{1} << 32) + 5};  // "a move's seen_version is not judged"
  EXPECT_EQ(h.Check(), Types{});
  EXPECT_FALSE(AnyFired(h, 1));
  // A move of an owner not in the trace is not malformed; a trace owner with only a move has no
  // step at all: missing-step.
  Steps other;
  other.Read(0, 0, {0, 1}, 0, 10);
  Move(other, 0, 5, 0, 0, kHost, 10, 20).seen_owner = OwnerId{5};
  EXPECT_EQ(other.Check(WithTrace({Req(0, 1, 0)})), (Types{"owner-leak"}));  // move-source only
  EXPECT_TRUE(other.Fired("isolation/move-source", 1, WithTrace({Req(0, 1, 0)})));
  EXPECT_EQ(other.Check(WithTrace({Req(0, 1, 0), Req(5, 1, 0)})),
            (Types{"owner-leak", "missing-step"}));
}

TEST(ReferenceChecker, MoveOfAnotherOwnersStampIsOwnerLeak) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(h, 0, 0, 0, 0, kHost, 10, 20).seen_owner = OwnerId{1};
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/move-foreign-stamp", 1));
  EXPECT_FALSE(h.Fired("isolation/move-source", 1));  // the state in slot 0 is owner 0's
  EXPECT_FALSE(h.Fired("isolation/foreign-stamp", 1));
}

TEST(ReferenceChecker, MoveIntoOrOutOfTheBaseIsOwnerLeak) {
  Steps into;  // owner 0 moves its state from slot 0 into the base
  InSlot(into.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(into, 0, 0, 0, 0, kBase, 10, 20);
  EXPECT_EQ(into.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(into.Fired("isolation/move-base", 1, WithBase()));
  EXPECT_FALSE(into.Fired("isolation/move-source", 1, WithBase()));
  EXPECT_EQ(into.Check(), Types{});  // no base_slot: slot 9 is an ordinary free slot

  Steps from;  // owner 0 moves "its" version 0 out of the base
  InBase(from.Read(0, 0, {0, 1}, 0, 10));
  Move(from, 0, 0, 0, kBase, kHost, 10, 20);
  EXPECT_EQ(from.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(from.Fired("isolation/move-base", 1, WithBase()));
  // AMBIGUOUS (see CheckMoveSource): steps in the base put no state in the table's base slot.
  EXPECT_TRUE(from.Fired("isolation/move-source", 1, WithBase()));
  EXPECT_EQ(from.Check(), Types{});  // no base_slot: owner 0 entered slot 9 and moves out of it
}

TEST(ReferenceChecker, MoveOfAStateThatIsNotTheOwnersIsOwnerLeak) {
  Steps never;  // slot 5 never held any state
  InSlot(never.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(never, 0, 0, 0, 5, kHost, 10, 20);
  EXPECT_EQ(never.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(never.Fired("isolation/move-source", 1));
  Steps overwritten;  // owner 0 left slot 0 for the host; owner 1 then used it; owner 0 moves
  // slot 0's state (owner 1's) to slot 2 and runs there
  InSlot(overwritten.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});   // 0
  Move(overwritten, 0, 0, 0, 0, kHost, 10, 20);               // 1: legal offload
  InSlot(overwritten.Read(1, 0, {0, 1}, 20, 30), 0, {1, 0});  // 2: slot 0 is free
  Move(overwritten, 1, 0, 0, 0, 2, 30, 40);                   // 3: not owner 0's state
  InSlot(overwritten.Read(0, 0, {1, 2}, 40, 50), 2, {0, 0});  // 4
  EXPECT_EQ(overwritten.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(overwritten.Fired("isolation/move-source", 3));
  EXPECT_FALSE(overwritten.Fired("isolation/move-source", 1));
  EXPECT_FALSE(AnyFired(overwritten, 2));
}

TEST(ReferenceChecker, RestoreIntoASlotAnotherOwnerHoldsIsOwnerLeak) {
  Steps live;  // owner 1 holds slot 1 and still runs there after the restore
  InSlot(live.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});   // 0
  Move(live, 0, 0, 0, 0, kHost, 10, 20);               // 1: offload
  InSlot(live.Read(1, 0, {0, 1}, 10, 20), 1, {1, 0});  // 2
  Move(live, 1, 0, 0, kHost, 1, 20, 30);               // 3: restore into owner 1's slot
  InSlot(live.Read(1, 0, {1, 2}, 30, 40), 1, {1, 0});  // 4: owner 1 was live there
  EXPECT_EQ(live.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(live.Fired("isolation/move-destination/live", 3));
  // Owner 0 has no step after the restore (it finished): for step 4 slot 1 is free again, and the
  // restore is owner 0's latest use of slot 1, which precedes step 4.
  EXPECT_FALSE(AnyFired(live, 4));
  Steps concurrent;  // owner 1 uses slot 1 while the restore copies into it
  InSlot(concurrent.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(concurrent, 0, 0, 0, 0, kHost, 10, 20);
  InSlot(concurrent.Read(1, 0, {0, 1}, 20, 30), 1, {1, 0});  // owner 1 then finishes
  Move(concurrent, 1, 0, 0, kHost, 1, 25, 35);
  EXPECT_EQ(concurrent.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(concurrent.Fired("isolation/move-destination/concurrent", 3));
  // After owner 1 finished, the same restore is legal.
  Steps after;
  InSlot(after.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(after, 0, 0, 0, 0, kHost, 10, 20);
  InSlot(after.Read(1, 0, {0, 1}, 20, 30), 1, {1, 0});
  Move(after, 1, 0, 0, kHost, 1, 30, 40);
  InSlot(after.Read(0, 0, {1, 2}, 40, 50), 1, {0, 0});
  EXPECT_EQ(after.Check(), Types{});
}

TEST(ReferenceChecker, EnteringASlotWhileItsHoldersRestoreCopiesIntoItIsOwnerLeak) {
  Steps h;  // the restore into slot 1 is owner 0's latest use of slot 1 ("a move into it")
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(h, 0, 0, 0, 0, kHost, 10, 20);
  Move(h, 1, 0, 0, kHost, 1, 20, 40);
  InSlot(h.Read(1, 0, {0, 1}, 30, 50), 1, {1, 0});  // overlaps the restore
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(h.Fired("isolation/held-slot/concurrent", 3));
}

TEST(ReferenceChecker, EnteringASlotWhileItsHoldersOffloadCopiesOutOfItIsOwnerLeak) {
  // "the source is used until the copy ends": the offload out of slot 0 is owner 0's latest use of
  // slot 0, and owner 1's step enters slot 0 while it still copies.
  Steps step;
  InSlot(step.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});   // 0
  Move(step, 0, 0, 0, 0, kHost, 10, 30);               // 1: offload, copying until 30
  InSlot(step.Read(1, 0, {0, 1}, 20, 40), 0, {1, 0});  // 2: owner 1 admitted into slot 0 at 20
  EXPECT_EQ(step.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(step.Fired("isolation/held-slot/concurrent", 2));
  EXPECT_FALSE(step.Fired("isolation/held-slot/live", 2));  // owner 0's current slot is the host
  EXPECT_FALSE(AnyFired(step, 1));
  // A move entering slot 0 while the copy out of it runs: owner 1's state, from slot 5.
  Steps move;
  InSlot(move.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});  // 0
  InSlot(move.Read(1, 0, {0, 1}, 0, 10), 5, {1, 0});  // 1
  Move(move, 0, 0, 0, 0, kHost, 10, 30);              // 2: offload, copying until 30
  Move(move, 1, 1, 0, 5, 0, 20, 35);                  // 3: owner 1 moves into slot 0 at 20
  EXPECT_EQ(move.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(move.Fired("isolation/move-destination/concurrent", 3));
  // The same move once the copy ended is legal.
  move.steps()[3].start = Nanos{30};
  move.steps()[3].end = Nanos{40};
  EXPECT_EQ(move.Check(), Types{});
  // A copy-on-write first WRITE committing into slot 0 while the copy out of it runs enters it.
  Steps cow;
  InSlot(cow.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});         // 0
  Move(cow, 0, 0, 0, 0, kHost, 10, 30);                     // 1
  InBase(cow.Read(1, 0, {0, 4}, 10, 20));                   // 2
  InBase(cow.Write(1, 0, {0, 4}, 20, 40)).commit_slot = 0;  // 3: enters slot 0
  EXPECT_EQ(cow.Check(WithBase()), (Types{"owner-leak"}));
  EXPECT_TRUE(cow.Fired("isolation/base-write-entry/concurrent", 3, WithBase()));
}

TEST(ReferenceChecker, EnteringASlotAfterItsHoldersOffloadEndedIsValid) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});   // 0
  Move(h, 0, 0, 0, 0, kHost, 10, 30);               // 1: offload, copying until 30
  InSlot(h.Read(1, 0, {0, 1}, 30, 40), 0, {1, 0});  // 2: enters slot 0 as the copy ends
  Move(h, 1, 0, 0, kHost, 1, 30, 40);               // 3: owner 0 restored into slot 1
  InSlot(h.Read(0, 0, {1, 2}, 40, 50), 1, {0, 0});  // 4
  EXPECT_EQ(h.Check(), Types{});
  // At one instant: an instantaneous offload at 30 and owner 1's entry at 30 overlap unless the
  // entry takes time ("precedes": x.end == y.start and at least one of the two took time).
  Steps instant;
  InSlot(instant.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});   // 0
  Move(instant, 0, 0, 0, 0, kHost, 30, 30);               // 1
  InSlot(instant.Read(1, 0, {0, 1}, 30, 40), 0, {1, 0});  // 2: took time
  EXPECT_EQ(instant.Check(), Types{});
  instant.steps()[2].end = Nanos{30};  // instantaneous too
  EXPECT_EQ(instant.Check(), (Types{"owner-leak"}));
  EXPECT_TRUE(instant.Fired("isolation/held-slot/concurrent", 2));
}

TEST(ReferenceChecker, MoveOverlappingItsOwnersPreviousStepIsUncommittedRead) {
  // "its own steps": the offload starts at 15, while owner 0's WRITE runs until 20.
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});    // 0
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});  // 1: commits (0, 1) until 20
  Move(h, 0, 0, 1, 0, kHost, 15, 30);                // 2: copies the state from 15
  Move(h, 1, 0, 1, kHost, 1, 30, 40);                // 3: restore into slot 1
  InSlot(h.Read(0, 1, {4, 5}, 40, 50), 1, {0, 1});   // 4
  EXPECT_EQ(h.Check(), (Types{"uncommitted-read"}));
  EXPECT_TRUE(h.Fired("isolation/move-own-steps", 2));
  EXPECT_FALSE(AnyFired(h, 3));  // the restore's steps around it are steps 1 and 4: in order
  EXPECT_FALSE(AnyFired(h, 4));
  EXPECT_EQ(h.Check(Chunk(4)), (Types{"uncommitted-read"}));
  // Starting as the WRITE ends, it is in order (the WRITE took time).
  h.steps()[2].start = Nanos{20};
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, StepStartingBeforeItsOwnersRestoreEndedIsUncommittedRead) {
  // "o's step just after m in the history must come after m in real time": the READ starts at 40,
  // the restore into its slot ends at 45.
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});    // 0
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});  // 1
  Move(h, 0, 0, 1, 0, kHost, 20, 30);                // 2: offload
  Move(h, 1, 0, 1, kHost, 1, 30, 45);                // 3: restore, copying until 45
  InSlot(h.Read(0, 1, {4, 5}, 40, 50), 1, {0, 1});   // 4: reads slot 1 from 40
  EXPECT_EQ(h.Check(), (Types{"uncommitted-read"}));
  EXPECT_TRUE(h.Fired("isolation/move-own-steps", 3));
  EXPECT_FALSE(AnyFired(h, 2));  // the offload ended at 30, before the READ
  EXPECT_FALSE(AnyFired(h, 4));  // not a check 3 finding: a move is not a WRITE
  // A move out of order on both sides is one finding: the offload over [15, 45] overlaps the
  // WRITE before it and the READ after it (owner 0's next step: the restore is not a step).
  h.steps()[2].start = Nanos{15};
  h.steps()[2].end = Nanos{45};
  const std::vector<ReferenceFinding> findings = ReferenceFindings(h.steps(), {});
  EXPECT_EQ(std::count_if(findings.begin(), findings.end(),
                          [](const ReferenceFinding& f) {
                            return f.rule == "isolation/move-own-steps" && f.index == 2;
                          }),
            1);
  EXPECT_EQ(h.Check(), (Types{"uncommitted-read"}));
}

TEST(ReferenceChecker, MoveOutOfStartOrderIsMalformed) {
  Steps move;  // a move starting before an earlier step (its owner's: it overlaps that step too)
  move.Read(0, 0, {0, 1}, 10, 20);
  Move(move, 0, 0, 0, 0, kHost, 5, 25);
  EXPECT_EQ(move.Check(), (Types{"malformed", "uncommitted-read"}));
  EXPECT_TRUE(move.Fired("structure/malformed/start-order", 1));
  EXPECT_TRUE(move.Fired("isolation/move-own-steps", 1));
  Steps step;  // a step starting before an earlier move
  step.Read(0, 0, {0, 1}, 0, 10);
  Move(step, 0, 0, 0, 0, kHost, 20, 30);
  step.Read(1, 0, {0, 1}, 15, 25);
  EXPECT_EQ(step.Check(), (Types{"malformed"}));
  EXPECT_TRUE(step.Fired("structure/malformed/start-order", 2));
  Steps moves;  // a move starting before an earlier move
  moves.Read(0, 0, {0, 1}, 0, 10);
  Move(moves, 0, 0, 0, 0, kHost, 20, 30);
  Move(moves, 1, 0, 0, kHost, 2, 15, 40);
  EXPECT_EQ(moves.Check(), (Types{"malformed"}));
  EXPECT_TRUE(moves.Fired("structure/malformed/start-order", 2));
}

TEST(ReferenceChecker, RepeatedMoveIdIsMalformed) {
  Steps h;  // move ids 0 and 0 (step 0 has id 0 too: step and move ids are separate)
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {0, 0});
  Move(h, 0, 0, 0, 0, kHost, 10, 20);
  Move(h, 0, 0, 0, kHost, 0, 20, 30);
  InSlot(h.Read(0, 0, {1, 2}, 30, 40), 0, {0, 0});
  EXPECT_EQ(h.Check(), (Types{"malformed"}));
  EXPECT_TRUE(h.Fired("structure/malformed/repeated-move-id", 2));
  EXPECT_FALSE(AnyFired(h, 1));
  h.steps()[2].step = 1;
  EXPECT_EQ(h.Check(), Types{});
}

TEST(ReferenceChecker, RestoreOfAnOlderVersionIsTheNextStepsStaleRead) {
  Steps h;  // --inject stale-restore: the restore brings back version 0 after version 1
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});    // 0
  InSlot(h.Write(0, 0, {0, 4}, 10, 20), 0, {0, 0});  // 1: commits (0, 1)
  Move(h, 0, 0, 1, 0, kHost, 20, 30);                // 2: offload
  Move(h, 1, 0, 0, kHost, 1, 30, 40);                // 3: restores (0, 0)
  InSlot(h.Read(0, 1, {4, 5}, 40, 50), 1, {0, 0});   // 4: finds version 0, tagged 1
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 4));
  EXPECT_TRUE(h.Fired("versions/seen-below-latest-commit", 4));
  EXPECT_FALSE(AnyFired(h, 2));
  EXPECT_FALSE(AnyFired(h, 3));  // not a move finding: a move's seen_version is not judged
  EXPECT_EQ(h.Check(), (Types{"stale-read", "cycle"}));  // rw: the READ -> step 1; po back
  // The next step a WRITE: its lost-update.
  h.steps()[4].effect = Effect::kWrite;
  h.steps()[4].first_token = 4;
  h.steps()[4].end_token = 8;
  h.steps()[4].commit_slot = 1;
  h.steps()[4].commit_version = Version{2};
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 4));
  EXPECT_TRUE(Contains(h.Check(), "lost-update"));
  EXPECT_FALSE(Contains(h.Check(), "owner-leak"));
}

// ----------------------------------------------------------------------------------------------
// Check 3: version linearizability.

TEST(ReferenceChecker, FirstWriteCommittingVersionZeroIsLostUpdate) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{0};
  EXPECT_EQ(h.Check(), (Types{"lost-update"}));
  EXPECT_TRUE(h.Fired("versions/commit-not-above-highest", 1));
}

TEST(ReferenceChecker, TwoCommitsOfOneVersionIsLostUpdate) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 8}, 20, 30);
  h.Write(0, 1, {4, 8}, 30, 40).commit_version = Version{1};
  EXPECT_EQ(h.Check(), (Types{"lost-update"}));
}

TEST(ReferenceChecker, WriteOnAnOlderVersionIsLostUpdate) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 8}, 20, 30);
  h.Write(0, 1, {4, 8}, 30, 40).seen_version = Version{0};
  EXPECT_TRUE(Contains(h.Check(), "lost-update"));
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 3));
  EXPECT_TRUE(h.Fired("versions/seen-below-latest-commit", 3));
}

TEST(ReferenceChecker, CommitSkippingAVersionIsVersionGap) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{2};
  EXPECT_EQ(h.Check(), (Types{"version-gap"}));
}

TEST(ReferenceChecker, ReadOfAnOlderVersionThanItsTagIsStaleRead) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30).seen_version = Version{0};
  const Types types = h.Check();
  EXPECT_TRUE(Contains(types, "stale-read"));
  EXPECT_TRUE(Contains(types, "cycle"));  // rw: the READ -> the WRITE committing 1; po back
  EXPECT_TRUE(h.Fired("versions/seen-below-tag", 2));
}

TEST(ReferenceChecker, ReadMissingTheLatestPrecedingCommitIsStaleRead) {
  Steps h;  // tag and stamp agree (0), but version 1 was committed before it started
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 0, {4, 5}, 20, 30);
  EXPECT_TRUE(h.Fired("versions/seen-below-latest-commit", 2));
  EXPECT_FALSE(h.Fired("versions/seen-below-tag", 2));
  EXPECT_TRUE(Contains(h.Check(), "stale-read"));
}

TEST(ReferenceChecker, ReadOfANewerVersionThanItsTagIsFutureRead) {
  Steps h;
  h.Read(0, 0, {0, 1}, 0, 10).seen_version = Version{1};
  EXPECT_EQ(h.Check(), (Types{"future-read"}));
  EXPECT_TRUE(h.Fired("versions/seen-above-tag", 0));
  EXPECT_TRUE(h.Fired("versions/seen-version-not-committed", 0));
}

TEST(ReferenceChecker, ReadOfAVersionCommittedOnlyLaterIsFutureRead) {
  Steps h;  // both tag and stamp say 1, but the WRITE committing 1 starts after the READ ended
  h.Read(0, 1, {0, 1}, 0, 10);
  h.Read(1, 0, {0, 4}, 10, 20);
  h.Write(0, 0, {0, 4}, 20, 30);
  EXPECT_TRUE(h.Fired("versions/seen-version-not-committed", 0));
  EXPECT_TRUE(Contains(h.Check(), "future-read"));
}

TEST(ReferenceChecker, ReadOverlappingTheCommitOfItsVersionIsUncommittedRead) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 15, 25);
  EXPECT_EQ(h.Check(), (Types{"program-order", "uncommitted-read"}));
  EXPECT_TRUE(h.Fired("versions/seen-version-being-committed", 2));
  EXPECT_TRUE(h.Fired("versions/overlaps-own-write", 2));
}

TEST(ReferenceChecker, StepOverlappingAWriteOfItsOwnerIsUncommittedRead) {
  Steps h;  // the READ of version 0 overlaps the WRITE (which starts before the READ ends)
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 5, 20);
  EXPECT_TRUE(h.Fired("versions/overlaps-own-write", 0));
  EXPECT_FALSE(h.Fired("versions/overlaps-own-write", 1));  // a READ is not a WRITE
  EXPECT_EQ(h.Check(), (Types{"program-order", "uncommitted-read"}));
}

TEST(ReferenceChecker, VersionRulesSkipForeignStamps) {
  Steps h;  // a foreign stamp is check 2's, whatever its version
  InSlot(h.Read(0, 0, {0, 1}, 0, 10), 0, {1, 5});
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
}

// ----------------------------------------------------------------------------------------------
// Check 4: the dependency graph.

TEST(ReferenceChecker, CommitsOutOfRealTimeOrderAreACycle) {
  Steps h;  // ww: the WRITE committing 1 -> the one committing 2; rt: the other way round
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 1, {0, 4}, 10, 20).seen_version = Version{0};  // commits 2
  h.Write(0, 0, {4, 8}, 20, 30);                            // commits 1
  EXPECT_TRUE(Contains(h.Check(), "cycle"));
}

TEST(ReferenceChecker, CycleAcrossOwnersThroughForeignStamps) {
  Steps h;  // owner 1 reads (0,1) before owner 0 commits it: wr W -> R; rt R -> W
  h.Read(0, 0, {0, 4}, 0, 10);
  InSlot(h.Read(1, 0, {0, 1}, 10, 20), 1, {0, 1});
  h.Write(0, 0, {0, 4}, 20, 30);
  EXPECT_TRUE(Contains(h.Check(), "cycle"));
}

TEST(ReferenceChecker, RealTimeEdgesFollowTheEqualityClause) {
  // Owner 1 saw (0,1), committed by a WRITE that is instantaneous at 10 while owner 1's READ is
  // instantaneous at 10 too: they overlap (no rt edge), so wr alone makes no cycle.
  Steps overlap;
  overlap.Read(0, 0, {0, 4}, 0, 10);
  InSlot(overlap.Read(1, 0, {0, 1}, 10, 10), 1, {0, 1});
  overlap.Write(0, 0, {0, 4}, 10, 10);
  EXPECT_FALSE(Contains(overlap.Check(), "cycle"));
  // The READ takes time and ends at 10: it precedes the WRITE (end == start), and rt closes the
  // cycle.
  Steps ordered;
  ordered.Read(0, 0, {0, 4}, 0, 10);
  InSlot(ordered.Read(1, 0, {0, 1}, 5, 10), 1, {0, 1});
  ordered.Write(0, 0, {0, 4}, 10, 10);
  EXPECT_TRUE(Contains(ordered.Check(), "cycle"));
}

// ----------------------------------------------------------------------------------------------
// The minimal histories of docs/checker.md "Anomalies, with minimal histories" (no trace, no C).

TEST(ReferenceChecker, DocExampleMalformed) {
  Steps h;
  h.Read(0, 0, {0, 4}, 10, 20);
  h.Read(0, 0, {4, 5}, 5, 30);
  EXPECT_EQ(h.Check(), (Types{"malformed", "program-order"}));
}

TEST(ReferenceChecker, DocExampleProgramOrder) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Read(0, 0, {5, 6}, 10, 20);
  EXPECT_EQ(h.Check(), (Types{"program-order"}));
}

TEST(ReferenceChecker, DocExampleMixedBatch) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10).batch = 0;
  h.Write(0, 0, {0, 4}, 10, 20).batch = 1;
  h.Read(1, 0, {0, 4}, 10, 20).batch = 1;
  // The doc's example output names only mixed-batch; by the missing-step rule (no trace, C = 4
  // inferred from owner 0's WRITE) owner 1's READ [0,4) ends a chunk and requires the WRITE
  // closing 4, which owner 1 lacks. The reference follows the rules.
  EXPECT_EQ(h.Check(), (Types{"mixed-batch", "missing-step"}));
}

TEST(ReferenceChecker, DocExampleDuplicateStep) {
  Steps h;
  h.Read(0, 0, {0, 2}, 0, 10);
  h.Read(0, 0, {0, 2}, 10, 20);
  EXPECT_EQ(h.Check(), (Types{"duplicate-step"}));
}

TEST(ReferenceChecker, DocExampleOwnerLeak) {
  Steps h;
  InSlot(h.Read(0, 0, {0, 4}, 0, 10), 0, {0, 0});
  InSlot(h.Read(1, 0, {0, 4}, 0, 10), 0, {0, 0});
  EXPECT_EQ(h.Check(), (Types{"owner-leak"}));
}

TEST(ReferenceChecker, DocExampleLostUpdate) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 8}, 20, 30);
  h.Write(0, 1, {4, 8}, 30, 40).seen_version = Version{0};
  EXPECT_EQ(h.Check(), (Types{"lost-update", "cycle"}));
}

TEST(ReferenceChecker, DocExampleVersionGap) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20).commit_version = Version{2};
  EXPECT_EQ(h.Check(), (Types{"version-gap"}));
}

TEST(ReferenceChecker, DocExampleStaleRead) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  h.Read(0, 1, {4, 5}, 20, 30).seen_version = Version{0};
  EXPECT_EQ(h.Check(), (Types{"stale-read", "cycle"}));
}

TEST(ReferenceChecker, DocExampleFutureRead) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10).seen_version = Version{1};
  EXPECT_EQ(h.Check(), (Types{"future-read"}));
}

TEST(ReferenceChecker, DocExampleUncommittedRead) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 25);
  h.Read(0, 1, {4, 5}, 20, 30);
  // The doc's example output names only uncommitted-read; the rules also make it a program-order
  // finding ("p, if any, precedes x in real time": the WRITE ends at 25, after the READ starts at
  // 20), exactly as the malformed example's overlap is. The reference follows the rules.
  EXPECT_EQ(h.Check(), (Types{"program-order", "uncommitted-read"}));
}

TEST(ReferenceChecker, DocExampleCycle) {
  Steps h;
  h.Read(0, 0, {0, 4}, 0, 10);
  h.Write(0, 0, {0, 4}, 10, 20);
  InSlot(h.Read(1, 0, {0, 4}, 30, 40), 0, {0, 0});
  // As in the mixed-batch example, the rules add a missing-step for owner 1 (its READ [0,4) ends a
  // chunk of the inferred C = 4 and no WRITE of owner 1 closes it); the doc's output omits it.
  EXPECT_EQ(h.Check(), (Types{"owner-leak", "cycle", "missing-step"}));
}

}  // namespace
}  // namespace rwttt::testing
