#include "sim/faults/fault_injector.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

int FiredOf(FaultInjector& inject, std::uint64_t keys) {
  int fired = 0;
  for (std::uint64_t key = 0; key < keys; ++key) fired += inject.Fire(key << 20 | 7);
  return fired;
}

TEST(FaultInjector, FirstPointAlwaysFiresThenAboutRateOfTheRest) {
  FaultInjector inject(FaultPlan{FaultKind::kLostUpdate, 0.25}, Seed{3});
  EXPECT_TRUE(inject.Fire(12345));
  EXPECT_EQ(inject.injected(), 1u);
  const int fired = FiredOf(inject, 8000);
  EXPECT_GT(fired, 1800);  // 2000 expected
  EXPECT_LT(fired, 2200);
  EXPECT_EQ(inject.injected(), 1u + static_cast<std::uint64_t>(fired));
}

TEST(FaultInjector, RateOneFiresEverywhereAndNoneNowhere) {
  FaultInjector all(FaultPlan{FaultKind::kTornState, 1.0}, Seed{3});
  EXPECT_EQ(FiredOf(all, 500), 500);
  FaultInjector none(FaultPlan{FaultKind::kNone, 1.0}, Seed{3});
  EXPECT_EQ(FiredOf(none, 500), 0);
  EXPECT_EQ(none.injected(), 0u);
}

TEST(FaultInjector, DecisionsDependOnlyOnSeedKindAndPoint) {
  const auto decisions = [](FaultKind kind, Seed seed) {
    FaultInjector inject(FaultPlan{kind, 0.5}, seed);
    inject.Fire(0);  // the always-firing first point
    std::vector<bool> out;
    for (std::uint64_t key = 1; key < 200; ++key) out.push_back(inject.Fire(key));
    return out;
  };
  EXPECT_EQ(decisions(FaultKind::kStaleRead, Seed{9}), decisions(FaultKind::kStaleRead, Seed{9}));
  EXPECT_NE(decisions(FaultKind::kStaleRead, Seed{9}), decisions(FaultKind::kStaleRead, Seed{10}));
  EXPECT_NE(decisions(FaultKind::kStaleRead, Seed{9}), decisions(FaultKind::kEarlyWrite, Seed{9}));
}

TEST(FaultInjector, NamesRoundTrip) {
  for (const std::string& name : FaultKindNames()) {
    const Result<FaultPlan> plan = ParseFaultPlan(name + "@0.5");
    ASSERT_TRUE(plan.ok()) << name;
    EXPECT_EQ(FaultKindName(plan->kind), name);
    EXPECT_EQ(plan->rate, 0.5);
  }
  EXPECT_EQ(FaultKindNames().size(), 11u);
}

}  // namespace
}  // namespace rwttt
