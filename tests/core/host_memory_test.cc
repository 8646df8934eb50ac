// Host memory: the fit check's message and limit, and the huge-page allocator's memory (aligned,
// whole, freed by size) at sizes around the 2 MiB boundary.
#include "core/host_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace rwttt {
namespace {

TEST(CheckMemoryFits, AcceptsUpToTheLimitAndNamesWhatDoesNotFit) {
  EXPECT_TRUE(CheckMemoryFits(100, 100, "x", "host memory").ok());
  const Status too_big = CheckMemoryFits(101, 100, "8 slots of model medium", "host memory");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().message.find("8 slots of model medium"), std::string::npos);
  EXPECT_NE(too_big.error().message.find("host memory"), std::string::npos);
}

TEST(AllocateHostPages, LargeBlocksAre2MiBAlignedAndWholeSmallOnesWork) {
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{4096}, (std::size_t{2} << 20) - 1,
                                  std::size_t{2} << 20, (std::size_t{5} << 20) + 3}) {
    auto* p = static_cast<unsigned char*>(AllocateHostPages(bytes));
    ASSERT_NE(p, nullptr);
    if (bytes >= (std::size_t{2} << 20)) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20), 0u) << bytes;
    }
    std::memset(p, 0xA5, bytes);  // every byte is ours (ASAN would say otherwise)
    EXPECT_EQ(p[bytes - 1], 0xA5);
    FreeHostPages(p, bytes);
  }
}

TEST(HugePageAllocator, AVectorKeepsItsValuesThroughGrowthAndCopies) {
  std::vector<float, HugePageAllocator<float>> v;
  for (int i = 0; i < (3 << 20) / 4; ++i) v.push_back(static_cast<float>(i));  // crosses 2 MiB
  const std::vector<float, HugePageAllocator<float>> copy = v;
  ASSERT_EQ(copy.size(), v.size());
  EXPECT_EQ(copy[12345], 12345.0f);
  EXPECT_EQ(copy.back(), static_cast<float>(v.size() - 1));
}

}  // namespace
}  // namespace rwttt
