#include "sim/faults/faulty_backend.h"

#include <gtest/gtest.h>

#include "core/cpu_backend.h"

namespace rwttt {
namespace {

using Fault = FaultyBackend::Fault;

class FaultyBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = LoadModelProfile("tiny").value();
    ASSERT_GE(model_.ttt_layers.size(), 2u);
    ASSERT_TRUE(faulty_.Reset(model_, 3, Seed{4}).ok());
    for (std::uint32_t s = 0; s < 3; ++s) faulty_.InitSlot(s);
    fresh_ = faulty_.StateDigest(0);
  }
  BatchItem Write(std::uint32_t slot) const {
    return BatchItem{.owner = OwnerId{2},
                     .effect = Effect::kWrite,
                     .first_token = 0,
                     .end_token = model_.chunk,
                     .slot = slot,
                     .input_seed = 1};
  }
  std::uint32_t layers() const { return static_cast<std::uint32_t>(model_.ttt_layers.size()); }

  ModelProfile model_;
  CpuBackend cpu_;
  FaultyBackend faulty_{cpu_, /*spare_slot=*/true};
  std::uint64_t fresh_ = 0;
};

TEST_F(FaultyBackendTest, TornWriteUpdatesOnlyTheFirstHalfOfTheLayers) {
  const BatchItem items[] = {Write(0), Write(1)};
  ItemResult results[2];
  faulty_.PlanNextBatch(2)[1] = Fault::kTorn;
  faulty_.RunBatch(items, results);
  EXPECT_NE(results[1].state_digest, results[0].state_digest);
  EXPECT_NE(results[1].state_digest, fresh_);
  EXPECT_EQ(results[1].state_digest, faulty_.StateDigest(1));
  // The full WRITE's first half over the fresh state is the torn state; its second half too, the
  // full state.
  cpu_.CopyLayers(0, 2, 0, layers() / 2);
  EXPECT_EQ(cpu_.StateDigest(2), results[1].state_digest);
  cpu_.CopyLayers(0, 2, layers() / 2, layers());
  EXPECT_EQ(cpu_.StateDigest(2), results[0].state_digest);
}

TEST_F(FaultyBackendTest, AnUnplannedBatchRunsAsTheInnerBackendDoes) {
  const BatchItem item = Write(0);
  ItemResult faulty_result, cpu_result;
  faulty_.RunBatch({&item, 1}, {&faulty_result, 1});
  CpuBackend reference;
  ASSERT_TRUE(reference.Reset(model_, 1, Seed{4}).ok());
  reference.InitSlot(0);
  reference.RunBatch({&item, 1}, {&cpu_result, 1});
  EXPECT_EQ(faulty_result.state_digest, cpu_result.state_digest);
  EXPECT_EQ(faulty_result.carry, cpu_result.carry);
}

TEST_F(FaultyBackendTest, ShadowSavesAStateThatAReadOrARestoreLaterSees) {
  BatchItem write = Write(1);
  ItemResult w;
  faulty_.PlanNextBatch(1)[0] = Fault::kSaveShadow;  // the fresh state goes to the shadow
  faulty_.RunBatch({&write, 1}, {&w, 1});
  ASSERT_NE(faulty_.StateDigest(1), fresh_);

  const BatchItem read{.owner = OwnerId{2}, .first_token = 0, .end_token = 3, .slot = 1};
  BatchItem fresh_read = read;
  fresh_read.slot = 0;
  ItemResult stale, expected;
  faulty_.PlanNextBatch(1)[0] = Fault::kReadShadow;
  faulty_.RunBatch({&read, 1}, {&stale, 1});
  faulty_.RunBatch({&fresh_read, 1}, {&expected, 1});
  EXPECT_EQ(stale.out_digest, expected.out_digest);
  EXPECT_NE(faulty_.StateDigest(1), fresh_);  // a stale READ leaves its slot as it was

  faulty_.PlanNextBatch(1)[0] = Fault::kRestoreShadow;
  faulty_.RunBatch({&write, 1}, {&w, 1});
  EXPECT_EQ(w.state_digest, faulty_.StateDigest(1));
  ItemResult once;
  BatchItem write0 = Write(0);
  faulty_.RunBatch({&write0, 1}, {&once, 1});
  EXPECT_EQ(w.state_digest, once.state_digest);  // one update on the fresh state: one was lost
}

TEST_F(FaultyBackendTest, ReplayRunsOnThePreviousCarryAndKeepsTheCurrentOne) {
  const BatchItem read{
      .owner = OwnerId{2}, .first_token = 0, .end_token = 3, .slot = 0, .carry = 77};
  ItemResult first;
  faulty_.RunBatch({&read, 1}, {&first, 1});
  BatchItem again = read;
  again.carry = first.carry;  // what the executor holds after the first run
  ItemResult retry;
  faulty_.PlanNextBatch(1)[0] = Fault::kReplay;
  faulty_.RunBatch({&again, 1}, {&retry, 1});
  EXPECT_EQ(retry.out_digest, first.out_digest);
  EXPECT_EQ(retry.carry, first.carry);
  ItemResult next;
  faulty_.RunBatch({&again, 1}, {&next, 1});  // unplanned: the plan was consumed
  EXPECT_NE(next.out_digest, first.out_digest);
}

}  // namespace
}  // namespace rwttt
