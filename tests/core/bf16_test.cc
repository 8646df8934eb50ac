// bf16 rounding golden values: round to nearest, ties to even, infinities and NaNs; the
// canonical NaN every store keeps.
#include "core/bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/ttt_math.h"

namespace rwttt {
namespace {

std::uint16_t Bits(float f) { return FloatToBf16(f).bits; }
std::uint16_t BitsOf(std::uint32_t u) { return FloatToBf16(BitsToFloat(u)).bits; }

TEST(Bf16, ExactValuesConvertExactly) {
  EXPECT_EQ(Bits(1.0f), 0x3F80);
  EXPECT_EQ(Bits(-2.0f), 0xC000);
  EXPECT_EQ(Bits(0.0f), 0x0000);
  EXPECT_EQ(Bits(-0.0f), 0x8000);
  EXPECT_EQ(Bf16ToFloat(Bf16{0x3F80}), 1.0f);
  EXPECT_EQ(Bf16ToFloat(Bf16{0xC049}), -3.140625f);
}

TEST(Bf16, RoundsToNearest) {
  EXPECT_EQ(BitsOf(0x3F807FFF), 0x3F80);  // just below half an ulp: down
  EXPECT_EQ(BitsOf(0x3F808001), 0x3F81);  // just above: up
  EXPECT_EQ(Bits(3.14159265f), 0x4049);   // pi -> 3.140625
}

TEST(Bf16, TiesGoToEven) {
  EXPECT_EQ(BitsOf(0x3F808000), 0x3F80);  // 1 + 2^-8: tie, 0x3F80 is even: down
  EXPECT_EQ(BitsOf(0x3F818000), 0x3F82);  // tie, 0x3F81 is odd: up to even
  EXPECT_EQ(BitsOf(0xBF818000), 0xBF82);  // the same for negatives
}

TEST(Bf16, OverflowAndInfinities) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(Bits(inf), 0x7F80);
  EXPECT_EQ(Bits(-inf), 0xFF80);
  EXPECT_EQ(Bits(std::numeric_limits<float>::max()), 0x7F80);  // rounds past 0x7F7F to inf
  EXPECT_EQ(BitsOf(0x7F7F7FFF), 0x7F7F);                       // the largest bf16 stays finite
}

TEST(Bf16, EveryNaNBecomesTheCanonicalNaN) {
  EXPECT_EQ(BitsOf(0x7FC00000), 0x7FC0);
  // x86's default NaN and CUDA's store alike, so digests do not depend on the hardware.
  EXPECT_EQ(BitsOf(0xFFC00000), 0x7FC0);
  EXPECT_EQ(BitsOf(0x7FFFFFFF), 0x7FC0);
  // A signalling NaN whose payload is only in the low bits would round to infinity if it went
  // through the rounding add; it must come out a quiet NaN.
  EXPECT_EQ(BitsOf(0x7F800001), 0x7FC0);
  EXPECT_TRUE(std::isnan(RoundToBf16(BitsToFloat(0x7F800001))));
}

TEST(Fp32Store, EveryNaNBecomesTheCanonicalNaNAndOtherValuesStayExact) {
  for (const std::uint32_t nan : {0xFFC00000u, 0x7FFFFFFFu, 0x7F800001u, 0xFFFFFFFFu}) {
    float stored = 0;
    Store(&stored, BitsToFloat(nan));
    EXPECT_EQ(FloatBits(stored), kCanonicalNanBits) << std::hex << nan;
    EXPECT_EQ(FloatBits(RoundAs(false, BitsToFloat(nan))), kCanonicalNanBits) << std::hex << nan;
  }
  for (const std::uint32_t value :
       {0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x3F8CCCCDu, 0x00000001u}) {
    float stored = 0;
    Store(&stored, BitsToFloat(value));
    EXPECT_EQ(FloatBits(stored), value) << std::hex << value;
  }
}

TEST(Bf16, SubnormalsRoundLikeNormals) {
  EXPECT_EQ(BitsOf(0x00008000), 0x0000);  // tie between 0 and the smallest subnormal: even (0)
  EXPECT_EQ(BitsOf(0x00018000), 0x0002);  // tie, odd 0x0001: up
  EXPECT_EQ(BitsOf(0x00010000), 0x0001);
}

}  // namespace
}  // namespace rwttt
