// The built-in policies, each against a hand-made ready set: their layouts, their declared options
// and the batches they form.
#include <gtest/gtest.h>

#include <vector>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "sim/policies/naive_policy.h"
#include "sim/policies/replicas_policy.h"
#include "sim/policies/rwttt_policy.h"
#include "sim/policies/sequential_policy.h"

namespace rwttt {
namespace {

// A ready set held in two vectors, oldest first.
class FakeReady final : public ReadyView {
 public:
  void Add(std::uint64_t owner, Effect e, std::int64_t since) {
    ReadyStep s;
    s.owner = OwnerId{owner};
    s.ready_since = Nanos{since};
    s.step.tag = {OwnerId{owner}, Version{0}, e};
    (e == Effect::kRead ? reads_ : writes_).push_back(s);
  }
  Nanos now() const override { return Nanos{1000}; }
  std::size_t count(Effect e) const override { return List(e).size(); }
  void ForEach(Effect e, const std::function<bool(const ReadyStep&)>& visit) const override {
    for (const ReadyStep& s : List(e)) {
      if (!visit(s)) return;
    }
  }
  Nanos oldest(Effect e) const override { return List(e).front().ready_since; }
  const ReadyStep* Find(OwnerId owner) const override {
    for (const auto* list : {&reads_, &writes_}) {
      for (const ReadyStep& s : *list) {
        if (s.owner == owner) return &s;
      }
    }
    return nullptr;
  }
  std::uint32_t busy_lanes() const override { return 0; }

 private:
  const std::vector<ReadyStep>& List(Effect e) const {
    return e == Effect::kRead ? reads_ : writes_;
  }
  std::vector<ReadyStep> reads_, writes_;
};

class Policies : public ::testing::Test {
 protected:
  PolicyContext Context(std::uint64_t budget) const {
    return PolicyContext{model_, hardware_, budget, options_};
  }
  std::vector<std::uint64_t> Batch(Policy& p, const ReadyView& ready, std::uint32_t lane = 0) {
    BatchPlan plan;
    p.NextBatch(ready, lane, plan);
    std::vector<std::uint64_t> owners;
    for (OwnerId o : plan.owners) owners.push_back(o.value());
    return owners;
  }
  std::uint64_t OneOwner() const { return model_.shared_weight_bytes() + model_.state_bytes(); }

