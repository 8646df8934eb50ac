// The cache rule (sim/cache_residency.h): worked by hand, then against a reference that reads the
// rule's sentence literally over the whole history of batches.
#include "sim/cache_residency.h"

#include <algorithm>
#include <set>
#include <vector>

#include "tests/support/property.h"

namespace rwttt {
namespace {

constexpr std::uint64_t kWeights = 6, kState = 4;  // bytes, small enough to count by hand

struct Touch {
  std::uint32_t lane = 0;
  std::vector<std::uint32_t> reads, writes;
};

BatchShape Place(CacheResidency& cache, const Touch& t) {
  BatchShape shape;
  shape.read_steps = t.reads.size();
  shape.read_slots = std::set<std::uint32_t>(t.reads.begin(), t.reads.end()).size();
  shape.write_steps = t.writes.size();
  shape.write_slots = std::set<std::uint32_t>(t.writes.begin(), t.writes.end()).size();
  cache.Place(t.lane, t.reads, t.writes, shape);
  return shape;
}

TEST(CacheResidency, ALoneDecoderFindsItsStateAndTheWeightsCached) {
  CacheResidency cache(16, kWeights, kState);
  const BatchShape first = Place(cache, {0, {3}, {}});
  EXPECT_EQ(first.cached_weights + first.cached_read_slots, 0u);
  const BatchShape write = Place(cache, {0, {}, {3}});  // its WRITE: the state, no weights
  EXPECT_EQ(write.cached_write_slots, 1u);
  EXPECT_EQ(write.cached_weights, 0u);
  const BatchShape again = Place(cache, {0, {3}, {}});  // the weights stayed through the WRITE
  EXPECT_EQ(again.cached_weights, 1u);
  EXPECT_EQ(again.cached_read_slots, 1u);
}

TEST(CacheResidency, ABatchLargerThanTheCacheLeavesNothing) {
  CacheResidency cache(16, kWeights, kState);
  Place(cache, {0, {1, 2}, {}});  // 6 + 8 bytes: fits
  EXPECT_EQ(Place(cache, {0, {1, 2}, {}}).cached_read_slots, 2u);
  Place(cache, {0, {1, 2, 3}, {}});  // 6 + 12 bytes: the cache is flushed
  const BatchShape after = Place(cache, {0, {1, 2}, {}});
  EXPECT_EQ(after.cached_read_slots + after.cached_weights, 0u);
}

TEST(CacheResidency, TheLeastRecentBatchIsEvictedWhole) {
  CacheResidency cache(16, kWeights, kState);
  Place(cache, {0, {}, {1, 2}});  // 8 bytes
  Place(cache, {0, {}, {3, 4}});  // 16 in all
  Place(cache, {0, {}, {5}});     // 20: the first batch's two states go, together
  EXPECT_EQ(Place(cache, {0, {}, {1}}).cached_write_slots, 0u);
  // Held now: {5} and {1} (the second batch's went when 1 came back: 3, 4, 5, 1 are 16 bytes,
  // so nothing was evicted then), so 3 and 4 are still there.
  EXPECT_EQ(Place(cache, {0, {}, {3, 4}}).cached_write_slots, 2u);
}

TEST(CacheResidency, ReplicasHoldAWeightCopyPerLane) {
  CacheResidency cache(64, kWeights, kState);
  Place(cache, {0, {0}, {}});
  EXPECT_EQ(Place(cache, {1, {1}, {}}).cached_weights, 0u);
  EXPECT_EQ(Place(cache, {0, {0}, {}}).cached_weights, 1u);
}

TEST(CacheResidency, ASharedSlotReadAndUpdatedCountsForEachEffect) {
  CacheResidency cache(16, kWeights, kState);
  Place(cache, {0, {0, 0, 0}, {0}});  // the naive engine's shared slot: 6 + 4 bytes
  const BatchShape mixed = Place(cache, {0, {0, 0}, {0, 0}});
  EXPECT_EQ(mixed.cached_read_slots, 1u);
  EXPECT_EQ(mixed.cached_write_slots, 1u);
  EXPECT_EQ(mixed.cached_weights, 1u);
}

TEST(CacheResidency, NoCapacityNoCache) {
  CacheResidency cache(0, kWeights, kState);
  Place(cache, {0, {1}, {}});
  const BatchShape again = Place(cache, {0, {1}, {}});
  EXPECT_EQ(again.cached_read_slots + again.cached_weights, 0u);
}

// The rule's sentence, literally: an item a batch touches is cached when the batches since it was
// last touched (that one included) touched distinct items of at most `capacity` bytes in all,
// and none of them alone touched more.
struct Reference {
  std::uint64_t capacity;
  std::vector<std::set<std::uint64_t>> history;  // each batch's items; weights are 1000 + lane

  static std::uint64_t Bytes(std::uint64_t item) { return item >= 1000 ? kWeights : kState; }
  static std::uint64_t Sum(const std::set<std::uint64_t>& items) {
    std::uint64_t sum = 0;
    for (std::uint64_t i : items) sum += Bytes(i);
    return sum;
  }
  bool Cached(std::uint64_t item) const {
    std::set<std::uint64_t> since;
    for (std::size_t j = history.size(); j-- > 0;) {
      if (Sum(history[j]) > capacity) return false;
      since.insert(history[j].begin(), history[j].end());
      if (Sum(since) > capacity) return false;
      if (history[j].contains(item)) return true;
    }
    return false;
  }
  BatchShape Place(const Touch& t) {
    std::set<std::uint64_t> items, reads(t.reads.begin(), t.reads.end()),
        writes(t.writes.begin(), t.writes.end());
    BatchShape shape;
    for (std::uint64_t r : reads) shape.cached_read_slots += Cached(r) ? 1 : 0;
    for (std::uint64_t w : writes) shape.cached_write_slots += Cached(w) ? 1 : 0;
    items.insert(reads.begin(), reads.end());
    items.insert(writes.begin(), writes.end());
    if (!t.reads.empty()) {
      shape.cached_weights = Cached(1000 + t.lane) ? 1 : 0;
      items.insert(1000 + t.lane);
    }
    history.push_back(items);
    return shape;
  }
};

RC_GTEST_PROP(CacheResidency, AgreesWithTheRuleReadLiterally, ()) {
  const auto capacity = *rc::gen::inRange<std::uint64_t>(0, 40);
  const auto lanes = *rc::gen::inRange<std::uint32_t>(1, 3);
  const auto slots = *rc::gen::inRange<std::uint32_t>(1, 9);
  CacheResidency cache(capacity, kWeights, kState);
  Reference reference{capacity, {}};
  const auto batches = *rc::gen::inRange(1, 60);
  for (int b = 0; b < batches; ++b) {
    Touch t;
    t.lane = *rc::gen::inRange<std::uint32_t>(0, lanes);
    t.reads = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange(0, 4), rc::gen::inRange<std::uint32_t>(0, slots));
    t.writes = *rc::gen::container<std::vector<std::uint32_t>>(
        *rc::gen::inRange(t.reads.empty() ? 1 : 0, 4), rc::gen::inRange<std::uint32_t>(0, slots));
    const BatchShape got = Place(cache, t);
    const BatchShape want = reference.Place(t);
    if (capacity == 0) {  // no cache at all
      RC_ASSERT(got.cached_weights + got.cached_read_slots + got.cached_write_slots == 0u);
      continue;
    }
    RC_ASSERT(got.cached_weights == want.cached_weights);
    RC_ASSERT(got.cached_read_slots == want.cached_read_slots);
    RC_ASSERT(got.cached_write_slots == want.cached_write_slots);
  }
}

}  // namespace
}  // namespace rwttt
