// The shared math: exp and silu from + - * /, power-of-two scales, fingerprints, draws.
#include "core/ttt_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace rwttt {
namespace {

// Distance in units in the last place between two finite floats of one sign.
std::int64_t UlpDistance(float a, float b) {
  return std::llabs(static_cast<std::int64_t>(FloatBits(a)) -
                    static_cast<std::int64_t>(FloatBits(b)));
}

TEST(ExpF, WithinTwoUlpOfLibmOverTheRangeSiluUses) {
  for (float x = -87.0f; x <= 88.0f; x += 0.0371f) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x)));
    EXPECT_LE(UlpDistance(ExpF(x), want), 2) << "x=" << x;
  }
}

TEST(ExpF, EdgeValues) {
  EXPECT_EQ(ExpF(0.0f), 1.0f);
  EXPECT_EQ(ExpF(100.0f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(ExpF(-200.0f), 0.0f);
  EXPECT_TRUE(std::isnan(ExpF(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_GT(ExpF(-100.0f), 0.0f);  // a subnormal, not flushed to zero
}

TEST(Silu, MatchesDefinition) {
  EXPECT_EQ(Silu(0.0f), 0.0f);
  EXPECT_NEAR(Silu(1.0f), 0.7310585786f, 1e-7);
  EXPECT_NEAR(Silu(-1.0f), -0.2689414214f, 1e-7);
  EXPECT_EQ(Silu(-200.0f), -0.0f);
  EXPECT_EQ(Silu(200.0f), 200.0f);
}

TEST(InvSqrtPow2, IsAPowerOfTwoNearOneOverSqrt) {
  EXPECT_EQ(InvSqrtPow2(1), 1.0f);
  EXPECT_EQ(InvSqrtPow2(4), 0.5f);
  EXPECT_EQ(InvSqrtPow2(16), 0.25f);
  EXPECT_EQ(InvSqrtPow2(1024), 1.0f / 32);
  EXPECT_EQ(InvSqrtPow2(2560), 1.0f / 64);  // ceil(log2 2560) = 12
}

TEST(Draws, AreCenteredAndDependOnEveryKeyPart) {
  const float base = InputValue(TokenKey(1, 2, 3), 3, 4, 5, 6);
  EXPECT_GT(base, -1.0f);
  EXPECT_LT(base, 1.0f);
  EXPECT_NE(base, InputValue(TokenKey(9, 2, 3), 3, 4, 5, 6));                  // seed
  EXPECT_NE(base, InputValue(TokenKey(1, 9, 3), 3, 4, 5, 6));                  // carry
  EXPECT_NE(base, InputValue(TokenKey(1, 2, 3), 9, 4, 5, 6));                  // owner
  EXPECT_NE(base, InputValue(TokenKey(1, 2, 3), 3, 9, 5, 6));                  // token
  EXPECT_NE(base, InputValue(TokenKey(1, 2, 3), 3, 4, 9, 6));                  // layer
  EXPECT_NE(base, InputValue(TokenKey(1, 2, 3), 3, 4, 5, 7));                  // index
  EXPECT_NE(base, TargetValue(TokenKey(1, 2, 3), 3, 4, 5, 6));                 // domain
  EXPECT_NE(TokenKey(1, 2, 3), TokenKey(1, 2, 3 + (std::uint64_t{1} << 32)));  // owner high bits
}

TEST(Fingerprint, AnySingleWordChangeChangesIt) {
  std::uint32_t row[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const auto fold = [&] {
    std::uint64_t h = FingerprintStart(0, 0);
    for (std::uint32_t w : row) h = FingerprintAbsorb(h, w);
    return h;
  };
  const std::uint64_t base = fold();
  for (int k = 0; k < 8; ++k) {
    for (int bit = 0; bit < 32; ++bit) {
      row[k] ^= 1u << bit;
      EXPECT_NE(fold(), base) << k << " " << bit;
      row[k] ^= 1u << bit;
    }
  }
  EXPECT_NE(FingerprintStart(0, 1), FingerprintStart(1, 0));
}

TEST(Mac, IsTwoRoundingsNotAFusedMultiplyAdd) {
  // a * b = 1 - 2^-46 exactly; rounded to fp32 it is 1, so acc + a * b = 0 with two roundings
  // and -2^-46 with one (fma). volatile keeps the compiler from folding it at compile time.
  volatile float a = 1.0f + 1.0f / 8388608.0f;  // 1 + 2^-23
  volatile float b = 1.0f - 1.0f / 8388608.0f;  // 1 - 2^-23
  EXPECT_EQ(Mac(-1.0f, a, b), 0.0f);
}

}  // namespace
}  // namespace rwttt