  ModelProfile model_ = LoadModelProfile("tiny").value();
  HardwareProfile hardware_ = LoadHardwareProfile("h100-sxm").value();
  PolicyOptions options_;
};

TEST_F(Policies, RwtttBatchesTheOldestEffectUpToMaxBatch) {
  RwtttPolicy p;
  options_.Set("max_batch", "2");
  const DeviceLayout layout = p.Configure(Context(OneOwner())).value();
  EXPECT_EQ(layout.fixed_bytes, model_.shared_weight_bytes());
  EXPECT_EQ(layout.owner_bytes, model_.state_bytes());
  EXPECT_EQ(layout.slot_mode, SlotMode::kPerOwner);
  FakeReady ready;
  ready.Add(1, Effect::kRead, 20);
  ready.Add(2, Effect::kRead, 30);
  ready.Add(3, Effect::kRead, 40);
  ready.Add(4, Effect::kWrite, 10);
  EXPECT_EQ(Batch(p, ready), (std::vector<std::uint64_t>{4}));  // the WRITE waited longest
  options_.Set("prefer", "largest");
  ASSERT_TRUE(p.Configure(Context(OneOwner())).ok());
  EXPECT_EQ(Batch(p, ready), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(Batch(p, FakeReady()).empty());
}

TEST_F(Policies, RwtttRejectsABadChoiceAndABudgetTooSmall) {
  RwtttPolicy p;
  options_.Set("prefer", "newest");
  const auto bad = p.Configure(Context(OneOwner()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(),
            "policy_options: prefer=newest: expected one of oldest, largest");
  options_ = PolicyOptions();
  const auto small = p.Configure(Context(OneOwner() - 1));
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(small.error().message.find("policy rwttt: no owner can ever be admitted"),
            std::string::npos);
}

TEST_F(Policies, NaiveSharesOneSlotAndBatchesEveryReadyStep) {
  NaivePolicy p;
  const DeviceLayout layout = p.Configure(Context(OneOwner())).value();
  EXPECT_EQ(layout.slot_mode, SlotMode::kShared);
  EXPECT_EQ(layout.fixed_bytes, OneOwner());
  EXPECT_EQ(layout.owner_bytes, 0u);
  EXPECT_FALSE(p.Configure(Context(OneOwner() - 1)).ok());
  FakeReady ready;
  ready.Add(1, Effect::kRead, 20);
  ready.Add(2, Effect::kWrite, 10);
  ready.Add(3, Effect::kRead, 30);
  ASSERT_TRUE(p.Configure(Context(OneOwner())).ok());
  EXPECT_EQ(Batch(p, ready), (std::vector<std::uint64_t>{1, 3, 2}));  // READs, then WRITEs
  options_.Set("max_batch", "2");
  ASSERT_TRUE(p.Configure(Context(OneOwner())).ok());
  EXPECT_EQ(Batch(p, ready), (std::vector<std::uint64_t>{1, 3}));
}

TEST_F(Policies, ReplicasServesOneOwnerPerCopy) {
  ReplicasPolicy p;
  options_.Set("replicas", "3");
  const DeviceLayout layout = p.Configure(Context(3 * OneOwner())).value();
  EXPECT_EQ(layout.lanes, 3u);
  EXPECT_EQ(layout.max_admitted, 3u);
  EXPECT_EQ(layout.fixed_bytes, 3 * model_.shared_weight_bytes());
  const auto over = p.Configure(Context(3 * OneOwner() - 1));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("(at most 2 fit)"), std::string::npos);
  options_.Set("replicas", "4097");
  EXPECT_FALSE(p.Configure(Context(3 * OneOwner())).ok());  // the declared range is [0, 4096]
  options_ = PolicyOptions();
  EXPECT_EQ(p.Configure(Context(5 * OneOwner() + 1)).value().lanes, 5u);  // 0: all that fit

  ASSERT_TRUE(p.Configure(Context(2 * OneOwner())).ok());
  p.OnAdmit(OwnerId{8}, 1);
  FakeReady ready;
  ready.Add(8, Effect::kRead, 0);
  ready.Add(9, Effect::kRead, 0);
  EXPECT_EQ(Batch(p, ready, 1), (std::vector<std::uint64_t>{8}));
  EXPECT_TRUE(Batch(p, ready, 0).empty());  // no owner on copy 0
  p.OnFinish(OwnerId{8});
  EXPECT_TRUE(Batch(p, ready, 1).empty());
}

TEST_F(Policies, EveryBuiltinDeclaresItsOptionsWithDefaultsAndRanges) {
  ASSERT_EQ(RwtttPolicy::Options().size(), 5u);
  EXPECT_EQ(RwtttPolicy::Options()[0].key, "max_batch");
  EXPECT_EQ(RwtttPolicy::Options()[1].choices, (std::vector<std::string>{"oldest", "largest"}));
  EXPECT_EQ(RwtttPolicy::Options()[2].choices, (std::vector<std::string>{"off", "on"}));  // default
  EXPECT_EQ(RwtttPolicy::Options()[3].key, "offload");
  EXPECT_EQ(RwtttPolicy::Options()[4].default_uint, 128u);
  EXPECT_EQ(RwtttPolicy::Options()[4].min, 1u);
  EXPECT_EQ(ReplicasPolicy::Options()[0].max, 4096u);
  EXPECT_EQ(NaivePolicy::Options()[0].default_uint, 0u);
  EXPECT_EQ(SequentialPolicy::Options()[0].key, "slice");
  // Parsed from the declaration: its default when absent, its range enforced.
  const PolicyOptionInfo wait = PolicyOptionInfo::Uint("wait", "help", 8, 2, 9);
  EXPECT_EQ(options_.GetUint(wait).value(), 8u);
  options_.Set("wait", "1");
  EXPECT_EQ(options_.GetUint(wait).error().ToString(),
            "policy_options: wait=1: expected an integer in [2, 9]");
}

}  // namespace
}  // namespace rwttt
