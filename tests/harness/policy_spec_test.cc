// A policy and its options as one value: the replay flags and the one-argument label.
#include "harness/policy_spec.h"

#include <gtest/gtest.h>

#include "harness/paper_experiment.h"

namespace rwttt {
namespace {

TEST(PolicySpec, ReplayFlagsAndLabelListOptionsInKeyOrder) {
  PolicySpec s{"rwttt", {}};
  EXPECT_EQ(s.ReplayFlags(), "--policy rwttt");
  EXPECT_EQ(s.Label(), "rwttt");
  s.options.Set("max_batch", "4");
  s.options.Set("hold", "2");
  EXPECT_EQ(s.ReplayFlags(), "--policy rwttt --policy-opt hold=2 --policy-opt max_batch=4");
  EXPECT_EQ(s.Label(), "rwttt:hold=2,max_batch=4");
}

TEST(PolicySpec, ThePapersPoliciesAreRwtttSequentialSliceOneAndReplicas) {
  const std::vector<PolicySpec> p = PaperPolicies();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].Label(), "rwttt");
  EXPECT_EQ(p[1].ReplayFlags(), "--policy sequential --policy-opt slice=1");
  EXPECT_EQ(p[2].Label(), "replicas");
}

}  // namespace
}  // namespace rwttt
