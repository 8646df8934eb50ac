// Fuzz case generation and shrinking, with judges whose answers are known.
#include "harness/fuzz.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

FuzzSpace TinySpace() {
  FuzzSpace s;
  s.model = LoadModelProfile("tiny").value();
  s.max_owners = 24;
  s.shared_weight_bytes = s.model.shared_weight_bytes();
  s.state_bytes = s.model.state_bytes();
  return s;
}

TEST(FuzzCase, IsDeterministicAndVaried) {
  const FuzzSpace s = TinySpace();
  const FuzzCase a = MakeFuzzCase(s, Seed{1}, 5);
  const FuzzCase b = MakeFuzzCase(s, Seed{1}, 5);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.budget_bytes, b.budget_bytes);
  EXPECT_EQ(a.seed, b.seed);
  bool simultaneous = false, boundary = false, sizes_differ = false;
  for (std::uint64_t i = 0; i < 50; ++i) {
    const FuzzCase c = MakeFuzzCase(s, Seed{1}, i);
    ASSERT_FALSE(c.trace.empty());
    ASSERT_LE(c.trace.size(), s.max_owners);
    sizes_differ |= c.trace.size() != a.trace.size();
    for (std::size_t k = 1; k < c.trace.size(); ++k) {
      ASSERT_LE(c.trace[k - 1].arrival, c.trace[k].arrival);
      simultaneous |= c.trace[k - 1].arrival == c.trace[k].arrival;
    }
    for (const Request& r : c.trace)
      boundary |= r.prompt_tokens % s.model.chunk == 0 && r.prompt_tokens > 0;
    // Every budget holds at least one owner next to the weights.
    ASSERT_GE(c.budget_bytes, s.shared_weight_bytes + s.state_bytes);
  }
  EXPECT_TRUE(simultaneous);
  EXPECT_TRUE(boundary);
  EXPECT_TRUE(sizes_differ);
}

TEST(Shrink, FindsTheSmallestCaseThatStillFailsTheSameWay) {
  FuzzCase big;
  for (std::uint64_t i = 0; i < 20; ++i) {
    big.trace.push_back(Request{OwnerId{i},
                                Nanos{static_cast<std::int64_t>(1000 * i)},
                                static_cast<std::uint32_t>(3 * i),
                                40,
                                {}});
  }
  // Fails ("clash") when two requests have prompts of at least 9 tokens.
  const Judge judge = [](const FuzzCase& c) -> Result<Verdict> {
    int long_prompts = 0;
    for (const Request& r : c.trace) long_prompts += r.prompt_tokens >= 9;
    return Verdict{long_prompts >= 2, "clash", ""};
  };
  std::uint64_t tries = 0;
  const FuzzCase small = Shrink(big, Verdict{true, "clash", ""}, judge, &tries);
  ASSERT_EQ(small.trace.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(small.trace[i].prompt_tokens, 9u);
    EXPECT_EQ(small.trace[i].output_tokens, 0u);
    EXPECT_EQ(small.trace[i].arrival, Nanos{0});
    EXPECT_EQ(small.trace[i].id, OwnerId{i});
  }
  EXPECT_GT(tries, 0u);
}

TEST(Shrink, KeepsOnlyCandidatesFailingWithTheSameAnomaly) {
  FuzzCase c;
  c.trace = {Request{OwnerId{0}, Nanos{0}, 4, 4, {}}, Request{OwnerId{1}, Nanos{0}, 4, 4, {}}};
  // One request fails differently; only both together give the anomaly being shrunk.
  const Judge judge = [](const FuzzCase& x) -> Result<Verdict> {
    return Verdict{true, x.trace.size() == 2 ? "lost-update" : "stale-read", ""};
  };
  const FuzzCase small = Shrink(c, Verdict{true, "lost-update", ""}, judge);
  EXPECT_EQ(small.trace.size(), 2u);
  EXPECT_EQ(small.trace[0].prompt_tokens, 0u);
}

TEST(Shard, SplitsIterationsDisjointlyAndCompletely) {
  EXPECT_FALSE(ParseShard("0/3").ok());
  EXPECT_FALSE(ParseShard("4/3").ok());
  EXPECT_FALSE(ParseShard("1-3").ok());
  const auto [k, n] = ParseShard("2/3").value();
  EXPECT_EQ(k, 2u);
  EXPECT_EQ(n, 3u);
  for (std::uint64_t i = 0; i < 30; ++i) {
    int owners = 0;
    for (std::uint64_t s = 1; s <= 3; ++s) owners += InShard(i, s, 3);
    EXPECT_EQ(owners, 1) << i;
  }
}

}  // namespace
}  // namespace rwttt
